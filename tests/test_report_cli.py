"""`rmeval report DIR --analysis / --plots / --json`, and the promise that reports, comparisons and the leaderboard
run from result folders alone: a real tiny classifier writes the folders, and no torch is imported to read them."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from analysis_runs import TextRuleScorer, write_run_folder
from conftest import build_llama_classifier
from rmeval.benchmarks import PRIOR_SETS
from rmeval.cli import main
from rmeval.data import load_examples
from rmeval.evaluate import evaluate
from rmeval.results import read_run, write_run
from rmeval.types import Example, Message


def strict_json(text: str) -> dict[str, object]:
    """Parse JSON that browsers accept too: NaN or Infinity fail the test."""
    def refuse(constant: str) -> None:
        pytest.fail(f"non-standard JSON constant {constant}")
    data = json.loads(text, parse_constant=refuse)
    assert isinstance(data, dict)
    return data


def test_report_analysis_prints_length_and_refusal_findings(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    write_run_folder(tmp_path / "run", "org/m", skill=0.7, bootstrap=300)
    assert main(["report", str(tmp_path / "run"), "--analysis"]) == 0
    text = capsys.readouterr().out
    for expected in ("95 % interval", "Length-only baselines", "Model accuracy by chosen-minus-rejected length",
                     "Reward vs length over 182 answers", "Refusals (Safety)", "should-respond", "over-refusal",
                     "recomputed metrics match result.json"):
        assert expected in text


def test_report_json_is_strict_and_holds_the_analyses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run_folder(tmp_path / "run", "m", skill=0.7, bootstrap=300)
    assert main(["report", str(tmp_path / "run"), "--analysis", "--json"]) == 0
    data = strict_json(capsys.readouterr().out)
    assert data["matches_result_json"] is True
    metrics = data["metrics"]
    assert isinstance(metrics, dict) and metrics["ci"]["resamples"] == 300
    assert set(data["refusals"]["subsets"]) == {"should-refuse", "should-respond"}  # type: ignore[index]
    assert data["length"]["flag_threshold"] == 0.8  # type: ignore[index]


def test_report_notices_a_changed_interval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run_folder(tmp_path / "run", "m", skill=0.7, bootstrap=300)
    path = tmp_path / "run" / "result.json"
    result = json.loads(path.read_text())
    result["metrics"]["ci"]["score"][0] -= 0.05
    path.write_text(json.dumps(result))
    assert main(["report", str(tmp_path / "run")]) == 1
    assert "bootstrap intervals differ" in capsys.readouterr().out


@pytest.mark.slow
def test_plots_are_written_as_png_and_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    write_run_folder(tmp_path / "run", "m", skill=0.7, bootstrap=100)
    assert main(["report", str(tmp_path / "run"), "--plots"]) == 0
    assert "wrote 8 plot files" in capsys.readouterr().out
    names = {p.name for p in (tmp_path / "run" / "plots").iterdir()}
    assert names == {f"{n}.{ext}" for n in ("rewards", "margins", "sections", "length_bias") for ext in ("png", "svg")}
    for name in ("rewards", "margins", "sections", "length_bias"):
        assert (tmp_path / "run" / "plots" / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        root = ET.parse(tmp_path / "run" / "plots" / f"{name}.svg").getroot()
        assert root.tag.endswith("svg")
    svg = (tmp_path / "run" / "plots" / "rewards.svg").read_text()
    assert ">chat-easy<" in svg  # text kept as text: searchable, and small
    margins = (tmp_path / "run" / "plots" / "margins.svg").read_text()
    assert "chosen higher (&gt; 0)" in margins and "zero margin" in margins  # a legend, and the zero line in it


def test_plots_without_matplotlib_say_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    write_run_folder(tmp_path / "run", "m", bootstrap=10)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an environment without the extra looks like
    assert main(["report", str(tmp_path / "run"), "--plots", str(tmp_path / "out")]) == 2
    assert "pip install 'rmeval[plot]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_report_needs_a_folder_or_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report"]) == 2
    assert "give a result folder (DIR), or --data FILE" in capsys.readouterr().err


NO_TORCH = """
import json, sys
from rmeval.cli import main
runs, site = sys.argv[1:3], sys.argv[3]
codes = [main(["report", runs[0], "--analysis"]), main(["report", runs[0], "--json"]),
         main(["compare", runs[0], runs[1], "--resamples", "200"]),
         main(["leaderboard", *runs, "--out", site]), main(["leaderboard", *runs, "--format", "latex"])]
import rmeval.analysis, rmeval.site, rmeval.report
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers", "datasets", "accelerate"))
print("RESULT" + json.dumps({"codes": codes, "heavy": heavy}))
"""


@pytest.mark.slow
def test_real_classifier_runs_are_analysed_without_importing_torch(tmp_path: Path) -> None:
    """Two tiny real classifiers score the mini benchmark; reading their folders needs no torch at all."""
    runs = []
    for seed in (0, 1):
        model = build_llama_classifier(tmp_path / f"model-{seed}", seed=seed)
        out = tmp_path / f"run-{seed}"
        assert main(["run", "--no-progress", "--model", str(model), "--benchmark", "rewardbench-mini",
                     "--output-dir", str(out)]) == 0
        runs.append(str(out))
    ci = read_run(Path(runs[0])).metrics.ci
    assert ci is not None
    stored = ci.to_dict()
    assert stored["resamples"] == 1000 and set(stored["sections"]) == {"Chat", "Chat Hard", "Safety", "Reasoning"}
    done = subprocess.run([sys.executable, "-c", NO_TORCH, *runs, str(tmp_path / "site")], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.split("RESULT", 1)[1])
    assert result == {"codes": [0, 0, 0, 0, 0], "heavy": []}
    assert "Refusals (Safety)" in done.stdout and "McNemar" in done.stdout and "\\begin{tabular}" in done.stdout
    assert (tmp_path / "site" / "index.html").is_file()


def test_prior_sets_get_their_own_interval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loaded = load_examples("rewardbench-mini")
    prior = [Example(s, i, (Message("user", f"question {i}"),), (f"a good answer {i}",), (f"a poor answer {i}",))
             for s in PRIOR_SETS.subset_names() for i in range(12)]
    result = evaluate(TextRuleScorer("m", skill=0.8), loaded.examples, loaded.benchmark, data_source=loaded.source,
                      versions={"rmeval": "test"}, companions={"prior-sets": prior}, progress=False, bootstrap=200)
    write_run(result, tmp_path / "run")
    stored = result.metrics.companions["prior-sets"].to_dict()
    assert set(stored["ci"]["subsets"]) == set(PRIOR_SETS.subset_names())
    assert stored["ci"]["score"][0] <= stored["score"] <= stored["ci"]["score"][1]
    assert main(["report", str(tmp_path / "run")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Prior Sets (apart)"))
    lo, hi = stored["ci"]["score"]
    assert f"[{100 * lo:6.2f}, {100 * hi:6.2f}]" in line
