"""Seeded bootstrap confidence intervals for every subset, section and the score of a run.

Units (examples, or Ties prompts) are resampled with replacement within each subset, so subset sizes stay fixed as
in the benchmark; every resample's subset values are combined into sections with the benchmark's weights and into
the score, and the interval is the percentile interval of those resampled values. All resamples of a subset are
drawn at once (numpy), and runs paired on the same units share their resamples.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.analysis.units import SubsetUnits, run_units, weighted_nanmeans
from rmeval.benchmarks import BenchmarkSpec
from rmeval.metrics import Metrics, SubsetMetrics
from rmeval.results import SampleRecord

__all__ = ["DEFAULT_LEVEL", "DEFAULT_RESAMPLES", "bootstrap_ci", "ci_from_samples", "combine", "percentile_interval",
           "point_metrics", "resampled_metrics", "resampled_subsets", "subset_rng"]

DEFAULT_RESAMPLES = 1000
DEFAULT_LEVEL = 0.95
_CHUNK = 4_000_000
"""Most gathered values held at once (32 MB of float64): bounds memory on the 9,000-row Prior Sets subsets."""

Floats = NDArray[np.float64]


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


def combine(subsets: Mapping[str, Floats], units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec
            ) -> tuple[dict[str, Floats], Floats]:
    """Section values and the score from subset values (arrays of one shape), as `compute_metrics` defines them.

    A subset's weight is its spec weight, or the examples it scored when the spec gives none.
    """
    sections: dict[str, Floats] = {}
    for section in benchmark.sections:
        parts = [(subsets[s.name], float(s.weight) if s.weight is not None else float(units[s.name].examples))
                 for s in section.subsets if s.name in subsets]
        total = sum(w for _, w in parts)
        if total > 0:
            sections[section.name] = np.asarray(sum(v * w for v, w in parts)) / total
    values = list(sections.values()) if benchmark.closed else list(subsets.values())
    if not values:
        shape = next(iter(subsets.values())).shape if subsets else ()
        return sections, np.full(shape, np.nan)
    return sections, np.asarray(np.mean(np.stack(values), axis=0), dtype=np.float64)


def point_metrics(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec) -> Metrics:
    """A run's subset values, sections and score from its units (ties are not counted here: `n` and values only).

    The same numbers as `compute_metrics`, reached by another road: a cheap independent check of stored results.
    """
    values = {name: u.values() for name, u in units.items()}
    sections, score = combine(values, units, benchmark)
    return Metrics({k: SubsetMetrics(float(v[0]), units[k].examples, 0) for k, v in values.items()},
                   {k: float(v[0]) for k, v in sections.items()}, float(score[0]))


def resampled_metrics(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec, seed: int, resamples: int
                      ) -> tuple[dict[str, Floats], dict[str, Floats], Floats]:
    """Resampled subset values, section values and scores, each of shape (runs, resamples)."""
    subsets = resampled_subsets(units, seed, resamples)
    sections, score = combine(subsets, units, benchmark)
    return subsets, sections, score


def percentile_interval(values: Floats, level: float = DEFAULT_LEVEL) -> list[float]:
    """The central `level` percentile interval [lo, hi] of resampled values (NaN resamples left out).

    >>> [round(x, 9) for x in percentile_interval(np.arange(101.0), 0.9)]
    [5.0, 95.0]
    """
    finite = np.asarray(values, dtype=np.float64).ravel()
    finite = finite[~np.isnan(finite)]
    if finite.size == 0:
        return [float("nan"), float("nan")]
    alpha = (1.0 - level) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
    return [float(lo), float(hi)]


def bootstrap_ci(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec, *, resamples: int = DEFAULT_RESAMPLES,
                 seed: int = 0, level: float = DEFAULT_LEVEL) -> dict[str, Any]:
    """Percentile intervals of every subset, section and the score, as stored in result.json's `metrics.ci`."""
    if resamples < 1:
        raise ValueError(f"the bootstrap needs at least one resample, got {resamples}")
    if not 0 < level < 1:
        raise ValueError(f"the interval level must be between 0 and 1, got {level}")
    subsets, sections, score = resampled_metrics(units, benchmark, seed, resamples)
    return {
        "level": level, "resamples": resamples, "seed": seed,
        "method": "percentile; examples (Ties: prompts) resampled with replacement within each subset",
        "subsets": {k: percentile_interval(v, level) for k, v in subsets.items()},
        "sections": {k: percentile_interval(v, level) for k, v in sections.items()},
        "score": percentile_interval(score, level),
    }


def ci_from_samples(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float = 0.0, *,
                    resamples: int = DEFAULT_RESAMPLES, seed: int = 0, level: float = DEFAULT_LEVEL,
                    part: str = "") -> dict[str, Any]:
    """`bootstrap_ci` of a run's samples, each example's credit recomputed from its scores."""
    units = run_units(samples, benchmark, tie_credit, part)
    return bootstrap_ci(units, benchmark, resamples=resamples, seed=seed, level=level)
