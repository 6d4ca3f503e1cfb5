"""Length bias: length-only baselines, a model's accuracy by length difference, reward-length correlation.

Lengths are characters. A run's lengths are those recorded in each sample's `features` at evaluation time; a
dataset's come from its examples directly (`dataset_baselines`), so the baselines need no model at all.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.analysis.pairs import pair_arrays
from rmeval.analysis.runs import RuleOf, credit_under
from rmeval.benchmarks import BenchmarkSpec
from rmeval.results import SampleRecord
from rmeval.types import Example

__all__ = ["BIN_EDGES", "FLAG_THRESHOLD", "LengthReport", "dataset_baselines", "flagged_subsets",
           "length_baselines", "length_bins", "length_report", "pearson", "per_example_report", "spearman"]

FLAG_THRESHOLD = 0.8
"""A subset where a length-only baseline scores above this measures length more than quality."""

BIN_EDGES = (-math.inf, -1000.0, -300.0, -100.0, -30.0, 30.0, 100.0, 300.0, 1000.0, math.inf)
"""Bins of chosen-minus-rejected characters; fixed (not quantiles) so that runs on one dataset line up."""

Lengths = tuple[str, int | str, Sequence[float], Sequence[float]]
"""(subset, id, characters of each chosen answer, characters of each rejected answer)."""


def _has_lengths(s: SampleRecord) -> bool:
    return not s.part and "chars_chosen" in s.features and "chars_rejected" in s.features


def _lengths(s: SampleRecord) -> Lengths:
    return s.subset, s.id, s.features["chars_chosen"], s.features["chars_rejected"]


def _baselines(rows: Iterable[Lengths], benchmark: BenchmarkSpec) -> dict[str, dict[str, float]]:
    """Per subset, the credit of "the longest answer wins" and "the shortest wins" under the benchmark's rule."""
    credit: dict[str, list[tuple[float, float]]] = {}
    rule_of = RuleOf(benchmark)
    for subset, _, chosen, rejected in rows:
        rule = rule_of(subset)
        if rule == "pair" and len(chosen) == 1 and len(rejected) == 1:  # the common case, without list building
            longer, shorter = float(chosen[0] > rejected[0]), float(chosen[0] < rejected[0])
        else:
            longer = credit_under(rule, chosen, rejected)
            shorter = credit_under(rule, [-x for x in chosen], [-x for x in rejected])
        credit.setdefault(subset, []).append((longer, shorter))
    return {k: {"longer": sum(c[0] for c in v) / len(v), "shorter": sum(c[1] for c in v) / len(v),
                "n": float(len(v))} for k, v in credit.items()}


def length_baselines(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec) -> dict[str, dict[str, float]]:
    """Per subset of a run: accuracy of "the longer answer wins" and "the shorter answer wins"."""
    return _baselines((_lengths(s) for s in samples if _has_lengths(s)), benchmark)


def dataset_baselines(examples: Sequence[Example], benchmark: BenchmarkSpec) -> dict[str, dict[str, float]]:
    """The same baselines for any dataset, straight from its examples' texts."""
    return _baselines(((e.subset, e.id, [float(len(t)) for t in e.chosen], [float(len(t)) for t in e.rejected])
                       for e in examples), benchmark)


def flagged_subsets(baselines: dict[str, dict[str, float]], threshold: float = FLAG_THRESHOLD) -> list[str]:
    """Subsets where a length baseline alone scores above `threshold`."""
    return [k for k, v in baselines.items() if max(v["longer"], v["shorter"]) > threshold]


def length_difference(s: SampleRecord) -> float:
    """Chosen minus rejected characters (means over the candidates when there are several)."""
    chosen, rejected = s.features["chars_chosen"], s.features["chars_rejected"]
    return float(sum(chosen) / len(chosen) - sum(rejected) / len(rejected))


def length_bins(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float = 0.0
                ) -> list[dict[str, Any]]:
    """The model's mean credit per bin of chosen-minus-rejected length (empty bins left out)."""
    rule_of = RuleOf(benchmark)
    rows = [(length_difference(s), credit_under(rule_of(s.subset), s.scores_chosen, s.scores_rejected, tie_credit))
            for s in samples if _has_lengths(s)]
    out = []
    for lo, hi in itertools.pairwise(BIN_EDGES):
        credits = [c for d, c in rows if lo <= d < hi]
        if credits:
            out.append({"lo": lo, "hi": hi, "n": len(credits), "accuracy": sum(credits) / len(credits)})
    return out


def _unique_argmax(values: Sequence[float]) -> int | None:
    top = max(values)
    winners = [i for i, v in enumerate(values) if v == top]
    return winners[0] if len(winners) == 1 else None


def prefers_longer(samples: Sequence[SampleRecord]) -> tuple[float, int]:
    """How often the model's top answer is the longest one, over examples where both are unique."""
    hits = []
    for s in samples:
        if not _has_lengths(s):
            continue
        sc, sr, lc, lr = s.scores_chosen, s.scores_rejected, s.features["chars_chosen"], s.features["chars_rejected"]
        if len(sc) == 1 and len(sr) == 1 and len(lc) == 1 and len(lr) == 1:  # a pair, without list building
            if sc[0] == sc[0] and sr[0] == sr[0] and sc[0] != sr[0] and lc[0] != lr[0]:  # x == x: not NaN
                hits.append((sc[0] > sr[0]) == (lc[0] > lr[0]))
            continue
        scores = [*sc, *sr]
        if any(math.isnan(x) for x in scores):
            continue
        top, longest = _unique_argmax(scores), _unique_argmax([*lc, *lr])
        if top is not None and longest is not None:
            hits.append(top == longest)
    return (sum(hits) / len(hits) if hits else math.nan), len(hits)


def _ranks(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Ranks from 1, ties sharing their average rank."""
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_x)) + 1]
    ends = np.r_[starts[1:], len(x)]
    avg = (starts + ends + 1) / 2.0  # mean of ranks start+1 .. end
    ranks = np.empty(len(x))
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def pearson(x: Sequence[float] | NDArray[np.float64], y: Sequence[float] | NDArray[np.float64]) -> float:
    """Pearson's correlation; NaN when either side is constant or has fewer than two values.

    >>> pearson([1, 2, 3], [2, 4, 7]) > 0.99, pearson([1, 1], [2, 3])
    (True, nan)
    """
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    a, b = a - a.mean(), b - b.mean()
    return float(np.dot(a, b) / math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b))))


def spearman(x: Sequence[float] | NDArray[np.float64], y: Sequence[float] | NDArray[np.float64]) -> float:
    """Spearman's rank correlation (Pearson's on average ranks)."""
    rx, ry = _ranks(np.asarray(x, dtype=np.float64)), _ranks(np.asarray(y, dtype=np.float64))
    return pearson(rx, ry)


@dataclass(frozen=True)
class LengthReport:
    """The length-bias findings of one run."""

    baselines: dict[str, dict[str, float]]
    bins: list[dict[str, Any]]
    correlation: dict[str, float]
    flagged: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (infinite bin edges as null)."""
        def edge(x: float) -> float | None:
            return None if math.isinf(x) else x
        bins = [{**b, "lo": edge(b["lo"]), "hi": edge(b["hi"])} for b in self.bins]
        return {"baselines": self.baselines, "bins": bins, "correlation": self.correlation,
                "flagged": self.flagged, "flag_threshold": FLAG_THRESHOLD}


def length_report(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float = 0.0
                  ) -> LengthReport:
    """Baselines, flags, binned accuracy, reward-length correlations and how often the longest answer wins.

    Runs of pairs take the array road (`rmeval.analysis.pairs`); best-of-N and Ties runs the per-example one.
    """
    pairs = pair_arrays(samples, benchmark)
    if pairs is not None:
        baselines = pairs.baselines()
        rewards, chars = pairs.rewards_and_lengths()
        longer, decided = pairs.prefers_longer()
        correlation = {"pearson": pearson(rewards, chars), "spearman": spearman(rewards, chars),
                       "n": float(len(chars)), "prefers_longer": longer, "prefers_longer_n": float(decided)}
        return LengthReport(baselines, pairs.bins(BIN_EDGES, tie_credit), correlation, flagged_subsets(baselines))
    return per_example_report(samples, benchmark, tie_credit)


def per_example_report(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float = 0.0
                       ) -> LengthReport:
    """`length_report` one example at a time: any number of answers, any rule."""
    baselines = length_baselines(samples, benchmark)
    with_lengths = [s for s in samples if _has_lengths(s)]
    rewards = np.array([x for s in with_lengths for x in (*s.scores_chosen, *s.scores_rejected)], dtype=np.float64)
    chars = np.array([x for s in with_lengths for x in (*s.features["chars_chosen"], *s.features["chars_rejected"])],
                     dtype=np.float64)
    if rewards.shape != chars.shape:
        raise ValueError("samples.jsonl: a sample records a different number of lengths than of scores")
    known = ~np.isnan(rewards)
    rewards, chars = rewards[known], chars[known]
    longer, decided = prefers_longer(samples)
    correlation = {"pearson": pearson(rewards, chars), "spearman": spearman(rewards, chars),
                   "n": float(len(chars)), "prefers_longer": longer, "prefers_longer_n": float(decided)}
    return LengthReport(baselines, length_bins(samples, benchmark, tie_credit), correlation,
                        flagged_subsets(baselines))
