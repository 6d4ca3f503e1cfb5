"""The credit rule: what one example earns from its scores, written once, for one example and for many at once.

- `pair` (RewardBench v1): 1 when the chosen answer scores strictly above the rejected one; an exact tie earns the
  run's tie credit (0, or 0.5 for judges) and is counted as a tie.
- `best_of_n` (RewardBench 2): 1/k when the chosen answer reaches the top score shared by k answers, else 0; a
  shared top is a tie.
- `ties` (RewardBench 2's Ties subset, per example) and `all_above` (RMB's best-of-N): 1 when every correct answer
  scores above every incorrect one; the worst correct answer equal to the best incorrect one is a tie. A Ties
  subset's value is its composite (`rmeval.scoring.ties`), not the mean of these credits.
- `style_matrix`, `judgebench`, `listed_pairs` (RM-Bench, JudgeBench, PPE): see `rmeval.scoring.rules`; the first
  and the last also give facets (Easy / Normal / Hard, Best-of-K), values averaged like the credit.
- `first_error`, `step_labels`, `step_f1` (ProcessBench, PRMBench): a solution's step scores against its labelled
  steps, with terms whose function is the subset's value (`rmeval.scoring.steps`).

A NaN anywhere among an example's scores (a failed score) earns 0 and is not a tie, except under `judgebench`,
whose authors' rule decides it (B>A). The vectorised form groups
examples of one shape into a matrix (examples x answers, chosen first), so thousands of examples cost a few numpy
operations; the one-example form is the same code on a one-row matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import RULES, BenchmarkSpec
from rmeval.scoring import rules, steps

__all__ = ["Credits", "credits", "example_credit", "run_credits", "run_scoring", "scoring"]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Rows = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Credits:
    """Per example: the credit earned, whether it was a tie, and each facet's value (NaN where the example's rule
    has no such facet)."""

    credit: Floats
    tie: Bools
    facets: dict[str, Floats] = field(default_factory=dict)
    terms: dict[str, Floats] = field(default_factory=dict)
    """Per step rule, each example's terms (examples x terms, NaN for examples of other rules): the columns of
    its units (`rmeval.scoring.steps`)."""


def _check_shape(rule: str, n_chosen: int, n_rejected: int) -> None:
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    if rule == "pair" and (n_chosen, n_rejected) != (1, 1):
        raise ValueError(f"the pair rule needs one chosen and one rejected answer, got {n_chosen} and {n_rejected}")
    if rule == "best_of_n" and n_chosen != 1:
        raise ValueError(f"best-of-N needs exactly one chosen answer, got {n_chosen}")
    if n_chosen < 1 or n_rejected < 1:
        raise ValueError("an example needs at least one chosen and one rejected answer")
    rules.check_shape(rule, n_chosen, n_rejected)


def _matrix_credit(rule: str, scores: Floats, n_chosen: int, tie_credit: float, facts: Rows, details: Rows
                   ) -> tuple[Floats, Bools, dict[str, Floats]]:
    """Credit, tie flag and facets of each row of `scores` (examples x answers, the first `n_chosen` chosen)."""
    facets: dict[str, Floats] = {}
    with np.errstate(invalid="ignore"):
        if rule == "pair":
            chosen, rejected = scores[:, 0], scores[:, 1]
            tie = chosen == rejected
            credit = np.where(chosen > rejected, 1.0, np.where(tie, tie_credit, 0.0))
        elif rule == "best_of_n":
            at_top = scores == scores.max(axis=1, keepdims=True)
            shared = at_top.sum(axis=1)
            tie = at_top[:, 0] & (shared > 1)
            credit = np.where(at_top[:, 0], 1.0 / np.maximum(shared, 1), 0.0)
        elif rule in ("ties", "all_above"):
            margin = scores[:, :n_chosen].min(axis=1) - scores[:, n_chosen:].max(axis=1)
            tie = margin == 0
            credit = (margin > 0).astype(np.float64)
        elif rule == "style_matrix":
            credit, tie, facets = rules.style_matrix(scores, n_chosen)
        elif rule == "judgebench":
            credit, tie = rules.judgebench(scores, facts, details)
        else:
            credit, tie, facets = rules.listed_pairs(scores, n_chosen, facts)
    # JudgeBench's rule decides a NaN reward itself, as its authors' code does (`rules.judgebench`).
    failed = np.isnan(scores).any(axis=1) & (rule != "judgebench")
    facets = {k: np.where(failed, 0.0, v) for k, v in facets.items()}
    return np.where(failed, 0.0, credit), tie & ~failed, facets


def _rows(values: Rows | None, n: int) -> Rows:
    return values if values is not None else [{}] * n


def scoring(rule: str, chosen: Sequence[Sequence[float]], rejected: Sequence[Sequence[float]],
            tie_credit: float = 0.0, facts: Rows | None = None, details: Rows | None = None) -> Credits:
    """Credit, tie flag and facets of every example under one rule. `facts` and `details` (one mapping per
    example: the sample's facts and a scorer's details) feed the rules that need more than scores (JudgeBench)."""
    n = len(chosen)
    facts, details = _rows(facts, n), _rows(details, n)
    if rule in steps.STEP_RULES:  # a solution's step scores against its labelled steps: no answer matrix
        credit, terms, facets = steps.step_credits(rule, facts, details)
        return Credits(credit, np.zeros(n, dtype=np.bool_), facets, {rule: terms})
    credit = np.zeros(n, dtype=np.float64)
    tie = np.zeros(n, dtype=np.bool_)
    facets = {name: np.full(n, np.nan) for name in rules.FACETS.get(rule, ())}
    shapes: dict[tuple[int, int], list[int]] = {}
    for i, (c, r) in enumerate(zip(chosen, rejected, strict=True)):
        shapes.setdefault((len(c), len(r)), []).append(i)
    for (n_chosen, n_rejected), rows in shapes.items():
        _check_shape(rule, n_chosen, n_rejected)
        matrix = np.array([[*chosen[i], *rejected[i]] for i in rows], dtype=np.float64)
        credit[rows], tie[rows], values = _matrix_credit(rule, matrix, n_chosen, tie_credit,
                                                         [facts[i] for i in rows], [details[i] for i in rows])
        for name, v in values.items():
            facets[name][rows] = v
    return Credits(credit, tie, facets)


def credits(rule: str, chosen: Sequence[Sequence[float]], rejected: Sequence[Sequence[float]],
            tie_credit: float = 0.0) -> tuple[Floats, Bools]:
    """Credit and tie flag of every example (chosen[i] against rejected[i]) under one rule.

    >>> c, t = credits("pair", [[1.0], [0.5], [0.2]], [[0.5], [0.5], [float("nan")]], tie_credit=0.5)
    >>> c.tolist(), t.tolist()
    ([1.0, 0.5, 0.0], [False, True, False])
    """
    result = scoring(rule, chosen, rejected, tie_credit)
    return result.credit, result.tie


def example_credit(rule: str, chosen: Sequence[float], rejected: Sequence[float],
                   tie_credit: float = 0.0) -> tuple[float, bool]:
    """The credit of one example and whether it was a tie.

    >>> example_credit("pair", [1.0], [0.5]), example_credit("pair", [0.5], [0.5], 0.5)
    ((1.0, False), (0.5, True))
    >>> example_credit("best_of_n", [2.0], [2.0, 1.0, 0.0]), example_credit("ties", [3.0, 1.0], [1.0])
    ((0.5, True), (0.0, True))
    """
    credit, tie = credits(rule, [chosen], [rejected], tie_credit)
    return float(credit[0]), bool(tie[0])


def run_credits(benchmark: BenchmarkSpec, subsets: Sequence[str], chosen: Sequence[Sequence[float]],
                rejected: Sequence[Sequence[float]], tie_credit: float = 0.0, facts: Rows | None = None,
                details: Rows | None = None) -> tuple[Floats, Bools]:
    """Credit and tie flag of every example of a run, each under its subset's rule in `benchmark`."""
    result = run_scoring(benchmark, subsets, chosen, rejected, tie_credit, facts, details)
    return result.credit, result.tie


def run_scoring(benchmark: BenchmarkSpec, subsets: Sequence[str], chosen: Sequence[Sequence[float]],
                rejected: Sequence[Sequence[float]], tie_credit: float = 0.0, facts: Rows | None = None,
                details: Rows | None = None) -> Credits:
    """Credit, tie flag and facets of every example of a run, each under its subset's rule in `benchmark`."""
    n = len(subsets)
    facts, details = _rows(facts, n), _rows(details, n)
    credit = np.zeros(n, dtype=np.float64)
    tie = np.zeros(n, dtype=np.bool_)
    facets: dict[str, Floats] = {}
    terms: dict[str, Floats] = {}
    by_rule: dict[str, list[int]] = {}
    rule_of: dict[str, str] = {}
    for i, subset in enumerate(subsets):
        rule = rule_of.get(subset)
        if rule is None:
            rule = rule_of[subset] = benchmark.rule_of(subset)
        by_rule.setdefault(rule, []).append(i)
    for rule, rows in by_rule.items():
        try:
            part = scoring(rule, [chosen[i] for i in rows], [rejected[i] for i in rows], tie_credit,
                           [facts[i] for i in rows], [details[i] for i in rows])
        except ValueError as e:
            raise ValueError(f"benchmark {benchmark.name!r}: {e}") from None
        credit[rows], tie[rows] = part.credit, part.tie
        for name, values in part.facets.items():
            facets.setdefault(name, np.full(n, np.nan))[rows] = values
        for name, values in part.terms.items():
            terms.setdefault(name, np.full((n, values.shape[1]), np.nan))[rows] = values
    return Credits(credit, tie, facets, terms)
