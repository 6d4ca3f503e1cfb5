"""`run_evaluation`: from a `RunConfig` to a written result folder and a printed report."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from rmeval.common.runtime import versions
from rmeval.config import RunConfig, model_slug
from rmeval.data import load_examples
from rmeval.data.load import load_companion
from rmeval.evaluate import evaluate
from rmeval.presets import get_preset
from rmeval.report import format_metrics
from rmeval.results import RunResult, write_run
from rmeval.scorers import build_scorer

__all__ = ["run_evaluation"]


def run_evaluation(config: RunConfig, out: TextIO | None = None, command: list[str] | None = None) -> RunResult:
    """Load data (validated before any model loads), score, write result.json + samples.jsonl, print the report."""
    out = out or sys.stdout
    loaded = load_examples(config.benchmark, config.data, config.columns, config.subsets or None, config.limit,
                           None)
    benchmark = loaded.benchmark
    companions, sources = {}, {}
    for part, source in config.companions:
        companion = benchmark.companion(part)
        if companion is None:
            raise ValueError(f"benchmark {benchmark.name!r} declares no companion set {part!r}")
        extra = load_companion(companion, source)
        companions[part], sources[part] = extra.examples, extra.source
    # An ensemble's folder names every judge: the first judge alone would collide with its own solo run.
    slug = "+".join(model_slug(m) for m in (config.model, *config.ensemble))
    out_dir = config.output_dir or Path("results") / benchmark.name / slug
    data = {**loaded.source, **({"companions": sources} if sources else {})}
    if loaded.warnings:
        data["warnings"] = loaded.warnings
    start = time.perf_counter()
    with build_scorer(config.scorer, (config.model, *config.ensemble), config.options, seed=config.seed) as scorer:
        load_seconds = time.perf_counter() - start
        result = evaluate(scorer, loaded.examples, benchmark, data_source=data, versions=versions(),
                          load_seconds=load_seconds, companions=companions, progress=config.progress,
                          seed=config.seed, command=command, name=config.display_name)
    preset = get_preset(config.preset) if config.preset else None
    if preset is not None:
        result.spec.scorer["preset"] = {"name": preset.name, "set": dict(config.from_preset),
                                        "sources": list(preset.sources)}
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
