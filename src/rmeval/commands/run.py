"""`rmeval run`: evaluate one reward model on a benchmark and write its result folder.

The run's own options (model, data, output) are declared here; every scorer kind's options come from its options
dataclass in the scorer registry, one flag per field, so nothing is copied by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rmeval.commands.data_options import add_data_arguments, columns_from_args, names
from rmeval.common.options import OptionSpec, add_arguments, option_specs
from rmeval.config import RunConfig
from rmeval.inference.parallel import parse_shard
from rmeval.presets import DEFAULT_BENCHMARK, DEFAULT_PRESET, resolve_options
from rmeval.scorers import scorer_entries

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
    add_data_arguments(d)
    d.add_argument("--prior-sets", nargs="?", const="", metavar="SOURCE",
                   help="also score RewardBench's Prior Sets (default: from the hub; or a local file with a subset "
                        "column, or the sets' original files: a folder holding them), reported apart")
    o = p.add_argument_group("output")
    o.add_argument("--output-dir", type=Path,
                   help="default: results/<the dataset's name>/<the run's name>/")
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
    return RunConfig(
        model=models[0], scorer=resolved.scorer, options=resolved.options, ensemble=tuple(models[1:]),
        preset=resolved.preset, from_preset=resolved.from_preset, benchmark=benchmark, data=args.data,
        data_split=args.split, data_config=args.config, subset_meta=args.subset_meta, columns=columns_from_args(args),
        on_invalid=args.on_invalid,
        subsets=names(args.subsets),
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
