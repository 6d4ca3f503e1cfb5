"""Odd rows do not sink a dataset: `--on-invalid skip` scores the valid rows and records each invalid one (file, row,
field, reason) in result.json, counted in the report's header and on the site; `--limit` checks only the rows it
takes; the default stops, and its message names the option."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import write_jsonl
from published_fixtures import hh
from rmeval.cli import main
from rmeval.data import DataError, load_examples
from rmeval.results import read_run
from rmeval.site import build_site, load_entries


def odd_rows() -> list[dict[str, Any]]:
    """HH rows, two of them unscoreable: an empty answer, and transcripts that part before their last turn."""
    return [
        {"chosen": hh("Name a colour.", "Red."), "rejected": hh("Name a colour.", "A fish.")},
        {"chosen": hh("What is two plus two?", "Four."), "rejected": hh("What is two plus two?", "")},
        {"chosen": hh("Hi", "Hello", "Bye?", "Bye."), "rejected": hh("Yo", "Hey", "Bye?", "No.")},
        {"chosen": hh("Is ice cold?", "Yes."), "rejected": hh("Is ice cold?", "No, hot.")},
    ]


def test_the_default_stops_naming_the_option(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "hh.jsonl", odd_rows())
    with pytest.raises(DataError, match=r"row 2, field 'rejected': empty text \(--on-invalid skip scores the valid "
                                        r"rows and records this one\)"):
        load_examples(data=path)


def test_skip_records_every_invalid_row(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "hh.jsonl", odd_rows())
    loaded = load_examples(data=path, on_invalid="skip")
    assert [e.id for e in loaded.examples] == [1, 4]
    assert loaded.source["excluded_rows"] == [
        {"file": str(path), "row": 2, "field": "rejected", "reason": "empty text", "subset": "default"},
        {"file": str(path), "row": 3, "field": "prompt", "subset": "default",
         "reason": "the chosen and rejected conversations differ at turn 1, before their last assistant turn: they "
                   "do not share a prompt"}]
    assert loaded.source["excluded"] == {"default": {"invalid row": 2}}
    assert any(w.startswith("2 invalid rows left out (--on-invalid skip)") for w in loaded.warnings)


def test_a_line_that_is_not_json_is_one_invalid_row(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", odd_rows()[:1])
    path.write_text(path.read_text() + "{not json\n" + json.dumps(odd_rows()[3]) + "\n", encoding="utf-8")
    loaded = load_examples(data=path, on_invalid="skip")
    assert len(loaded.examples) == 2 and loaded.source["excluded_rows"][0]["row"] == 2
    with pytest.raises(DataError, match=r"row 2: not valid JSON .*--on-invalid skip"):
        load_examples(data=path)


def test_limit_checks_only_the_rows_it_takes(tmp_path: Path) -> None:
    rows = [*odd_rows()[:1], *odd_rows()[3:], *odd_rows()[1:3]]  # the bad rows come last
    path = write_jsonl(tmp_path / "hh.jsonl", rows)
    assert len(load_examples(data=path, limit=2).examples) == 2
    with pytest.raises(DataError, match="row 3"):
        load_examples(data=path, limit=3)
    skipped = load_examples(data=path, limit=3, on_invalid="skip")  # a skipped row does not count toward the limit
    assert len(skipped.examples) == 2 and len(skipped.source["excluded_rows"]) == 2
    bad = tmp_path / "broken.jsonl"
    bad.write_text("not json at all\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid JSON"):  # the file-level check still reads the whole file
        load_examples(data=bad, limit=1)


def test_run_report_and_site_count_the_rows_left_out(tmp_path: Path, bert_classifier: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "hh.jsonl", odd_rows())
    out = tmp_path / "run"
    base = ["run", "--no-progress", "--model", str(bert_classifier), "--chat-template", "raw", "--data", str(path),
            "--output-dir", str(out)]
    assert main(base) == 2
    assert "--on-invalid skip" in capsys.readouterr().err
    assert main([*base, "--on-invalid", "skip"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[1].startswith("2 invalid rows left out (--on-invalid skip")
    result = json.loads((out / "result.json").read_text())
    assert [r["row"] for r in result["spec"]["data"]["excluded_rows"]] == [2, 3]
    assert result["metrics"]["excluded"] == {"default": {"invalid row": 2}}
    assert main(["report", str(out)]) == 0
    report = capsys.readouterr().out
    assert report.startswith(f"hh: {bert_classifier.name} (2 samples, recomputed)\n2 invalid rows left out")
    assert "recomputed metrics match result.json" in report
    site = build_site(load_entries([out]), tmp_path / "site")
    index = site.index.read_text()
    assert "skipped" in index and "invalid rows of the data were left out" in index
    page = next((tmp_path / "site" / "models").glob("*.html")).read_text()
    assert "2 invalid rows left out" in page
    assert read_run(out).spec.data["on_invalid"] == "skip"


def test_report_data_reads_as_run_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "hh.jsonl", odd_rows())
    assert main(["report", "--data", str(path)]) == 2
    assert "--on-invalid skip" in capsys.readouterr().err
    assert main(["report", "--data", str(path), "--on-invalid", "skip", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("hh (1 examples, benchmark custom)\n")
    rows = [{"question": "Q?", "good": "A fine answer.", "bad": "No.", "category": "c"}]
    mapped = write_jsonl(tmp_path / "mapped.jsonl", rows)
    assert main(["report", "--data", str(mapped), "--prompt-column", "question", "--chosen-column", "good",
                 "--rejected-column", "bad", "--subset-column", "category", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "mapped"
