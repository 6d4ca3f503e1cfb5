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
from rmeval.scoring.aggregate import Combined, combine_all
from rmeval.scoring.metrics import Intervals
from rmeval.scoring.steps import subset_values
from rmeval.scoring.units import SubsetUnits, weighted_nanmeans

__all__ = ["DEFAULT_LEVEL", "DEFAULT_RESAMPLES", "Resampled", "Resampling", "bootstrap_all", "bootstrap_ci",
           "percentile_interval", "resampled_metrics", "resampled_subsets", "subset_rng"]

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


def _resampled_unit(u: SubsetUnits, rng: np.random.Generator, resamples: int
                    ) -> tuple[Floats, dict[str, Floats], tuple[Floats, Floats]]:
    """A subset's value and facets in every resample, each of shape (runs, resamples), and its terms' resampled
    sums and counts (resamples x runs * terms: what a pooled score adds up)."""
    if u.facets is None:  # drawn exactly as before facets existed, so stored intervals reproduce
        sums, counts = _resampled_sums(u.terms, rng, resamples)
        return weighted_nanmeans(sums, counts, u.weights, u.runs, u.value).T, {}, (sums, counts)
    width, n_facets = u.terms.shape[1], len(u.facet_names)
    sums, counts = _resampled_sums(np.hstack([u.terms, u.facets]), rng, resamples)  # facets on the same draws
    values = weighted_nanmeans(sums[:, :width], counts[:, :width], u.weights, u.runs, u.value).T
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts[:, width:] > 0, sums[:, width:] / np.maximum(counts[:, width:], 1), np.nan)
    return values, {name: means[:, [run * n_facets + j for run in range(u.runs)]].T
                    for j, name in enumerate(u.facet_names)}, (sums[:, :width], counts[:, :width])


def resampled_subsets(units: Mapping[str, SubsetUnits], seed: int, resamples: int) -> dict[str, Floats]:
    """Each subset's value in every resample, shape (runs, resamples)."""
    return {name: _resampled_unit(u, subset_rng(seed, name), resamples)[0] for name, u in units.items()}


def _pooled(drawn: Mapping[str, tuple[Floats, Floats]], units: Mapping[str, SubsetUnits], value: str) -> Floats:
    """A pooled score in every resample (shape (runs, resamples)): the subsets' resampled sums added up."""
    first = next(iter(units.values()))
    sums = sum(s for s, _ in drawn.values())
    counts = sum(c for _, c in drawn.values())
    return subset_values(value, np.asarray(sums), np.asarray(counts), first.weights, first.runs).T


@dataclass(frozen=True)
class Resampled:
    """Every resample's subset values, their combination into sections and the score, and each facet's subset
    values with their combination; arrays of shape (runs, resamples)."""

    subsets: dict[str, Floats]
    combined: Combined
    facets: dict[str, tuple[dict[str, Floats], Combined]]


def resampled_metrics(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec, seed: int,
                      resamples: int) -> Resampled:
    """Resampled subset values, sections, scores and facets."""
    subsets: dict[str, Floats] = {}
    facets: dict[str, dict[str, Floats]] = {}
    drawn: dict[str, tuple[Floats, Floats]] = {}
    for name, u in units.items():
        subsets[name], values, drawn[name] = _resampled_unit(u, subset_rng(seed, name), resamples)
        for facet, v in values.items():
            facets.setdefault(facet, {})[name] = v
    examples = {k: u.examples for k, u in units.items()}
    pooled = _pooled(drawn, units, benchmark.pooled_score) if benchmark.pooled_score and units else None
    return Resampled(subsets, combine_all(subsets, examples, benchmark, pooled),
                     {f: (v, combine_all(v, {k: examples[k] for k in v}, benchmark)) for f, v in facets.items()})


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


def _intervals(subsets: Mapping[str, Floats], combined: Combined, resampling: Resampling) -> Intervals:
    level = resampling.level
    return Intervals(level, resampling.resamples, resampling.seed, METHOD,
                     {k: percentile_interval(v, level) for k, v in subsets.items()},
                     {k: percentile_interval(v, level) for k, v in combined.sections.items()},
                     percentile_interval(combined.score, level),
                     {k: percentile_interval(v, level) for k, v in combined.parts.items()})


def bootstrap_ci(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec, resampling: Resampling) -> Intervals:
    """Percentile intervals of every subset, section and the score (what result.json stores as `metrics.ci`)."""
    return bootstrap_all(units, benchmark, resampling)[0]


def bootstrap_all(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec, resampling: Resampling
                  ) -> tuple[Intervals, dict[str, Intervals]]:
    """The intervals of `bootstrap_ci` and, from the same resamples, those of each facet."""
    drawn = resampled_metrics(units, benchmark, resampling.seed, resampling.resamples)
    return (_intervals(drawn.subsets, drawn.combined, resampling),
            {f: _intervals(v, c, resampling) for f, (v, c) in drawn.facets.items()})
