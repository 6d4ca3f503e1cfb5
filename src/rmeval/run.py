"""`run_evaluation`: from a `RunConfig` to a written result folder and a printed report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from rmeval.benchmarks import PRIOR_SETS
from rmeval.config import RunConfig, model_slug
from rmeval.data import load_examples
from rmeval.data.files import read_file_rows, read_hub_rows, sha256_of
from rmeval.data.schema import rows_to_examples
from rmeval.evaluate import evaluate
from rmeval.report import format_metrics
from rmeval.results import RunResult, write_run
from rmeval.scorers import build_scorer
from rmeval.scorers.runtime import versions
from rmeval.types import Example

__all__ = ["load_prior_sets", "run_evaluation"]


def load_prior_sets(source: str) -> tuple[list[Example], dict[str, object]]:
    """Prior Sets from a local file (with a subset column) or from the hub (one split per subset)."""
    path = Path(source)
    if path.is_file():
        examples = rows_to_examples(read_file_rows(path), str(path), PRIOR_SETS)
        return examples, {"kind": "file", "path": str(path), "sha256": sha256_of(path)}
    examples = []
    info: dict[str, object] = {"kind": "hub", "id": source, "splits": {}}
    for subset in PRIOR_SETS.subset_names():
        rows, split_info = read_hub_rows(source, subset)
        tagged = [(i, {**r, "subset": subset, "id": r.get("id", i)}) for i, r in enumerate(rows, start=1)]
        examples += rows_to_examples(tagged, f"hub:{source}:{subset}", PRIOR_SETS)
        info["splits"][subset] = split_info.get("fingerprint")  # type: ignore[index]
    return examples, info


def run_evaluation(config: RunConfig, out: TextIO | None = None, command: list[str] | None = None) -> RunResult:
    """Load data (validated before any model loads), score, write result.json + samples.jsonl, print the report."""
    out = out or sys.stdout
    loaded = load_examples(config.benchmark, config.data, config.columns, config.subsets or None, config.limit,
                           None)
    prior, prior_source = load_prior_sets(config.prior_sets) if config.prior_sets else (None, None)
    # An ensemble's folder names every judge: the first judge alone would collide with its own solo run.
    slug = "+".join(model_slug(m) for m in (config.model, *config.ensemble))
    out_dir = config.output_dir or Path("results") / loaded.benchmark.name / slug
    scorer, load_seconds = build_scorer(config)
    result = evaluate(
        scorer, loaded.examples, loaded.benchmark, data_source=loaded.source, versions=versions(),
        load_seconds=load_seconds, prior_sets=prior, prior_sets_source=prior_source, progress=config.progress,
        seed=config.seed, command=command,
    )
    if loaded.warnings:
        result.spec.data["warnings"] = loaded.warnings
    result_path, samples_path = write_run(result, out_dir)
    title = f"{loaded.benchmark.name}: {config.model} ({len(loaded.examples)} examples)"
    print(format_metrics(result.metrics, loaded.benchmark, title), file=out)
    truncated = result.spec.scorer.get("truncated")
    if truncated:
        print(f"\n{truncated} texts were longer than max_length and lost the start of their prompt.", file=out)
    t = result.timing
    print(f"\nscored in {t['scoring_seconds']:.1f} s ({t['pairs_per_second']:.1f} examples/s), "
          f"model loaded in {t['load_seconds']:.1f} s", file=out)
    print(f"wrote {result_path}\n      {samples_path}", file=out)
    return result
