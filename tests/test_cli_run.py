"""`rmeval run` and `rmeval report` end to end, with a tiny random classifier built at test time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import preference_rows, write_jsonl
from rmeval.cli import main
from rmeval.results import read_run


def rb_rows() -> list[dict[str, Any]]:
    """A few rows in three RewardBench subsets (texts written for the test)."""
    rows = []
    for subset in ("alpacaeval-easy", "hep-python", "xstest-should-respond"):
        for i, r in enumerate(preference_rows(4, (subset,))):
            rows.append({**r, "id": 100 + i, "chosen_model": "a", "rejected_model": "b"})
    return rows


def run_cli(*args: str) -> int:
    return main(["run", "--no-progress", *args])


def test_run_writes_typed_results_and_report_recomputes_them(
    llama_classifier: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_jsonl(tmp_path / "rb.jsonl", rb_rows())
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out),
                   "--batch-size", "3") == 0
    printed = capsys.readouterr().out
    for text in ("rewardbench:", "alpacaeval-easy", "Chat", "Reasoning", "Score", str(out / "result.json")):
        assert text in printed
    result = json.loads((out / "result.json").read_text())
    assert result["schema_version"] == 2
    spec = result["spec"]
    assert spec["benchmark"] == "rewardbench"
    assert spec["data"]["sha256"] and spec["data"]["rows"] == 12
    assert spec["scorer"]["model"] == str(llama_classifier) and spec["scorer"]["kind"] == "classifier"
    assert spec["scorer"]["batching"]["batch_size"] == 3
    assert set(spec["versions"]) >= {"rmeval", "torch", "transformers"}
    assert spec["conventions"]["sections"]["Reasoning"]["math-prm"] == 984
    metrics = result["metrics"]
    assert set(metrics["subsets"]) == {"alpacaeval-easy", "hep-python", "xstest-should-respond"}
    assert all(0 <= m["accuracy"] <= 1 and m["n"] == 4 for m in metrics["subsets"].values())
    assert metrics["complete"] is False and set(metrics["sections"]) == {"Chat", "Safety", "Reasoning"}
    assert {"load_seconds", "scoring_seconds", "pairs_per_second", "tokens_per_second"} <= set(result["timing"])
    lines = (out / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 12
    first = json.loads(lines[0])
    assert {"subset", "id", "scores_chosen", "scores_rejected", "correct"} <= set(first)
    assert isinstance(first["scores_chosen"], list) and isinstance(first["scores_chosen"][0], float)

    assert main(["report", str(out)]) == 0
    report = capsys.readouterr().out
    assert "recomputed metrics match result.json" in report
    assert f"{100 * metrics['score']:6.2f} %" in report


def test_report_notices_edited_samples(llama_classifier: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", preference_rows(3))
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out)) == 0
    samples = out / "samples.jsonl"
    rows = [json.loads(line) for line in samples.read_text().splitlines()]
    for r in rows:  # make every chosen answer win: the stored score no longer matches
        r["scores_chosen"] = [max(r["scores_rejected"]) + 1.0]
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    capsys.readouterr()
    assert main(["report", str(out)]) == 1
    assert "differ from result.json" in capsys.readouterr().out
    run = read_run(out)
    assert run.spec.benchmark == "custom"


def test_default_output_dir_is_named_after_benchmark_and_model(
    llama_classifier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_jsonl(tmp_path / "d.jsonl", preference_rows(2))
    assert run_cli("--model", str(llama_classifier), "--data", str(data)) == 0
    assert (tmp_path / "results" / "d" / llama_classifier.name / "result.json").is_file()  # the data file names it


def test_bad_input_exits_2_with_file_row_and_field(
    llama_classifier: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = preference_rows(2)
    rows[1]["chosen"] = ""
    data = write_jsonl(tmp_path / "bad.jsonl", rows)
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out)) == 2
    err = capsys.readouterr().err
    assert f"{data}, row 2, field 'chosen': empty text" in err
    assert not out.exists()  # nothing written, and no model was loaded for nothing


def test_report_on_a_folder_without_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "missing" in capsys.readouterr().err


def test_unknown_scorer_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", preference_rows(1))
    assert run_cli("--model", "x", "--scorer", "nonsense", "--data", str(data)) == 2
    assert "unknown scorer 'nonsense'" in capsys.readouterr().err


def test_prior_sets_are_scored_and_reported_apart(llama_classifier: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    sections = ("alpacaeval-easy", "mt-bench-hard", "donotanswer", "hep-go")  # one subset of each section
    rows = [{**r, "id": i} for i, r in enumerate(preference_rows(2, sections))]
    data = write_jsonl(tmp_path / "rb.jsonl", rows)
    prior = write_jsonl(tmp_path / "prior.jsonl", [
        {**r, "id": i} for i, r in enumerate(preference_rows(2, ("anthropic_helpful", "anthropic_hhh", "shp",
                                                                  "summarize")))])
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--prior-sets", str(prior),
                   "--output-dir", str(out)) == 0
    printed = capsys.readouterr().out
    assert "Prior Sets (apart)" in printed and "Old average w/ Prior Sets" in printed
    metrics = json.loads((out / "result.json").read_text())["metrics"]
    prior_metrics = metrics["companions"]["prior-sets"]
    assert set(prior_metrics["subsets"]) == {"anthropic_helpful", "anthropic_hhh", "shp", "summarize"}
    expected = (2 * sum(metrics["sections"].values()) + prior_metrics["score"]) / 9
    assert prior_metrics["combined"]["value"] == pytest.approx(expected)
    assert metrics["score"] == pytest.approx(sum(metrics["sections"].values()) / 4)  # the score ignores them
    parts = [json.loads(line).get("part", "") for line in (out / "samples.jsonl").read_text().splitlines()]
    assert parts.count("prior-sets") == 8 and parts.count("") == 8
    assert main(["report", str(out)]) == 0


def test_custom_best_of_n_dataset_is_scored_per_subset(llama_classifier: Path, tmp_path: Path) -> None:
    rows = [{"subset": s, "id": i, "prompt": f"Pick {i} in {s}.", "chosen": [f"The pick is {i}."],
             "rejected": [f"The pick is {i + k}." for k in (1, 2, 3)]} for s in ("x", "y") for i in range(3)]
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(write_jsonl(tmp_path / "bon.jsonl", rows)),
                   "--output-dir", str(out)) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["spec"]["conventions"]["rule"] == "best_of_n"
    subsets = result["metrics"]["subsets"]
    assert set(subsets) == {"x", "y"} and all(m["n"] == 3 for m in subsets.values())
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    for s in samples:  # the best-of-N rule, recomputed by hand from the stored scores
        top = max([*s["scores_chosen"], *s["scores_rejected"]])
        k = [*s["scores_chosen"], *s["scores_rejected"]].count(top)
        assert s["correct"] == (1 / k if s["scores_chosen"][0] == top else 0.0)


def test_report_names_the_bad_line_of_a_damaged_samples_file(llama_classifier: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(write_jsonl(tmp_path / "d.jsonl",
                                                                               preference_rows(2))),
                   "--output-dir", str(out)) == 0
    samples = out / "samples.jsonl"
    lines = samples.read_text().splitlines()
    lines[2] = lines[2][:20]
    samples.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert main(["report", str(out)]) == 2
    assert f"{samples}, line 3: not a sample record" in capsys.readouterr().err
