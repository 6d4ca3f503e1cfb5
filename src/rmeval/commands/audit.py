"""`rmeval audit`: check a benchmark's labels by their verifiable reasons (no model): run the code pairs' tests,
compare the math answers, check the safety behaviours; find the pairs many runs get wrong and the prompts a
training set overlaps. Writes audit.json, which `rmeval report DIR --exclude audit.json` reads."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from rmeval.commands.data_options import add_data_arguments, columns_from_args, names

__all__ = ["add_parser", "main"]


def add_parser(sub: Any) -> None:
    """Register `audit`."""
    p = sub.add_parser("audit", help="check a benchmark's labels: code tests, math answers, safety, overlap",
                       description="Check each pair's label by what can be verified (no model needed): run code "
                                   "pairs against their tests in a sandbox, compare math answers, check safety "
                                   "behaviours; flag what many runs get wrong and prompts a training set overlaps.")
    add_data_arguments(p.add_argument_group("data"))
    c = p.add_argument_group("checks")
    c.add_argument("--checks", default="code,math,safety", metavar="LIST",
                   help="checks of the pairs' labels to run (default: code,math,safety; each where it applies)")
    c.add_argument("--tests", default=None, metavar="SOURCE",
                   help="HumanEvalPack problems for the code pairs: a folder of <lang>/humanevalpack.jsonl, one "
                        ".jsonl file, or a hub id (default: bigcode/humanevalpack)")
    c.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="programs run at once (default: the cores)")
    c.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="wall-clock limit of one program's run (default 10)")
    c.add_argument("--compile-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="limit of one build (C++, Java, Rust, Go; default 60)")
    c.add_argument("--memory", type=int, default=2048, metavar="MIB",
                   help="data memory of one program (heap and private mappings; default 2048)")
    r = p.add_argument_group("runs")
    r.add_argument("--runs", nargs="+", type=Path, default=(), metavar="DIR",
                   help="result folders of several runs on the benchmark: flag the pairs many get wrong")
    r.add_argument("--wrong-share", type=float, default=0.75, metavar="F",
                   help="with --runs: flag a pair at least this share of the runs get wrong (default 0.75)")
    t = p.add_argument_group("training-data overlap")
    t.add_argument("--train", metavar="FILE_OR_HUB_ID", help="a training set (file or hub id) whose prompts are "
                                                             "compared with the benchmark's")
    t.add_argument("--train-split", help="with a hub id: the split (default train)")
    t.add_argument("--train-prompt-column", metavar="COLUMN",
                   help="the training prompts' column (default: prompt, else the user turns of chosen)")
    t.add_argument("--ngram", type=int, default=13, help="words in a shared n-gram (default 13)")
    t.add_argument("--minhash-threshold", type=float, default=0.8, metavar="J",
                   help="MinHash near-duplicates at estimated Jaccard J or more on word 5-grams (default 0.8)")
    t.add_argument("--no-minhash", action="store_true", help="n-grams and identical prompts only")
    o = p.add_argument_group("output")
    o.add_argument("--out", type=Path, default=Path("audit.json"), help="where to write (default: audit.json)")
    o.add_argument("--json", action="store_true", help="print audit.json's content instead of the tables")
    p.set_defaults(handler=main)


def _options(args: argparse.Namespace) -> Any:
    from rmeval.audit import CHECKS, HUB_ID, AuditOptions, Limits

    checks = names(args.checks)
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise ValueError(f"--checks: unknown check {', '.join(unknown)} (known: {', '.join(CHECKS)})")
    for name, value in (("--jobs", args.jobs), ("--timeout", args.timeout), ("--compile-timeout",
                        args.compile_timeout), ("--memory", args.memory), ("--ngram", args.ngram)):
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    if not 0 < args.minhash_threshold <= 1:
        raise ValueError(f"--minhash-threshold must be in (0, 1], got {args.minhash_threshold}")
    return AuditOptions(checks=checks, tests=args.tests or HUB_ID, jobs=args.jobs,
                        limits=Limits(args.timeout, args.memory), compile_seconds=args.compile_timeout,
                        runs=tuple(args.runs), wrong_share=args.wrong_share, train=args.train,
                        train_split=args.train_split, train_prompt_column=args.train_prompt_column, ngram=args.ngram,
                        minhash_threshold=None if args.no_minhash else args.minhash_threshold)


def main(args: argparse.Namespace) -> int:
    """Run the audit, write audit.json, print the tables (or the JSON)."""
    from rmeval.audit import format_audit, run_audit, write_audit
    from rmeval.common.jsonio import to_json
    from rmeval.data import load_examples

    options = _options(args)
    loaded = None
    if args.benchmark or args.data or not args.runs:
        benchmark = args.benchmark or (None if args.data else "rewardbench")
        loaded = load_examples(benchmark, args.data, columns_from_args(args), names(args.subsets),
                               args.limit, split=args.split, config=args.config, meta=args.subset_meta)
    report = run_audit(loaded, options)
    write_audit(report, args.out)
    print(to_json(report.to_dict()) if args.json else format_audit(report, str(args.out)))
    return 0
