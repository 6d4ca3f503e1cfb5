"""A result folder's numbers again, from its samples alone: its benchmark, its conventions, its metrics.

`recompute` is `evaluate`'s own metric computation (`scoring.run_metrics`) run on samples.jsonl with the
conventions and bootstrap settings the run recorded, so a stored number can be checked by anyone.
"""

from __future__ import annotations

from rmeval.benchmarks import RULES, BenchmarkSpec, custom_benchmark, get_benchmark
from rmeval.data.meta import meta_benchmark
from rmeval.results.files import RunResult
from rmeval.scoring import DEFAULT_LEVEL, DEFAULT_RESAMPLES, Metrics, Resampling, run_metrics
from rmeval.types import RunSpec

__all__ = ["benchmark_of", "recompute", "stored_resampling", "tie_credit_of"]


def benchmark_of(spec: RunSpec) -> BenchmarkSpec:
    """The benchmark a run was scored on; custom runs carry their rule in `conventions`, and their sections (from a
    side-car file) in `data.meta`."""
    if spec.benchmark == "custom":
        rule = spec.conventions.get("rule", "pair")
        if rule not in RULES:
            raise ValueError(f"result.json: spec.conventions.rule is {rule!r}; expected one of {', '.join(RULES)}")
        meta = spec.data.get("meta") if isinstance(spec.data, dict) else None
        return meta_benchmark(meta, rule) if isinstance(meta, dict) else custom_benchmark(rule)
    return get_benchmark(spec.benchmark)


def tie_credit_of(spec: RunSpec) -> float:
    """The credit a tie earned in this run (0 unless the scorer asked otherwise, as judges do)."""
    value = spec.conventions.get("tie_credit", 0.0)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError(f"result.json: spec.conventions.tie_credit is {value!r}; expected a number")
    return float(value)


def stored_resampling(run: RunResult) -> Resampling:
    """The bootstrap settings the run's intervals were drawn with (the defaults and the run's seed without any)."""
    ci = run.metrics.ci
    if ci is None:
        return Resampling(DEFAULT_RESAMPLES, run.spec.seed, DEFAULT_LEVEL)
    return Resampling(ci.resamples, ci.seed, ci.level)


def recompute(run: RunResult, intervals: bool = True, benchmark: BenchmarkSpec | None = None) -> Metrics:
    """The run's metrics recomputed from its samples (with intervals drawn as stored, unless `intervals` is off)."""
    spec = benchmark or benchmark_of(run.spec)
    excluded = run.spec.data.get("excluded") if isinstance(run.spec.data, dict) else None
    return run_metrics(run.samples, spec, tie_credit_of(run.spec), stored_resampling(run) if intervals else None,
                       excluded=excluded)
