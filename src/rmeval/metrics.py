"""RewardBench's metrics as small pure functions of per-example scores (see SCORING.md for the conventions)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rmeval.benchmarks import PRIOR_SETS_WEIGHTS, BenchmarkSpec, Rule
from rmeval.ties import ScoredRow, TiesResult, ties_outcome, ties_results

__all__ = [
    "Metrics",
    "Outcome",
    "SubsetMetrics",
    "benchmark_metrics",
    "best_of_n_outcome",
    "compute_metrics",
    "example_outcome",
    "pair_outcome",
    "prior_sets_average",
    "score_example",
    "section_scores",
    "subset_metrics",
]


@dataclass(frozen=True)
class Outcome:
    """The credit an example earns (0 to 1) and whether the decision was a tie."""

    subset: str
    credit: float
    tie: bool


@dataclass(frozen=True)
class SubsetMetrics:
    """Accuracy of one subset, its example count and how many examples were ties."""

    accuracy: float
    n: int
    ties: int


@dataclass(frozen=True)
class Metrics:
    """Per-subset accuracies, section scores and the headline score (all fractions in [0, 1])."""

    subsets: dict[str, SubsetMetrics]
    sections: dict[str, float]
    score: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored under `metrics` in result.json."""
        return {
            "subsets": {k: {"accuracy": v.accuracy, "n": v.n, "ties": v.ties} for k, v in self.subsets.items()},
            "sections": dict(self.sections),
            "score": self.score,
            **self.extra,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Metrics:
        """Read the JSON form back."""
        subsets = {
            k: SubsetMetrics(float(v["accuracy"]), int(v["n"]), int(v["ties"])) for k, v in data["subsets"].items()
        }
        extra = {k: v for k, v in data.items() if k not in ("subsets", "sections", "score")}
        return cls(subsets, {k: float(v) for k, v in data["sections"].items()}, float(data["score"]), extra)


def pair_outcome(chosen: float, rejected: float, tie_credit: float = 0.0) -> tuple[float, bool]:
    """RewardBench v1: full credit only when chosen scores strictly higher; an exact tie earns `tie_credit`.

    >>> pair_outcome(1.0, 0.5), pair_outcome(0.5, 0.5), pair_outcome(0.5, 0.5, tie_credit=0.5)
    ((1.0, False), (0.0, True), (0.5, True))
    """
    if chosen > rejected:
        return 1.0, False
    if chosen == rejected:
        return tie_credit, True
    return 0.0, False


def best_of_n_outcome(chosen: Sequence[float], rejected: Sequence[float]) -> tuple[float, bool]:
    """RewardBench 2: 1/k when the chosen answer reaches the top score shared by k answers, else 0.

    >>> best_of_n_outcome([3.0], [1.0, 2.0, 0.0]), best_of_n_outcome([2.0], [2.0, 1.0, 0.0])
    ((1.0, False), (0.5, True))
    """
    if len(chosen) != 1:
        raise ValueError(f"best-of-N needs exactly one chosen answer, got {len(chosen)}")
    scores = [chosen[0], *rejected]
    top = max(scores)
    if chosen[0] != top:
        return 0.0, False
    k = sum(1 for s in scores if s == top)
    return 1.0 / k, k > 1


def example_outcome(
    rule: Rule, subset: str, chosen: Sequence[float], rejected: Sequence[float], tie_credit: float = 0.0
) -> Outcome:
    """Score one example under a benchmark's rule."""
    if any(math.isnan(s) for s in (*chosen, *rejected)):
        return Outcome(subset, 0.0, False)
    if rule == "pair":
        if len(chosen) != 1 or len(rejected) != 1:
            raise ValueError(f"the pair rule needs one chosen and one rejected answer in subset {subset!r}")
        credit, tie = pair_outcome(chosen[0], rejected[0], tie_credit)
    elif rule == "ties":
        credit, tie = ties_outcome(chosen, rejected)
    else:
        credit, tie = best_of_n_outcome(chosen, rejected)
    return Outcome(subset, credit, tie)


def score_example(
    spec: BenchmarkSpec, subset: str, chosen: Sequence[float], rejected: Sequence[float], tie_credit: float = 0.0
) -> Outcome:
    """Score one example under the rule its subset follows in `spec` (RewardBench 2's Ties has its own)."""
    return example_outcome(spec.rule_of(subset), subset, chosen, rejected, tie_credit)


def subset_metrics(outcomes: Iterable[Outcome]) -> dict[str, SubsetMetrics]:
    """Mean credit, count and ties per subset, in order of first appearance."""
    credit: dict[str, float] = {}
    count: dict[str, int] = {}
    ties: dict[str, int] = {}
    for o in outcomes:
        credit[o.subset] = credit.get(o.subset, 0.0) + o.credit
        count[o.subset] = count.get(o.subset, 0) + 1
        ties[o.subset] = ties.get(o.subset, 0) + int(o.tie)
    return {s: SubsetMetrics(credit[s] / count[s], count[s], ties[s]) for s in credit}


def section_scores(subsets: Mapping[str, SubsetMetrics], spec: BenchmarkSpec) -> dict[str, float]:
    """Weighted mean of subset accuracies per section; sections with no scored subset are left out.

    A subset's weight is its spec weight, or its scored row count when the spec gives none.
    """
    out: dict[str, float] = {}
    for section in spec.sections:
        num = den = 0.0
        for sub in section.subsets:
            if sub.name not in subsets:
                continue
            m = subsets[sub.name]
            w = float(sub.weight) if sub.weight is not None else float(m.n)
            num += m.accuracy * w
            den += w
        if den > 0:
            out[section.name] = num / den
    return out


def compute_metrics(
    outcomes: Sequence[Outcome], spec: BenchmarkSpec, ties: Mapping[str, TiesResult] | None = None
) -> Metrics:
    """Subset, section and headline metrics of a run, as the benchmark defines them.

    A subset in `ties` is scored by its Ties composite instead of its mean credit; the composite's terms are kept
    in `extra["ties"]`.
    """
    subsets = subset_metrics(outcomes)
    for name, result in (ties or {}).items():
        if name in subsets:
            subsets[name] = SubsetMetrics(result.score, subsets[name].n, subsets[name].ties)
    if spec.closed:
        order = [s for s in spec.subset_names() if s in subsets]
        subsets = {s: subsets[s] for s in order}
        sections = section_scores(subsets, spec)
        values = list(sections.values())
        missing = [s for s in spec.subset_names() if s not in subsets]
    else:
        subsets = dict(sorted(subsets.items()))
        sections = {}
        values = [m.accuracy for m in subsets.values()]
        missing = []
    score = sum(values) / len(values) if values else float("nan")
    extra: dict[str, Any] = {"complete": not missing}
    if missing:
        extra["missing_subsets"] = missing
    if ties:
        extra["ties"] = {name: result.to_dict() for name, result in ties.items()}
    return Metrics(subsets, sections, score, extra)


def benchmark_metrics(
    rows: Sequence[ScoredRow], spec: BenchmarkSpec, tie_credit: float = 0.0
) -> tuple[list[Outcome], Metrics]:
    """Per-example outcomes and the run's metrics from (subset, id, chosen scores, rejected scores) rows.

    The one place that applies every rule of a benchmark, used alike by a run and by `rmeval report`.
    """
    outcomes = [score_example(spec, subset, chosen, rejected, tie_credit) for subset, _, chosen, rejected in rows]
    return outcomes, compute_metrics(outcomes, spec, ties_results(rows, spec))


def prior_sets_average(sections: Mapping[str, float], prior_sets: float) -> float:
    """The old leaderboard average: sections and Prior Sets weighted 2, 2, 2, 2, 1."""
    values = {**sections, "Prior Sets": prior_sets}
    missing = [k for k in PRIOR_SETS_WEIGHTS if k not in values]
    if missing:
        raise ValueError(f"the Prior Sets average needs every section; missing: {', '.join(missing)}")
    total = sum(PRIOR_SETS_WEIGHTS.values())
    return sum(values[k] * w for k, w in PRIOR_SETS_WEIGHTS.items()) / total
