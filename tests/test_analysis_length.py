"""Length bias: correlations against scipy, baselines and bins by hand, and the flags on the real RewardBench data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from analysis_runs import write_run_folder
from conftest import REAL_DATA
from rmeval.analysis.length import (
    dataset_baselines,
    flagged_subsets,
    length_baselines,
    length_bins,
    length_report,
    pearson,
    prefers_longer,
    spearman,
)
from rmeval.benchmarks import BenchmarkSpec, custom_benchmark, get_benchmark
from rmeval.cli import main
from rmeval.data import load_examples
from rmeval.scoring import example_credit
from rmeval.types import SampleRecord

PAIR = custom_benchmark()


def sample(subset: str, i: int, scores: tuple[list[float], list[float]], chars: tuple[list[int], list[int]],
           correct: float = 0.0) -> SampleRecord:
    return SampleRecord(subset, i, scores[0], scores[1], correct,
                        features={"chars_chosen": chars[0], "chars_rejected": chars[1]})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pearson_and_spearman_match_scipy_with_ties(seed: int) -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 30, size=200).astype(float)  # many tied values
    y = 0.3 * x + rng.normal(size=200)
    assert pearson(list(x), list(y)) == pytest.approx(scipy_stats.pearsonr(x, y).statistic, rel=1e-10)
    assert spearman(list(x), list(y)) == pytest.approx(scipy_stats.spearmanr(x, y).statistic, rel=1e-10)


def test_correlations_of_constant_or_tiny_inputs_are_nan() -> None:
    assert math.isnan(pearson([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))
    assert math.isnan(spearman([1.0], [2.0]))


def test_pair_baselines_by_hand() -> None:
    samples = [sample("a", 0, ([0], [0]), ([10], [5])), sample("a", 1, ([0], [0]), ([3], [9])),
               sample("a", 2, ([0], [0]), ([4], [4])), sample("a", 3, ([0], [0]), ([20], [1])),
               sample("b", 0, ([0], [0]), ([1], [2]))]
    base = length_baselines(samples, PAIR)
    # a: chosen longer in 2 of 4 (ids 0, 3), shorter in 1 (id 1); the equal lengths are a tie, worth 0.
    assert base["a"] == {"longer": 0.5, "shorter": 0.25, "n": 4.0}
    assert base["b"] == {"longer": 0.0, "shorter": 1.0, "n": 1.0}
    assert flagged_subsets(base) == ["b"]


def test_best_of_n_baselines_give_partial_credit_to_length_ties() -> None:
    spec = custom_benchmark("best_of_n")
    samples = [sample("x", 0, ([0], [0, 0, 0]), ([50], [10, 50, 20])),  # longest shared by 2: 1/2
               sample("x", 1, ([0], [0, 0, 0]), ([5], [10, 50, 20]))]  # the shortest: 1 for "shorter"
    assert length_baselines(samples, spec)["x"] == {"longer": 0.25, "shorter": 0.5, "n": 2.0}


def test_bins_use_chosen_minus_rejected_characters() -> None:
    samples = [sample("a", 0, ([1], [0]), ([500], [100])), sample("a", 1, ([0], [1]), ([450], [100])),
               sample("a", 2, ([1], [0]), ([100], [110])), sample("a", 3, ([1], [0]), ([100], [2000]))]
    bins = length_bins(samples, PAIR)
    assert [(b["lo"], b["hi"], b["n"], b["accuracy"]) for b in bins] == [
        (-math.inf, -1000.0, 1, 1.0), (-30.0, 30.0, 1, 1.0), (300.0, 1000.0, 2, 0.5)]


def test_prefers_longer_counts_only_unique_winners() -> None:
    samples = [sample("a", 0, ([2], [1]), ([9], [3])), sample("a", 1, ([1], [2]), ([9], [3])),
               sample("a", 2, ([1], [1]), ([9], [3])), sample("a", 3, ([2], [1]), ([4], [4]))]
    assert prefers_longer(samples) == (0.5, 2)


def test_a_length_loving_model_correlates_with_length(tmp_path: Path) -> None:
    run = write_run_folder(tmp_path / "r", "long", skill=0.0, length_weight=50.0)
    report = length_report(run.samples, get_benchmark("rewardbench-mini"))
    assert report.correlation["spearman"] > 0.8 and report.correlation["prefers_longer"] > 0.95
    for name, base in report.baselines.items():
        assert run.metrics.subsets[name].accuracy == pytest.approx(base["longer"], abs=0.08)


def test_a_folder_without_lengths_reports_none() -> None:
    bare = [SampleRecord("a", 0, [1.0], [0.0], 1.0)]
    report = length_report(bare, PAIR)
    assert report.baselines == {} and report.bins == [] and math.isnan(report.correlation["pearson"])


needs_real_data = pytest.mark.skipif(not REAL_DATA.is_file(), reason=f"{REAL_DATA} is absent")


@needs_real_data
def test_real_rewardbench_subsets_flagged_by_length_alone() -> None:
    loaded = load_examples("rewardbench", REAL_DATA)
    base = dataset_baselines(loaded.examples, loaded.benchmark)
    flagged = set(flagged_subsets(base))
    # The chosen answer is longer in 99 of alpacaeval-easy's 100 pairs, shorter in 412 of math-prm's 447.
    assert base["alpacaeval-easy"]["longer"] == pytest.approx(0.99)
    assert base["math-prm"]["shorter"] == pytest.approx(412 / 447)
    assert {"alpacaeval-easy", "alpacaeval-hard", "math-prm", "llmbar-adver-neighbor", "refusals-dangerous"} <= flagged
    # alpacaeval-length was built to balance lengths: no baseline reaches the flag there.
    assert "alpacaeval-length" not in flagged and "mt-bench-med" not in flagged


@needs_real_data
def test_report_data_prints_the_baselines_of_a_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--data", str(REAL_DATA), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "alpacaeval-easy" in data["flagged"] and len(data["baselines"]) == 23
    assert main(["report", "--data", str(REAL_DATA)]) == 0
    text = capsys.readouterr().out
    assert "alpacaeval-easy" in text and "a length baseline alone scores above 80 %" in text


def per_example(samples: list[SampleRecord], spec: BenchmarkSpec, tie_credit: float) -> dict[str, object]:
    """The length analyses one example at a time, written plainly (the reference the vectorised code must meet)."""
    base: dict[str, list[tuple[float, float]]] = {}
    bins: dict[int, list[float]] = {}
    edges = [-math.inf, -1000.0, -300.0, -100.0, -30.0, 30.0, 100.0, 300.0, 1000.0, math.inf]
    hits = []
    for s in samples:
        lc, lr = s.features["chars_chosen"], s.features["chars_rejected"]
        rule = spec.rule_of(s.subset)
        longer = example_credit(rule, lc, lr)[0]
        shorter = example_credit(rule, [-x for x in lc], [-x for x in lr])[0]
        base.setdefault(s.subset, []).append((longer, shorter))
        diff = sum(lc) / len(lc) - sum(lr) / len(lr)
        i = next(k for k in range(len(edges) - 1) if edges[k] <= diff < edges[k + 1])
        bins.setdefault(i, []).append(example_credit(rule, s.scores_chosen, s.scores_rejected, tie_credit)[0])
        scores, chars = [*s.scores_chosen, *s.scores_rejected], [*lc, *lr]
        if not any(math.isnan(x) for x in scores):
            top = [k for k, x in enumerate(scores) if x == max(scores)]
            longest = [k for k, x in enumerate(chars) if x == max(chars)]
            if len(top) == 1 and len(longest) == 1:
                hits.append(top == longest)
    return {"baselines": {k: {"longer": sum(a for a, _ in v) / len(v), "shorter": sum(b for _, b in v) / len(v),
                              "n": float(len(v))} for k, v in base.items()},
            "bins": [{"lo": edges[i], "hi": edges[i + 1], "n": len(v), "accuracy": sum(v) / len(v)}
                     for i, v in sorted(bins.items())],
            "prefers_longer": (sum(hits) / len(hits), len(hits))}


def test_the_vectorised_analyses_give_the_per_example_numbers(tmp_path: Path) -> None:
    run = write_run_folder(tmp_path / "r", "m", skill=0.4, length_weight=0.5)
    extra = [sample("math", f"tie-{i}", ([1.0], [1.0]), ([10 * i], [5])) for i in range(4)]
    extra.append(sample("math", "nan", ([math.nan], [0.0]), ([3], [300])))
    samples = [*run.samples, *extra]
    spec = get_benchmark("rewardbench-mini")
    fast, slow = length_report(samples, spec, 0.5), per_example(samples, spec, 0.5)
    assert fast.baselines == slow["baselines"] and fast.bins == slow["bins"]
    assert (fast.correlation["prefers_longer"], fast.correlation["prefers_longer_n"]) == slow["prefers_longer"]
    best_of_n = [sample("x", i, ([0.0 + i], [1.0, 2.0, 3.0]), ([5 * i], [1, 2, 3])) for i in range(4)]
    bon = custom_benchmark("best_of_n")
    fast, slow = length_report(best_of_n, bon), per_example(best_of_n, bon, 0.0)
    assert fast.baselines == slow["baselines"] and fast.bins == slow["bins"]
    assert (fast.correlation["prefers_longer"], fast.correlation["prefers_longer_n"]) == slow["prefers_longer"]
