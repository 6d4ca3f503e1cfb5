"""A run's metrics as typed values: subsets, sections (and the sections nested in them), the score, intervals,
counts, Ties terms, facets, rows the benchmark excludes, companion sets.

All values are fractions in [0, 1]. The JSON form is `metrics` in result.json (schema 2, `results/result.schema.json`);
NaN is written as null and read back as NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rmeval.scoring.ties import TiesResult

__all__ = ["CombinedValue", "CompanionMetrics", "FacetMetrics", "Intervals", "Metrics", "SubsetMetrics", "number"]

Interval = tuple[float, float]


def number(value: Any) -> float:
    """A stored number: null is NaN.

    >>> number(None), number(0.5)
    (nan, 0.5)
    """
    return math.nan if value is None else float(value)


def _interval(value: Any) -> Interval:
    lo, hi = value
    return number(lo), number(hi)


@dataclass(frozen=True)
class SubsetMetrics:
    """Accuracy of one subset, its example count and how many examples were ties."""

    accuracy: float
    n: int
    ties: int


@dataclass(frozen=True)
class Intervals:
    """Bootstrap percentile intervals of every subset, section (nested `parts` too) and the score, with how they
    were drawn."""

    level: float
    resamples: int
    seed: int
    method: str
    subsets: dict[str, Interval]
    sections: dict[str, Interval]
    score: Interval
    parts: dict[str, Interval] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`metrics.ci`)."""
        out: dict[str, Any] = {"level": self.level, "resamples": self.resamples, "seed": self.seed,
                               "method": self.method, "subsets": {k: list(v) for k, v in self.subsets.items()},
                               "sections": {k: list(v) for k, v in self.sections.items()}, "score": list(self.score)}
        if self.parts:
            out["parts"] = {k: list(v) for k, v in self.parts.items()}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Intervals:
        """Read the JSON form back."""
        return cls(float(data["level"]), int(data["resamples"]), int(data["seed"]), str(data.get("method", "")),
                   {k: _interval(v) for k, v in data.get("subsets", {}).items()},
                   {k: _interval(v) for k, v in data.get("sections", {}).items()}, _interval(data["score"]),
                   {k: _interval(v) for k, v in data.get("parts", {}).items()})


@dataclass(frozen=True)
class FacetMetrics:
    """A facet of the benchmark's rule (RM-Bench's Easy, Normal, Hard; PPE's Best-of-K): its value per subset,
    combined into sections, nested parts and a score with the benchmark's weights, and their intervals."""

    subsets: dict[str, float]
    sections: dict[str, float]
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    ci: Intervals | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`metrics.facets[name]`)."""
        out: dict[str, Any] = {"subsets": dict(self.subsets), "sections": dict(self.sections), "score": self.score}
        if self.parts:
            out["parts"] = dict(self.parts)
        if self.ci is not None:
            out["ci"] = self.ci.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FacetMetrics:
        """Read the JSON form back."""
        ci = data.get("ci")
        return cls({k: number(v) for k, v in data["subsets"].items()},
                   {k: number(v) for k, v in data["sections"].items()}, number(data["score"]),
                   {k: number(v) for k, v in data.get("parts", {}).items()}, Intervals.from_dict(ci) if ci else None)


@dataclass(frozen=True)
class CombinedValue:
    """A weighted mean of a benchmark's sections and a companion's score, under its own name (never the score)."""

    name: str
    weights: dict[str, float]
    value: float


@dataclass(frozen=True)
class CompanionMetrics:
    """A companion set's metrics (RewardBench's Prior Sets), reported apart from the benchmark's score."""

    title: str
    metrics: Metrics
    combined: CombinedValue | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`metrics.companions[part]`)."""
        out: dict[str, Any] = {"title": self.title, **self.metrics.to_dict()}
        if self.combined is not None:
            out["combined"] = {"name": self.combined.name, "weights": dict(self.combined.weights),
                               "value": self.combined.value}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CompanionMetrics:
        """Read the JSON form back."""
        c = data.get("combined")
        combined = CombinedValue(str(c["name"]), {k: float(v) for k, v in c["weights"].items()},
                                 number(c["value"])) if c else None
        return cls(str(data["title"]), Metrics.from_dict(data), combined)


@dataclass(frozen=True)
class Metrics:
    """Per-subset accuracies, section scores and the headline score, with what explains them.

    `complete` is false when some of a closed benchmark's subsets were not scored (`missing_subsets`); `ci` holds
    the bootstrap intervals; `counts` per-subset counters a scorer kept (a judge's failures); `ties` the Ties
    composite of each Ties subset; `companions` the sets scored beside the benchmark, keyed by their part;
    `scored_only` each subset again over the examples that got a real score (not the failure policy's), when some
    did not; `parts` the values of sections nested in sections; `facets` the rule's facets; `excluded` per subset,
    the rows the benchmark leaves out of its accuracy, by reason (PPE's human-preference ties); `completed` each
    subset again over a judge's complete examples (every judgment gave a verdict) and `completed_score` the score
    over them, beside the score.
    """

    subsets: dict[str, SubsetMetrics]
    sections: dict[str, float]
    score: float
    complete: bool = True
    missing_subsets: tuple[str, ...] = ()
    ci: Intervals | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    ties: dict[str, TiesResult] = field(default_factory=dict)
    companions: dict[str, CompanionMetrics] = field(default_factory=dict)
    scored_only: dict[str, SubsetMetrics] = field(default_factory=dict)
    parts: dict[str, float] = field(default_factory=dict)
    facets: dict[str, FacetMetrics] = field(default_factory=dict)
    excluded: dict[str, dict[str, int]] = field(default_factory=dict)
    completed: dict[str, SubsetMetrics] = field(default_factory=dict)
    completed_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored under `metrics` in result.json (empty parts left out)."""
        out: dict[str, Any] = {
            "subsets": _subsets_dict(self.subsets),
            "sections": dict(self.sections),
            "score": self.score,
            "complete": self.complete,
        }
        if self.missing_subsets:
            out["missing_subsets"] = list(self.missing_subsets)
        if self.ci is not None:
            out["ci"] = self.ci.to_dict()
        if self.counts:
            out["counts"] = {k: dict(v) for k, v in self.counts.items()}
        if self.ties:
            out["ties"] = {k: v.to_dict() for k, v in self.ties.items()}
        if self.companions:
            out["companions"] = {k: v.to_dict() for k, v in self.companions.items()}
        if self.scored_only:
            out["scored_only"] = _subsets_dict(self.scored_only)
        if self.parts:
            out["parts"] = dict(self.parts)
        if self.facets:
            out["facets"] = {k: v.to_dict() for k, v in self.facets.items()}
        if self.excluded:
            out["excluded"] = {k: dict(v) for k, v in self.excluded.items()}
        if self.completed:
            out["completed"] = _subsets_dict(self.completed)
        if self.completed_score is not None:
            out["completed_score"] = self.completed_score
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Metrics:
        """Read the JSON form back."""
        subsets = _subsets(data["subsets"])
        ci = data.get("ci")
        return cls(subsets, {k: number(v) for k, v in data["sections"].items()}, number(data["score"]),
                   bool(data.get("complete", True)), tuple(data.get("missing_subsets", ())),
                   Intervals.from_dict(ci) if ci else None,
                   {k: {n: int(c) for n, c in v.items()} for k, v in data.get("counts", {}).items()},
                   {k: TiesResult.from_dict(v) for k, v in data.get("ties", {}).items()},
                   {k: CompanionMetrics.from_dict(v) for k, v in data.get("companions", {}).items()},
                   _subsets(data.get("scored_only", {})),
                   {k: number(v) for k, v in data.get("parts", {}).items()},
                   {k: FacetMetrics.from_dict(v) for k, v in data.get("facets", {}).items()},
                   {k: {r: int(c) for r, c in v.items()} for k, v in data.get("excluded", {}).items()},
                   _subsets(data.get("completed", {})),
                   number(data["completed_score"]) if "completed_score" in data else None)


def _subsets_dict(subsets: Mapping[str, SubsetMetrics]) -> dict[str, Any]:
    return {k: {"accuracy": v.accuracy, "n": v.n, "ties": v.ties} for k, v in subsets.items()}


def _subsets(data: Mapping[str, Any]) -> dict[str, SubsetMetrics]:
    return {k: SubsetMetrics(number(v["accuracy"]), int(v["n"]), int(v["ties"])) for k, v in data.items()}
