"""`compare` pairs examples by what they hold (a digest of the prompt and the answers), never by row: the same pairs
in another order pair up; two different files refuse in one line; `--allow-different-data` compares what both
hold and says how many."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from analysis_runs import TextRuleScorer
from conftest import write_jsonl
from rmeval.cli import main
from rmeval.data import load_examples
from rmeval.evaluate import evaluate
from rmeval.results import write_run


def rows(n: int, tag: str = "") -> list[dict[str, Any]]:
    return [{"prompt": f"Question {tag}{i}: what is {i} plus one?", "chosen": f"It is {i + 1}.",
             "rejected": f"It is {i + 7}, surely.", "subset": "s" if i % 2 else "t"} for i in range(n)]


def run_folder(folder: Path, data: Path, model: str, skill: float) -> Path:
    loaded = load_examples(data=data)
    result = evaluate(TextRuleScorer(model, skill), loaded.examples, loaded.benchmark, data_source=loaded.source,
                      versions={"rmeval": "test"}, progress=False, bootstrap=50, name=model)
    write_run(result, folder)
    return folder


def compare_json(a: Path, b: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main(["compare", str(a), str(b), "--json", "--resamples", "200", *extra]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_the_same_pairs_in_another_order_pair_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = rows(30)
    shuffled = list(reversed(original))  # other row numbers, so other ids: pairing by row would mix them up
    a = run_folder(tmp_path / "a", write_jsonl(tmp_path / "a.jsonl", original), "rm-a", 1.0)
    b_same = run_folder(tmp_path / "b1", write_jsonl(tmp_path / "b1.jsonl", original), "rm-b", 0.2)
    b_other = run_folder(tmp_path / "b2", write_jsonl(tmp_path / "b2.jsonl", shuffled), "rm-b", 0.2)
    same, other = compare_json(a, b_same, capsys), compare_json(a, b_other, capsys)
    assert other["n_paired"] == 30 and other["only_in_a"] == other["only_in_b"] == 0 and other["paired_by"] == "content"
    assert other["score"] == same["score"] and other["subsets"] == same["subsets"]
    assert any("different files or selections holding the same 30 examples" in n for n in other["notes"])


def test_different_files_refuse_unless_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = run_folder(tmp_path / "a", write_jsonl(tmp_path / "a.jsonl", rows(20)), "rm-a", 1.0)
    b = run_folder(tmp_path / "b", write_jsonl(tmp_path / "b.jsonl", rows(20, "other ")), "rm-b", 1.0)
    assert main(["compare", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "share no example" in err
    overlap = run_folder(tmp_path / "c", write_jsonl(tmp_path / "c.jsonl", rows(20)[5:] + rows(3, "new ")), "rm-c",
                         0.0)
    assert main(["compare", str(a), str(overlap)]) == 2
    err = capsys.readouterr().err
    assert "scored different data (5 examples only in A, 3 only in B, 15 in both" in err
    assert "--allow-different-data" in err
    data = compare_json(a, overlap, capsys, "--allow-different-data")
    assert data["n_paired"] == 15 and (data["only_in_a"], data["only_in_b"]) == (5, 3)
    assert any("compared on the 15 examples both hold" in n for n in data["notes"])


def test_runs_without_digests_pair_only_on_the_same_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "a.jsonl", rows(10))
    a, b = run_folder(tmp_path / "a", data, "rm-a", 1.0), run_folder(tmp_path / "b", data, "rm-b", 0.0)
    c = run_folder(tmp_path / "c", write_jsonl(tmp_path / "c.jsonl", rows(10, "x")), "rm-c", 0.0)
    for folder in (a, b, c):  # as an rmeval before content digests wrote them
        samples = folder / "samples.jsonl"
        lines = [json.loads(line) for line in samples.read_text().splitlines()]
        samples.write_text("".join(json.dumps({k: v for k, v in s.items() if k != "digest"}) + "\n" for s in lines))
        result = json.loads((folder / "result.json").read_text())
        result["samples_sha256"] = hashlib.sha256(samples.read_bytes()).hexdigest()
        (folder / "result.json").write_text(json.dumps(result))
    assert compare_json(a, b, capsys)["paired_by"] == "key"
    assert main(["compare", str(a), str(c), "--allow-different-data"]) == 2
    assert "recorded no content digests" in capsys.readouterr().err
