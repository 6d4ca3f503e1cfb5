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
from rmeval.commands.data_options import add_data_arguments, columns_from_args, names
from rmeval.common.jsonio import to_json
from rmeval.data.naming import dataset_name
from rmeval.report import excluded_note, format_metrics, inputs_note, price_of, run_title
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
    d = p.add_argument_group("data (without DIR: a dataset's length-only baselines, read as `rmeval run` reads it)")
    add_data_arguments(d)
    p.add_argument("--exclude", type=Path, metavar="AUDIT", help="recompute every metric without the pairs an "
                                                                 "audit.json (rmeval audit) flagged")
    p.add_argument("--output-dir", type=Path, metavar="OUT", help="with --exclude: also write the recomputed run as "
                                                                  "a result folder (its own leaderboard entry)")
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

    loaded = load_examples(args.benchmark, args.data, columns_from_args(args), names(args.subsets) or None,
                           args.limit, split=args.split, config=args.config, meta=args.subset_meta,
                           on_invalid=args.on_invalid)
    baselines = dataset_baselines(loaded.examples, loaded.benchmark)
    flagged = flagged_subsets(baselines)
    name = dataset_name(loaded.source, loaded.benchmark.name)
    if args.json:
        print(to_json({"data": str(args.data), "name": name, "baselines": baselines, "flagged": flagged,
                       "excluded_rows": loaded.source.get("excluded_rows", [])}))
    else:
        note = excluded_note(loaded.source)
        print(f"{name} ({len(loaded.examples)} examples, benchmark {loaded.benchmark.name})"
              + (f"\n{note}" if note else "") + "\n")
        print(format_baselines(baselines, flagged))
    return 0


def _plots(run: RunResult, args: argparse.Namespace) -> str:
    out = args.run_dir / "plots" if args.plots is True else Path(args.plots)
    paths = plot_run(run, out)
    return f"wrote {len(paths)} plot files to {out}"


def _excluded(args: argparse.Namespace) -> int:
    """The run without an audit's flagged pairs: printed, and written to --output-dir when given."""
    from rmeval.audit.exclude import without_flagged
    from rmeval.results import write_run

    audited, done = without_flagged(read_run(args.run_dir), args.exclude)
    if args.output_dir is not None:
        if args.output_dir.resolve() == args.run_dir.resolve():
            raise ValueError("--output-dir must not be the run's own folder (the original result stays as it is)")
        write_run(audited, args.output_dir)
    if args.json:
        print(to_json({"metrics": audited.metrics.to_dict(), "exclude": done}))
        return 0
    title = f"{audited.spec.benchmark}: {audited.spec.display_name} ({len(audited.samples)} samples, " \
            f"{done['pairs_excluded']} left out by {args.exclude})"
    print(format_metrics(audited.metrics, benchmark_of(audited.spec), title))
    for w in done["warnings"]:
        print(f"\nWARNING: {w}")
    if args.output_dir is not None:
        print(f"\nwrote {args.output_dir}")
    return 0


def main(args: argparse.Namespace) -> int:
    """Print the recomputed table (and analyses); say whether it matches what result.json stored."""
    if args.run_dir is None:
        if args.data is None:
            raise ValueError("give a result folder (DIR), or --data FILE for a dataset's length baselines")
        return _dataset_baselines(args)
    if args.output_dir is not None and args.exclude is None:
        raise ValueError("--output-dir goes with --exclude AUDIT")
    if args.exclude is not None:
        if args.analysis or args.plots:
            raise ValueError("--exclude prints the recomputed table (or --json); run --analysis and --plots on the "
                             "folder --output-dir writes")
        return _excluded(args)
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
    benchmark = benchmark_of(run.spec)
    title = run_title(run.spec, f"{len(run.samples)} samples, recomputed") + inputs_note(run.spec.scorer)
    print(format_metrics(metrics, benchmark, title, price_of(run.spec.scorer)))
    for text in (steps_text, analysis_text, plots):
        if text:
            print("\n" + text)
    if not diffs:
        print("\nrecomputed metrics match result.json (intervals included)")
        return 0
    print("\nWARNING: recomputed metrics differ from result.json:\n  " + "\n  ".join(diffs))
    return 1
