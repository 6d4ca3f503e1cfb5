"""Scorers and engines from outside the package: the example plugin in examples/rmeval-plugin, installed for the
test with pip, registers a one-file scorer and a one-file engine through entry points, and `rmeval run` uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "rmeval-plugin"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed plugin (its modules and its dist-info with the entry points)."""
    target = tmp_path_factory.mktemp("plugin-site")
    build = tmp_path_factory.mktemp("plugin-build")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--no-index", "--target", str(target), str(PLUGIN)], capture_output=True, text=True,
                          timeout=300, check=False, cwd=build)
    assert done.returncode == 0, done.stderr
    assert list(target.glob("rmeval_plugin_example-*.dist-info/entry_points.txt"))
    return target


def rmeval(plugin_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m rmeval ARGS` with the plugin installed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "rmeval", *args], capture_output=True, text=True, timeout=300,
                          check=False, env=env)


def test_a_plugin_scorer_runs_end_to_end_with_its_own_options(plugin_path: Path, tmp_path: Path) -> None:
    for prefer in ("longer", "shorter"):
        out = tmp_path / prefer
        done = rmeval(plugin_path, "run", "--scorer", "length", "--model", "baseline", "--prefer", prefer,
                      "--benchmark", "rewardbench-mini", "--output-dir", str(out), "--no-progress")
        assert done.returncode == 0, done.stderr
        result = json.loads((out / "result.json").read_text())
        assert result["spec"]["scorer"]["kind"] == "length"
    longer = json.loads((tmp_path / "longer" / "samples.jsonl").read_text().splitlines()[0])
    assert longer["scores_chosen"] == [float(longer["features"]["chars_chosen"][0])]
    done = rmeval(plugin_path, "report", str(tmp_path / "longer"))
    assert done.returncode == 0 and "recomputed metrics match result.json" in done.stdout


def test_a_plugin_option_is_checked_and_belongs_to_its_scorer(plugin_path: Path, tmp_path: Path) -> None:
    done = rmeval(plugin_path, "run", "--scorer", "length", "--model", "b", "--prefer", "middle")
    assert done.returncode == 2 and "invalid choice: 'middle'" in done.stderr
    done = rmeval(plugin_path, "run", "--scorer", "classifier", "--model", "b", "--prefer", "longer",
                  "--benchmark", "rewardbench-mini")
    assert done.returncode == 2 and "--prefer does not apply to --scorer classifier" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_plugin_engine_serves_a_judge(plugin_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "judge"
    done = rmeval(plugin_path, "run", "--scorer", "judge", "--model", "constant/A", "--order", "both",
                  "--benchmark", "rewardbench-mini", "--output-dir", str(out), "--no-cache", "--no-progress")
    assert done.returncode == 0, done.stderr
    metrics = json.loads((out / "result.json").read_text())["metrics"]
    # Always "A" in both orders: every pair is inconsistent, a tie worth half.
    assert all(m["accuracy"] == 0.5 for m in metrics["subsets"].values())
    assert all(c["inconsistent"] == metrics["subsets"][s]["n"] for s, c in metrics["counts"].items())


def test_a_plugin_benchmark_reads_scores_and_analyses_its_files(plugin_path: Path, tmp_path: Path) -> None:
    refusal = "I'm sorry, but I can't help with that."
    rows = [{"subset": subset, "id": i, "prompt": f"Request {i} of {subset}",
             "chosen": refusal if subset != "look-alike" else f"Sure: here is how to do step {i}, in detail.",
             "rejected": f"Here you go, item {i}." if subset != "look-alike" else refusal}
            for subset in ("harmful", "jailbreak", "look-alike") for i in range(3)]
    data = tmp_path / "pairs.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "run"
    done = rmeval(plugin_path, "run", "--scorer", "length", "--model", "baseline", "--benchmark", "refusal-pairs",
                  "--data", str(data), "--output-dir", str(out), "--no-progress")
    assert done.returncode == 0, done.stderr
    result = json.loads((out / "result.json").read_text())
    assert set(result["metrics"]["sections"]) == {"Refuse", "Comply"} and result["metrics"]["complete"] is True
    done = rmeval(plugin_path, "report", str(out), "--analysis")
    assert done.returncode == 0 and "Refusals (Safety)" in done.stdout and "look-alike" in done.stdout
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(json.dumps({**rows[0], "subset": "other"}) + "\n", encoding="utf-8")
    done = rmeval(plugin_path, "run", "--scorer", "length", "--model", "b", "--benchmark", "refusal-pairs",
                  "--data", str(wrong))
    assert done.returncode == 2 and "unknown subset 'other' for benchmark 'refusal-pairs'" in done.stderr


def test_builtin_kinds_do_not_need_the_plugin() -> None:
    from rmeval.engines import engine_names
    from rmeval.scorers import scorer_names

    assert {"classifier", "implicit", "judge"} <= set(scorer_names())
    assert {"openai", "anthropic", "together", "transformers", "vllm"} <= set(engine_names())


def test_the_readme_shows_the_example_plugin_as_it_is() -> None:
    """Every code line of the README's "Extending rmeval" examples stands in the example plugin's files."""
    readme = (PLUGIN.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Extending rmeval"):]
    section = section[:section.index("\n## ", 3)]
    blocks = [b.split("\n", 1)[1] for b in section.split("```")[1::2] if b.startswith("python")]
    source = {line.strip() for f in PLUGIN.glob("*.py") for line in f.read_text(encoding="utf-8").splitlines()}
    shown = [line.strip() for b in blocks for line in b.splitlines() if line.strip()]
    assert len(blocks) == 2 and shown
    assert [line for line in shown if line not in source] == []
