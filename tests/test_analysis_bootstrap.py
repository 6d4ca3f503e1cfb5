"""Bootstrap intervals: hand-computed cases, agreement with scipy's percentile bootstrap, the benchmark's weights,
RewardBench 2's Ties composite and best-of-N samples, and seeded reproducibility."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis_runs import write_run_folder
from rmeval.benchmarks import BenchmarkSpec, Section, SubsetSpec, custom_benchmark, get_benchmark
from rmeval.results import read_run
from rmeval.scoring import Resampling, bootstrap_ci, percentile_interval, run_metrics, run_units, ties_score
from rmeval.scoring import bootstrap as bootstrap_module
from rmeval.scoring.aggregate import combine
from rmeval.scoring.bootstrap import resampled_subsets
from rmeval.types import SampleRecord
from test_metrics import BEAVER_COST, GOLDEN_SCORE, GOLDEN_SECTIONS  # SCORING.md's published beaver-7b-v1.0-cost row


def ci_from_samples(samples: list[SampleRecord], spec: BenchmarkSpec, *, resamples: int = 1000, seed: int = 0,
                    level: float = 0.95) -> dict[str, Any]:
    """The intervals `run_metrics` gives the samples, in their JSON form."""
    ci = run_metrics(samples, spec, resampling=Resampling(resamples, seed, level)).ci
    assert ci is not None
    return ci.to_dict()


def pair_samples(subset: str, credits: list[int]) -> list[SampleRecord]:
    """Pair samples whose strict comparison gives exactly `credits` (1: chosen above rejected)."""
    return [SampleRecord(subset, i, [1.0 if c else 0.0], [0.5], float(c)) for i, c in enumerate(credits)]


def golden_samples() -> list[SampleRecord]:
    spec = get_benchmark("rewardbench")
    out = []
    for s in spec.subsets:
        n = s.rows or 0
        right = round(BEAVER_COST[s.name] * n)
        out += pair_samples(s.name, [1] * right + [0] * (n - right))
    return out


def test_point_values_reproduce_the_golden_sections_with_math_prm_weighted_984() -> None:
    spec = get_benchmark("rewardbench")
    units = run_units(golden_samples(), spec)
    point = {name: u.values() for name, u in units.items()}
    sections, score = combine(point, {k: u.examples for k, u in units.items()}, spec)
    assert {k: round(100 * float(v[0]), 4) for k, v in sections.items()} == GOLDEN_SECTIONS
    assert round(100 * float(score[0]), 4) == GOLDEN_SCORE


def test_two_examples_one_right_give_the_hand_computed_resampling_distribution() -> None:
    """Means of two draws from {0, 1}: 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4."""
    units = run_units(pair_samples("s", [1, 0]), custom_benchmark())
    values = resampled_subsets(units, seed=3, resamples=20_000)["s"][0]
    freq = {v: float(np.mean(values == v)) for v in (0.0, 0.5, 1.0)}
    assert freq == pytest.approx({0.0: 0.25, 0.5: 0.5, 1.0: 0.25}, abs=0.015)
    assert percentile_interval(values, 0.95) == (0.0, 1.0)
    assert percentile_interval(values, 0.4) == (0.5, 0.5)


def test_a_subset_always_right_has_a_degenerate_interval() -> None:
    ci = ci_from_samples(pair_samples("s", [1] * 30), custom_benchmark(), resamples=100)
    assert ci["subsets"]["s"] == [1.0, 1.0] and ci["score"] == [1.0, 1.0]


def test_percentile_interval_matches_scipy_and_the_normal_approximation() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(11)
    credits = (rng.random(400) < 0.7).astype(int).tolist()
    ours = ci_from_samples(pair_samples("s", credits), custom_benchmark(), resamples=4000, seed=5)["subsets"]["s"]
    theirs = scipy_stats.bootstrap((np.asarray(credits, dtype=float),), np.mean, n_resamples=4000,
                                   method="percentile", confidence_level=0.95, random_state=1).confidence_interval
    assert ours == pytest.approx([theirs.low, theirs.high], abs=0.012)
    p = float(np.mean(credits))
    half = 1.96 * math.sqrt(p * (1 - p) / len(credits))
    assert ours == pytest.approx([p - half, p + half], abs=0.012)


def test_seeded_per_subset_and_independent_of_the_other_subsets() -> None:
    spec = custom_benchmark()
    rng = np.random.default_rng(0)
    a = pair_samples("a", (rng.random(50) < 0.6).astype(int).tolist())
    b = pair_samples("b", (rng.random(80) < 0.4).astype(int).tolist())
    both = ci_from_samples(a + b, spec, resamples=300, seed=9)
    assert both == ci_from_samples(a + b, spec, resamples=300, seed=9)
    assert both["subsets"]["a"] == ci_from_samples(a, spec, resamples=300, seed=9)["subsets"]["a"]
    assert both["subsets"]["a"] != ci_from_samples(a, spec, resamples=300, seed=10)["subsets"]["a"]


def test_chunked_resampling_draws_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory bound splits the resamples into chunks; the intervals must not depend on it."""
    samples = pair_samples("s", [1, 0, 1, 1, 0, 1, 0, 1, 1, 1] * 5)
    whole = ci_from_samples(samples, custom_benchmark(), resamples=250, seed=2)
    monkeypatch.setattr(bootstrap_module, "_CHUNK", 120)  # 2 resamples of 50 units per chunk
    assert ci_from_samples(samples, custom_benchmark(), resamples=250, seed=2) == whole


def test_every_interval_of_a_run_contains_its_value_and_is_stored_in_result_json(tmp_path: Path) -> None:
    result = write_run_folder(tmp_path / "run", "m", skill=0.6, bootstrap=500)
    ci = read_run(tmp_path / "run").metrics.ci
    assert ci is not None
    stored = ci.to_dict()
    assert stored["resamples"] == 500 and stored["level"] == 0.95
    m = result.metrics
    for name, sub in m.subsets.items():
        lo, hi = stored["subsets"][name]
        assert lo <= sub.accuracy <= hi
    for name, value in m.sections.items():
        lo, hi = stored["sections"][name]
        assert lo <= value <= hi
    assert stored["score"][0] <= m.score <= stored["score"][1]
    widths = [hi - lo for lo, hi in stored["subsets"].values()]
    assert stored["score"][1] - stored["score"][0] < sum(widths) / len(widths)  # 91 examples, not 13


def ties_samples() -> list[SampleRecord]:
    """Three Ties prompts: p1 and p2 in both variants, p3 only as ref (its partner missing)."""
    rows = [("ref:p1", [3.0], [1.0, 0.0]), ("tied:p1", [3.0, 2.5], [1.0]),
            ("ref:p2", [1.0], [2.0]), ("tied:p2", [2.0, 2.0], [1.0, 0.5]),
            ("ref:p3", [5.0], [4.0])]
    return [SampleRecord("Ties", i, c, r, 0.0) for i, c, r in rows]


TIES_BENCH = BenchmarkSpec("ties-test", "a Ties subset alone", "best_of_n",
                           sections=(Section("Ties", (SubsetSpec("Ties", rule="ties"),)),))


def test_ties_units_are_prompts_and_their_value_is_the_composite() -> None:
    samples = ties_samples()
    units = run_units(samples, TIES_BENCH)["Ties"]
    assert units.keys == ("p1", "p2", "p3") and units.examples == 5
    expected = ties_score((s.id, s.scores_chosen, s.scores_rejected) for s in samples).score
    # By hand: tied acc 2/2, ref acc 2/3 (p2's ref is wrong), preferred 2/2 (p1: 1.5 > 0.5; p2: 1 > 0), hard 1/2
    # (p2: min(-1, 1) > 0 fails), margin the mean of tanh(1.5 / 0.5 - 1) and tanh(-1 / 0 - 1) = -1.
    by_hand = 0.3 * 1 + 0.3 * 2 / 3 + 0.2 * 1 + 0.2 * 1 / 2 + 0.01 * (math.tanh(2.0) - 1.0) / 2
    assert float(units.values()[0]) == pytest.approx(expected) == pytest.approx(by_hand)
    ci = ci_from_samples(samples, TIES_BENCH, resamples=400)
    assert ci["subsets"]["Ties"][0] <= expected <= ci["subsets"]["Ties"][1]


def test_ties_resampling_keeps_each_prompts_variants_together() -> None:
    """With one paired prompt, every resample is that prompt: the interval is its composite exactly."""
    samples = ties_samples()[:2]
    value = ties_score((s.id, s.scores_chosen, s.scores_rejected) for s in samples).score
    assert bootstrap_ci(run_units(samples, TIES_BENCH), TIES_BENCH, Resampling(50)).subsets["Ties"] == \
        pytest.approx((value, value))


def test_best_of_n_samples_with_three_rejected_answers() -> None:
    spec = custom_benchmark("best_of_n")
    rows = [([3.0], [1.0, 2.0, 0.0]), ([2.0], [2.0, 1.0, 0.0]), ([0.0], [2.0, 1.0, 3.0]), ([1.0], [1.0, 1.0, 1.0])]
    samples = [SampleRecord("bon", i, c, r, 0.0) for i, (c, r) in enumerate(rows)]
    units = run_units(samples, spec)["bon"]
    assert units.terms[:, 0].tolist() == [1.0, 0.5, 0.0, 0.25]
    lo, hi = ci_from_samples(samples, spec, resamples=500)["subsets"]["bon"]
    assert 0.0 <= lo <= 1.75 / 4 <= hi <= 1.0


def test_percentile_interval_of_nothing_is_nan_and_bad_settings_are_refused() -> None:
    assert all(math.isnan(x) for x in percentile_interval(np.array([np.nan, np.nan])))
    with pytest.raises(ValueError, match="at least one resample"):
        ci_from_samples(pair_samples("s", [1]), custom_benchmark(), resamples=0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        ci_from_samples(pair_samples("s", [1]), custom_benchmark(), level=95)


def test_point_metrics_from_units_equal_the_stored_metrics(tmp_path: Path) -> None:
    result = write_run_folder(tmp_path / "run", "m", skill=0.4, bootstrap=10)
    spec = get_benchmark("rewardbench-mini")
    point = run_metrics(result.samples, spec)
    assert point.score == pytest.approx(result.metrics.score, abs=1e-12)
    assert point.sections == pytest.approx(result.metrics.sections, abs=1e-12)
    assert {k: v.accuracy for k, v in point.subsets.items()} == \
        pytest.approx({k: v.accuracy for k, v in result.metrics.subsets.items()}, abs=1e-12)
