"""Paired comparison: McNemar against scipy's exact binomial test, Holm by hand, the paired bootstrap's behaviour,
best-of-N samples, and `rmeval compare` on real result folders."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from analysis_runs import write_run_folder
from rmeval.analysis.compare import compare_runs, holm, mcnemar
from rmeval.benchmarks import custom_benchmark, get_benchmark
from rmeval.cli import main
from rmeval.report.compare_text import findings
from rmeval.results import read_run
from rmeval.types import SampleRecord

MINI = get_benchmark("rewardbench-mini")


@pytest.mark.parametrize(("b", "c"), [(0, 0), (0, 1), (1, 9), (5, 5), (7, 20), (13, 2), (40, 61), (2000, 2100)])
def test_exact_mcnemar_is_scipys_two_sided_binomial_test(b: int, c: int) -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    expected = 1.0 if b + c == 0 else scipy_stats.binomtest(b, b + c, 0.5).pvalue
    assert mcnemar(b, c) == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(("b", "c"), [(10, 30), (3, 4), (100, 60), (1, 2)])
def test_approximate_mcnemar_is_the_continuity_corrected_chi_square(b: int, c: int) -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    stat = max(0.0, abs(b - c) - 1.0) ** 2 / (b + c)
    assert mcnemar(b, c, exact=False) == pytest.approx(scipy_stats.chi2.sf(stat, 1), rel=1e-9)


def test_holm_by_hand() -> None:
    # Sorted 0.001, 0.01, 0.02, 0.5 times 4, 3, 2, 1 = 0.004, 0.03, 0.04, 0.5 (already monotone).
    assert holm([0.5, 0.01, 0.001, 0.02]) == pytest.approx([0.5, 0.03, 0.004, 0.04])
    # 0.04 * 2 = 0.08 and 0.045 * 1 = 0.045, raised to 0.08: adjusted values never decrease along the order.
    assert holm([0.04, 0.045]) == pytest.approx([0.08, 0.08])
    assert holm([0.3, 0.6, 0.9]) == pytest.approx([0.9, 1.0, 1.0])  # capped at 1
    assert holm([]) == []


def test_mcnemar_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        mcnemar(-1, 3)


def test_a_run_compared_with_itself_differs_by_nothing(tmp_path: Path) -> None:
    run = write_run_folder(tmp_path / "a", "m", skill=0.6)
    c = compare_runs(run.samples, run.samples, MINI, resamples=200)
    assert c.score.diff == 0 and c.score.ci == [0.0, 0.0] and not c.score.significant
    assert all(t.p == 1.0 and t.only_a == t.only_b == 0 for t in c.subsets)
    assert c.n_paired == len(run.samples) and not c.notes


def test_discordant_counts_and_accuracies_match_a_hand_count(tmp_path: Path) -> None:
    a = write_run_folder(tmp_path / "a", "a", skill=1.2, seed=1).samples
    b = write_run_folder(tmp_path / "b", "b", skill=0.0, seed=2).samples
    c = compare_runs(a, b, MINI, resamples=300)
    for t in c.subsets:
        ra = [s.correct >= 1 for s in a if s.subset == t.subset]
        rb = [s.correct >= 1 for s in b if s.subset == t.subset]
        assert t.only_a == sum(x and not y for x, y in zip(ra, rb, strict=True))
        assert t.only_b == sum(y and not x for x, y in zip(ra, rb, strict=True))
        assert t.acc_a == pytest.approx(sum(ra) / len(ra))
        assert t.p == pytest.approx(mcnemar(t.only_a, t.only_b))
    assert c.subsets[0].p_holm == pytest.approx(holm([t.p for t in c.subsets])[0])
    assert c.score.a == pytest.approx(read_run(tmp_path / "a").metrics.score)
    assert c.score.significant and c.score.diff > 0 and c.score.ci[0] > 0


def test_pairing_makes_the_interval_narrower_than_independent_runs() -> None:
    """B equals A except on 4 of 400 examples: the paired interval of A - B is tight around the true gap."""
    rng = np.random.default_rng(4)
    right = rng.random(400) < 0.6
    flipped = right.copy()
    flipped[np.flatnonzero(right)[:4]] = False
    a = [SampleRecord("s", i, [1.0 if r else 0.0], [0.5], float(r)) for i, r in enumerate(right)]
    b = [SampleRecord("s", i, [1.0 if r else 0.0], [0.5], float(r)) for i, r in enumerate(flipped)]
    c = compare_runs(a, b, custom_benchmark(), resamples=1000)
    assert c.score.diff == pytest.approx(0.01)
    unpaired_half_width = 1.96 * math.sqrt(2 * 0.6 * 0.4 / 400)  # about 0.068
    assert c.score.ci[1] - c.score.ci[0] < unpaired_half_width / 2
    assert c.subsets[0].only_a == 4 and c.subsets[0].only_b == 0
    assert c.subsets[0].p == pytest.approx(0.125)  # 2 * (1/2)^4


def test_only_shared_examples_are_compared(tmp_path: Path) -> None:
    a = write_run_folder(tmp_path / "a", "a", skill=0.5).samples
    b = write_run_folder(tmp_path / "b", "b", skill=0.5, limit=5).samples
    c = compare_runs(a, b, MINI, resamples=100)
    assert c.n_paired == len(b) and c.only_in_a == len(a) - len(b) and c.only_in_b == 0
    assert "only in A" in c.notes[0]
    with pytest.raises(ValueError, match="share no example"):
        compare_runs(a, [SampleRecord("math", "other", [1.0], [0.0], 1.0)], MINI)


def test_best_of_n_runs_compare_with_partial_credit() -> None:
    spec = custom_benchmark("best_of_n")
    a = [SampleRecord("bon", i, [3.0], [1.0, 2.0, 0.0], 1.0) for i in range(30)]
    b = [SampleRecord("bon", i, [2.0], [2.0, 1.0, 0.0] if i % 2 else [3.0, 1.0, 0.0], 0.0) for i in range(30)]
    c = compare_runs(a, b, spec, resamples=300)
    assert c.score.b == pytest.approx(0.25)  # half the examples share the top with one rejected answer: 1/2
    assert c.subsets[0].only_a == 30 and c.subsets[0].acc_b == 0.0  # a shared top score is not a McNemar win


def test_compare_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run_folder(tmp_path / "a", "org/strong", skill=1.2, seed=1)
    write_run_folder(tmp_path / "b", "org/weak", skill=0.0, seed=2)
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--resamples", "300"]) == 0
    text = capsys.readouterr().out
    assert "org/strong scores higher than org/weak" in text and "significant" in text
    assert "McNemar's exact test per subset" in text and "Holm" in text
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json", "--resamples", "300"]) == 0
    data = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert data["a"] == "org/strong" and data["score"]["significant"] is True
    assert set(data["sections"]) == {"Chat", "Chat Hard", "Safety", "Reasoning"}
    assert len(data["subsets"]) == 7 and data["findings"][0].startswith("org/strong scores higher")


def test_compare_cli_refuses_different_data_unless_allowed_and_refuses_other_benchmarks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run_folder(tmp_path / "a", "a", skill=0.5)
    write_run_folder(tmp_path / "b", "b", skill=0.5, limit=4)
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--resamples", "50"]) == 2
    err = capsys.readouterr().err
    assert "scored different data (63 examples only in A, 0 only in B, 28 in both" in err and len(err.splitlines()) == 1
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--resamples", "50",
                 "--allow-different-data"]) == 0
    assert "compared on the 28 examples both hold" in capsys.readouterr().out
    other = tmp_path / "c"
    write_run_folder(other, "c", skill=0.5)
    result = json.loads((other / "result.json").read_text())
    result["spec"]["benchmark"] = "rewardbench"
    (other / "result.json").write_text(json.dumps(result))
    assert main(["compare", str(tmp_path / "a"), str(other)]) == 2
    assert "compare runs of one benchmark" in capsys.readouterr().err


def test_findings_name_the_better_run_or_say_there_is_no_difference(tmp_path: Path) -> None:
    strong = write_run_folder(tmp_path / "a", "a", skill=1.2, seed=1).samples
    weak = write_run_folder(tmp_path / "b", "b", skill=0.0, seed=2).samples
    lines = findings(compare_runs(weak, strong, MINI, resamples=300), "org/weak", "org/strong")
    assert lines[0].startswith("org/strong scores higher than org/weak") and "significant" in lines[0]
    assert any(x.startswith("org/strong is significantly better on") for x in lines)
    assert not any(x.startswith("org/weak is") for x in lines)
    same = findings(compare_runs(strong, strong, MINI, resamples=100), "x", "y")
    assert same[0].startswith("No significant difference in the score: A - B = +0.00 points")
    assert same[-1] == "No subset differs significantly after Holm's correction."
