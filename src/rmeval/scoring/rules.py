"""The rules of the benchmarks beyond RewardBench, vectorised over examples of one shape (`credit` dispatches here).

Each takes a matrix of scores (examples x answers, the `k` chosen answers first) and returns the credit of each
example, whether it was a tie, and its facets (values the benchmark reports beside the score, averaged like it):

- `style_matrix` (RM-Bench, `scripts/utils.py::compute_accuracy`): the k x k matrix of chosen[i] > rejected[j]
  (strict; the styles concise, detailed, detailed-markdown in that order); the credit is the mean of its cells,
  Hard the mean of the upper triangle (i < j: a plainer chosen answer against a fancier rejected one), Normal the
  diagonal, Easy the lower triangle. A tied comparison counts as lost; an example with one is counted as a tie.
- `judgebench` (JudgeBench, `utils/judges.py` lines 473, 525, 564 and `utils/metrics.py::compute_final_metrics`):
  a reward model decides A>B when score(A) > score(B), else B>A, so an exact tie, or a NaN score on either side,
  goes to response B; a pairwise judge's verdicts in every order it judged vote +1 for the labelled winner and -1
  for the other (a tie or a failure 0), and the pair is right when the votes sum above 0. The label comes from the
  sample's facts, the verdicts from its details.
- `listed_pairs` (PPE's correctness sets): the share of the example's listed (correct, incorrect) pairs won
  strictly (every pair when none is listed); its facet Best-of-K is the share of correct answers among those
  sharing the top score (1 when the top-scored answer is correct and alone at the top).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["FACETS", "check_shape", "judge_votes", "judgebench", "listed_pairs", "style_matrix"]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Rows = Sequence[Mapping[str, Any]]

FACETS: dict[str, tuple[str, ...]] = {"style_matrix": ("Easy", "Normal", "Hard"), "listed_pairs": ("Best-of-K",)}
"""The facets each rule reports beside its credit."""

POSITIONS = {"A": 0, "B": 1}


def check_shape(rule: str, n_chosen: int, n_rejected: int) -> None:
    """A clear error for answer counts the rule cannot score."""
    if rule == "style_matrix" and (n_chosen != n_rejected or n_chosen < 2):
        raise ValueError(f"the style matrix needs as many chosen as rejected answers (one per style, at least two), "
                         f"got {n_chosen} and {n_rejected}")
    if rule == "judgebench" and (n_chosen, n_rejected) != (1, 1):
        raise ValueError(f"JudgeBench scores pairs: one chosen and one rejected answer, got {n_chosen} and "
                         f"{n_rejected}")


def style_matrix(scores: Floats, k: int) -> tuple[Floats, Bools, dict[str, Floats]]:
    """Credit, tie flag and Easy / Normal / Hard of each row (k chosen then k rejected scores, style order)."""
    chosen, rejected = scores[:, :k, None], scores[:, None, k:]
    with np.errstate(invalid="ignore"):
        won = (chosen > rejected).astype(np.float64)
        tie = (chosen == rejected).any(axis=(1, 2))
    upper, lower = np.triu_indices(k, 1), np.tril_indices(k, -1)
    facets = {"Easy": won[:, lower[0], lower[1]].mean(axis=1), "Normal": np.diagonal(won, axis1=1, axis2=2).mean(1),
              "Hard": won[:, upper[0], upper[1]].mean(axis=1)}
    return won.mean(axis=(1, 2)), tie, facets


def judge_votes(details: Mapping[str, Any]) -> float:
    """The labelled winner's votes minus the other's over every judge and order of a pairwise judge's record
    (`details.judges[].shown` / `.said`); NaN when the example was not judged pairwise (a reward model).

    >>> judge_votes({"judges": [{"shown": [[0, 1], [1, 0]], "said": ["A", "A"]}]})  # position bias: 0
    0.0
    >>> judge_votes({"judges": [{"shown": [[1, 0], [0, 1]], "said": ["B", "tie"]}]}), judge_votes({})
    (1.0, nan)
    """
    judges = details.get("judges")
    if not isinstance(judges, list) or not judges:
        return float("nan")
    total = 0.0
    for record in judges:
        shown, said = record.get("shown"), record.get("said")
        if not isinstance(shown, list) or not isinstance(said, list):
            return float("nan")  # a rating judge: its ratings are rewards
        for order, verdict in zip(shown, said, strict=True):
            position = POSITIONS.get(verdict) if isinstance(verdict, str) else None
            if position is not None:
                total += 1.0 if order[position] == 0 else -1.0
    return total


def judgebench(scores: Floats, facts: Rows, details: Rows) -> tuple[Floats, Bools]:
    """Credit and tie flag of each pair (chosen then rejected score) under JudgeBench's rule.

    >>> nan = float("nan")
    >>> judgebench(np.array([[1.0, 1.0], [nan, 2.0], [2.0, nan]]), [{"label": "B>A"}, {"label": "B>A"},
    ...            {"label": "A>B"}], [{}, {}, {}])[0].tolist()  # a tie and a NaN both decide B>A
    [1.0, 1.0, 0.0]
    """
    chosen, rejected = scores[:, 0], scores[:, 1]
    chosen_is_b = np.array([f.get("label") == "B>A" for f in facts], dtype=np.bool_)
    votes = np.array([judge_votes(d) for d in details], dtype=np.float64)
    judged = ~np.isnan(votes)
    with np.errstate(invalid="ignore"):
        # The decision is A>B exactly when score(A) > score(B); B is right on every other outcome.
        reward_right = np.where(chosen_is_b, ~(rejected > chosen), chosen > rejected)
        credit = np.where(judged, votes > 0, reward_right).astype(np.float64)
        tie = np.where(judged, votes == 0, chosen == rejected)
    return credit, tie


def listed_pairs(scores: Floats, k: int, facts: Rows) -> tuple[Floats, Bools, dict[str, Floats]]:
    """Credit (share of listed pairs won), tie flag and Best-of-K of each row (k correct answers first)."""
    n, width = scores.shape
    rows, left, right = [], [], []
    for r, f in enumerate(facts):
        pairs = f.get("pairs") or [(i, j) for i in range(k) for j in range(width - k)]
        for i, j in pairs:
            rows.append(r)
            left.append(int(i))
            right.append(k + int(j))
    row = np.asarray(rows, dtype=np.int64)
    a, b = scores[row, np.asarray(left, dtype=np.int64)], scores[row, np.asarray(right, dtype=np.int64)]
    with np.errstate(invalid="ignore"):
        won = np.bincount(row, weights=(a > b).astype(np.float64), minlength=n)
        tied = np.bincount(row, weights=(a == b).astype(np.float64), minlength=n) > 0
        at_top = scores == scores.max(axis=1, keepdims=True)
    counted = np.bincount(row, minlength=n).astype(np.float64)
    best = at_top[:, :k].sum(axis=1) / np.maximum(at_top.sum(axis=1), 1)
    return won / np.maximum(counted, 1.0), tied, {"Best-of-K": best.astype(np.float64)}
