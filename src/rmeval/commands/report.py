"""`rmeval report DIR`: print a run's table again, every metric and interval recomputed from samples.jsonl.

`--analysis` adds the length-bias and refusal findings, `--plots` writes PNG and SVG plots beside the results, and
`--data FILE` (without DIR) prints the length-only baselines of any dataset, no model needed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rmeval.analysis.length import dataset_baselines, flagged_subsets, length_report
from rmeval.analysis.refusals import refusal_report, refusal_summary, refusal_totals
from rmeval.analysis.steps import has_step_view, step_views
from rmeval.common.jsonio import to_json
from rmeval.report import format_metrics
from rmeval.report.analysis_text import format_baselines, format_length, format_refusals
from rmeval.report.plots import plot_run
from rmeval.report.steps_text import format_step_views
from rmeval.report.verify import run_differences
from rmeval.results import RunResult, benchmark_of, read_run, recompute, tie_credit_of

__all__ = ["add_parser", "main"]


def add_parser(sub: Any) -> None:
    """Register `report`."""
    p = sub.add_parser("report", help="print a run's results, recomputed from its samples",
                       description="Print a result folder's table, recomputing every metric and interval from "
                                   "samples.jsonl; or, with --data and no folder, a dataset's length baselines.")
    p.add_argument("run_dir", type=Path, metavar="DIR", nargs="?", help="a folder written by `rmeval run`")
    p.add_argument("--analysis", action="store_true", help="also print the length-bias and refusal analyses")
    p.add_argument("--plots", nargs="?", type=Path, const=True, default=None, metavar="OUT",
                   help="write PNG and SVG plots (default folder: DIR/plots; needs the `plot` extra)")
    p.add_argument("--json", action="store_true", help="print the recomputed metrics and analyses as JSON")
    p.add_argument("--data", type=Path, help="without DIR: print this dataset's length-only baselines")
    p.add_argument("--benchmark", help="with --data: the benchmark whose rules score the baselines (default: "
                                       "detected from the file)")
    p.set_defaults(handler=main)


def _steps(run: RunResult) -> tuple[str, dict[str, Any]]:
    """The step view of a run on a step-level benchmark (nothing otherwise)."""
    benchmark = benchmark_of(run.spec)
    if not has_step_view(benchmark):
        return "", {}
    views = step_views(run.samples, benchmark)
    return format_step_views(views), {"steps": {k: v.to_dict() for k, v in views.items()}}


def _analyses(run: RunResult) -> tuple[str, dict[str, Any]]:
    benchmark, tie_credit = benchmark_of(run.spec), tie_credit_of(run.spec)
    length = length_report(run.samples, benchmark, tie_credit)
    rows = refusal_report(run.samples, benchmark)
    totals = refusal_totals(rows, run.samples, benchmark)
    text = "\n\n".join([format_length(length), format_refusals(rows, totals)])
    return text, {"length": length.to_dict(), "refusals": {"subsets": refusal_summary(rows), "totals": totals}}


def _dataset_baselines(args: argparse.Namespace) -> int:
    from rmeval.data import load_examples

    loaded = load_examples(args.benchmark, args.data)
    baselines = dataset_baselines(loaded.examples, loaded.benchmark)
    flagged = flagged_subsets(baselines)
    if args.json:
        print(to_json({"data": str(args.data), "baselines": baselines, "flagged": flagged}))
    else:
        print(f"{args.data} ({len(loaded.examples)} examples, benchmark {loaded.benchmark.name})\n")
        print(format_baselines(baselines, flagged))
    return 0


def _plots(run: RunResult, args: argparse.Namespace) -> str:
    out = args.run_dir / "plots" if args.plots is True else Path(args.plots)
    paths = plot_run(run, out)
    return f"wrote {len(paths)} plot files to {out}"


def main(args: argparse.Namespace) -> int:
    """Print the recomputed table (and analyses); say whether it matches what result.json stored."""
    if args.run_dir is None:
        if args.data is None:
            raise ValueError("give a result folder (DIR), or --data FILE for a dataset's length baselines")
        return _dataset_baselines(args)
    run = read_run(args.run_dir)
    metrics = recompute(run)
    diffs = run_differences(run, metrics)
    analysis_text, analysis = _analyses(run) if args.analysis else ("", {})
    steps_text, steps = _steps(run)
    analysis = {**analysis, **steps}
    plots = _plots(run, args) if args.plots else ""
    if args.json:
        print(to_json({"metrics": metrics.to_dict(), **analysis, "matches_result_json": not diffs}))
        return 1 if diffs else 0
    model = run.spec.scorer.get("model", "?")
    benchmark = benchmark_of(run.spec)
    print(format_metrics(metrics, benchmark, f"{run.spec.benchmark}: {model} ({len(run.samples)} samples, "
                                             "recomputed)"))
    for text in (steps_text, analysis_text, plots):
        if text:
            print("\n" + text)
    if not diffs:
        print("\nrecomputed metrics match result.json (intervals included)")
        return 0
    print("\nWARNING: recomputed metrics differ from result.json:\n  " + "\n  ".join(diffs))
    return 1
