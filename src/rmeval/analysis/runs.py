"""What the analyses need to know about a result folder: its benchmark, its tie credit, each example's outcome."""

from __future__ import annotations

from rmeval.benchmarks import BenchmarkSpec, custom_benchmark, get_benchmark
from rmeval.metrics import Outcome, example_outcome
from rmeval.results import RunSpec, SampleRecord
from rmeval.ties import ties_outcome

__all__ = ["benchmark_of", "sample_outcome", "tie_credit_of"]


def benchmark_of(spec: RunSpec) -> BenchmarkSpec:
    """The benchmark a run was scored on; custom runs carry their rule in `conventions`."""
    if spec.benchmark == "custom":
        rule = spec.conventions.get("rule", "pair")
        if rule not in ("pair", "best_of_n", "ties"):
            raise ValueError(f"result.json: spec.conventions.rule is {rule!r}; expected pair, best_of_n or ties")
        return custom_benchmark(rule)
    return get_benchmark(spec.benchmark)


def tie_credit_of(spec: RunSpec) -> float:
    """The credit a tie earned in this run (0 unless the scorer asked otherwise, as judges do)."""
    value = spec.conventions.get("tie_credit", 0.0)
    if not isinstance(value, (int, float)):
        raise ValueError(f"result.json: spec.conventions.tie_credit is {value!r}; expected a number")
    return float(value)


def sample_outcome(sample: SampleRecord, benchmark: BenchmarkSpec, tie_credit: float = 0.0) -> Outcome:
    """The credit one example earns under its subset's rule, recomputed from its scores.

    >>> from rmeval.benchmarks import custom_benchmark
    >>> sample_outcome(SampleRecord("s", 1, [2.0], [2.0, 1.0, 0.0], 0.5), custom_benchmark("best_of_n"))
    Outcome(subset='s', credit=0.5, tie=True)
    """
    rule = benchmark.rule_of(sample.subset)
    if rule == "ties":
        credit, tie = ties_outcome(sample.scores_chosen, sample.scores_rejected)
        return Outcome(sample.subset, credit, tie)
    return example_outcome(rule, sample.subset, sample.scores_chosen, sample.scores_rejected, tie_credit)
