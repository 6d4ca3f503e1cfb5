"""`rmeval report DIR`: print a run's table again, every metric recomputed from samples.jsonl."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from rmeval.benchmarks import PRIOR_SETS, custom_benchmark, get_benchmark
from rmeval.evaluate import metrics_from_samples
from rmeval.metrics import Metrics, prior_sets_average
from rmeval.report import format_metrics
from rmeval.results import RunResult, read_run

__all__ = ["add_parser", "main", "recompute"]


def add_parser(sub: Any) -> None:
    """Register `report`."""
    p = sub.add_parser("report", help="print a run's results, recomputed from its samples",
                       description="Print a result folder's table, recomputing every metric from samples.jsonl.")
    p.add_argument("run_dir", type=Path, metavar="DIR", help="a folder written by `rmeval run`")
    p.set_defaults(handler=main)


def recompute(run: RunResult) -> Metrics:
    """The run's metrics, recomputed from its per-example scores with the conventions it recorded."""
    name = run.spec.benchmark
    rule = run.spec.conventions.get("rule", "pair")
    benchmark = custom_benchmark(rule) if name == "custom" else get_benchmark(name)
    tie_credit = float(run.spec.conventions.get("tie_credit", 0.0))
    metrics = metrics_from_samples(run.samples, benchmark, tie_credit)
    if any(s.part == "prior-sets" for s in run.samples):
        prior = metrics_from_samples(run.samples, PRIOR_SETS, tie_credit, part="prior-sets")
        metrics.extra["prior_sets"] = prior.to_dict()
        if name == "rewardbench" and len(metrics.sections) == len(benchmark.sections):
            metrics.extra["average_with_prior_sets"] = prior_sets_average(metrics.sections, prior.score)
    return metrics


def _same(a: Metrics, b: Metrics) -> bool:
    return math.isclose(a.score, b.score, rel_tol=0, abs_tol=1e-12) and all(
        math.isclose(a.subsets[k].accuracy, v.accuracy, abs_tol=1e-12) for k, v in b.subsets.items()
        if k in a.subsets
    )


def main(args: argparse.Namespace) -> int:
    """Print the recomputed table; say whether it matches what result.json stored."""
    run = read_run(args.run_dir)
    metrics = recompute(run)
    name = run.spec.benchmark
    benchmark = custom_benchmark(run.spec.conventions.get("rule", "pair")) if name == "custom" else get_benchmark(name)
    model = run.spec.scorer.get("model", "?")
    print(format_metrics(metrics, benchmark, f"{name}: {model} ({len(run.samples)} samples, recomputed)"))
    if _same(metrics, run.metrics):
        print("\nrecomputed metrics match result.json")
        return 0
    print(f"\nWARNING: recomputed metrics differ from result.json (stored score {100 * run.metrics.score:.4f} %)")
    return 1
