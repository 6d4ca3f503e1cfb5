"""The one orchestration function: a scorer, examples and a benchmark in; a `RunResult` out."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from rmeval.analysis.bootstrap import DEFAULT_RESAMPLES, ci_from_samples
from rmeval.analysis.features import candidate_features
from rmeval.benchmarks import PRIOR_SETS, BenchmarkSpec
from rmeval.metrics import Metrics, Outcome, benchmark_metrics, compute_metrics, prior_sets_average
from rmeval.results import RunResult, RunSpec, SampleRecord
from rmeval.scorers.base import Scorer
from rmeval.ties import ScoredRow
from rmeval.types import Example, Scored

__all__ = ["evaluate", "metrics_from_samples", "outcomes_of", "subset_counts"]


def _progress_bar(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="scoring", unit="answer", disable=not enabled, dynamic_ncols=True)


def outcomes_of(scored: Sequence[Scored], benchmark: BenchmarkSpec, tie_credit: float) -> list[Outcome]:
    """Per-example credit under the benchmark's rules."""
    return benchmark_metrics(_rows_of(scored), benchmark, tie_credit)[0]


def _rows_of(scored: Sequence[Scored]) -> list[ScoredRow]:
    return [(s.example.subset, s.example.id, s.chosen_scores, s.rejected_scores) for s in scored]


def metrics_from_samples(
    samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float, part: str = ""
) -> Metrics:
    """Recompute a run's metrics from its per-example scores (what `rmeval report` does)."""
    rows = [(s.subset, s.id, s.scores_chosen, s.scores_rejected) for s in samples if s.part == part]
    _, metrics = benchmark_metrics(rows, benchmark, tie_credit)
    counts = subset_counts([s for s in samples if s.part == part])
    if counts:
        metrics.extra["counts"] = counts
    return metrics


def subset_counts(samples: Sequence[SampleRecord]) -> dict[str, dict[str, int]]:
    """Per-subset sums of the counters a scorer keeps in `details["counts"]` (a judge's failures, inconsistent
    orders); empty when the scorer keeps none."""
    out: dict[str, dict[str, int]] = {}
    for s in samples:
        counts = s.details.get("counts")
        if isinstance(counts, dict):
            row = out.setdefault(s.subset, {})
            for key, value in counts.items():
                row[key] = row.get(key, 0) + int(value)
    return out


def _score(scorer: Scorer, examples: Sequence[Example], progress: bool) -> list[Scored]:
    bar = _progress_bar(scorer.total_work(examples), progress)
    try:
        return scorer.score(examples, progress=bar.update)
    finally:
        bar.close()


def evaluate(
    scorer: Scorer,
    examples: Sequence[Example],
    benchmark: BenchmarkSpec,
    *,
    data_source: dict[str, Any],
    versions: dict[str, str],
    load_seconds: float = 0.0,
    tie_credit: float | None = None,
    prior_sets: Sequence[Example] | None = None,
    prior_sets_source: dict[str, Any] | None = None,
    progress: bool = True,
    seed: int = 0,
    command: list[str] | None = None,
    bootstrap: int = DEFAULT_RESAMPLES,
) -> RunResult:
    """Score every example, compute the benchmark's metrics and assemble the typed result.

    `tie_credit` defaults to the scorer's own `tie_credit` attribute (judges score failures as ties), else 0.
    `bootstrap` resamples (seeded by `seed`) give every metric a 95 % interval in `metrics.extra["ci"]`;
    0 skips them.
    """
    if tie_credit is None:
        tie_credit = float(getattr(scorer, "tie_credit", 0.0))
    use_benchmark = getattr(scorer, "use_benchmark", None)
    if callable(use_benchmark):  # judges follow the protocol a benchmark prescribes per subset (ranking, rating)
        use_benchmark(benchmark)
    start = time.perf_counter()
    scored = _score(scorer, examples, progress)
    prior_scored = _score(scorer, prior_sets, progress) if prior_sets else []
    seconds = time.perf_counter() - start
    outcomes, metrics = benchmark_metrics(_rows_of(scored), benchmark, tie_credit)
    samples = [_record(s, o) for s, o in zip(scored, outcomes, strict=True)]
    counts = subset_counts(samples)
    if counts:
        metrics.extra["counts"] = counts
    if bootstrap > 0:
        metrics.extra["ci"] = ci_from_samples(samples, benchmark, tie_credit, resamples=bootstrap, seed=seed)
    if prior_scored:
        prior_outcomes = outcomes_of(prior_scored, PRIOR_SETS, tie_credit)
        prior = compute_metrics(prior_outcomes, PRIOR_SETS)
        metrics.extra["prior_sets"] = prior.to_dict()
        if len(metrics.sections) == len(benchmark.sections) and benchmark.name == "rewardbench":
            metrics.extra["average_with_prior_sets"] = prior_sets_average(metrics.sections, prior.score)
        samples += [_record(s, o, "prior-sets") for s, o in zip(prior_scored, prior_outcomes, strict=True)]
        if bootstrap > 0:
            metrics.extra["prior_sets"]["ci"] = ci_from_samples(samples, PRIOR_SETS, tie_credit, resamples=bootstrap,
                                                                seed=seed, part="prior-sets")
    described = scorer.describe()
    pairs = len(examples) + len(prior_scored)
    timing = {"load_seconds": round(load_seconds, 3), "scoring_seconds": round(seconds, 3),
              "pairs_per_second": round(pairs / seconds, 3) if seconds > 0 else 0.0}
    tokens = described.get("batching", {}).get("real_tokens")
    if tokens:
        timing["tokens_per_second"] = round(tokens / seconds, 1) if seconds > 0 else 0.0
    data = {**data_source, "prior_sets": prior_sets_source} if prior_sets_source else dict(data_source)
    conventions = {**benchmark.conventions(), "tie_credit": tie_credit,
                   "accuracy": "fraction in [0, 1]; a tie counts as tie_credit and is counted in `ties`"}
    own_conventions = getattr(scorer, "conventions", None)
    if callable(own_conventions):  # a judge's order and failure policies
        conventions.update(own_conventions())
    spec = RunSpec(benchmark.name, data, described, conventions, versions, seed, command,
                   datetime.now(timezone.utc).isoformat(timespec="seconds"))
    return RunResult(spec, metrics, timing, samples)


def _record(s: Scored, o: Outcome, part: str = "") -> SampleRecord:
    return SampleRecord(s.example.subset, s.example.id, list(s.chosen_scores), list(s.rejected_scores), o.credit,
                        part, dict(s.details), candidate_features(s.example))
