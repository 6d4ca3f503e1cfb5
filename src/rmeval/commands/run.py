"""`rmeval run`: evaluate one reward model on a benchmark and write its result folder.

The run's own options (model, data, output) are declared here; every scorer kind's options come from its options
dataclass in the scorer registry, one flag per field, so nothing is copied by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from rmeval.benchmarks import benchmark_names
from rmeval.common.options import OptionSpec, add_arguments, option_specs
from rmeval.config import RunConfig
from rmeval.data import ColumnMap, parse_label_map
from rmeval.presets import DEFAULT_BENCHMARK, DEFAULT_PRESET, resolve_options
from rmeval.scorers import scorer_entries
from rmeval.scorers.parallel import parse_shard

__all__ = ["add_parser", "config_from_args", "main"]

def add_parser(sub: Any) -> None:
    """Register `run`, its own options and those of every scorer kind."""
    p: argparse.ArgumentParser = sub.add_parser("run", help="evaluate a reward model",
                                                description="Evaluate a reward model on a benchmark.")
    entries = scorer_entries()
    m = p.add_argument_group("model")
    m.add_argument("--model", action="append", help="local folder, hub id or preset of the reward model (default: the "
                   f"{DEFAULT_PRESET} preset on {DEFAULT_BENCHMARK}); a judge is "
                   "ENGINE/MODEL (openai/..., anthropic/..., transformers/..., vllm/...); repeat for a judge ensemble")
    m.add_argument("--scorer", help=f"{', '.join(entries)} (default: the preset's kind, else classifier)")
    m.add_argument("--preset", metavar="NAME", help="apply a known model's settings (rmeval models lists them) to "
                                                    "--model, a local copy say (default: the preset --model names)")
    d = p.add_argument_group("data")
    d.add_argument("--benchmark", choices=benchmark_names(), help="benchmark (default: rewardbench, or detected "
                                                                  "from the subsets of a --data file)")
    d.add_argument("--data", type=Path, help="a local .jsonl, .json, .parquet, .csv, .jsonl.gz or .json.gz file, or "
                                             "a hub dataset id (org/name)")
    d.add_argument("--split", help="with a hub dataset id: its split (default train)")
    d.add_argument("--config", help="with a hub dataset id: its configuration")
    d.add_argument("--subset-meta", type=Path, metavar="FILE",
                   help="side-car file naming the data's sections, weights and what its safety subsets expect "
                        "(default: DATA.rmeval.yaml beside the data, when present)")
    d.add_argument("--subsets", help="comma-separated subsets to score")
    d.add_argument("--limit", type=int, help="score at most N examples of each subset")
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
    d.add_argument("--prior-sets", nargs="?", const="", metavar="SOURCE",
                   help="also score RewardBench's Prior Sets (default: from the hub; or a local file with a subset "
                        "column), reported apart")
    o = p.add_argument_group("output")
    o.add_argument("--output-dir", type=Path,
                   help="default: results/<benchmark, or the data file's name>/<the run's name>/")
    o.add_argument("--shard", metavar="I/N", help="score only the I-th of N token-balanced shares of the examples, "
                                                  "into DIR/shard-I-of-N (join the parts with `rmeval merge`)")
    o.add_argument("--overwrite", action="store_true",
                   help="replace a result folder that holds the result of a different run")
    o.add_argument("--name", help="the run's display name in reports and the leaderboard (default: the preset, or "
                                  "the model's last path part)")
    o.add_argument("--seed", type=int, default=0,
                   help="seed of the bootstrap intervals and of a judge's answer order (default 0)")
    o.add_argument("--no-progress", action="store_true", help="no progress bar")
    seen: dict[str, OptionSpec] = {}
    groups: dict[str, Any] = {"model": m}
    for entry in entries.values():
        by_group: dict[str, list[OptionSpec]] = {}
        for spec in option_specs(entry.options):
            by_group.setdefault(spec.group, []).append(spec)
        for title, specs in by_group.items():
            group = groups.get(title) or groups.setdefault(title, p.add_argument_group(title))
            add_arguments(group, tuple(specs), seen)
    p.set_defaults(handler=main, option_names=tuple(seen))


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (text or "").split(",") if x.strip())


def _columns(args: argparse.Namespace) -> ColumnMap:
    answers = _names(args.answer_columns)
    if len(answers) != 2:
        raise ValueError(f"--answer-columns names two columns (A,B), got {args.answer_columns!r}")
    if args.label_map and not args.label_column:
        raise ValueError("--label-map goes with --label-column")
    return ColumnMap(args.prompt_column, args.chosen_column, args.rejected_column, args.subset_column, args.id_column,
                     answers=(answers[0], answers[1]), label=args.label_column,
                     label_map=parse_label_map(args.label_map) if args.label_map else (),
                     lists=_names(args.list_columns), ignored=tuple(args.ignore_column))


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The typed run configuration of parsed options: no --model runs the default preset on the demonstration
    benchmark; a preset fills the options not given."""
    models = args.model or [args.preset or DEFAULT_PRESET]
    benchmark = args.benchmark
    if not args.model and not args.preset and benchmark is None and args.data is None:
        benchmark = DEFAULT_BENCHMARK
    given = {name: getattr(args, name) for name in args.option_names if hasattr(args, name)}
    resolved = resolve_options(models[0], args.scorer, given, args.preset)
    if len(models) > 1 and resolved.scorer != "judge":
        raise ValueError("several --model options make a judge ensemble: only --scorer judge takes them")
    options = resolved.options
    if (getattr(options, "inputs", None) == "reference" and benchmark == "rewardbench2"
            and hasattr(options, "truncation_side") and "truncation_side" not in given):
        # The reference's RewardBench 2 script sets no truncation side: a long text loses its end (run_v2.py).
        options = dataclasses.replace(options, truncation_side="right")
    return RunConfig(
        model=models[0], scorer=resolved.scorer, options=options, ensemble=tuple(models[1:]),
        preset=resolved.preset, from_preset=resolved.from_preset, benchmark=benchmark, data=args.data,
        data_split=args.split, data_config=args.config, subset_meta=args.subset_meta, columns=_columns(args),
        subsets=_names(args.subsets),
        limit=args.limit, companions=(("prior-sets", args.prior_sets or None),) if args.prior_sets is not None else (),
        output_dir=args.output_dir, shard=parse_shard(args.shard) if args.shard else None,
        overwrite=args.overwrite, name=args.name, seed=args.seed,
        progress=not args.no_progress,
    )


def main(args: argparse.Namespace) -> int:
    """Run the evaluation, write the result folder and print the report."""
    from rmeval.run import run_evaluation

    config = config_from_args(args)
    run_evaluation(config, command=["rmeval", *sys.argv[1:]])
    return 0
