"""Joining the partial folders of a `--shard I/N` run into the full result.

The parts must be one run split N ways: the same benchmark, data, scorer, options, conventions and seed, every
shard index from 0 to N-1 once, every example of the data once. The merged folder is what one process would have
written: samples in data order, every metric and interval recomputed from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rmeval.common.errors import UsageError
from rmeval.results.files import RunResult
from rmeval.results.recompute import benchmark_of, stored_resampling, tie_credit_of
from rmeval.scoring import run_metrics
from rmeval.types import RunSpec

__all__ = ["merge_runs"]

SAME = ("benchmark", "conventions", "seed")
"""Spec fields every part shares exactly."""


def _identity(spec: RunSpec) -> dict[str, Any]:
    data = {k: v for k, v in spec.data.items() if k not in ("shard", "selected")}
    scorer = {k: spec.scorer.get(k) for k in ("kind", "scorer", "model", "options")}
    return {**{k: getattr(spec, k) for k in SAME}, "data": data, "scorer": scorer}


def _shard(run: RunResult, where: Path) -> dict[str, Any]:
    shard = run.spec.data.get("shard")
    if not isinstance(shard, dict):
        raise UsageError(f"{where} is not a shard of a run (it was not written with --shard)")
    return shard


def _check(parts: Sequence[tuple[Path, RunResult]]) -> tuple[int, int]:
    """(shards, examples) of a complete, consistent set of parts; a clear error otherwise."""
    if not parts:
        raise UsageError("give the shard folders to merge")
    first_path, first = parts[0]
    reference, count = _identity(first.spec), int(_shard(first, first_path)["count"])
    seen: dict[int, Path] = {}
    for path, run in parts:
        shard = _shard(run, path)
        mine = _identity(run.spec)
        if mine != reference:
            field = next(k for k in reference if reference[k] != mine.get(k))
            raise UsageError(f"{path} is a shard of another run than {first_path} (they differ in {field})")
        if int(shard["count"]) != count:
            raise UsageError(f"{path} is shard {shard['index']} of {shard['count']}, {first_path} one of {count}")
        index = int(shard["index"])
        if index in seen:
            raise UsageError(f"shard {index} of {count} is given twice: {seen[index]} and {path}")
        seen[index] = path
    missing = sorted(set(range(count)) - set(seen))
    if missing:
        raise UsageError(f"shard(s) {', '.join(map(str, missing))} of {count} missing: every shard is needed")
    return count, int(_shard(first, first_path)["examples"])


def merge_runs(parts: Sequence[tuple[Path, RunResult]]) -> RunResult:
    """The full result of a run from its shards (see the module's docstring for the checks)."""
    _, total = _check(parts)
    placed: dict[int, Any] = {}
    for path, run in parts:
        positions = _shard(run, path)["positions"]
        if len(positions) != len(run.samples):
            raise UsageError(f"{path}: its samples.jsonl holds {len(run.samples)} examples, its shard {len(positions)}")
        for position, sample in zip(positions, run.samples, strict=True):
            if position in placed:
                raise UsageError(f"example {sample.subset}/{sample.id} is in two shards ({path} and another)")
            placed[int(position)] = sample
    missing = sorted(set(range(total)) - set(placed))
    if missing:
        raise UsageError(f"{len(missing)} of the data's {total} examples are in no shard (positions "
                         f"{', '.join(map(str, missing[:10]))}{' ...' if len(missing) > 10 else ''})")
    first = parts[0][1]
    samples = [placed[i] for i in range(total)]
    spec = first.spec
    data = {k: v for k, v in spec.data.items() if k != "shard"}
    data["merged_from"] = [str(path) for path, _ in parts]
    metrics = run_metrics(samples, benchmark_of(spec), tie_credit_of(spec), stored_resampling(first),
                          excluded=data.get("excluded"))  # rows the layout left out of the whole data (PPE's ties)
    timing = {k: round(sum(float(run.timing.get(k, 0.0)) for _, run in parts), 3)
              for k in ("load_seconds", "scoring_seconds")}
    scoring = timing["scoring_seconds"]
    timing["pairs_per_second"] = round(total / scoring, 3) if scoring > 0 else 0.0
    merged = RunSpec(spec.benchmark, data, _merged_scorer([run for _, run in parts]), spec.conventions,
                     spec.versions, spec.seed, spec.command, spec.created_at, spec.name)
    return RunResult(merged, metrics, timing, samples)


def _merged_scorer(runs: Sequence[RunResult]) -> dict[str, Any]:
    """The scorer's record of the whole run: the parts' work counters summed, and a fast-exact run's blocks (each
    part decided its own blocks from the whole run's calibration) joined, with their summary recomputed."""
    scorer = dict(runs[0].spec.scorer)
    batching = scorer.get("batching")
    if isinstance(batching, dict):
        scorer["batching"] = {k: sum(int(r.spec.scorer["batching"].get(k, 0)) for r in runs)
                              if isinstance(v, int) and not isinstance(v, bool) and k not in _SETTINGS else v
                              for k, v in batching.items()}
    precision = scorer.get("precision")
    if isinstance(precision, dict) and "blocks" in precision:
        from rmeval.inference.precision import precision_summary

        blocks = sorted((b for r in runs for b in r.spec.scorer["precision"]["blocks"]), key=lambda b: b["block"])
        scorer["precision"] = {**precision, **precision_summary(blocks), "blocks": blocks}
    return scorer


_SETTINGS = ("max_tokens_per_batch", "batch_size")
"""Batching entries that are settings, the same in every part, not counts to add."""
