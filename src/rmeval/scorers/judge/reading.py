"""From one answer to what it says, and from a vote's K answers to one verdict per order.

An answer says a position (0 = the answer shown first), `TIE`, a rating, or one score per answer shown; or nothing,
for one of three reasons counted apart: the request failed (`failed_request`), the token budget ended it before a
verdict (`lost_to_budget`: generation stopped at the budget, its thinking never closed, or the thinking took more
than `--thinking-budget`), or it ended with no verdict the format can read (`unparseable`). A verdict is never read
from a thinking part, nor from an answer the budget cut short when the format's verdict comes at the end (what was
cut may have held the final verdict; a cut answer's last verdict-like text can be a quote); formats whose verdict
comes first (JudgeLM's and PandaLM's first line) keep a verdict given before the cut.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from rmeval.engines.answer import Answer
from rmeval.scorers.judge.formats import JudgeFormat
from rmeval.scorers.judge.parsers import TIE
from rmeval.scorers.judge.templates import LABELS

__all__ = ["FAILURES", "Failure", "Reading", "read", "vote"]

Failure = Literal["failed_request", "lost_to_budget", "unparseable"]
FAILURES: tuple[str, ...] = ("failed_request", "lost_to_budget", "unparseable")


@dataclass(frozen=True)
class Reading:
    """What one answer (or a vote of several) says: a position shown (0 = A), `TIE` or a rating (`value`), the
    scores it gave each answer shown (score formats), a five-way strength, or a failure with its reason; `answer`
    is the answer read (None for a vote)."""

    value: int | float | str | None
    failure: Failure | None = None
    note: str | None = None
    scores: tuple[float, ...] | None = None
    strength: int = 1
    answer: Answer | None = None

    def said(self) -> str | float | None:
        """The verdict as samples.jsonl writes it: a letter, `tie`, a rating, or None."""
        if self.failure is not None or self.value is None:
            return None
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            return LABELS[self.value]
        return self.value

    def record(self) -> dict[str, Any]:
        """One sample's verdict with why it stopped and its token counts (samples.jsonl)."""
        out: dict[str, Any] = {"said": self.said()}
        if self.scores is not None:
            out["scores"] = list(self.scores)
        if self.strength != 1:
            out["strength"] = self.strength
        if self.failure is not None:
            out["failure"] = self.failure
        return {**out, **(self.answer.record() if self.answer is not None else {})}


def _pick(scores: Sequence[float]) -> int | str:
    """The position of the highest score, or `TIE` when it is shared (JudgeLM's and JudgeLRM's comparison)."""
    top = max(scores)
    winners = [i for i, s in enumerate(scores) if s == top]
    return winners[0] if len(winners) == 1 else TIE


def read(fmt: JudgeFormat, mode: str, shown: int, answer: Answer, thinking_budget: int | None = None) -> Reading:
    """What one answer says about the `shown` answers of its prompt under `fmt`."""
    if answer.text is None:
        return Reading(None, "failed_request", answer.error, answer=answer)
    budget_hit = answer.finish == "token_budget"
    if thinking_budget and answer.thinking_tokens is not None and answer.thinking_tokens > thinking_budget:
        return Reading(None, "lost_to_budget", f"thought for {answer.thinking_tokens} tokens, past the thinking "
                                               f"budget of {thinking_budget}", answer=answer)
    if not answer.closed:
        note = "the token budget ended it while thinking" if budget_hit else "its thinking part never closed"
        return Reading(None, "lost_to_budget" if budget_hit else "unparseable", note, answer=answer)
    if budget_hit and fmt.verdict.scope != "first-line":
        return Reading(None, "lost_to_budget", "the token budget cut the answer before its end", answer=answer)
    parsed = fmt.verdict.parse(answer.text, shown)
    if parsed is None:
        kind: Failure = "lost_to_budget" if budget_hit else "unparseable"
        return Reading(None, kind, answer.text[-200:], answer=answer)
    value = parsed.value
    if isinstance(value, tuple):
        return Reading(_pick(value), scores=value, answer=answer)
    if isinstance(value, float) or mode == "rating":
        return Reading(float(value), answer=answer)
    return Reading(TIE if value == TIE else LABELS.index(str(value)), strength=parsed.strength, answer=answer)


def _failure(readings: Sequence[Reading]) -> Reading:
    kinds: Counter[str] = Counter(str(r.failure) for r in readings if r.failure)
    top = max(kinds.values())
    kind = next(k for k in FAILURES if kinds.get(k) == top)  # ties: a failed request, then the budget, then parsing
    return Reading(None, kind, next((r.note for r in readings if r.failure == kind), None))  # type: ignore[arg-type]


def vote(readings: Sequence[Reading], mode: str) -> Reading:
    """One verdict from a vote's samples: the majority (a tie between the most voted is `TIE`, which the benchmark
    then scores as its rule scores a tie), the mean rating, or the mean scores (and their pick). Failed samples
    abstain; when all failed, the vote fails as most of them did.

    >>> vote([Reading(0), Reading(1), Reading(0)], "pairwise").value
    0
    >>> vote([Reading(0), Reading(1)], "pairwise").value
    'tie'
    >>> vote([Reading(7.0), Reading(8.0), Reading(None, "unparseable")], "rating").value
    7.5
    """
    valid = [r for r in readings if r.failure is None]
    if len(readings) == 1:
        return replace(readings[0], answer=None)
    if not valid:
        return _failure(readings)
    if mode == "rating":
        return Reading(sum(float(r.value or 0.0) for r in valid) / len(valid))
    if all(r.scores is not None for r in valid):
        scores = [r.scores for r in valid if r.scores is not None]
        mean = tuple(sum(col) / len(col) for col in zip(*scores, strict=True))
        return Reading(_pick(mean), scores=mean)
    counts = Counter(r.value for r in valid)
    top = max(counts.values())
    winners = [v for v, c in counts.items() if c == top]
    return Reading(winners[0] if len(winners) == 1 else TIE)
