"""Seeded bootstrap confidence intervals for every subset, section and the score of a run.

Examples are resampled with replacement within each subset (subset sizes stay fixed, as in the benchmark);
every resample's subset accuracies are combined into sections with the benchmark's weights and into the score;
the interval is the percentile interval of those resampled values. All resamples are computed at once (numpy).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import BenchmarkSpec
from rmeval.metrics import Outcome, example_outcome
from rmeval.results import SampleRecord

__all__ = ["DEFAULT_LEVEL", "DEFAULT_RESAMPLES", "bootstrap_ci", "ci_from_samples", "percentile_interval",
           "resample_means", "resampled_metrics", "subset_rng"]

DEFAULT_RESAMPLES = 1000
DEFAULT_LEVEL = 0.95
_CHUNK = 4_000_000
"""Most resampled indices held at once (32 MB of int64): bounds memory on the 9,000-row Prior Sets subsets."""

Floats = NDArray[np.float64]


def subset_rng(seed: int, subset: str) -> np.random.Generator:
    """A generator per (seed, subset): a subset's resamples do not depend on which other subsets a run has,
    so two runs on the same examples draw the same indices (what the paired comparison needs)."""
    return np.random.default_rng([seed, zlib.crc32(subset.encode("utf-8"))])


def resample_indices(rng: np.random.Generator, n: int, resamples: int) -> NDArray[np.int64]:
    """`resamples` x `n` indices drawn with replacement."""
    return rng.integers(0, n, size=(resamples, n), dtype=np.int64)


def resample_means(values: Floats, rng: np.random.Generator, resamples: int) -> Floats:
    """Means of `values` (shape (n,) or (k, n)) over the same `resamples` resamples of their n columns."""
    rows = np.atleast_2d(values)
    n = rows.shape[1]
    out = np.empty((rows.shape[0], resamples))
    step = max(1, _CHUNK // max(1, n))
    for start in range(0, resamples, step):
        size = min(step, resamples - start)
        idx = resample_indices(rng, n, size)
        out[:, start:start + size] = rows[:, idx].mean(axis=2)
    return out if values.ndim == 2 else out[0]


def resampled_metrics(
    credits: Mapping[str, Floats], benchmark: BenchmarkSpec, seed: int, resamples: int
) -> tuple[dict[str, Floats], dict[str, Floats], Floats]:
    """Resampled subset accuracies, section scores and scores (each an array of `resamples` values).

    `credits` maps a subset to one row of per-example credits, or to k rows (k runs paired on the same
    examples, all resampled with the same indices); the arrays returned then have shape (k, resamples).
    """
    subsets = {name: resample_means(np.asarray(c, dtype=np.float64), subset_rng(seed, name), resamples)
               for name, c in credits.items()}
    sections: dict[str, Floats] = {}
    for section in benchmark.sections:
        num: Floats | float = 0.0
        den = 0.0
        for sub in section.subsets:
            if sub.name in subsets:
                rows = np.atleast_2d(credits[sub.name]).shape[1]
                w = float(sub.weight) if sub.weight is not None else float(rows)
                num = num + subsets[sub.name] * w
                den += w
        if den > 0:
            sections[section.name] = np.asarray(num) / den
    parts = list(sections.values()) if benchmark.closed else list(subsets.values())
    score = np.mean(np.stack(parts), axis=0) if parts else np.full((resamples,), np.nan)
    return subsets, sections, score


def percentile_interval(values: Floats, level: float = DEFAULT_LEVEL) -> list[float]:
    """The central `level` percentile interval [lo, hi] of resampled values (last axis)."""
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(values, [alpha, 1.0 - alpha], axis=-1)
    return [float(lo), float(hi)]


def bootstrap_ci(
    outcomes: Sequence[Outcome], benchmark: BenchmarkSpec, *, resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0, level: float = DEFAULT_LEVEL,
) -> dict[str, Any]:
    """Percentile intervals of every subset, section and the score, as stored in `metrics.extra["ci"]`."""
    if resamples < 1:
        raise ValueError(f"the bootstrap needs at least one resample, got {resamples}")
    grouped: dict[str, list[float]] = {}
    for o in outcomes:
        grouped.setdefault(o.subset, []).append(o.credit)
    order = [s for s in benchmark.subset_names() if s in grouped] if benchmark.closed else sorted(grouped)
    credits = {s: np.asarray(grouped[s], dtype=np.float64) for s in order}
    subsets, sections, score = resampled_metrics(credits, benchmark, seed, resamples)
    return {
        "level": level, "resamples": resamples, "seed": seed,
        "method": "percentile, examples resampled per subset",
        "subsets": {k: percentile_interval(v, level) for k, v in subsets.items()},
        "sections": {k: percentile_interval(v, level) for k, v in sections.items()},
        "score": percentile_interval(score, level),
    }


def ci_from_samples(
    samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float, *,
    resamples: int = DEFAULT_RESAMPLES, seed: int = 0, level: float = DEFAULT_LEVEL, part: str = "",
) -> dict[str, Any]:
    """`bootstrap_ci` of a run's samples, credit recomputed from the scores (as `rmeval report` does)."""
    outcomes = [example_outcome(benchmark.rule, s.subset, s.scores_chosen, s.scores_rejected, tie_credit)
                for s in samples if s.part == part]
    return bootstrap_ci(outcomes, benchmark, resamples=resamples, seed=seed, level=level)
