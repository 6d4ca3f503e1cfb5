"""Paired comparison of two runs on the same examples: bootstrap intervals of differences, McNemar, Holm."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from rmeval.analysis.bootstrap import DEFAULT_LEVEL, DEFAULT_RESAMPLES, percentile_interval, resampled_metrics
from rmeval.benchmarks import BenchmarkSpec
from rmeval.metrics import Metrics, SubsetMetrics, example_outcome, section_scores
from rmeval.results import SampleRecord

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


@dataclass(frozen=True)
class SubsetTest:
    """McNemar's test on one subset: pairs right only in A (b), right only in B (c), raw and Holm p-values."""

    subset: str
    n: int
    acc_a: float
    acc_b: float
    only_a: int
    only_b: int
    p: float
    p_holm: float


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        def d(x: Difference) -> dict[str, Any]:
            return {"a": x.a, "b": x.b, "diff": x.diff, "ci": x.ci, "significant": x.significant}
        return {"n_paired": self.n_paired, "only_in_a": self.only_in_a, "only_in_b": self.only_in_b,
                "level": self.level, "resamples": self.resamples, "seed": self.seed, "alpha": self.alpha,
                "score": d(self.score), "sections": {x.name: d(x) for x in self.sections},
                "subsets": {t.subset: {"n": t.n, "acc_a": t.acc_a, "acc_b": t.acc_b, "only_a": t.only_a,
                                       "only_b": t.only_b, "p": t.p, "p_holm": t.p_holm}
                            for t in self.subsets},
                "notes": self.notes}


def _credits(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float
             ) -> dict[tuple[str, str], float]:
    rule = benchmark.rule
    return {(s.subset, str(s.id)): example_outcome(rule, s.subset, s.scores_chosen, s.scores_rejected,
                                                   tie_credit).credit
            for s in samples if not s.part}


def _point(credits: dict[str, Any], benchmark: BenchmarkSpec) -> Metrics:
    """Metrics of one run on the paired examples (same definitions as `compute_metrics`)."""
    subsets = {s: SubsetMetrics(float(np.mean(c)), len(c), 0) for s, c in credits.items()}
    sections = section_scores(subsets, benchmark) if benchmark.closed else {}
    values = list(sections.values()) if benchmark.closed else [m.accuracy for m in subsets.values()]
    return Metrics(subsets, sections, sum(values) / len(values))


def compare_runs(
    a: Sequence[SampleRecord], b: Sequence[SampleRecord], benchmark: BenchmarkSpec, *,
    tie_credit_a: float = 0.0, tie_credit_b: float = 0.0, resamples: int = DEFAULT_RESAMPLES, seed: int = 0,
    level: float = DEFAULT_LEVEL, alpha: float = 0.05,
) -> Comparison:
    """Compare two runs on the examples both scored (keyed by subset and id).

    The paired bootstrap resamples the same examples for A and B, so the interval of A - B accounts for their
    correlation. McNemar's test counts an example as right when it earned full credit (ties and 1/k are not).
    """
    ca, cb = _credits(a, benchmark, tie_credit_a), _credits(b, benchmark, tie_credit_b)
    keys = [k for k in ca if k in cb]
    if not keys:
        raise ValueError("the two runs share no example (compare runs of the same benchmark data)")
    grouped: dict[str, list[tuple[float, float]]] = {}
    for k in keys:
        grouped.setdefault(k[0], []).append((ca[k], cb[k]))
    order = [s for s in benchmark.subset_names() if s in grouped] if benchmark.closed else sorted(grouped)
    paired = {s: np.asarray(grouped[s], dtype=np.float64).T for s in order}  # shape (2, n): row 0 is A
    _, sections_rs, score_rs = resampled_metrics(paired, benchmark, seed, resamples)
    point = [_point({s: v[i] for s, v in paired.items()}, benchmark) for i in (0, 1)]
    score = Difference("Score", point[0].score, point[1].score,
                       percentile_interval(score_rs[0] - score_rs[1], level))
    sections = [Difference(name, point[0].sections[name], point[1].sections[name],
                           percentile_interval(v[0] - v[1], level)) for name, v in sections_rs.items()]
    tests = []
    for s, v in paired.items():
        right = v >= 1.0
        only_a, only_b = int(np.sum(right[0] & ~right[1])), int(np.sum(right[1] & ~right[0]))
        accs = (point[0].subsets[s].accuracy, point[1].subsets[s].accuracy)
        tests.append((s, v.shape[1], *accs, only_a, only_b, mcnemar(only_a, only_b)))
    adjusted = holm([t[-1] for t in tests])
    notes = []
    if len(ca) != len(keys) or len(cb) != len(keys):
        notes.append(f"compared on the {len(keys)} examples both runs scored; "
                     f"{len(ca) - len(keys)} only in A, {len(cb) - len(keys)} only in B")
    subset_tests = [SubsetTest(*t, p_holm=p) for t, p in zip(tests, adjusted, strict=True)]
    return Comparison(len(keys), len(ca) - len(keys), len(cb) - len(keys), score, sections, subset_tests,
                      level, resamples, seed, alpha, notes)
