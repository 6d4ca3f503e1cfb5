"""Paired comparison of two runs on the same examples: bootstrap intervals of differences, McNemar, Holm."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import BenchmarkSpec
from rmeval.scoring import DEFAULT_LEVEL, DEFAULT_RESAMPLES, pair_units, percentile_interval, run_credits, run_units
from rmeval.scoring.aggregate import combine_all
from rmeval.scoring.bootstrap import resampled_metrics
from rmeval.scoring.units import SubsetUnits, pooled_values
from rmeval.types import SampleRecord

Floats = NDArray[np.float64]

__all__ = ["Comparison", "Difference", "SubsetTest", "compare_runs", "holm", "mcnemar"]


def mcnemar(b: int, c: int, *, exact: bool = True) -> float:
    """Two-sided p-value of McNemar's test for b and c discordant pairs (right only in A; right only in B).

    Exact: the binomial test of b successes in b + c trials with p = 1/2. Otherwise the chi-square
    approximation with continuity correction, (|b - c| - 1)^2 / (b + c) on one degree of freedom.

    >>> mcnemar(0, 0), round(mcnemar(1, 9), 6), round(mcnemar(10, 30, exact=False), 6)
    (1.0, 0.021484, 0.002663)
    """
    if b < 0 or c < 0:
        raise ValueError("discordant counts must be non-negative")
    n = b + c
    if n == 0:
        return 1.0
    if exact:
        # Exact arithmetic on integers: no underflow even for thousands of discordant pairs.
        tail = Fraction(sum(math.comb(n, k) for k in range(min(b, c) + 1)), 2**n)
        return float(min(Fraction(1), 2 * tail))
    stat = (abs(b - c) - 1.0) ** 2 / n if abs(b - c) > 1 else 0.0
    return math.erfc(math.sqrt(stat / 2.0))  # chi-square survival function with one degree of freedom


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order.

    >>> holm([0.01, 0.04, 0.03])
    [0.03, 0.06, 0.06]
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


@dataclass(frozen=True)
class Difference:
    """A - B of a metric on the paired examples, with its paired bootstrap interval."""

    name: str
    a: float
    b: float
    ci: list[float]

    @property
    def diff(self) -> float:
        """A minus B."""
        return self.a - self.b

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return self.ci[0] > 0 or self.ci[1] < 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"a": self.a, "b": self.b, "diff": self.diff, "ci": self.ci, "significant": self.significant}


@dataclass(frozen=True)
class SubsetTest:
    """McNemar's test on one subset: examples right only in A, right only in B, raw and Holm-adjusted p-values."""

    subset: str
    n: int
    acc_a: float
    acc_b: float
    only_a: int
    only_b: int
    p: float
    p_holm: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"n": self.n, "acc_a": self.acc_a, "acc_b": self.acc_b, "only_a": self.only_a,
                "only_b": self.only_b, "p": self.p, "p_holm": self.p_holm}


@dataclass
class Comparison:
    """Everything `rmeval compare` reports."""

    n_paired: int
    only_in_a: int
    only_in_b: int
    score: Difference
    sections: list[Difference]
    subsets: list[SubsetTest]
    level: float
    resamples: int
    seed: int
    alpha: float
    notes: list[str] = field(default_factory=list)
    facets: list[Difference] = field(default_factory=list)
    """Differences of the benchmark's facet scores (RM-Bench's Easy / Normal / Hard, PPE's Best-of-K)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (facets only for benchmarks that have them, so older outputs keep their shape)."""
        out = {"n_paired": self.n_paired, "only_in_a": self.only_in_a, "only_in_b": self.only_in_b,
               "level": self.level, "resamples": self.resamples, "seed": self.seed, "alpha": self.alpha,
               "score": self.score.to_dict(), "sections": {x.name: x.to_dict() for x in self.sections},
               "subsets": {t.subset: t.to_dict() for t in self.subsets}, "notes": self.notes}
        if self.facets:
            out["facets"] = {x.name: x.to_dict() for x in self.facets}
        return out


def _right(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float) -> dict[tuple[str, str], bool]:
    """Whether each example earned full credit (a tie or a shared top score is not a win for McNemar)."""
    mine = [s for s in samples if not s.part]
    credit, _ = run_credits(benchmark, [s.subset for s in mine], [s.scores_chosen for s in mine],
                            [s.scores_rejected for s in mine], tie_credit, [s.facts for s in mine],
                            [s.details for s in mine])
    return {s.key: bool(c >= 1) for s, c in zip(mine, credit, strict=True)}


def _mcnemar_tests(a: dict[tuple[str, str], bool], b: dict[tuple[str, str], bool], order: Sequence[str]
                   ) -> list[SubsetTest]:
    grouped: dict[str, list[tuple[bool, bool]]] = {}
    for k, right in a.items():
        if k in b:
            grouped.setdefault(k[0], []).append((right, b[k]))
    tests = []
    for subset in order:
        pairs = grouped.get(subset, [])
        only_a = sum(1 for x, y in pairs if x and not y)
        only_b = sum(1 for x, y in pairs if y and not x)
        n = len(pairs)
        acc = (sum(x for x, _ in pairs) / n, sum(y for _, y in pairs) / n) if n else (math.nan, math.nan)
        tests.append(SubsetTest(subset, n, acc[0], acc[1], only_a, only_b, mcnemar(only_a, only_b), 1.0))
    adjusted = holm([t.p for t in tests])
    return [SubsetTest(t.subset, t.n, t.acc_a, t.acc_b, t.only_a, t.only_b, t.p, p)
            for t, p in zip(tests, adjusted, strict=True)]


def compare_runs(
    a: Sequence[SampleRecord], b: Sequence[SampleRecord], benchmark: BenchmarkSpec, *,
    tie_credit_a: float = 0.0, tie_credit_b: float = 0.0, resamples: int = DEFAULT_RESAMPLES, seed: int = 0,
    level: float = DEFAULT_LEVEL, alpha: float = 0.05,
) -> Comparison:
    """Compare two runs on the examples both scored (keyed by subset and id).

    The paired bootstrap resamples the same examples for A and B, so the interval of A - B accounts for their
    correlation. McNemar's test (exact) counts an example as right when it earned full credit; `acc_a` / `acc_b`
    are the shares of such examples. Holm's correction runs across the subsets.
    """
    units = pair_units(run_units(a, benchmark, tie_credit_a), run_units(b, benchmark, tie_credit_b))
    if not units:
        raise ValueError("the two runs share no example: compare runs of the same benchmark data")
    point = {name: u.values() for name, u in units.items()}
    pooled = pooled_values(units, benchmark.pooled_score) if benchmark.pooled_score else None
    combined = combine_all(point, {k: u.examples for k, u in units.items()}, benchmark, pooled)
    drawn = resampled_metrics(units, benchmark, seed, resamples)
    score = _difference("Score", combined.score, drawn.combined.score, level)
    sections = [_difference(name, combined.sections[name], v, level) for name, v in drawn.combined.sections.items()]
    facets = [_difference(name, _facet_point(units, name, benchmark), c.score, level)
              for name, (_, c) in drawn.facets.items()]
    right_a, right_b = _right(a, benchmark, tie_credit_a), _right(b, benchmark, tie_credit_b)
    shared = sum(1 for k in right_a if k in right_b)
    notes = []
    if shared != len(right_a) or shared != len(right_b):
        notes.append(f"compared on the {shared} examples both runs scored; {len(right_a) - shared} only in A, "
                     f"{len(right_b) - shared} only in B")
    return Comparison(shared, len(right_a) - shared, len(right_b) - shared, score, sections,
                      _mcnemar_tests(right_a, right_b, list(units)), level, resamples, seed, alpha, notes, facets)


def _difference(name: str, point: Floats, resampled: Floats, level: float) -> Difference:
    """A - B at the point values (shape (2,)) and its interval over the paired resamples (shape (2, R))."""
    return Difference(name, float(point[0]), float(point[1]),
                      list(percentile_interval(resampled[0] - resampled[1], level)))


def _facet_point(units: Mapping[str, SubsetUnits], facet: str, benchmark: BenchmarkSpec) -> Floats:
    """A facet's score for both runs on the paired units (RM-Bench's Hard of A and of B)."""
    values: dict[str, Floats] = {}
    for name, u in units.items():
        if u.facets is not None and facet in u.facet_names:
            j, width = u.facet_names.index(facet), len(u.facet_names)
            values[name] = np.array([float(np.nanmean(u.facets[:, run * width + j])) for run in range(u.runs)])
    return combine_all(values, {k: units[k].examples for k in values}, benchmark).score

