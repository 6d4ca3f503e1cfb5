"""`rmeval merge PART... --output-dir DIR`: the full result of a run scored in shards (`rmeval run --shard I/N`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rmeval.report import format_metrics, run_title
from rmeval.results import RESULT_FILE, benchmark_of, read_run, write_run
from rmeval.results.merge import merge_runs

__all__ = ["add_parser", "main"]


def add_parser(sub: Any) -> None:
    """Register `merge`."""
    p = sub.add_parser("merge", help="join the shards of a run into its full result",
                       description="Join the partial folders written by `rmeval run --shard I/N` (each a folder, or "
                                   "a folder holding them) into the run's full result folder. Every shard must be "
                                   "there once, all of one run.")
    p.add_argument("parts", type=Path, nargs="+", metavar="PART", help="shard folders, or folders holding them")
    p.add_argument("--output-dir", type=Path, required=True, help="where the full result goes")
    p.set_defaults(handler=main)


def _folders(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if (path / RESULT_FILE).is_file():
            out.append(path)
        elif path.is_dir():
            found = sorted(p for p in path.glob("shard-*-of-*") if (p / RESULT_FILE).is_file())
            if not found:
                raise FileNotFoundError(f"{path}: neither a shard folder nor a folder holding shard-I-of-N folders")
            out += found
        else:
            raise FileNotFoundError(f"{path}: no such folder")
    return list(dict.fromkeys(out))


def main(args: argparse.Namespace) -> int:
    """Check the parts, merge them, write the result and print its table."""
    parts = [(path, read_run(path)) for path in _folders(args.parts)]
    result = merge_runs(parts)
    result_path, samples_path = write_run(result, args.output_dir)
    title = run_title(result.spec, f"{len(result.samples)} examples, {len(parts)} shards")
    print(format_metrics(result.metrics, benchmark_of(result.spec), title))
    print(f"\nwrote {result_path}\n      {samples_path}")
    return 0
