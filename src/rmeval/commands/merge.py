"""`rmeval merge PART... --output-dir DIR`: the full result of a run scored in shards (`rmeval run --shard I/N`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rmeval.common.errors import UsageError
from rmeval.preflight import prepare_output_dir
from rmeval.report import format_metrics, price_of, run_title
from rmeval.report.verify import refuse_unverified, verify_run
from rmeval.results import RESULT_FILE, RunResult, benchmark_of, read_run, write_run
from rmeval.results.files import run_texts
from rmeval.results.folder import run_identity, write_failure
from rmeval.results.merge import merge_runs

__all__ = ["add_parser", "main"]


def add_parser(sub: Any) -> None:
    """Register `merge`."""
    p = sub.add_parser("merge", help="join the shards of a run into its full result",
                       description="Join the partial folders written by `rmeval run --shard I/N` (each a folder, or "
                                   "a folder holding them) into the run's full result folder. Every shard must be "
                                   "there once, all of one run.")
    p.add_argument("parts", type=Path, nargs="+", metavar="PART", help="shard folders, or folders holding them")
    p.add_argument("--output-dir", type=Path, required=True, help="where the full result goes (never one of the "
                                                                   "parts)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace a result folder that holds the result of a different run")
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


def _check_target(out_dir: Path, parts: list[Path]) -> None:
    """The merged folder is none of its parts (writing it there would replace a part with the whole)."""
    target = out_dir.resolve()
    for part in parts:
        if part.resolve() == target:
            raise UsageError(f"--output-dir {out_dir} is one of the parts being merged; give the full result a "
                             "folder of its own (the parts' parent folder, say)")


def _write(result: RunResult, out_dir: Path, overwrite: bool) -> tuple[Path, Path]:
    """Write the merged folder under its lock; never over another run's result without `overwrite`."""
    folder = prepare_output_dir(out_dir, run_identity(result.result_dict()["spec"]), overwrite)
    failed = True
    try:
        written = write_run(result, out_dir)
        failed = False
        return written
    except OSError as e:
        size = sum(len(t.encode("utf-8")) for t in run_texts(result))
        raise write_failure(out_dir, e, size, "The parts are as they were: merge them again.") from None
    finally:
        folder.release(failed)


def main(args: argparse.Namespace) -> int:
    """Check the parts (each must verify as `rmeval report` checks it), merge them, write the result and print
    its table."""
    folders = _folders(args.parts)
    _check_target(args.output_dir, folders)
    parts = [(path, read_run(path)) for path in folders]
    refuse_unverified([verify_run(path, run) for path, run in parts], trust=None)
    result = merge_runs(parts)
    result_path, samples_path = _write(result, args.output_dir, args.overwrite)
    title = run_title(result.spec, f"{len(result.samples)} examples, {len(parts)} shards")
    print(format_metrics(result.metrics, benchmark_of(result.spec), title, price_of(result.spec.scorer)))
    print(f"\nwrote {result_path}\n      {samples_path}")
    return 0
