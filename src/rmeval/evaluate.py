"""The one orchestration function: a scorer, examples and a benchmark in; a `RunResult` out."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.data.features import candidate_features
from rmeval.protocol import Scorer
from rmeval.results import RunResult
from rmeval.scoring import DEFAULT_RESAMPLES, Resampling, run_credits, run_metrics
from rmeval.types import Example, RunSpec, SampleRecord, Scored

__all__ = ["evaluate", "sample_records"]


def _progress_bar(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="scoring", unit="answer", disable=not enabled, dynamic_ncols=True)


def _score(scorer: Scorer, examples: Sequence[Example], progress: bool) -> list[Scored]:
    bar = _progress_bar(scorer.total_work(examples), progress)
    try:
        return scorer.score(examples, progress=bar.update)
    finally:
        bar.close()


def sample_records(scored: Sequence[Scored], benchmark: BenchmarkSpec, tie_credit: float,
                   part: str = "") -> list[SampleRecord]:
    """One record per scored example, with the credit it earned under the benchmark's rules and the facts of the
    example its rule needs (`BenchmarkSpec.sample_facts`)."""
    facts = [{k: s.example.meta[k] for k in benchmark.sample_facts if k in s.example.meta} for s in scored]
    credit, _ = run_credits(benchmark, [s.example.subset for s in scored], [s.chosen_scores for s in scored],
                            [s.rejected_scores for s in scored], tie_credit, facts, [s.details for s in scored])
    return [SampleRecord(s.example.subset, s.example.id, list(s.chosen_scores), list(s.rejected_scores), float(c),
                         part, dict(s.details), candidate_features(s.example), f, s.example.digest)
            for s, c, f in zip(scored, credit, facts, strict=True)]


def evaluate(
    scorer: Scorer,
    examples: Sequence[Example],
    benchmark: BenchmarkSpec,
    *,
    data_source: dict[str, Any],
    versions: dict[str, str],
    load_seconds: float = 0.0,
    tie_credit: float | None = None,
    companions: Mapping[str, Sequence[Example]] | None = None,
    progress: bool = True,
    seed: int = 0,
    command: list[str] | None = None,
    bootstrap: int = DEFAULT_RESAMPLES,
    name: str | None = None,
) -> RunResult:
    """Score every example (and every companion set the benchmark declares), compute the benchmark's metrics and
    assemble the typed result.

    `tie_credit` defaults to the scorer's. `bootstrap` resamples (seeded by `seed`) give every metric a 95 %
    interval in `metrics.ci`; 0 skips them. The caller owns the scorer (and closes it).
    """
    tie_credit = scorer.tie_credit if tie_credit is None else tie_credit
    for part in companions or {}:
        if benchmark.companion(part) is None:
            raise ValueError(f"benchmark {benchmark.name!r} declares no companion set {part!r}")
    scorer.prepare(benchmark)
    start = time.perf_counter()
    samples = sample_records(_score(scorer, examples, progress), benchmark, tie_credit)
    scored_companions = 0
    for part, extra in (companions or {}).items():
        companion = benchmark.companion(part)
        assert companion is not None
        scored = _score(scorer, extra, progress)
        scored_companions += len(scored)
        samples += sample_records(scored, companion.spec, tie_credit, part)
    seconds = time.perf_counter() - start
    resampling = Resampling(bootstrap, seed) if bootstrap > 0 else None
    metrics = run_metrics(samples, benchmark, tie_credit, resampling, excluded=data_source.get("excluded"))
    described = scorer.describe()
    pairs = len(examples) + scored_companions
    timing = {"load_seconds": round(load_seconds, 3), "scoring_seconds": round(seconds, 3),
              "pairs_per_second": round(pairs / seconds, 3) if seconds > 0 else 0.0}
    tokens = described.get("batching", {}).get("real_tokens")
    if tokens:
        timing["tokens_per_second"] = round(tokens / seconds, 1) if seconds > 0 else 0.0
    conventions = {**benchmark.conventions(), "tie_credit": tie_credit,
                   "accuracy": "fraction in [0, 1]; a tie counts as tie_credit and is counted in `ties`",
                   **scorer.conventions()}
    spec = RunSpec(benchmark.name, dict(data_source), described, conventions, versions, seed, command,
                   datetime.now(timezone.utc).isoformat(timespec="seconds"), name)
    return RunResult(spec, metrics, timing, samples)
