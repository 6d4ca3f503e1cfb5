"""The data options, declared once: `rmeval run` and `rmeval report --data` read data the same way (which file or
hub dataset, which split and configuration, the side-car, the selection, the column names, labels, and what an
invalid row does)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rmeval.benchmarks import benchmark_names
from rmeval.data import ColumnMap, parse_label_map
from rmeval.data.schema import ON_INVALID

__all__ = ["add_data_arguments", "columns_from_args", "names"]


def names(text: str | None) -> tuple[str, ...]:
    """A comma-separated list of names.

    >>> names(" a, b,,c ")
    ('a', 'b', 'c')
    """
    return tuple(x.strip() for x in (text or "").split(",") if x.strip())


def add_data_arguments(d: Any) -> None:
    """Every data option, on an argparse group (or parser)."""
    d.add_argument("--benchmark", choices=benchmark_names(), help="benchmark (default: rewardbench, or detected "
                                                                  "from the subsets of a --data file)")
    d.add_argument("--data", type=Path, help="a local .jsonl, .json, .parquet, .csv, .jsonl.gz or .json.gz file, or "
                                             "a hub dataset id (org/name)")
    d.add_argument("--split", help="with a hub dataset id: its split (default train)")
    d.add_argument("--config", help="with a hub dataset id: its configuration")
    d.add_argument("--subset-meta", type=Path, metavar="FILE",
                   help="side-car file naming the data and its sections, weights and what its safety subsets expect "
                        "(default: DATA.rmeval.yaml beside the data, when present)")
    d.add_argument("--subsets", help="comma-separated subsets to score")
    d.add_argument("--limit", type=int, help="score at most N examples of each subset (only those rows are checked)")
    d.add_argument("--on-invalid", choices=ON_INVALID, default="stop",
                   help="an invalid row stops the run (stop, the default), or is left out and recorded in "
                        "result.json with its file, row, field and reason (skip)")
    for name in ("prompt", "chosen", "rejected", "subset", "id"):
        d.add_argument(f"--{name}-column", default=name, help=f"column holding the {name} (default: {name})")
    d.add_argument("--label-column", metavar="COLUMN", help="pairs given as two answers and a which-is-better label: "
                                                            "the label's column (the answers: --answer-columns)")
    d.add_argument("--answer-columns", default="output_1,output_2", metavar="A,B",
                   help="with --label-column: the two answer columns (default: output_1,output_2)")
    d.add_argument("--label-map", metavar="VALUE=first|second|skip,...",
                   help="with --label-column: which answer each label value names (default: 1/2, a/b, model_a/model_b "
                        "and the column names); skip leaves a row out, counted")
    d.add_argument("--list-columns", metavar="A,B", help="CSV columns whose cells hold JSON lists (messages, "
                                                         "best-of-N answers); other cells are text")
    d.add_argument("--ignore-column", action="append", default=[], metavar="COLUMN",
                   help="a column that looks like a preference label but is to be ignored")


def columns_from_args(args: argparse.Namespace) -> ColumnMap:
    """The column map the options name (the default one, which lets a published layout be detected, when none)."""
    answers = names(args.answer_columns)
    if len(answers) != 2:
        raise ValueError(f"--answer-columns names two columns (A,B), got {args.answer_columns!r}")
    if args.label_map and not args.label_column:
        raise ValueError("--label-map goes with --label-column")
    return ColumnMap(args.prompt_column, args.chosen_column, args.rejected_column, args.subset_column, args.id_column,
                     answers=(answers[0], answers[1]), label=args.label_column,
                     label_map=parse_label_map(args.label_map) if args.label_map else (),
                     lists=names(args.list_columns), ignored=tuple(args.ignore_column))
