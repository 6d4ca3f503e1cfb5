"""What the loopback server answers in each shipped judge format: where a format's prompt holds the answers (found
from the format's own template), and a verdict written in the format's syntax. Written for the tests; the
verdict texts follow each format's published examples (see test_judge_formats.py)."""

from __future__ import annotations

import re
from functools import cache

from rmeval.scorers.judge.formats import JudgeFormat, load_format
from rmeval.scorers.judge.templates import LABELS

__all__ = ["decoy", "locate", "verdict_text"]

_SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def _pattern(text: str, answers: str) -> str:
    """A regex matching a rendered template: answer slots captured, every other slot any text."""
    out, at = [], 0
    for m in _SLOT.finditer(text):
        out.append(re.escape(text[at:m.start()]))
        name = m.group(1)
        out.append(f"(?P<{name}>.*?)" if name.startswith("answer") else "(?:.*?)")
        at = m.end()
    out.append(re.escape(text[at:]))
    return "".join(out)


@cache
def _compiled(name: str, mode: str) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    fmt = load_format(name)
    template = fmt.templates[mode]
    whole = re.compile(_pattern(template.user, "answers"), re.DOTALL)
    block = re.compile(_pattern(template.block.replace("{label}", "{x_label}").replace("{number}", "{x_number}"),
                                "answer"), re.DOTALL) if "{answers}" in template.user else None
    return whole, block


def locate(name: str, mode: str, text: str) -> list[str] | None:
    """The answers a prompt of format `name` shows, in order, or None when the text is not such a prompt."""
    whole, block = _compiled(name, mode)
    m = whole.fullmatch(text)
    if m is None:
        return None
    groups = m.groupdict()
    if block is not None and groups.get("answers") is not None:
        return [b.group("answer") for b in block.finditer(groups["answers"])]
    if "answer" in groups:
        return [groups["answer"]]
    return [groups[f"answer_{x.lower()}"] for x in LABELS if f"answer_{x.lower()}" in groups]


def fmt_of(name: str) -> JudgeFormat:
    """The shipped format called `name`."""
    return load_format(name)


def verdict_text(name: str, pick: int | None, scores: list[int], rating: int) -> str:
    """An answer in format `name` picking position `pick` (None: a tie), giving `scores` or a `rating`."""
    x = LABELS[pick] if pick is not None else None
    if name in ("rmeval-pairwise", "rmeval-ranking"):
        return f"A careless judge might answer [[B]].\nFinal verdict:\n[[{x or 'C'}]]"
    if name == "rmeval-rating":
        return f"A rating of [[1]] would be unfair.\nRating: [[{rating}]]"
    if name == "prometheus2-relative":
        return f"Feedback: Response {x or 'A'} covers the rubric better. [RESULT] {x or 'A'}"
    if name == "prometheus2-absolute":
        return f"Feedback: it meets the rubric in part. [RESULT] {max(1, min(5, (rating + 1) // 2))}"
    if name in ("skywork-critic", "rewardbench", "rewardbench-ranking"):
        return f"Having compared them, [[{x}]]" if name != "skywork-critic" else f"[[{x}]]"
    if name == "arena-hard":
        label = "A=B" if x is None else ("A>>B" if x == "A" else "B>A")
        return f"My own answer first. Both are close.\n\nMy final verdict is: [[{label}]]"
    if name == "auto-j-pairwise":
        return ("1. Accuracy differs.\n\nSo, the final decision is " +
                ("Tie" if x is None else f"Response {pick + 1 if pick is not None else 1}"))
    if name == "auto-j-single":
        return f"The response is partly right.\n\nRating: [[{rating}]] "
    if name == "judgelm":
        return f"{scores[0]} {scores[1]}\nAssistant 1 and Assistant 2 differ in detail."
    if name == "pandalm":
        head = "Tie" if pick is None else str(pick + 1)
        return f"{head}\n\n### Reason: one is clearer.\n\n### Reference: a short reference answer."
    if name == "offsetbias":
        return f"Output ({(x or 'A').lower()})"
    if name in ("rm-r1-instruct", "rm-r1-reasoning"):
        return f"<type>Chat</type>\n<eval>compared</eval>\n\n<answer>[[{x or 'A'}]]</answer>"
    if name == "judgelrm":
        return "".join(f"<answer>{s}</answer>" for s in scores)
    if name == "deepseek-grm":
        return ("Specific Criteria: accuracy (60%), clarity (40%).\nAnalysis: the responses differ in accuracy.\n"
                f"Scores: \\boxed{{{', '.join(str(s) for s in scores)}}}")
    if name == "rewardbench-rating":
        return f"The response is partly right.\n\n{rating}"
    raise KeyError(name)


def decoy(name: str) -> str:
    """A verdict-looking text for the thinking part (a parser that read the thought would be misled by it)."""
    return {"prometheus2-relative": "[RESULT] B", "prometheus2-absolute": "[RESULT] 1", "arena-hard": "[[B>>A]]",
            "auto-j-pairwise": "So, the final decision is Response 2", "auto-j-single": "Rating: [[1]]",
            "judgelm": "1 9", "pandalm": "2", "offsetbias": "Output (b)", "judgelrm": "<answer>1</answer>"
            "<answer>9</answer>", "deepseek-grm": "\\boxed{1, 9}", "rewardbench-rating": "1"}.get(name, "[[B]]")
