"""Benchmark specs, addressed by name: RewardBench v1 and 2, the packaged demonstration set, RM-Bench, JudgeBench
(GPT-4o and Claude pairs), RMB, PPE, M-RewardBench, the step-level ProcessBench and PRMBench, and custom data.

Third-party packages add benchmarks through the `rmeval.benchmarks` entry point group: the entry point names a module
that calls `register_benchmark` on import.
"""

from __future__ import annotations

from collections.abc import Iterable

from rmeval.benchmarks.judgebench import JUDGEBENCH, JUDGEBENCH_CLAUDE
from rmeval.benchmarks.m_rewardbench import M_REWARDBENCH
from rmeval.benchmarks.ppe import PPE
from rmeval.benchmarks.prmbench import PRMBENCH
from rmeval.benchmarks.processbench import PROCESSBENCH
from rmeval.benchmarks.rewardbench import PRIOR_SETS, PRIOR_SETS_WEIGHTS, REWARDBENCH, REWARDBENCH_MINI
from rmeval.benchmarks.rewardbench2 import REWARDBENCH2, parse_ties_id
from rmeval.benchmarks.rm_bench import RM_BENCH
from rmeval.benchmarks.rmb import RMB
from rmeval.benchmarks.spec import (
    RULES,
    BenchmarkSpec,
    CombinedAverage,
    Companion,
    Expects,
    Rule,
    Section,
    SubsetSpec,
)
from rmeval.common.plugins import load_plugins

__all__ = [
    "ENTRY_POINT_GROUP",
    "PRIOR_SETS",
    "PRIOR_SETS_WEIGHTS",
    "RULES",
    "BenchmarkSpec",
    "CombinedAverage",
    "Companion",
    "Expects",
    "Rule",
    "Section",
    "SubsetSpec",
    "benchmark_names",
    "custom_benchmark",
    "detect_benchmark",
    "get_benchmark",
    "parse_ties_id",
    "register_benchmark",
]

ENTRY_POINT_GROUP = "rmeval.benchmarks"
_BENCHMARKS: dict[str, BenchmarkSpec] = {}
_plugins_loaded = False


def _registered() -> dict[str, BenchmarkSpec]:
    """Every benchmark, built-in and installed (plugins are imported once, on first use)."""
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        load_plugins(ENTRY_POINT_GROUP)
    return _BENCHMARKS


def register_benchmark(spec: BenchmarkSpec) -> BenchmarkSpec:
    """Make `spec` addressable by its name (`--benchmark NAME`, and the result folders that name it)."""
    if spec.name == "custom":
        raise ValueError("'custom' is the open benchmark of user data; give yours another name")
    _BENCHMARKS[spec.name] = spec
    return spec


for _spec in (REWARDBENCH, REWARDBENCH2, REWARDBENCH_MINI, RM_BENCH, JUDGEBENCH, JUDGEBENCH_CLAUDE, RMB, PPE,
              M_REWARDBENCH, PROCESSBENCH, PRMBENCH):
    register_benchmark(_spec)


def custom_benchmark(rule: Rule = "pair") -> BenchmarkSpec:
    """The open benchmark for user data: subsets come from the data, each example scored with `rule`."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    what = "preference" if rule == "pair" else "best-of-N"
    return BenchmarkSpec(name="custom", description=f"Any {what} dataset: subsets come from the data", rule=rule,
                         score_definition="mean of the subset accuracies")


def benchmark_names() -> list[str]:
    """Every registered benchmark, sorted (the open `custom` one is not among them)."""
    return sorted(_registered())


def get_benchmark(name: str) -> BenchmarkSpec:
    """The benchmark called `name`; a clear error lists the known ones."""
    try:
        return _registered()[name]
    except KeyError:
        known = ", ".join(benchmark_names())
        raise ValueError(f"unknown benchmark {name!r}; known benchmarks: {known}") from None


def detect_benchmark(subsets: Iterable[str]) -> BenchmarkSpec | None:
    """The benchmark that declares `detect` and owns every one of `subsets`, if one does."""
    present = set(subsets)
    for spec in _registered().values():
        if spec.detect and present and present <= set(spec.subset_names()):
            return spec
    return None
