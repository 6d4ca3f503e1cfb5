"""Benchmark specs, addressed by name."""

from __future__ import annotations

from rmeval.benchmarks.rewardbench import PRIOR_SETS, PRIOR_SETS_WEIGHTS, REWARDBENCH, REWARDBENCH_MINI
from rmeval.benchmarks.rewardbench2 import REWARDBENCH2
from rmeval.benchmarks.spec import BenchmarkSpec, Rule, Section, SubsetSpec

__all__ = [
    "BENCHMARKS",
    "PRIOR_SETS",
    "PRIOR_SETS_WEIGHTS",
    "BenchmarkSpec",
    "Rule",
    "Section",
    "SubsetSpec",
    "custom_benchmark",
    "get_benchmark",
]

CUSTOM = BenchmarkSpec(
    name="custom",
    description="Any preference dataset: subsets come from the data",
    rule="pair",
    score_definition="mean of the subset accuracies",
)

BENCHMARKS: dict[str, BenchmarkSpec] = {
    b.name: b for b in (REWARDBENCH, REWARDBENCH2, REWARDBENCH_MINI, CUSTOM, PRIOR_SETS)
}


def custom_benchmark(rule: Rule = "pair") -> BenchmarkSpec:
    """The open benchmark for user data, scored with `rule`."""
    return CUSTOM if rule == "pair" else BenchmarkSpec(
        name="custom",
        description="Any best-of-N dataset: subsets come from the data",
        rule=rule,
        score_definition="mean of the subset accuracies",
    )


def get_benchmark(name: str) -> BenchmarkSpec:
    """The benchmark called `name`; a clear error lists the known ones."""
    try:
        return BENCHMARKS[name]
    except KeyError:
        known = ", ".join(sorted(BENCHMARKS))
        raise ValueError(f"unknown benchmark {name!r}; known benchmarks: {known}") from None
