"""result.json at schema version 2: it validates against the JSON Schema shipped in the package, holds no NaN, and
folders written at schema version 1 (tests/data/schema_v1, written by the previous rmeval) still read and print
exactly what that version printed."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analysis_runs import JudgeLike, v2_rows, write_run_folder
from conftest import write_jsonl
from rmeval.benchmarks import PRIOR_SETS
from rmeval.cli import main
from rmeval.data import load_examples
from rmeval.evaluate import evaluate
from rmeval.results import SCHEMA_VERSION, read_run, result_schema, schema_path, write_run
from rmeval.results.schema import upgrade_metrics
from rmeval.types import Example, Message

V1 = Path(__file__).parent / "data" / "schema_v1"
EXPECTED = V1 / "expected"
V1_FOLDERS = ("mini-classifier", "v1-judge-prior-sets", "v2-ties", "custom-bon")


def validate(path: Path) -> dict[str, Any]:
    """Parse result.json strictly (NaN or Infinity fail) and validate it against the shipped schema."""
    def refuse(constant: str) -> None:
        pytest.fail(f"{path}: non-standard JSON constant {constant}")
    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    jsonschema.Draft202012Validator(result_schema()).validate(data)
    return data  # type: ignore[no-any-return]


def test_the_schema_file_is_shipped_and_is_a_valid_schema() -> None:
    assert schema_path().is_file() and schema_path().name == "result.schema.json"
    jsonschema.Draft202012Validator.check_schema(result_schema())
    assert result_schema()["properties"]["schema_version"] == {"const": SCHEMA_VERSION}


def test_written_results_validate_for_every_part_of_the_metrics(tmp_path: Path) -> None:
    write_run_folder(tmp_path / "mini", "m", skill=0.7, bootstrap=50)
    assert validate(tmp_path / "mini" / "result.json")["schema_version"] == 2
    data = write_jsonl(tmp_path / "v2.jsonl", v2_rows())
    write_run_folder(tmp_path / "v2", "m", skill=0.7, data=data, bootstrap=50)
    assert "ties" in validate(tmp_path / "v2" / "result.json")["metrics"]
    loaded = load_examples("rewardbench-mini")
    prior = [Example(s, i, (Message("user", f"q {i}"),), (f"good {i}",), (f"bad {i}",))
             for s in PRIOR_SETS.subset_names() for i in range(3)]
    result = evaluate(JudgeLike("judge", skill=0.5), loaded.examples, loaded.benchmark, data_source=loaded.source,
                      versions={"rmeval": "test"}, companions={"prior-sets": prior}, progress=False, bootstrap=50)
    write_run(result, tmp_path / "judge")
    metrics = validate(tmp_path / "judge" / "result.json")["metrics"]
    assert metrics["counts"] and metrics["companions"]["prior-sets"]["title"] == "Prior Sets"


def test_an_undefined_value_is_null_never_nan(tmp_path: Path) -> None:
    """A Ties subset without a paired prompt has no composite: null in result.json, NaN once read back."""
    rows = [r for r in v2_rows() if not str(r["id"]).startswith("tied:")]
    write_run_folder(tmp_path / "r", "m", data=write_jsonl(tmp_path / "d.jsonl", rows), bootstrap=20)
    data = validate(tmp_path / "r" / "result.json")
    assert data["metrics"]["subsets"]["Ties"]["accuracy"] is None and data["metrics"]["score"] is None
    run = read_run(tmp_path / "r")
    assert math.isnan(run.metrics.subsets["Ties"].accuracy) and math.isnan(run.metrics.score)
    assert main(["report", str(tmp_path / "r")]) == 0  # NaN recomputed equals NaN stored


def test_a_malformed_or_newer_result_file_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    shutil.copytree(V1 / "mini-classifier", folder)
    path = folder / "result.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}: not a result file"):
        read_run(folder)
    path.write_text(json.dumps({"schema_version": 3}), encoding="utf-8")
    with pytest.raises(ValueError, match="schema_version 3 is not readable by this rmeval"):
        read_run(folder)
    path.write_text(json.dumps({"schema_version": 2, "spec": {}, "metrics": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}: malformed result file"):
        read_run(folder)


@pytest.mark.parametrize("name", V1_FOLDERS)
def test_a_version_1_folder_reads_and_reports_as_before(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    run = read_run(V1 / name)
    assert run.schema_version == 1
    for flags, expected in (([], "report.txt"), (["--analysis"], "analysis.txt")):
        assert main(["report", str(V1 / name), *flags]) == 0
        assert capsys.readouterr().out == (EXPECTED / f"{name}.{expected}").read_text(encoding="utf-8")
    assert main(["report", str(V1 / name), "--analysis", "--json"]) == 0
    now = json.loads(capsys.readouterr().out)
    before = json.loads((EXPECTED / f"{name}.report.json").read_text(encoding="utf-8"))
    assert now["metrics"] == upgrade_metrics(before["metrics"], 1)  # every metric to the last digit
    assert now["refusals"] == before["refusals"] and now["matches_result_json"] is True
    correlation = {k: v for k, v in before["length"].pop("correlation").items() if v is not None}
    mine = {k: v for k, v in now["length"].pop("correlation").items() if v is not None}
    assert mine == pytest.approx(correlation, rel=1e-12)  # summed in another order
    assert now["length"] == before["length"]


def test_version_1_prior_sets_become_a_named_companion() -> None:
    run = read_run(V1 / "v1-judge-prior-sets")
    stored = json.loads((V1 / "v1-judge-prior-sets" / "result.json").read_text(encoding="utf-8"))["metrics"]
    companion = run.metrics.companions["prior-sets"]
    assert companion.title == "Prior Sets" and companion.metrics.score == stored["prior_sets"]["score"]
    assert companion.combined is not None and companion.combined.value == stored["average_with_prior_sets"]
    assert companion.metrics.ci is not None and run.metrics.counts["hep-go"]["judgements"] == 6


def test_version_1_folders_compare_and_rank_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(V1 / "mini-classifier"), str(V1 / "mini-classifier-b")
    for flags, expected in (([], "compare.txt"), (["--json"], "compare.json")):
        assert main(["compare", a, b, *flags]) == 0
        assert capsys.readouterr().out == (EXPECTED / expected).read_text(encoding="utf-8")
    folders = [str(V1 / n) for n in ("mini-classifier", "mini-classifier-b", *V1_FOLDERS[1:])]
    for fmt in ("csv", "md"):
        assert main(["leaderboard", *folders, "--format", fmt]) == 0
        assert capsys.readouterr().out == (EXPECTED / f"leaderboard.{fmt}").read_text(encoding="utf-8")


def test_a_version_1_folder_rewritten_is_version_2_and_equal(tmp_path: Path) -> None:
    run = read_run(V1 / "v1-judge-prior-sets")
    write_run(run, tmp_path / "again")
    assert validate(tmp_path / "again" / "result.json")["schema_version"] == 2
    again = read_run(tmp_path / "again")
    assert again.metrics == run.metrics and again.samples == run.samples


def test_the_text_rule_scorer_still_writes_what_the_fixtures_hold(tmp_path: Path) -> None:
    """The version-1 fixtures were written by this test double: today's run of it gives the same numbers."""
    fresh = write_run_folder(tmp_path / "r", "org/mini-rm", skill=0.6, length_weight=0.1, seed=3, bootstrap=200)
    old = read_run(V1 / "mini-classifier")
    assert fresh.metrics == old.metrics
    assert [s.scores_chosen for s in fresh.samples] == [s.scores_chosen for s in old.samples]
