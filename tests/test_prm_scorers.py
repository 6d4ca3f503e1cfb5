"""The four step-level kinds on tiny random models of their families' exact shapes: every step score equal to a
by-hand computation from the same weights, done the way each family's authors compute it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from prm_shapes import HEADER_TEMPLATE, build_qwen_prm, build_shepherd_prm, build_skywork_prm
from rmeval.scorers import build_scorer
from rmeval.types import Example, Message

torch = pytest.importorskip("torch")

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples?"
STEPS = ["Tom starts with 3 apples.", "He buys 4 more, so 3 + 4 = 8.", "The answer is 8."]


def _solution(steps: list[str] = STEPS, sid: str = "s0") -> Example:
    return Example("gsm8k", sid, (Message("user", PROBLEM),), ("\n\n".join(steps),), (), {"steps": [steps],
                                                                                           "label": 1})


def _scores(kind: str, folder: Path, examples: list[Example], **options: Any) -> list[list[float]]:
    with build_scorer(kind, str(folder), use_score_cache=False, device="cpu", **options) as scorer:
        scored = scorer.score(examples)
    return [s.details["steps"]["scores"][0] for s in scored]


def test_prm_head_reads_the_positive_class_at_each_separator(tmp_path: Path) -> None:
    built = build_qwen_prm(tmp_path / "qwen-prm")
    system = "Please reason step by step."
    got = _scores("prm-head", tmp_path / "qwen-prm", [_solution()], system_prompt=system, head="score")[0]
    tok, backbone = built["tokenizer"], built["backbone"]
    # the model card's way: steps joined by <extra_0> (one after each), the chat template, then the mask of
    # separator tokens and softmax(...)[:, 1] of the head at them
    messages = [{"role": "system", "content": system}, {"role": "user", "content": PROBLEM},
                {"role": "assistant", "content": "<extra_0>".join(STEPS) + "<extra_0>"}]
    text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)
    ids = torch.tensor([tok.encode(text)])
    with torch.no_grad():
        hidden = backbone(input_ids=ids).last_hidden_state[0]
        (w1, b1), (w2, b2) = built["head"]
        logits = torch.relu(hidden @ w1.T + b1) @ w2.T + b2
        probs = torch.softmax(logits, dim=-1)[ids[0] == tok.convert_tokens_to_ids("<extra_0>")][:, 1]
    assert got == pytest.approx(probs.tolist(), abs=1e-5) and len(got) == 3


def test_prm_tag_reads_good_against_bad_at_each_tag(tmp_path: Path) -> None:
    built = build_shepherd_prm(tmp_path / "shepherd")
    got = _scores("prm-tag", tmp_path / "shepherd", [_solution()])[0]
    tok, model = built["tokenizer"], built["model"]
    # the model card's way: f"{question} {output}", output "Step n: ... ки" joined by newlines; the candidate ids are
    # encode("+ -") without BOS; softmax over those two logits at the tag's positions, [0]
    output = "\n".join(f"Step {n}: {s} ки" for n, s in enumerate(STEPS, start=1))
    ids = torch.tensor([tok.encode(f"{PROBLEM} {output}")])
    candidates = tok.encode("+ -", add_special_tokens=False)
    with torch.no_grad():
        scores = model(ids).logits[0][:, candidates].softmax(dim=-1)[:, 0]
    expected = scores[ids[0] == tok.convert_tokens_to_ids("ки")].tolist()
    assert got == pytest.approx(expected, abs=1e-5) and len(got) == 3


def test_prm_chat_reads_each_judgment_as_the_authors_do_one_prefix_at_a_time(tmp_path: Path) -> None:
    built = build_shepherd_prm(tmp_path / "rlhflow", chat_template=HEADER_TEMPLATE)
    got = _scores("prm-chat", tmp_path / "rlhflow", [_solution()])[0]
    tok, model = built["tokenizer"], built["model"]
    # RLHFlow's prm_evaluate.py: the conversation up to step k with "+" after each step, apply_chat_template,
    # logits at position -3 (just before "+"), softmax over [+, -], [0]; one forward pass per step
    plus, minus = tok.encode("+", add_special_tokens=False)[-1], tok.encode("-", add_special_tokens=False)[-1]
    conversation: list[dict[str, str]] = []
    expected = []
    for k, step in enumerate(STEPS):
        conversation += [{"role": "user", "content": f"{PROBLEM} {step}" if k == 0 else step},
                         {"role": "assistant", "content": "+"}]
        ids = tok.apply_chat_template(conversation, return_tensors="pt", return_dict=True)["input_ids"]
        with torch.no_grad():
            logits = model(ids).logits[:, -3, [plus, minus]]
        expected.append(float(logits.softmax(dim=-1)[0, 0]))
    assert got == pytest.approx(expected, abs=1e-5)


def test_prm_value_reads_a_sigmoid_of_the_value_head_at_each_step_end(tmp_path: Path) -> None:
    built = build_skywork_prm(tmp_path / "skywork")
    got = _scores("prm-value", tmp_path / "skywork", [_solution()])[0]
    tok, backbone = built["tokenizer"], built["backbone"]
    # Skywork's io_utils.prepare_input: encode(bos + problem + "\n"), then each step's own tokens and the step
    # token's id; the value head at the flagged positions, through a sigmoid
    ids = tok.encode(tok.bos_token + PROBLEM + "\n")
    flags = []
    for step in STEPS:
        ids += [*tok.encode(step), tok.encode("\n")[-1]]
        flags.append(len(ids) - 1)
    with torch.no_grad():
        hidden = backbone(input_ids=torch.tensor([ids])).last_hidden_state[0]
        w, b = built["head"]
        values = torch.sigmoid(hidden[flags] @ w.T + b)[:, 0]
    assert got == pytest.approx(values.tolist(), abs=1e-5)


def test_batching_truncation_and_outcome_rewards(tmp_path: Path) -> None:
    build_qwen_prm(tmp_path / "qwen-prm")
    many = [_solution(STEPS[: n + 1], f"s{n}") for n in range(3)]
    alone = [_scores("prm-head", tmp_path / "qwen-prm", [ex])[0] for ex in many]
    together = _scores("prm-head", tmp_path / "qwen-prm", many, batch_size=3)
    assert [x for row in together for x in row] == pytest.approx([x for row in alone for x in row], abs=1e-5)
    cut = _scores("prm-head", tmp_path / "qwen-prm", [many[2]], max_length=30)[0]
    assert math.isnan(cut[0]) and not math.isnan(cut[-1])  # the start goes first; a cut step has no score
    pair = Example("math-prm", 1, (Message("user", PROBLEM),), ("3 + 4 = 7.\n\nThe answer is 7.",),
                   ("3 + 4 = 8.\n\nThe answer is 8.",))
    for how in ("min", "last", "product", "mean"):
        with build_scorer("prm-head", str(tmp_path / "qwen-prm"), use_score_cache=False, device="cpu",
                          aggregate=how) as scorer:
            scored = scorer.score([pair])[0]
        chosen, rejected = scored.details["steps"]["scores"]
        assert len(chosen) == len(rejected) == 2  # split at blank lines
        expected = {"min": min, "last": lambda s: s[-1], "product": math.prod, "mean": lambda s: sum(s) / len(s)}[how]
        assert scored.chosen_scores[0] == pytest.approx(expected(chosen))
        assert scored.rejected_scores[0] == pytest.approx(expected(rejected))


def test_a_batch_holds_whole_answers_every_step_once(tmp_path: Path) -> None:
    build_qwen_prm(tmp_path / "qwen-prm")
    examples = [_solution(STEPS[: n + 1], f"s{n}") for n in range(3)] + [_solution(STEPS, "again")]
    with build_scorer("prm-head", str(tmp_path / "qwen-prm"), use_score_cache=False, device="cpu",
                      batch_size=2) as scorer:
        layout = scorer.layout(examples)
        assert len(layout.encoded) == 1 + 2 + 3  # the repeated solution's steps are the same inputs
        batches, _, _ = scorer.plan(layout.encoded)
        for batch in batches:
            answers = {layout.encoded[i].encoding for i in batch}
            assert len(answers) <= 2  # rows are answers
            assert sorted(batch) == sorted(i for i, r in enumerate(layout.encoded) if r.encoding in answers)
        scored = scorer.score(examples)
    assert scored[2].details == scored[3].details
