"""`rmeval run` with step-level scorers end to end: ProcessBench and PRMBench in their authors' layouts, a
preference file scored by aggregated step scores, the report's step view, the leaderboard's model page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_jsonl
from prm_shapes import build_qwen_prm, build_shepherd_prm
from rmeval.cli import main
from step_data import write_prmbench_folder, write_processbench

pytest.importorskip("torch")


def _run(*args: str) -> int:
    return main(["run", "--no-progress", "--device", "cpu", "--no-score-cache", *args])


def _samples(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]


def _f1(samples: list[dict], threshold: float) -> float:  # type: ignore[type-arg]
    """ProcessBench's F1, written out here from each sample's step scores and label."""
    right = {True: [], False: []}  # type: ignore[var-annotated]
    for s in samples:
        scores = s["details"]["steps"]["scores"][0]
        predicted = next((i for i, v in enumerate(scores) if v < threshold), -1)
        right[s["facts"]["label"] == -1].append(predicted == s["facts"]["label"])
    a, c = (sum(right[k]) / len(right[k]) for k in (False, True))
    return 2 * a * c / (a + c) if a + c else float("nan")


def test_processbench_with_a_token_classification_prm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_qwen_prm(tmp_path / "qwen-prm")
    data, out = write_processbench(tmp_path / "ProcessBench"), tmp_path / "out"
    assert _run("--scorer", "prm-head", "--model", str(tmp_path / "qwen-prm"), "--benchmark", "processbench",
                "--data", str(data), "--output-dir", str(out), "--step-threshold", "0.4") == 0
    result = json.loads((out / "result.json").read_text())
    samples = _samples(out)
    assert len(samples) == 7 and all(s["details"]["steps"]["threshold"] == 0.4 for s in samples)
    assert [len(s["details"]["steps"]["scores"][0]) for s in samples[:3]] == [2, 2, 3]
    for subset in ("gsm8k", "math"):
        mine = [s for s in samples if s["subset"] == subset]
        f1 = _f1(mine, 0.4)
        stored = result["metrics"]["subsets"][subset]["accuracy"]
        assert stored == pytest.approx(f1, nan_ok=True)
    assert result["spec"]["conventions"]["steps"]["threshold"] == 0.4
    assert result["spec"]["scorer"]["kind"] == "prm-head" and "ci" in result["metrics"]
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Where the model first objects" in printed and "match result.json" in printed
    site = tmp_path / "site"
    assert main(["leaderboard", str(out), "--out", str(site)]) == 0
    page = next((site / "models").glob("*.html")).read_text()
    assert "First objections" in page and "false alarm" in page


def test_prmbench_with_a_step_tag_prm(tmp_path: Path) -> None:
    build_shepherd_prm(tmp_path / "shepherd")
    data, out = write_prmbench_folder(tmp_path / "data"), tmp_path / "out"
    assert _run("--scorer", "prm-tag", "--model", str(tmp_path / "shepherd"), "--benchmark", "prmbench",
                "--data", str(data), "--output-dir", str(out), "--strip-step-numbers") == 0
    result = json.loads((out / "result.json").read_text())
    assert set(result["metrics"]["subsets"]) == {"circular", "redundency", "deception", "multi_solutions"}
    assert result["metrics"]["excluded"] == {"multi_solutions": {"repeated key (the authors keep its first row)": 1}}
    assert result["spec"]["conventions"]["score_pooled"] == "prmscore"
    assert main(["report", str(out)]) == 0


def test_a_preference_file_scored_by_aggregated_steps(tmp_path: Path) -> None:
    build_qwen_prm(tmp_path / "qwen-prm")
    rows = [{"prompt": f"What is {i} + {i}?", "chosen": f"Step 1: {i} + {i}\nStep 2: = {2 * i}",
             "rejected": f"Step 1: {i} + {i}\nStep 2: = {2 * i + 1}", "subset": "math-prm", "id": i}
            for i in range(3)]
    data, out = write_jsonl(tmp_path / "prefs.jsonl", rows), tmp_path / "out"
    assert _run("--scorer", "prm-head", "--model", str(tmp_path / "qwen-prm"), "--data", str(data),
                "--output-dir", str(out), "--aggregate", "last", "--steps", "step-n") == 0
    for s in _samples(out):
        chosen, rejected = s["details"]["steps"]["scores"]  # type: ignore[index]
        assert len(chosen) == len(rejected) == 2
        assert s["scores_chosen"] == [chosen[-1]] and s["scores_rejected"] == [rejected[-1]]
    steps = json.loads((out / "result.json").read_text())["spec"]["conventions"]["steps"]
    assert steps["aggregate"] == "last" and steps["split"] == "step-n"


def test_an_outcome_scorer_on_a_step_benchmark_stops_before_loading(tmp_path: Path, llama_classifier: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = write_processbench(tmp_path / "ProcessBench")
    code = _run("--scorer", "classifier", "--model", str(llama_classifier), "--benchmark", "processbench",
                "--data", str(data), "--output-dir", str(tmp_path / "out"))
    assert code == 2
    assert "step-level" in capsys.readouterr().err


def test_a_preset_of_each_family_applies_to_a_local_copy(tmp_path: Path) -> None:
    from rmeval.cli import build_parser
    from rmeval.commands.run import config_from_args
    from rmeval.presets import presets

    families = {p.scorer for p in presets().values() if p.scorer.startswith("prm-")}
    assert families == {"prm-head", "prm-tag", "prm-chat", "prm-value"}
    assert not any(p.remote_code for p in presets().values() if p.scorer.startswith("prm-"))
    build_qwen_prm(tmp_path / "qwen-prm")
    config = config_from_args(build_parser().parse_args(
        ["run", "--preset", "qwen2.5-math-prm-7b", "--model", str(tmp_path / "qwen-prm")]))
    assert (config.scorer, config.options.step_separator, config.options.head_activation) == (
        "prm-head", "<extra_0>", "relu")
    assert config.options.system_prompt.endswith("\\boxed{}.") and not config.options.trust_remote_code
    out = tmp_path / "out"
    assert _run("--preset", "qwen2.5-math-prm-7b", "--model", str(tmp_path / "qwen-prm"), "--dtype", "float32",
                "--benchmark", "processbench", "--data", str(write_processbench(tmp_path / "PB")),
                "--output-dir", str(out)) == 0
    spec = json.loads((out / "result.json").read_text())["spec"]
    assert spec["scorer"]["preset"]["name"] == "qwen2.5-math-prm-7b" and spec["scorer"]["system_prompt"]


def test_step_scores_are_kept_and_a_shard_merges(tmp_path: Path) -> None:
    build_qwen_prm(tmp_path / "qwen-prm")
    data = write_processbench(tmp_path / "PB")
    common = ["run", "--no-progress", "--device", "cpu", "--scorer", "prm-head", "--model", str(tmp_path / "qwen-prm"),
              "--benchmark", "processbench", "--data", str(data), "--score-cache", str(tmp_path / "store")]
    assert main([*common, "--output-dir", str(tmp_path / "a")]) == 0
    assert main([*common, "--output-dir", str(tmp_path / "b")]) == 0
    batching = json.loads((tmp_path / "b" / "result.json").read_text())["spec"]["scorer"]["batching"]
    assert batching["forward_batches"] == 0 and batching["from_store"] == 14  # every step of the 7 solutions
    assert (tmp_path / "a" / "samples.jsonl").read_bytes() == (tmp_path / "b" / "samples.jsonl").read_bytes()
    # 14 steps are one block of work (the core's unit of a split): one shard holds it, two are refused
    assert main([*common, "--output-dir", str(tmp_path / "parts"), "--shard", "1/2"]) == 2
    assert main([*common, "--output-dir", str(tmp_path / "parts"), "--shard", "0/1"]) == 0
    assert main(["merge", str(tmp_path / "parts"), "--output-dir", str(tmp_path / "merged")]) == 0
    whole = json.loads((tmp_path / "a" / "result.json").read_text())["metrics"]
    merged = json.loads((tmp_path / "merged" / "result.json").read_text())["metrics"]
    assert merged["subsets"] == whole["subsets"] and merged["score"] == whole["score"]
