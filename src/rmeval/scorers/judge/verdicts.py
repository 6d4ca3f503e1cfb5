"""From what judges said to one score per answer: undoing the order, both-order consistency, votes, failures.

Scores are votes. A pairwise or ranking judge gives its pick one vote (a tie, or an inconsistent pair under
`--order both`, gives none, which leaves the answers level); an ensemble adds its judges' votes, so the benchmark's rule
(chosen strictly above rejected, or best-of-N with shared tops) is the majority vote. A rating judge's ratings are
the scores; an ensemble averages them. A judge that failed on an example abstains; when every judge failed, the
example is scored by the failure policy: `tie` (every answer equal) or `wrong` (every rejected answer above).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from rmeval.scorers.judge.parsers import TIE
from rmeval.scorers.judge.reading import FAILURES, Failure, Reading

__all__ = ["FAILURE_POLICIES", "FailurePolicy", "JudgeVerdict", "choice_verdict", "combine", "rating_verdict"]

FailurePolicy = Literal["tie", "wrong"]
FAILURE_POLICIES: tuple[str, ...] = get_args(FailurePolicy)


@dataclass(frozen=True)
class JudgeVerdict:
    """One judge on one example: a vote (or rating) per answer, or None when it failed."""

    votes: tuple[float, ...] | None
    failure: Failure | None = None
    inconsistent: bool = False
    record: dict[str, Any] = field(default_factory=dict)


def _failure_of(readings: Sequence[Reading]) -> Failure | None:
    kinds = {r.failure for r in readings if r.failure}
    return next((k for k in FAILURES if k in kinds), None)  # type: ignore[return-value]


def _notes(readings: Sequence[Reading]) -> dict[str, Any]:
    """Why readings failed: the request errors, and the end of each answer that held no verdict."""
    out: dict[str, Any] = {}
    for kind, key in (("failed_request", "errors"), ("lost_to_budget", "lost"), ("unparseable", "unparsed")):
        notes = [r.note for r in readings if r.failure == kind and r.note]
        if notes:
            out[key] = notes
    return out


def choice_verdict(n: int, shown: Sequence[tuple[int, ...]], readings: Sequence[Reading]) -> JudgeVerdict:
    """A pairwise or ranking judge's vote over `n` answers, from one reading per presentation order.

    Positions are mapped back to answers through `shown`; orders that disagree make an inconsistent pair, counted
    and scored as a tie. A failed reading fails the judge on this example (both orders are needed to know
    whether the verdict holds).

    >>> choice_verdict(2, [(1, 0)], [Reading(0)]).votes      # said A, and A showed answer 1
    (0.0, 1.0)
    >>> v = choice_verdict(2, [(0, 1), (1, 0)], [Reading(0), Reading(0)])  # "A" both times: position bias
    >>> v.votes, v.inconsistent
    ((0.0, 0.0), True)
    """
    labels = [r.value if r.failure is None else None for r in readings]
    record: dict[str, Any] = {"shown": [list(s) for s in shown], "said": [r.said() for r in readings]}
    failure = _failure_of(readings)
    if failure:
        return JudgeVerdict(None, failure, record={**record, "pick": None, "failure": failure, **_notes(readings)})
    picks = {TIE if x == TIE else s[int(x)] for x, s in zip(labels, shown, strict=True)}  # type: ignore[arg-type]
    inconsistent = len(picks) > 1
    pick = TIE if inconsistent else next(iter(picks))
    votes = tuple(float(pick != TIE and i == pick) for i in range(n))  # whole votes: sums compare exactly
    return JudgeVerdict(votes, None, inconsistent, {**record, "pick": pick, "inconsistent": inconsistent})


def rating_verdict(readings: Sequence[Reading]) -> JudgeVerdict:
    """A rating judge's ratings, one reading per answer; any failed rating fails the judge on this example.

    >>> rating_verdict([Reading(8.0), Reading(3.0)]).votes
    (8.0, 3.0)
    >>> rating_verdict([Reading(8.0), Reading(None, "unparseable", "I think it is fine")]).failure
    'unparseable'
    """
    ratings = [float(r.value) if r.failure is None and r.value is not None else None for r in readings]
    failure = _failure_of(readings)
    record: dict[str, Any] = {"ratings": ratings}
    if failure:
        return JudgeVerdict(None, failure, record={**record, "failure": failure, **_notes(readings)})
    return JudgeVerdict(tuple(r for r in ratings if r is not None), record=record)


def combine(mode: str, n_chosen: int, n: int, verdicts: Sequence[JudgeVerdict],
            on_failure: str) -> tuple[tuple[float, ...], bool]:
    """Scores of an example's `n` answers (chosen first) from its judges, and whether the failure policy set them.

    >>> combine("pairwise", 1, 2, [JudgeVerdict((1.0, 0.0)), JudgeVerdict((0.0, 1.0)), JudgeVerdict((1.0, 0.0))],
    ...         "tie")
    ((2.0, 1.0), False)
    >>> combine("rating", 1, 2, [JudgeVerdict((8.0, 2.0)), JudgeVerdict(None, "unparseable")], "tie")
    ((8.0, 2.0), False)
    >>> combine("ranking", 1, 4, [JudgeVerdict(None, "failed_request")], "tie")
    ((0.0, 0.0, 0.0, 0.0), True)
    >>> combine("pairwise", 1, 2, [JudgeVerdict(None, "unparseable")], "wrong")
    ((0.0, 1.0), True)
    """
    valid = [v.votes for v in verdicts if v.votes is not None]
    if not valid:
        if on_failure == "tie":
            return tuple(0.0 for _ in range(n)), True
        if on_failure == "wrong":
            return tuple(0.0 if i < n_chosen else 1.0 for i in range(n)), True
        raise ValueError(f"--on-failure must be one of {', '.join(FAILURE_POLICIES)}, got {on_failure!r}")
    totals = [sum(v[i] for v in valid) for i in range(n)]
    if mode == "rating":
        return tuple(t / len(valid) for t in totals), False
    return tuple(totals), False
