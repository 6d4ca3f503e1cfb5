"""`rmeval compare DIR_A DIR_B`: are two runs' numbers really different? Paired tests on the shared examples."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rmeval.analysis.compare import compare_runs
from rmeval.analysis.identity import conventions_fingerprint, data_fingerprint
from rmeval.analysis.pairing import Alignment, align_runs
from rmeval.common.errors import UsageError
from rmeval.common.jsonio import to_json
from rmeval.data.naming import dataset_name
from rmeval.report.compare_text import findings, format_comparison
from rmeval.results import RunResult, benchmark_of, read_run, tie_credit_of
from rmeval.scoring import DEFAULT_LEVEL, DEFAULT_RESAMPLES

__all__ = ["add_parser", "main", "run_name"]


def add_parser(sub: Any) -> None:
    """Register `compare`."""
    p = sub.add_parser("compare", help="compare two runs with paired significance tests",
                       description="Compare two result folders on the examples both scored: paired bootstrap "
                                   "intervals of the score and section differences, McNemar's test per subset "
                                   "with Holm's correction, and which differences are significant.")
    p.add_argument("run_a", type=Path, metavar="DIR_A", help="a folder written by `rmeval run`")
    p.add_argument("run_b", type=Path, metavar="DIR_B", help="another one, on the same benchmark")
    p.add_argument("--resamples", type=int, default=DEFAULT_RESAMPLES, help="paired bootstrap resamples "
                                                                             f"(default {DEFAULT_RESAMPLES})")
    p.add_argument("--seed", type=int, default=0, help="seed of the resampling (default 0)")
    p.add_argument("--level", type=float, default=DEFAULT_LEVEL, help="interval level (default 0.95)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level of the tests (default 0.05)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.add_argument("--allow-different-data", action="store_true",
                   help="compare runs that hold different examples on the examples both hold (paired by their "
                        "prompt and answers), saying how many")
    p.set_defaults(handler=main)


def run_name(run: RunResult, folder: Path) -> str:
    """The run's name, as `run` and `report` show it (`--name`, else the preset or the model's last path part)."""
    return run.spec.display_name if (run.spec.name or run.spec.scorer.get("model")) else str(folder)


def _pair(a: RunResult, b: RunResult, args: argparse.Namespace) -> tuple[Alignment, list[str]]:
    """The examples both runs hold, paired by their content; different data stops unless --allow-different-data."""
    same_fingerprint = data_fingerprint(a.spec, a.samples) == data_fingerprint(b.spec, b.samples)
    aligned = align_runs(a.samples, b.samples, same_fingerprint)
    if aligned is None:
        raise UsageError(f"{args.run_a} and {args.run_b} read different data, and one was written by an rmeval that "
                         "recorded no content digests: there is nothing safe to pair their examples by (rerun it)")
    both = len(aligned.a)
    if not both:
        raise UsageError(f"{args.run_a} and {args.run_b} share no example (paired by their prompt and answers): "
                         "compare runs of the same data")
    counts = f"{aligned.only_a} examples only in A, {aligned.only_b} only in B, {both} in both"
    if not aligned.same_data and not args.allow_different_data:
        raise UsageError(f"{args.run_a} and {args.run_b} scored different data ({counts}, paired by their prompt and "
                         f"answers); --allow-different-data compares the {both} both hold")
    notes = []
    if not aligned.same_data:
        notes.append(f"the runs scored different data: compared on the {both} examples both hold ({counts}; paired "
                     "by their prompt and answers)")
    elif not same_fingerprint:
        notes.append(f"the runs read different files or selections holding the same {both} examples (paired by "
                     "their prompt and answers)")
    if conventions_fingerprint(a.spec) != conventions_fingerprint(b.spec):
        notes.append("the runs recorded different scoring conventions (for instance a judge's tie credit or order "
                     "policy)")
    return aligned, notes


def main(args: argparse.Namespace) -> int:
    """Print the comparison (or its JSON)."""
    if args.resamples < 1:
        raise ValueError(f"--resamples must be at least 1, got {args.resamples}")
    if not 0 < args.alpha < 1:
        raise ValueError(f"--alpha must be between 0 and 1, got {args.alpha}")
    a, b = read_run(args.run_a), read_run(args.run_b)
    if a.spec.benchmark != b.spec.benchmark:
        raise ValueError(f"{args.run_a} scored {a.spec.benchmark!r} but {args.run_b} scored {b.spec.benchmark!r}; "
                         "compare runs of one benchmark")
    benchmark = benchmark_of(a.spec)
    aligned, notes = _pair(a, b, args)
    comparison = compare_runs(aligned.a, aligned.b, benchmark, tie_credit_a=tie_credit_of(a.spec),
                              tie_credit_b=tie_credit_of(b.spec), resamples=args.resamples, seed=args.seed,
                              level=args.level, alpha=args.alpha)
    comparison.only_in_a, comparison.only_in_b = aligned.only_a, aligned.only_b
    comparison.notes[:] = notes  # the pairing's own counts, which compare_runs cannot see
    name_a, name_b = run_name(a, args.run_a), run_name(b, args.run_b)
    if name_a == name_b:
        name_a, name_b = f"{name_a} ({args.run_a})", f"{name_b} ({args.run_b})"
    dataset = dataset_name(a.spec.data if isinstance(a.spec.data, dict) else {}, a.spec.benchmark)
    if args.json:
        print(to_json({"a": name_a, "b": name_b, "benchmark": a.spec.benchmark, "dataset": dataset,
                       "paired_by": aligned.by, **comparison.to_dict(), "findings": findings(comparison, name_a,
                                                                                            name_b)}))
    else:
        print(f"{dataset}\n" + format_comparison(comparison, name_a, name_b))
    return 0
