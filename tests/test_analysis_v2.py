"""The analyses on RewardBench 2 result folders: best-of-N samples with three rejected answers and the Ties
composite, from intervals to comparison, report and leaderboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis_runs import V2_SUBSETS, v2_rows, write_run_folder
from conftest import write_jsonl
from rmeval.analysis.compare import compare_runs
from rmeval.benchmarks import get_benchmark
from rmeval.cli import main
from rmeval.results import read_run
from rmeval.scoring import run_metrics
from rmeval.site import load_entries, render_table

V2 = get_benchmark("rewardbench2")


@pytest.fixture
def v2_runs(tmp_path: Path) -> list[Path]:
    data = write_jsonl(tmp_path / "v2.jsonl", v2_rows())
    folders = [tmp_path / "strong", tmp_path / "weak"]
    write_run_folder(folders[0], "org/strong", skill=1.5, data=data, bootstrap=300)
    write_run_folder(folders[1], "org/weak", skill=0.2, seed=3, data=data, bootstrap=300)
    return folders


def test_intervals_cover_each_subset_and_the_ties_composite(v2_runs: list[Path]) -> None:
    result = json.loads((v2_runs[0] / "result.json").read_text())
    metrics, ci = result["metrics"], result["metrics"]["ci"]
    assert result["spec"]["benchmark"] == "rewardbench2" and set(ci["subsets"]) == {*V2_SUBSETS, "Ties"}
    for name, m in metrics["subsets"].items():
        assert ci["subsets"][name][0] <= m["accuracy"] <= ci["subsets"][name][1]
    assert metrics["subsets"]["Ties"]["accuracy"] == pytest.approx(metrics["ties"]["Ties"]["score"])
    assert ci["score"][0] <= metrics["score"] <= ci["score"][1]


def test_units_reproduce_the_stored_v2_metrics(v2_runs: list[Path]) -> None:
    run = read_run(v2_runs[1])
    point = run_metrics(run.samples, V2)
    assert point.score == pytest.approx(run.metrics.score, abs=1e-12)
    assert point.subsets["Ties"].accuracy == pytest.approx(run.metrics.subsets["Ties"].accuracy, abs=1e-12)


def test_compare_report_and_leaderboard_on_v2(v2_runs: list[Path], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    a, b = (read_run(f) for f in v2_runs)
    c = compare_runs(a.samples, b.samples, V2, resamples=300)
    assert [t.subset for t in c.subsets] == [*V2_SUBSETS, "Ties"] and c.score.diff > 0
    assert main(["report", str(v2_runs[0]), "--analysis"]) == 0
    text = capsys.readouterr().out
    assert "Refusals (Safety)" in text and "  Safety" in text and "mixed" in text
    assert "Length-only baselines" in text and "recomputed metrics match result.json" in text
    entries = load_entries(v2_runs)
    assert all(e.verified for e in entries)
    md = render_table(entries, "md")
    assert "| Factuality | Precise IF | Math | Safety | Focus | Ties |" in md  # one section: subsets as columns
    assert main(["leaderboard", *map(str, v2_runs), "--out", str(tmp_path / "site")]) == 0
