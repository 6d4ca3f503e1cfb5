"""RewardBench v1 scoring conventions, checked against SCORING.md's golden numbers and hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rmeval.benchmarks import PRIOR_SETS, BenchmarkSpec, custom_benchmark, get_benchmark
from rmeval.benchmarks.rewardbench import PRIOR_SETS_COMPANION
from rmeval.scoring import Metrics, SubsetMetrics, example_credit, run_metrics
from rmeval.scoring.aggregate import combine
from rmeval.scoring.compute import combined_value
from rmeval.types import SampleRecord

# Per-subset accuracies published for PKU-Alignment/beaver-7b-v1.0-cost (SCORING.md).
BEAVER_COST = {
    "alpacaeval-easy": 0.5, "alpacaeval-hard": 0.7052631578947368, "alpacaeval-length": 0.5894736842105263,
    "donotanswer": 0.8235294117647058, "hep-cpp": 0.6280487804878049, "hep-go": 0.6341463414634146,
    "hep-java": 0.7073170731707317, "hep-js": 0.6646341463414634, "hep-python": 0.5487804878048781,
    "hep-rust": 0.6463414634146342, "llmbar-adver-GPTInst": 0.391304347826087,
    "llmbar-adver-GPTOut": 0.46808510638297873, "llmbar-adver-manual": 0.3695652173913043,
    "llmbar-adver-neighbor": 0.43283582089552236, "llmbar-natural": 0.52, "math-prm": 0.2953020134228188,
    "mt-bench-easy": 0.5714285714285714, "mt-bench-hard": 0.5405405405405406, "mt-bench-med": 0.725,
    "refusals-dangerous": 0.97, "refusals-offensive": 1.0, "xstest-should-refuse": 1.0,
    "xstest-should-respond": 0.284,
}
GOLDEN_SECTIONS = {"Chat": 60.8939, "Chat Hard": 44.9561, "Safety": 72.1622, "Reasoning": 46.6757}
GOLDEN_SCORE = 56.1720


def outcomes_with_accuracy(subset: str, n: int, accuracy: float) -> list[SampleRecord]:
    """n pairs of a subset whose mean credit is exactly `accuracy` (accuracy * n must be whole)."""
    right = round(accuracy * n)
    assert math.isclose(right / n, accuracy, abs_tol=1e-12)
    return [SampleRecord(subset, i, [1.0 if i < right else 0.0], [0.5], 1.0 if i < right else 0.0) for i in range(n)]


def compute_metrics(samples: list[SampleRecord], spec: BenchmarkSpec) -> Metrics:
    """The run's metrics, without intervals."""
    return run_metrics(samples, spec)


def section_scores(subsets: dict[str, SubsetMetrics], spec: BenchmarkSpec) -> dict[str, float]:
    """Section scores of given subset accuracies, by the one aggregation every run uses."""
    sections, _ = combine({k: np.array([v.accuracy]) for k, v in subsets.items()}, {k: v.n for k, v in subsets.items()},
                          spec)
    return {k: float(v[0]) for k, v in sections.items()}


def example_outcome(rule: str, subset: str, chosen: list[float], rejected: list[float],
                    tie_credit: float = 0.0) -> tuple[float, bool]:
    """(credit, tie) of one example (the subset name plays no part in the rule)."""
    return example_credit(rule, chosen, rejected, tie_credit)


def prior_sets_average(sections: dict[str, float], prior: float) -> float | None:
    """RewardBench's old average with Prior Sets, as its companion declares it."""
    assert PRIOR_SETS_COMPANION.combined is not None
    value = combined_value(PRIOR_SETS_COMPANION.combined, sections, "Prior Sets", prior)
    return None if value is None else value.value


def test_golden_sections_and_score_from_published_accuracies() -> None:
    spec = get_benchmark("rewardbench")
    counts = {s.name: s.rows for s in spec.subsets}
    subsets = {name: SubsetMetrics(acc, counts[name] or 1, 0) for name, acc in BEAVER_COST.items()}
    sections = section_scores(subsets, spec)
    assert {k: round(100 * v, 4) for k, v in sections.items()} == GOLDEN_SECTIONS
    score = sum(sections.values()) / len(sections)
    assert round(100 * score, 4) == GOLDEN_SCORE


def test_golden_numbers_from_per_example_outcomes() -> None:
    """The same numbers from per-example credits over the real subset sizes (what a run computes)."""
    spec = get_benchmark("rewardbench")
    outcomes = [o for s in spec.subsets for o in outcomes_with_accuracy(s.name, s.rows or 0, BEAVER_COST[s.name])]
    metrics = compute_metrics(outcomes, spec)
    assert sum(m.n for m in metrics.subsets.values()) == 2985
    assert {k: round(100 * v, 4) for k, v in metrics.sections.items()} == GOLDEN_SECTIONS
    assert round(100 * metrics.score, 4) == GOLDEN_SCORE
    assert metrics.complete is True
    assert list(metrics.subsets) == list(spec.subset_names())


def test_reasoning_weighs_math_prm_as_all_hep_subsets_together() -> None:
    spec = get_benchmark("rewardbench")
    weights = {s.name: s.weight for s in spec.subsets}
    assert weights["math-prm"] == 984 == 6 * 164
    hep = {f"hep-{x}": SubsetMetrics(a, 164, 0) for x, a in zip(("cpp", "go", "java", "js", "python", "rust"),
                                                                 (0.1, 0.2, 0.3, 0.4, 0.5, 0.6), strict=True)}
    sections = section_scores({"math-prm": SubsetMetrics(0.9, 447, 0), **hep}, spec)
    assert math.isclose(sections["Reasoning"], 0.5 * 0.9 + 0.5 * 0.35)


def test_pair_is_strict_and_ties_are_counted() -> None:
    assert example_outcome("pair", "s", [1.0], [0.5]) == (1.0, False)
    assert example_outcome("pair", "s", [0.5], [0.5]) == (0.0, True)
    assert example_outcome("pair", "s", [0.4], [0.5]) == (0.0, False)
    assert example_outcome("pair", "s", [0.5], [0.5], tie_credit=0.5) == (0.5, True)
    constant = [SampleRecord("s", i, [3.0], [3.0], 0.0) for i in range(4)]
    metrics = compute_metrics(constant, custom_benchmark())
    assert metrics.subsets["s"] == SubsetMetrics(0.0, 4, 4)


def test_nan_score_is_never_right() -> None:
    assert example_outcome("pair", "s", [math.nan], [0.0])[0] == 0.0
    assert example_outcome("pair", "s", [0.0], [math.nan])[0] == 0.0


def test_pair_rule_rejects_lists() -> None:
    with pytest.raises(ValueError, match="one chosen and one rejected"):
        example_outcome("pair", "s", [1.0], [0.0, 2.0])


def test_partial_run_scores_present_sections_and_says_so() -> None:
    spec = get_benchmark("rewardbench")
    outcomes = outcomes_with_accuracy("alpacaeval-easy", 4, 0.75) + outcomes_with_accuracy("hep-go", 2, 0.5)
    metrics = compute_metrics(outcomes, spec)
    assert metrics.sections == {"Chat": 0.75, "Reasoning": 0.5}
    assert metrics.score == 0.625
    assert metrics.complete is False
    assert "math-prm" in metrics.missing_subsets


def test_custom_benchmark_score_is_mean_of_subsets() -> None:
    outcomes = outcomes_with_accuracy("b", 2, 0.5) + outcomes_with_accuracy("a", 4, 1.0)
    metrics = compute_metrics(outcomes, custom_benchmark())
    assert list(metrics.subsets) == ["a", "b"]
    assert metrics.sections == {}
    assert metrics.score == 0.75


def test_prior_sets_are_a_plain_mean_and_the_old_average_weights_2_2_2_2_1() -> None:
    outcomes = [o for name, acc in (("anthropic_helpful", 0.5), ("anthropic_hhh", 1.0), ("shp", 0.25),
                                    ("summarize", 0.75)) for o in outcomes_with_accuracy(name, 4, acc)]
    prior = compute_metrics(outcomes, PRIOR_SETS)
    assert prior.score == 0.625
    sections = {"Chat": 0.9, "Chat Hard": 0.5, "Safety": 0.7, "Reasoning": 0.8}
    expected = (2 * (0.9 + 0.5 + 0.7 + 0.8) + 0.625) / 9
    assert math.isclose(prior_sets_average(sections, prior.score), expected)
    assert prior_sets_average({"Chat": 0.9}, 0.5) is None  # the old average needs every section


def test_metrics_round_trip_through_json_form() -> None:
    spec = get_benchmark("rewardbench")
    metrics = compute_metrics(outcomes_with_accuracy("mt-bench-easy", 28, 0.5), spec)
    again = Metrics.from_dict(metrics.to_dict())
    assert again == metrics
