"""The one function from a run's per-example scores to its metrics: used by `evaluate`, `report` and the leaderboard.

Point metrics are the unresampled values of the units the bootstrap resamples (`units`), combined into sections and
the score by the one aggregation (`aggregate`); companion sets (Prior Sets) are scored the same way with their own
spec and reported apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import BenchmarkSpec, CombinedAverage
from rmeval.scoring.aggregate import Combined, combine_all
from rmeval.scoring.bootstrap import Resampling, bootstrap_all
from rmeval.scoring.metrics import CombinedValue, CompanionMetrics, FacetMetrics, Intervals, Metrics, SubsetMetrics
from rmeval.scoring.units import SubsetUnits, pooled_values, run_units
from rmeval.types import SampleRecord

Floats = NDArray[np.float64]

__all__ = ["combined_value", "completed_examples", "judge_counts", "run_metrics", "scored_by_policy", "subset_counts"]


def subset_counts(samples: Sequence[SampleRecord]) -> dict[str, dict[str, int]]:
    """Per-subset sums of the counters a scorer keeps in `details["counts"]` (a judge's failures, inconsistent
    orders); empty when the scorer keeps none."""
    out: dict[str, dict[str, int]] = {}
    for s in samples:
        counts = s.details.get("counts")
        if isinstance(counts, dict):
            row = out.setdefault(s.subset, {})
            for key, value in counts.items():
                row[key] = row.get(key, 0) + int(value)
    return out


def _judge_flag(sample: SampleRecord, name: str) -> bool | None:
    counts = sample.details.get("counts")
    return bool(counts[name]) if isinstance(counts, dict) and name in counts else None


def completed_examples(samples: Sequence[SampleRecord]) -> list[SampleRecord] | None:
    """A judge's examples whose every judgment gave a verdict (none lost to the budget, unparseable or failed); None
    when the samples come from no such scorer."""
    flags = [_judge_flag(s, "complete") for s in samples]
    if not any(f is not None for f in flags):
        return None
    return [s for s, f in zip(samples, flags, strict=True) if f]


def judge_counts(samples: Sequence[SampleRecord]) -> dict[str, dict[str, int]]:
    """`subset_counts`, and for a judge's runs `wrong`: the complete examples (every verdict given) that earned no
    credit, so that wrong verdicts are counted apart from lost and unparseable ones."""
    out = subset_counts(samples)
    for s in samples:
        if _judge_flag(s, "complete") is not None:
            row = out.setdefault(s.subset, {})
            row["wrong"] = row.get("wrong", 0) + int(bool(_judge_flag(s, "complete")) and s.correct == 0)
    return out


def scored_by_policy(sample: SampleRecord) -> bool:
    """Whether the scorer could not score this example and its failure policy set the scores (every judge failed)."""
    counts = sample.details.get("counts")
    return isinstance(counts, dict) and bool(counts.get("scored_by_policy"))


def combined_value(combined: CombinedAverage, sections: Mapping[str, float], title: str,
                   companion_score: float) -> CombinedValue | None:
    """The weighted mean of the sections and the companion's score; None unless every weighted section was scored.

    >>> from rmeval.benchmarks import CombinedAverage
    >>> average = CombinedAverage("old average", (("A", 2.0), ("Prior Sets", 1.0)))
    >>> round(combined_value(average, {"A": 0.9}, "Prior Sets", 0.6).value, 12)
    0.8
    """
    values = {**sections, title: companion_score}
    weights = dict(combined.weights)
    if any(k not in values for k in weights):
        return None
    total = sum(weights.values())
    return CombinedValue(combined.name, weights, sum(values[k] * w for k, w in weights.items()) / total)


def _point(values: Mapping[str, Floats]) -> dict[str, float]:
    return {k: float(v[0]) for k, v in values.items()}


def _facets(units: Mapping[str, SubsetUnits], benchmark: BenchmarkSpec,
            intervals: Mapping[str, Intervals]) -> dict[str, FacetMetrics]:
    """Each facet's subset values, combined as the benchmark combines its accuracies."""
    values: dict[str, dict[str, float]] = {}
    for name, u in units.items():
        for facet, v in u.facet_values().items():
            values.setdefault(facet, {})[name] = v
    out = {}
    for facet, subsets in values.items():
        c: Combined = combine_all({k: _array(v) for k, v in subsets.items()}, {k: units[k].examples for k in subsets},
                              benchmark)
        out[facet] = FacetMetrics(subsets, _point(c.sections), _scalar(c.score), _point(c.parts),
                                  intervals.get(facet))
    return out


def _array(value: float) -> Floats:
    return np.array([value], dtype=np.float64)


def _scalar(score: Floats) -> float:
    return float(score[0]) if score.ndim else float(score)


def run_metrics(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float = 0.0,
                resampling: Resampling | None = None, part: str = "",
                excluded: Mapping[str, Mapping[str, int]] | None = None) -> Metrics:
    """Every metric of the samples of `part` (the benchmark itself when empty) under the benchmark's rules.

    With `resampling`, bootstrap intervals too. Samples of the companion sets the benchmark declares are scored with
    the companion's spec into `companions`. `excluded` (per subset, reason -> rows) are the rows the data layout
    left out of the benchmark's accuracy (PPE's ties), reported as they are.
    """
    units = run_units(samples, benchmark, tie_credit, part)
    values = {name: u.values() for name, u in units.items()}
    pooled = pooled_values(units, benchmark.pooled_score) if benchmark.pooled_score and units else None
    combined = combine_all(values, {name: u.examples for name, u in units.items()}, benchmark, pooled)
    subsets = {name: SubsetMetrics(float(values[name][0]), u.examples, u.ties) for name, u in units.items()}
    missing = (tuple(s.name for s in benchmark.subsets if s.name not in units and not s.optional)
               if benchmark.closed else ())
    point_sections = _point(combined.sections)
    mine = [s for s in samples if s.part == part]
    real = [s for s in mine if not scored_by_policy(s)]
    scored_only = {}
    if len(real) < len(mine):
        scored_only = {name: SubsetMetrics(float(u.values()[0]), u.examples, u.ties)
                       for name, u in run_units(real, benchmark, tie_credit, part).items()}
    completed, completed_score = {}, None
    complete = completed_examples(mine)
    if complete:
        done = run_units(complete, benchmark, tie_credit, part)
        completed = {name: SubsetMetrics(float(u.values()[0]), u.examples, u.ties) for name, u in done.items()}
        done_combined = combine_all({n: u.values() for n, u in done.items()}, {n: u.examples for n, u in done.items()},
                                    benchmark)
        completed_score = _scalar(done_combined.score)
    companions: dict[str, CompanionMetrics] = {}
    for companion in benchmark.companions if not part else ():
        if any(s.part == companion.part for s in samples):
            metrics = run_metrics(samples, companion.spec, tie_credit, resampling, companion.part)
            average = (combined_value(companion.combined, point_sections, companion.title, metrics.score)
                       if companion.combined else None)
            companions[companion.part] = CompanionMetrics(companion.title, metrics, average)
    ci, facet_ci = bootstrap_all(units, benchmark, resampling) if resampling is not None and units else (None, {})
    return Metrics(
        subsets, point_sections, _scalar(combined.score), not missing, missing, ci=ci,
        counts=judge_counts(mine), completed=completed, completed_score=completed_score,
        ties={name: u.ties_detail for name, u in units.items() if u.ties_detail is not None},
        companions=companions, scored_only=scored_only, parts=_point(combined.parts),
        facets=_facets(units, benchmark, facet_ci),
        excluded={k: dict(v) for k, v in (excluded or {}).items() if k in units},
    )
