"""Length bias: length-only baselines, a model's accuracy by length difference, reward-length correlation.

Lengths are characters. A run's lengths are those recorded in each sample's `features` at evaluation time; a
dataset's come from its examples directly (`dataset_baselines`), so the baselines need no model at all. "The longer
answer wins" is scored by the benchmark's own credit rule applied to lengths instead of rewards (`scoring.credit`),
so a best-of-N or Ties subset gets the same partial credit and ties as a model would.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import BenchmarkSpec
from rmeval.scoring import run_credits
from rmeval.types import Example, SampleRecord

__all__ = ["BIN_EDGES", "FLAG_THRESHOLD", "LengthReport", "dataset_baselines", "flagged_subsets",
           "length_baselines", "length_bins", "length_report", "pearson", "prefers_longer", "spearman"]

FLAG_THRESHOLD = 0.8
"""A subset where a length-only baseline scores above this measures length more than quality."""

BIN_EDGES = (-math.inf, -1000.0, -300.0, -100.0, -30.0, 30.0, 100.0, 300.0, 1000.0, math.inf)
"""Bins of chosen-minus-rejected characters; fixed (not quantiles) so that runs on one dataset line up."""

Floats = NDArray[np.float64]


def _with_lengths(samples: Sequence[SampleRecord]) -> list[SampleRecord]:
    """The benchmark's samples with both kinds of answer and their lengths (a step-level benchmark's solutions,
    one answer each, compare no lengths)."""
    return [s for s in samples if not s.part and s.features.get("chars_chosen") and s.features.get("chars_rejected")]


def _per_subset_means(subsets: Sequence[str], values: Floats) -> dict[str, tuple[float, int]]:
    """(mean, count) of `values` per subset, in order of first appearance (sums in data order)."""
    order: dict[str, int] = {}
    index = np.array([order.setdefault(s, len(order)) for s in subsets], dtype=np.int64)
    counts = np.bincount(index, minlength=len(order))
    sums = np.bincount(index, weights=values, minlength=len(order))
    return {name: (float(sums[i] / counts[i]), int(counts[i])) for name, i in order.items()}


def _baselines(subsets: Sequence[str], chosen: Sequence[Sequence[float]], rejected: Sequence[Sequence[float]],
               benchmark: BenchmarkSpec) -> dict[str, dict[str, float]]:
    """Per subset, the credit of "the longest answer wins" and "the shortest wins" under the benchmark's rule."""
    if not subsets:
        return {}
    longer, _ = run_credits(benchmark, subsets, chosen, rejected)
    shorter, _ = run_credits(benchmark, subsets, [[-x for x in c] for c in chosen], [[-x for x in r] for r in rejected])
    a, b = _per_subset_means(subsets, longer), _per_subset_means(subsets, shorter)
    return {k: {"longer": a[k][0], "shorter": b[k][0], "n": float(a[k][1])} for k in a}


def length_baselines(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec) -> dict[str, dict[str, float]]:
    """Per subset of a run: accuracy of "the longer answer wins" and "the shorter answer wins"."""
    mine = _with_lengths(samples)
    return _baselines([s.subset for s in mine], [s.features["chars_chosen"] for s in mine],
                      [s.features["chars_rejected"] for s in mine], benchmark)


def dataset_baselines(examples: Sequence[Example], benchmark: BenchmarkSpec) -> dict[str, dict[str, float]]:
    """The same baselines for any dataset, straight from its examples' texts (examples with both kinds of answer)."""
    mine = [e for e in examples if e.chosen and e.rejected]
    return _baselines([e.subset for e in mine], [[float(len(t)) for t in e.chosen] for e in mine],
                      [[float(len(t)) for t in e.rejected] for e in mine], benchmark)


def flagged_subsets(baselines: dict[str, dict[str, float]], threshold: float = FLAG_THRESHOLD) -> list[str]:
    """Subsets where a length baseline alone scores above `threshold`."""
    return [k for k, v in baselines.items() if max(v["longer"], v["shorter"]) > threshold]


def length_bins(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float = 0.0
                ) -> list[dict[str, Any]]:
    """The model's mean credit per bin [lo, hi) of chosen-minus-rejected length (means over several answers);
    empty bins left out."""
    mine = _with_lengths(samples)
    if not mine:
        return []
    credit, _ = run_credits(benchmark, [s.subset for s in mine], [s.scores_chosen for s in mine],
                            [s.scores_rejected for s in mine], tie_credit, [s.facts for s in mine],
                            [s.details for s in mine])
    diff = np.array([sum(s.features["chars_chosen"]) / len(s.features["chars_chosen"])
                     - sum(s.features["chars_rejected"]) / len(s.features["chars_rejected"]) for s in mine])
    which = np.searchsorted(np.asarray(BIN_EDGES), diff, side="right") - 1
    counts = np.bincount(which, minlength=len(BIN_EDGES) - 1)
    sums = np.bincount(which, weights=credit, minlength=len(BIN_EDGES) - 1)
    return [{"lo": BIN_EDGES[i], "hi": BIN_EDGES[i + 1], "n": int(counts[i]), "accuracy": float(sums[i] / counts[i])}
            for i in range(len(BIN_EDGES) - 1) if counts[i]]


def _unique_top(matrix: Floats) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Per row: whether one column holds the maximum alone, and which."""
    at_top = matrix == matrix.max(axis=1, keepdims=True)
    return at_top.sum(axis=1) == 1, at_top.argmax(axis=1)


def prefers_longer(samples: Sequence[SampleRecord]) -> tuple[float, int]:
    """How often the model's top answer is the longest one, over examples where both are unique (no NaN)."""
    shapes: dict[int, list[SampleRecord]] = {}
    for s in _with_lengths(samples):
        width = len(s.scores_chosen) + len(s.scores_rejected)
        if len(s.features["chars_chosen"]) + len(s.features["chars_rejected"]) != width:
            raise ValueError("samples.jsonl: a sample records a different number of lengths than of scores")
        shapes.setdefault(width, []).append(s)
    hits = decided = 0
    for group in shapes.values():
        scores = np.array([[*s.scores_chosen, *s.scores_rejected] for s in group], dtype=np.float64)
        chars = np.array([[*s.features["chars_chosen"], *s.features["chars_rejected"]] for s in group],
                         dtype=np.float64)
        with np.errstate(invalid="ignore"):
            top_unique, top = _unique_top(scores)
            long_unique, longest = _unique_top(chars)
        ok = top_unique & long_unique & ~np.isnan(scores).any(axis=1)
        decided += int(ok.sum())
        hits += int((top[ok] == longest[ok]).sum())
    return (hits / decided if decided else math.nan), decided


def _ranks(x: Floats) -> Floats:
    """Ranks from 1, ties sharing their average rank."""
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_x)) + 1]
    ends = np.r_[starts[1:], len(x)]
    avg = (starts + ends + 1) / 2.0  # mean of ranks start+1 .. end
    ranks = np.empty(len(x))
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def pearson(x: Sequence[float] | Floats, y: Sequence[float] | Floats) -> float:
    """Pearson's correlation; NaN when either side is constant or has fewer than two values.

    >>> pearson([1, 2, 3], [2, 4, 7]) > 0.99, pearson([1, 1], [2, 3])
    (True, nan)
    """
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    a, b = a - a.mean(), b - b.mean()
    return float(np.dot(a, b) / math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b))))


def spearman(x: Sequence[float] | Floats, y: Sequence[float] | Floats) -> float:
    """Spearman's rank correlation (Pearson's on average ranks)."""
    rx, ry = _ranks(np.asarray(x, dtype=np.float64)), _ranks(np.asarray(y, dtype=np.float64))
    return pearson(rx, ry)


def _rewards_and_lengths(samples: Sequence[SampleRecord]) -> tuple[Floats, Floats]:
    """Every scored answer's reward and length, chosen answers first (NaN rewards left out)."""
    mine = _with_lengths(samples)
    rewards = np.array([x for s in mine for x in s.scores_chosen] + [x for s in mine for x in s.scores_rejected],
                       dtype=np.float64)
    chars = np.array([x for s in mine for x in s.features["chars_chosen"]]
                     + [x for s in mine for x in s.features["chars_rejected"]], dtype=np.float64)
    if rewards.shape != chars.shape:
        raise ValueError("samples.jsonl: a sample records a different number of lengths than of scores")
    known = ~np.isnan(rewards)
    return rewards[known], chars[known]


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
    """Baselines, flags, binned accuracy, reward-length correlations and how often the longest answer wins."""
    baselines = length_baselines(samples, benchmark)
    rewards, chars = _rewards_and_lengths(samples)
    longer, decided = prefers_longer(samples)
    correlation = {"pearson": pearson(rewards, chars), "spearman": spearman(rewards, chars),
                   "n": float(len(chars)), "prefers_longer": longer, "prefers_longer_n": float(decided)}
    return LengthReport(baselines, length_bins(samples, benchmark, tie_credit), correlation,
                        flagged_subsets(baselines))
