"""`run_evaluation`: from a `RunConfig` to a written result folder and a printed report."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from typing import TextIO

from rmeval.common.errors import Interrupted, UsageError
from rmeval.common.options import option_values
from rmeval.common.runtime import versions
from rmeval.config import RunConfig
from rmeval.data import load_examples
from rmeval.data.load import load_companion
from rmeval.evaluate import evaluate
from rmeval.preflight import (
    check_models,
    check_runtime,
    default_output_dir,
    planned_identity,
    prepare_output_dir,
    remove_empty,
)
from rmeval.report import format_metrics
from rmeval.results import RunResult, write_run
from rmeval.scorers import Scorer, build_scorer, scorer_entry

__all__ = ["run_evaluation"]


def _load(config: RunConfig) -> Scorer:
    """The run's scorer; a model that cannot be loaded is one line, not a chain of tracebacks."""
    try:
        return build_scorer(config.scorer, (config.model, *config.ensemble), config.options, seed=config.seed)
    except OSError as e:  # transformers' way of saying a checkpoint is missing, incomplete or not a model
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"could not load {config.model}: {first}") from None


def run_evaluation(config: RunConfig, out: TextIO | None = None, command: list[str] | None = None) -> RunResult:
    """Load data (validated before any model loads), score, write result.json + samples.jsonl, print the report."""
    out = out or sys.stdout
    if config.options is None:  # a library call without options: the kind's defaults, recorded as such
        config = replace(config, options=scorer_entry(config.scorer).options())
    loaded = load_examples(config.benchmark, config.data, config.columns, config.subsets or None, config.limit,
                           None, split=config.data_split, config=config.data_config, meta=config.subset_meta)
    benchmark = loaded.benchmark
    companions, sources = {}, {}
    for part, source in config.companions:
        companion = benchmark.companion(part)
        if companion is None:
            raise ValueError(f"benchmark {benchmark.name!r} declares no companion set {part!r}")
        extra = load_companion(companion, source)
        companions[part], sources[part] = extra.examples, extra.source
    out_dir = config.output_dir or default_output_dir(config, loaded)
    check_models(config)
    check_runtime(config, benchmark)
    created = prepare_output_dir(out_dir, planned_identity(config, loaded), config.overwrite)
    data = {**loaded.source, **({"companions": sources} if sources else {})}
    if loaded.warnings:
        data["warnings"] = loaded.warnings
    start = time.perf_counter()
    try:
        with _load(config) as scorer:
            load_seconds = time.perf_counter() - start
            result = evaluate(scorer, loaded.examples, benchmark, data_source=data, versions=versions(),
                              load_seconds=load_seconds, companions=companions, progress=config.progress,
                              seed=config.seed, command=command, name=config.display_name)
    except KeyboardInterrupt:
        remove_empty(created)
        raise Interrupted(f"interrupted: nothing was written to {out_dir}. Judge answers and reference "
                          "log-probabilities computed so far stay in their caches: rerun the same command to "
                          "resume") from None
    except BaseException:
        remove_empty(created)
        raise
    result.spec.scorer.update(scorer=config.scorer, options=option_values(config.options))
    if config.preset:
        result.spec.scorer["preset"] = {"name": config.preset, "set": dict(config.from_preset)}
    result_path, samples_path = write_run(result, out_dir)
    title = f"{benchmark.name}: {config.model} ({len(loaded.examples)} examples)"
    print(format_metrics(result.metrics, benchmark, title), file=out)
    truncated = result.spec.scorer.get("truncated")
    if truncated:
        print(f"\n{truncated} texts were longer than max_length and lost the start of their prompt.", file=out)
    t = result.timing
    print(f"\nscored in {t['scoring_seconds']:.1f} s ({t['pairs_per_second']:.1f} examples/s), "
          f"model loaded in {t['load_seconds']:.1f} s", file=out)
    print(f"wrote {result_path}\n      {samples_path}", file=out)
    return result
