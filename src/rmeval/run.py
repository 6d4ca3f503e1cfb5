"""`run_evaluation`: from a `RunConfig` to a written result folder and a printed report.

In a data-parallel run (`accelerate launch` / `torchrun`) every process loads the data and the model and scores its
share; the main process alone writes the folder and prints. A `--shard I/N` run scores the I-th token-balanced share
of the examples into a partial folder of its own.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from rmeval.common.errors import Interrupted, UsageError
from rmeval.common.options import option_values
from rmeval.common.runtime import versions
from rmeval.config import RunConfig
from rmeval.data import load_examples
from rmeval.data.companions import load_companion
from rmeval.evaluate import evaluate
from rmeval.inference.local import LocalScorer
from rmeval.inference.parallel import process_share
from rmeval.preflight import (
    check_models,
    check_runtime,
    default_output_dir,
    planned_identity,
    prepare_output_dir,
    remove_empty,
)
from rmeval.presets import get_preset
from rmeval.report import format_metrics, run_title
from rmeval.results import RunResult, write_run
from rmeval.scorers import Scorer, build_scorer, scorer_entry
from rmeval.types import Example

__all__ = ["run_evaluation"]


def _load(config: RunConfig) -> Scorer:
    """The run's scorer; a model that cannot be loaded is one line, not a chain of tracebacks."""
    try:
        return build_scorer(config.scorer, (config.model, *config.ensemble), config.options, seed=config.seed)
    except OSError as e:  # transformers' way of saying a checkpoint is missing, incomplete or not a model
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"could not load {config.model}: {first}") from None


def _shard(config: RunConfig, scorer: Scorer, examples: list[Example], data: dict[str, Any]) -> list[Example]:
    """The examples this run scores: all, or its `--shard`'s token-balanced share of the run's blocks, scored as
    part of the whole run (recorded in `data`)."""
    if config.shard is None:
        return examples
    if not isinstance(scorer, LocalScorer):
        raise UsageError(f"--shard splits the work of scorers run on this machine's models, not --scorer "
                         f"{config.scorer}")
    index, count = config.shard
    try:
        positions = scorer.shard(examples, index, count)
    except ValueError as e:
        raise UsageError(str(e)) from None
    data["shard"] = {"index": index, "count": count, "positions": positions, "examples": len(examples)}
    return [examples[p] for p in positions]


def _interrupted(out_dir: Path, scorer: Scorer) -> str:
    """What Ctrl-C leaves behind, and how to resume."""
    kept = "Judge answers and reference log-probabilities computed so far stay in their stores"
    if isinstance(scorer, LocalScorer) and scorer.store is not None:
        kept = f"{scorer.store.written} new scores are kept in the score store ({scorer.store.path})"
    return f"interrupted: nothing was written to {out_dir}. {kept}: rerun the same command to resume"


def run_evaluation(config: RunConfig, out: TextIO | None = None, command: list[str] | None = None) -> RunResult:
    """Load data (validated before any model loads), score, write result.json + samples.jsonl, print the report."""
    out = out or sys.stdout
    if config.options is None:  # a library call without options: the kind's defaults, recorded as such
        config = replace(config, options=scorer_entry(config.scorer).options())
    loaded = load_examples(config.benchmark, config.data, config.columns, config.subsets or None, config.limit,
                           None, split=config.data_split, config=config.data_config, meta=config.subset_meta,
                           on_invalid=config.on_invalid)
    benchmark = loaded.benchmark
    companions, sources = {}, {}
    for part, source in config.companions:
        companion = benchmark.companion(part)
        if companion is None:
            raise ValueError(f"benchmark {benchmark.name!r} declares no companion set {part!r}")
        extra = load_companion(companion, source, config.on_invalid)
        companions[part], sources[part] = extra.examples, extra.source
    if config.shard and companions:
        raise UsageError("--shard splits the benchmark's examples; score companion sets (--prior-sets) in an "
                         "unsharded run")
    main = process_share().is_main  # in a data-parallel run only the main process writes and prints
    out_dir = config.output_dir or default_output_dir(config, loaded)
    if config.shard:
        out_dir = out_dir / f"shard-{config.shard[0]}-of-{config.shard[1]}"
    check_models(config)
    check_runtime(config, benchmark)
    planned = planned_identity(config, loaded)
    created = prepare_output_dir(out_dir, planned, config.overwrite) if main else []
    data = {**loaded.source, **({"companions": sources} if sources else {})}
    if loaded.warnings:
        data["warnings"] = loaded.warnings
    start = time.perf_counter()
    try:
        scorer = _load(config)
    except BaseException:
        remove_empty(created)
        raise
    try:
        with scorer:
            load_seconds = time.perf_counter() - start
            examples = _shard(config, scorer, loaded.examples, data)
            result = evaluate(scorer, examples, benchmark, data_source=data, versions=versions(),
                              load_seconds=load_seconds, companions=companions, progress=config.progress and main,
                              seed=config.seed, command=command, name=config.display_name)
    except KeyboardInterrupt:
        remove_empty(created)
        raise Interrupted(_interrupted(out_dir, scorer)) from None
    except BaseException:
        remove_empty(created)
        raise
    result.spec.scorer.update(scorer=config.scorer, options=option_values(config.options))
    preset = get_preset(config.preset) if config.preset else None
    if preset is not None:
        result.spec.scorer["preset"] = {"name": preset.name, "set": dict(config.from_preset),
                                        "sources": list(preset.sources)}
    if not main:
        return result
    result_path, samples_path = write_run(result, out_dir)
    title = run_title(result.spec, f"{len(result.samples)} examples")
    if config.shard:
        title += f", shard {config.shard[0]} of {config.shard[1]}: merge the parts with `rmeval merge`"
    print(format_metrics(result.metrics, benchmark, title), file=out)
    truncated = result.spec.scorer.get("truncated")
    if truncated:
        print(f"\n{truncated} texts were longer than max_length and lost the start of their prompt.", file=out)
    t = result.timing
    print(f"\nscored in {t['scoring_seconds']:.1f} s ({t['pairs_per_second']:.1f} examples/s), "
          f"model loaded in {t['load_seconds']:.1f} s", file=out)
    print(f"wrote {result_path}\n      {samples_path}", file=out)
    return result
