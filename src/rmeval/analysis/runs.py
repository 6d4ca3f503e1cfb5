"""What the analyses need to know about a result folder: its benchmark, its tie credit, each example's outcome."""

from __future__ import annotations

from collections.abc import Sequence

from rmeval.benchmarks import BenchmarkSpec, Rule, custom_benchmark, get_benchmark
from rmeval.metrics import Outcome, example_outcome
from rmeval.results import RunSpec, SampleRecord
from rmeval.ties import ties_outcome

__all__ = ["RuleOf", "benchmark_of", "credit_under", "outcome_under", "sample_outcome", "tie_credit_of"]


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


class RuleOf:
    """The rule of each subset of a benchmark, looked up once per subset (runs score thousands of examples)."""

    def __init__(self, benchmark: BenchmarkSpec) -> None:
        self.benchmark = benchmark
        self._rules: dict[str, Rule] = {}

    def __call__(self, subset: str) -> Rule:
        """The rule that scores `subset`."""
        rule = self._rules.get(subset)
        if rule is None:
            rule = self._rules[subset] = self.benchmark.rule_of(subset)
        return rule


def outcome_under(rule: Rule, subset: str, chosen: Sequence[float], rejected: Sequence[float],
                  tie_credit: float = 0.0) -> Outcome:
    """The credit of one example's scores under `rule` (Ties examples: every correct answer above every other)."""
    if rule == "ties":
        credit, tie = ties_outcome(chosen, rejected)
        return Outcome(subset, credit, tie)
    return example_outcome(rule, subset, chosen, rejected, tie_credit)


def credit_under(rule: Rule, chosen: Sequence[float], rejected: Sequence[float], tie_credit: float = 0.0) -> float:
    """`outcome_under(...).credit`, with a fast path for a v1 pair (analyses score many thousands of examples).

    >>> credit_under("pair", [1.0], [0.5]), credit_under("pair", [0.5], [0.5], 0.5), credit_under("pair", [1.0], [2.0])
    (1.0, 0.5, 0.0)
    """
    if rule == "pair" and len(chosen) == 1 and len(rejected) == 1:
        c, r = chosen[0], rejected[0]
        return 1.0 if c > r else tie_credit if c == r else 0.0  # a NaN compares false: 0, as `example_outcome`
    return outcome_under(rule, "", chosen, rejected, tie_credit).credit


def sample_outcome(sample: SampleRecord, benchmark: BenchmarkSpec | RuleOf, tie_credit: float = 0.0) -> Outcome:
    """The credit one example earns under its subset's rule, recomputed from its scores.

    >>> from rmeval.benchmarks import custom_benchmark
    >>> sample_outcome(SampleRecord("s", 1, [2.0], [2.0, 1.0, 0.0], 0.5), custom_benchmark("best_of_n"))
    Outcome(subset='s', credit=0.5, tie=True)
    """
    rule = benchmark(sample.subset) if isinstance(benchmark, RuleOf) else benchmark.rule_of(sample.subset)
    return outcome_under(rule, sample.subset, sample.scores_chosen, sample.scores_rejected, tie_credit)
