"""Seeded bootstrap confidence intervals for every subset, section and the score of a run.

Units (examples, or Ties prompts) are resampled with replacement within each subset, so subset sizes stay fixed as
in the benchmark; every resample's subset values are combined into sections with the benchmark's weights and into
the score, and the interval is the percentile interval of those resampled values. All resamples of a subset are
drawn at once (numpy), and runs paired on the same units share their resamples.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import BenchmarkSpec
from rmeval.scoring.aggregate import combine
from rmeval.scoring.metrics import Intervals
from rmeval.scoring.units import SubsetUnits, weighted_nanmeans

__all__ = ["DEFAULT_LEVEL", "DEFAULT_RESAMPLES", "Resampling", "bootstrap_ci", "percentile_interval",
           "resampled_metrics", "resampled_subsets", "subset_rng"]

DEFAULT_RESAMPLES = 1000
DEFAULT_LEVEL = 0.95
_CHUNK = 4_000_000
"""Most gathered values held at once (32 MB of float64): bounds memory on the 9,000-row Prior Sets subsets."""

Floats = NDArray[np.float64]
METHOD = "percentile; examples (Ties: prompts) resampled with replacement within each subset"


@dataclass(frozen=True)
class Resampling:
    """How a run's intervals are drawn: resamples, seed and level (all recorded with the intervals)."""

    resamples: int = DEFAULT_RESAMPLES
    seed: int = 0
    level: float = DEFAULT_LEVEL

    def __post_init__(self) -> None:
        if self.resamples < 1:
            raise ValueError(f"the bootstrap needs at least one resample, got {self.resamples}")
        if not 0 < self.level < 1:
            raise ValueError(f"the interval level must be between 0 and 1, got {self.level}")


def subset_rng(seed: int, subset: str) -> np.random.Generator:
    """A generator per (seed, subset): a subset's resamples do not depend on which other subsets a run has."""
    return np.random.default_rng([seed, zlib.crc32(subset.encode("utf-8"))])


def _resampled_sums(terms: Floats, rng: np.random.Generator, resamples: int) -> tuple[Floats, Floats]:
    """Column sums and counts of present (non-NaN) values over `resamples` resamples of the rows of `terms`."""
    n, width = terms.shape
    filled = np.nan_to_num(terms, nan=0.0)
    present = (~np.isnan(terms)).astype(np.float64)
    sums, counts = np.empty((resamples, width)), np.empty((resamples, width))
    step = max(1, _CHUNK // max(1, n * width))
    for start in range(0, resamples, step):
        size = min(step, resamples - start)
        idx = rng.integers(0, n, size=(size, n), dtype=np.int64)
        sums[start:start + size] = filled[idx].sum(axis=1)
        counts[start:start + size] = present[idx].sum(axis=1)
    return sums, counts


def resampled_subsets(units: Mapping[str, SubsetUnits], seed: int, resamples: int) -> dict[str, Floats]:
    """Each subset's value in every resample, shape (runs, resamples)."""
    out = {}
    for name, u in units.items():
        sums, counts = _resampled_sums(u.terms, subset_rng(seed, name), resamples)
        out[name] = weighted_nanmeans(sums, counts, u.weights, u.runs).T
    return out


def resampled_metrics(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec, seed: int, resamples: int
                      ) -> tuple[dict[str, Floats], dict[str, Floats], Floats]:
    """Resampled subset values, section values and scores, each of shape (runs, resamples)."""
    subsets = resampled_subsets(units, seed, resamples)
    sections, score = combine(subsets, {k: u.examples for k, u in units.items()}, benchmark)
    return subsets, sections, score


def percentile_interval(values: Floats, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """The central `level` percentile interval [lo, hi] of resampled values (NaN resamples left out).

    >>> [round(x, 9) for x in percentile_interval(np.arange(101.0), 0.9)]
    [5.0, 95.0]
    """
    finite = np.asarray(values, dtype=np.float64).ravel()
    finite = finite[~np.isnan(finite)]
    if finite.size == 0:
        return float("nan"), float("nan")
    alpha = (1.0 - level) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


def bootstrap_ci(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec, resampling: Resampling) -> Intervals:
    """Percentile intervals of every subset, section and the score (what result.json stores as `metrics.ci`)."""
    level = resampling.level
    subsets, sections, score = resampled_metrics(units, benchmark, resampling.seed, resampling.resamples)
    return Intervals(level, resampling.resamples, resampling.seed, METHOD,
                     {k: percentile_interval(v, level) for k, v in subsets.items()},
                     {k: percentile_interval(v, level) for k, v in sections.items()},
                     percentile_interval(score, level))
