"""Every shipped judge format's verdict parser on its authors' published examples (each quoted below, with where it
comes from), its prompt kept byte for byte, and format files of one's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rmeval.engines.answer import Answer
from rmeval.engines.thinking import split_thinking
from rmeval.scorers.judge.formats import format_names, load_format, resolve_formats
from rmeval.scorers.judge.reading import read
from rmeval.types import Message

# prometheus-eval/prometheus-eval@dcfb442, libs/prometheus-eval/tests/test_parser.py, lines 10-59 (the authors' cases)
PROMETHEUS_ABSOLUTE = [
    ("Reference (Score 5) two results [RESULT] 3", 3), ("Reference (Score 5) not results", None),
    ("Excellent. [RESULT] 5 out of 5", 5), ("Poor performance. [RESULT] score of 1", 1),
    ("Good job. [Result] 3", 3), ("Needs improvement. [Result] Score: 2", 2), ("Well done. [Result] Result: 4", 4),
    ("Average. [Result] 4/5", 4), ("Excellent. [Result] 5 out of 5", 5), ("Poor performance. [Result] score of 1", 1),
    ("Good job. (Score 5)", 5), ("Good job. [Score 4]", 4), ("Good job. score: 3", 3), ("Good job. Score: 3", 3),
    ("Good job. score of 1", 1), ("Good job. [RESULT] (5)", 5), ("The score is definitely not 3.", None),
    ("I rate this a perfect 10!", None), ("Score: 2.5", None), ("Result: A", None),
]
PROMETHEUS_RELATIVE = [
    ("[Response B is not better. [RESULT] A", "A"), ("Result A or B, not results", None),
    ("Response A is better. [RESULT] A", "A"), ("Prefer Response B. [RESULT] B", "B"),
    ("Feedback: Both responses are similar... [Response B]", "B"),
    ("Feedback: Both responses are clear... [Result] Response B", "B"),
    ("Feedback: Both responses are clear... Response B Response A", None),
    ("Feedback: Both responses are clear... [RESULT: B]", "B"),
    ("Feedback: Both responses are clear... [Result: B]", "B"),
    ("Feedback: Both responses are clear...Response A. [RESULT] B", "B"),
    ("After careful consideration, I select Response B.", None), ("Both responses have their merits.", None),
    ("Response C is clearly superior.", None),
    ("The better response is obviously B... or is it A? It's hard to decide.", None),
]
THOUGHT = "Assistant 1 keeps the meaning in fewer words. </think>"
# Each other format: (answer, verdict), quoted from or written to its authors' published syntax (source per line).
PUBLISHED: dict[str, list[tuple[str, object]]] = {
    # lmarena/arena-hard-auto@196f6b8, utils/judge_utils.py line 1 (the prompt's labels and its example output);
    # gen_judgment.py lines 21-31 (each pattern in turn, its last match)
    "arena-hard": [('My final verdict is tie: [[A=B]]', "tie"), ("Assistant A is significantly better: [[A>>B]]", "A"),
                   ("At first [[A>B]]; on reflection [[B>A]]", "B"), ("My final verdict is [B>>A]", "B"),
                   ("No label at all.", None)],
    # GAIR-NLP/auto-j@2ae17a3, codes/usage/constants_prompt.py line 34 (the decision statement the prompt asks for);
    # codes/usage/example.py lines 6-18 (after the last 'final decision is ')
    "auto-j-pairwise": [("1. Accuracy.\n\nSo, the final decision is Response 2.", "B"),
                        ("So, the final decision is Tie", "tie"),
                        ("the final decision is Response 2; revised: So, the final decision is Response 1", "A"),
                        ("Response 1 is better.", None)],
    # GAIR-NLP/auto-j@2ae17a3, data/outputs/critique_example_output.jsonl line 1 (the end of a published output)
    "auto-j-single": [(" points of the post, it omits several key details and does not ask a question at the end, "
                       "which are both important for a comprehensive summary. \n\nRating: [[6]] ", 6.0),
                      ("Good answer, Rating: [[9]]", 9.0), ("No rating.", None)],
    # baaivision/JudgeLM@00c4516, judgelm/llm_judge/common.py lines 10-25 and the prompt's output format (line 194);
    # the repository publishes no judgment
    "judgelm": [("8 6\nAssistant 1 explains more.", (8.0, 6.0)), ("10,9", (10.0, 9.0)),
                ("7 7\nEqually good.", (7.0, 7.0)),
                ("8, 6\nwith a comma and a space: three parts", None), ("Assistant 1 is better.", None)],
    # WeOpenML/PandaLM@3871806, data/pandalm-7b-testset-v1.json idx 0 and 1 (pandalm_result, pandalm_reason,
    # pandalm_reference) in the output format of pandalm/utils/pandalm_inference.py lines 77-80
    "pandalm": [("2\n\n### Reason: Response 2 is better because it is more concise and still conveys the same "
                 "meaning as the original sentence.\n\n### Reference: If you have any questions, please let me "
                 "know.\n", "B"),
                ("1\n\n### Reason: Response 1 is better because it is concise and still conveys the same meaning as "
                 "the original sentence.\n\n### Reference: If you have any questions about my rate, please let me "
                 "know.\n", "A"),
                ("Tie\n\n### Reason: both are the same.", "tie"), ("Response 1", None)],
    # ncsoft/offsetbias@0bd16e4, README.md line 41 ('The model should output "Output (b)"'); prompt/offsetbias.py 20-23
    "offsetbias": [("Output (b)", "B"), ("Output (a)", "A"), ("I prefer the first.", None)],
    # RM-R1-UIUC/RM-R1@d4c2542, demo/demo.ipynb (the end of the Instruct model's published output);
    # eval/reward-bench/rewardbench/generative.py lines 577-585
    "rm-r1-instruct": [("Chatbot B provides no additional value beyond the basic information.\n</eval>\n\n"
                        "<answer>[[A]]</answer>", "A"), ("<answer>[[B]]</answer>", "B"),
                       ("[[A]] or [[B]]: <answer>[[B]]</answer>", None)],
    # the same notebook, the reasoning model's output: it opens with thinking (no <think>: the template wrote it)
    "rm-r1-reasoning": [("So, considering the thoroughness, detail, and helpfulness, Chatbot A's response is "
                         "significantly better than Chatbot B's.\n</think>\n\nThe evaluation of the two chatbots' "
                         "responses to the question \"How do I detail a car?\" is based on the thoroughness and "
                         "detail provided.\n\n"
                         "<answer>[[A]]</answer>", "A")],
    # NuoJohnChen/JudgeLRM@1b20721, results/results_judgelrm7b.json idx 0, 4 and 76 (output and result 1, 2, 0);
    # the file keeps what follows the thinking part, which the prompt opened: here after a short thought
    "judgelrm": [(THOUGHT + "<answer>8</answer><answer>7</answer><|im_end|>", (8.0, 7.0)),
                 (THOUGHT + "<answer>2</answer><answer>8</answer><|im_end|>", (2.0, 8.0)),
                 (THOUGHT + "<answer>9</answer><answer>9</answer><|im_end|>", (9.0, 9.0)),
                 (THOUGHT + "<answer>7.5</answer><answer>8</answer>", None), (THOUGHT + "<answer>8</answer>", None),
                 ("still weighing <answer>8</answer><answer>7</answer>", None)],  # never closed: no verdict
    # arXiv 2504.02495, the DeepSeek-GRM prompt's output format ("Scores: ... \boxed{x, x}"); no published parser
    "deepseek-grm": [("Specific Criteria: accuracy (60%).\nAnalysis: A is right.\nScores: \\boxed{8, 6}", (8.0, 6.0)),
                     ("Scores: \\boxed{3,9}", (3.0, 9.0)), ("Scores: \\boxed{8}", None)],
    # Skywork/Skywork-Critic-Llama-3.1-8B model card (the expected output "[[B]]"); reward-bench generative.py 492-498
    "skywork-critic": [("[[B]]", "B"), ("[[A]]", "A"), ("B", None)],
    # allenai/reward-bench@05a9005, rewardbench/generative.py lines 492-498 ([[A]] anywhere first, then [[B]])
    "rewardbench": [("Assistant A is right. [[A]]", "A"), ("[[B]]", "B"), ("[[A]] or [[B]]", "A"), ("A", None)],
    # rewardbench/generative_v2.py lines 174-184
    "rewardbench-ranking": [("The best is [[C]]", "C"), ("[[D]]", "D"), ("none", None)],
    # rewardbench/generative.py lines 626-634 (the published example response: its end), generative_v2.py line 385
    "rewardbench-rating": [("The response balances depth and clarity without overwhelming the reader, making it"
                            "\nhighly relevant and helpful.\n\n9", 9.0), ("Rating: 11", None),
                           ("Ten out of ten", None)],
}
MODE = {"prometheus2-absolute": "rating", "auto-j-single": "rating", "rewardbench-rating": "rating",
        "rewardbench-ranking": "ranking"}


def verdict(name: str, text: str) -> object:
    fmt = load_format(name)
    mode = MODE.get(name, "pairwise")
    shown = {"rating": 1, "ranking": 4}.get(mode, 2)
    split = split_thinking(text, None, fmt.think, fmt.think_opened)
    parsed = read(fmt, mode, shown, Answer(split.answer, thinking=split.thinking, closed=split.closed))
    if parsed.failure:
        return None
    if parsed.scores is not None:
        return parsed.scores
    return "ABCD"[parsed.value] if isinstance(parsed.value, int) else parsed.value


@pytest.mark.parametrize(("text", "expected"), PROMETHEUS_ABSOLUTE)
def test_prometheus_absolute_on_its_authors_cases(text: str, expected: int | None) -> None:
    assert verdict("prometheus2-absolute", text) == (None if expected is None else float(expected))


@pytest.mark.parametrize(("text", "expected"), PROMETHEUS_RELATIVE)
def test_prometheus_relative_on_its_authors_cases(text: str, expected: str | None) -> None:
    assert verdict("prometheus2-relative", text) == expected


@pytest.mark.parametrize(("name", "text", "expected"),
                         [(n, t, e) for n, cases in PUBLISHED.items() for t, e in cases])
def test_each_format_reads_its_published_verdicts(name: str, text: str, expected: object) -> None:
    assert verdict(name, text) == expected


def test_every_shipped_format_has_examples_sources_and_renders() -> None:
    tested = set(PUBLISHED) | {"prometheus2-absolute", "prometheus2-relative"}
    shipped = [n for n in format_names() if not n.startswith("rmeval-")]
    assert set(shipped) == tested
    prompt = (Message("user", "What is 2+2?"),)
    for name in shipped:
        fmt = load_format(name)
        assert fmt.sources and fmt.description, name
        for mode, template in fmt.templates.items():
            answers = {"rating": ["4"], "ranking": ["4", "5", "6", "7"]}.get(mode, ["4", "5"])
            text = "\n".join(m.content for m in template.render(prompt, answers))
            assert "What is 2+2?" in text and "{" not in text.replace("\\boxed{x, x}", ""), name


def test_prompts_stay_byte_for_byte(tmp_path: Path) -> None:
    """Trailing spaces and newlines are part of a published prompt; a shipped prompt file that changed is refused."""
    assert load_format("prometheus2-relative").templates["pairwise"].user.endswith("###Feedback: ")
    assert load_format("pandalm").templates["pairwise"].user.endswith("### Evaluation:\n")
    assert load_format("judgelrm").templates["pairwise"].user.endswith("<|im_start|>assistant\n<think>")
    assert load_format("judgelrm").raw and load_format("judgelrm").think_opened
    folder = tmp_path / "fmt"
    folder.mkdir()
    (folder / "mine.user.txt").write_text("Question: {query}\nA: {answer_a}\nB: {answer_b}\nSay [[A]] or [[B]].",
                                          encoding="utf-8")
    spec = {"description": "my judge", "modes": ["pairwise"], "prompt": {"user": "mine.user.txt"},
            "sha256": {"user": "0" * 64},
            "verdict": {"kind": "choice", "rules": [{"pattern": r"\[\[([AB])\]\]", "pick": "last"}]}}
    (folder / "mine.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match="must stay as its authors wrote it"):
        load_format(str(folder / "mine.json"))
    del spec["sha256"]
    (folder / "mine.json").write_text(json.dumps(spec), encoding="utf-8")
    mine = resolve_formats([str(folder / "mine.json")])
    assert set(mine) == {"pairwise"} and mine["pairwise"].name == "mine"
    assert mine["pairwise"].verdict.parse("[[B]] then [[A]]", 2) is not None


@pytest.mark.parametrize(("change", "error"), [
    ({"modes": ["rating"]}, "not what a rating judge shows"),
    ({"verdict": {"kind": "choice", "rules": [{"pattern": "(["}]}}, "does not compile"),
    ({"verdict": {"kind": "five-way", "rules": [{"pattern": "x"}]}}, "needs labels"),
    ({"verdict": {"kind": "guess"}}, "verdict.kind must be one of"),
    ({"prompt": {"user": "missing.txt"}}, "no file"),
])
def test_bad_format_files_are_one_line_errors(tmp_path: Path, change: dict[str, object], error: str) -> None:
    (tmp_path / "u.txt").write_text("{query} {answer_a} {answer_b}", encoding="utf-8")
    spec: dict[str, object] = {"modes": ["pairwise"], "prompt": {"user": "u.txt"},
                               "verdict": {"kind": "choice", "rules": [{"pattern": "A"}]}, **change}
    (tmp_path / "f.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_format(str(tmp_path / "f.json"))


def test_a_published_format_is_never_mixed_with_rmevals_own() -> None:
    only = resolve_formats(["prometheus2-relative"])
    assert set(only) == {"pairwise"}  # no silent rmeval prompt for ratings
    both = resolve_formats(["prometheus2-relative", "prometheus2-absolute"])
    assert {m: f.name for m, f in both.items()} == {"pairwise": "prometheus2-relative",
                                                    "rating": "prometheus2-absolute"}
    with pytest.raises(ValueError, match="two formats for pairwise"):
        resolve_formats(["prometheus2-relative", "skywork-critic"])
    assert set(resolve_formats([])) == {"pairwise", "rating", "ranking", "steps"}  # steps: step-level benchmarks
