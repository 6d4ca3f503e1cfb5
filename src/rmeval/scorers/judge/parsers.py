"""Reading a judge's final verdict out of its free-text answer.

Judges reason before they decide, and the reasoning often quotes verdict-like strings ("a sloppy judge would say
[[A]]"). Every parser therefore reads the *last* verdict of the answer, after any `</think>` block of a reasoning
model, and gives up (None: unparseable) when that last line holds two different verdicts, rather than guessing.
"""

from __future__ import annotations

import re

__all__ = ["TIE", "final_part", "parse_label", "parse_pairwise", "parse_rating"]

TIE = "tie"
"""What `parse_pairwise` returns for an explicit tie verdict (`[[C]]` in MT-Bench's pair prompt, or `[[tie]]`)."""

_MARK = re.compile(r"\[\[\s*([^\[\]\n]{1,12}?)\s*\]\]")


def final_part(text: str) -> str:
    """The part of an answer that holds the decision: what follows the last `</think>`, if any.

    >>> final_part("<think>maybe [[A]]</think>Final: [[B]]")
    'Final: [[B]]'
    """
    cut = text.rfind("</think>")
    return text[cut + len("</think>"):] if cut >= 0 else text


def _last_marks(text: str) -> list[str]:
    """The `[[...]]` contents on the last line that has any, in order (upper-cased, inner spaces kept)."""
    for line in reversed(final_part(text).splitlines()):
        marks = [m.group(1).strip().upper() for m in _MARK.finditer(line)]
        if marks:
            return marks
    return []


def parse_label(text: str, labels: str) -> str | None:
    """The final `[[X]]` verdict with X one of `labels` (ranking: "ABCD"), or None when there is no clear one.

    >>> parse_label("A is long, C is wrong. Best: [[C]]", "ABCD")
    'C'
    >>> parse_label("Earlier I wrote [[A]], but on reflection\\n[[ b ]]", "ABCD")
    'B'
    >>> parse_label("The answer is [[E]]", "ABCD") is None   # not a label of this question
    True
    >>> parse_label("Either [[A]] or [[B]]", "ABCD") is None  # two verdicts on the final line
    True
    >>> parse_label("No verdict here.", "AB") is None
    True
    """
    marks = _last_marks(text)
    distinct = set(marks)
    if len(distinct) != 1:
        return None
    (label,) = distinct
    return label if len(label) == 1 and label in labels.upper() else None


def parse_pairwise(text: str) -> str | None:
    """'A', 'B', `TIE` (for `[[C]]` or `[[tie]]`), or None: the final verdict of a pairwise judge.

    >>> parse_pairwise("Answer A has a bug, so: [[B]]")
    'B'
    >>> parse_pairwise("The format is [[A]] or [[B]].\\nB is clearer.\\n[[A]]")
    'A'
    >>> parse_pairwise("Both are equally good. [[C]]"), parse_pairwise("[[Tie]]")
    ('tie', 'tie')
    >>> parse_pairwise("<think>I lean to [[A]]</think>After all, neither.") is None
    True
    """
    marks = _last_marks(text)
    verdicts = {TIE if m in ("C", "TIE") else m for m in marks}
    if len(verdicts) != 1:
        return None
    (verdict,) = verdicts
    return verdict if verdict in ("A", "B", TIE) else None


def parse_rating(text: str, low: float = 1.0, high: float = 10.0) -> float | None:
    """The final `[[N]]` rating, a number in [low, high], or None.

    >>> parse_rating("Mostly right, one slip.\\nRating: [[7]]")
    7.0
    >>> parse_rating("A perfect answer would earn [[10]].\\nThis one earns [[6.5]]")
    6.5
    >>> parse_rating("Between [[6]] and [[7]]") is None  # two ratings on the final line
    True
    >>> parse_rating("[[11]]") is None, parse_rating("[[seven]]") is None, parse_rating("7/10") is None
    (True, True, True)
    """
    marks = _last_marks(text)
    if not marks:
        return None
    values = set()
    for mark in marks:
        try:
            values.add(float(mark))
        except ValueError:
            return None
    if len(values) != 1:
        return None
    (value,) = values
    return value if low <= value <= high else None
