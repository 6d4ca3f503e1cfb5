"""Generative judges on ProcessBench and PRMBench, end to end against the loopback server: asked for the earliest
wrong step (the server names the first step that says "oops"), read, scored by the benchmark's rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import write_jsonl
from loopback_openai import LoopbackJudge
from rmeval.cli import main
from rmeval.scorers.judge.steps import parse_step, step_scores


@pytest.fixture
def server() -> Iterator[LoopbackJudge]:
    with LoopbackJudge() as s:
        yield s


def _solution(i: int, label: int, steps: list[str], problem: str = "Add the numbers.") -> dict[str, object]:
    return {"id": f"gsm8k-{i}", "generator": "Tiny", "problem": problem, "steps": steps,
            "final_answer_correct": label == -1, "label": label}


def test_judge_on_processbench_finds_the_earliest_wrong_step(server: LoopbackJudge, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        _solution(0, -1, ["one", "two"]),                             # says -1: right
        _solution(1, 0, ["oops one", "two"]),                         # says 0: right
        _solution(2, 1, ["one", "two", "oops three"]),                # says 2: too late
        _solution(3, -1, ["one", "oops two"]),                        # says 1: a false alarm
        _solution(4, 2, ["one", "two", "oops"], "Add <fault:garbage:all>"),  # unparseable: a miss
    ]
    folder = tmp_path / "ProcessBench"
    folder.mkdir()
    (folder / "gsm8k.json").write_text(json.dumps(rows), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/any", "--base-url", server.url,
                 "--benchmark", "processbench", "--data", str(folder), "--output-dir", str(out), "--cache-dir",
                 str(tmp_path / "cache")])
    assert code == 0
    result = json.loads((out / "result.json").read_text())
    # erroneous: 1 of 3 right, correct: 1 of 2: F1 = 2 (1/3)(1/2) / (5/6) = 0.4
    assert result["metrics"]["subsets"]["gsm8k"]["accuracy"] == pytest.approx(0.4)
    assert result["metrics"]["counts"]["gsm8k"]["unparseable"] == 1
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert samples[2]["details"]["steps"] == {"scores": [[1.0, 1.0, 0.0]], "threshold": 0.5, "said": 2}
    assert samples[2]["facts"]["label"] == 1 and samples[2]["scores_rejected"] == []
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "F1 %" in printed and "Where the model first objects" in printed and "match result.json" in printed


def test_judge_on_prmbench_marks_the_named_step_and_later_ones_invalid(server: LoopbackJudge,
                                                                        tmp_path: Path) -> None:
    row = {"original_question": "q", "modified_question": "Add the numbers.", "original_process": ["a"],
           "modified_process": ["fine", "oops", "fine again"], "modified_steps": [2], "error_steps": [2],
           "reason": "test", "idx": "t0", "question": "q", "classification": "circular"}
    data = write_jsonl(tmp_path / "prmbench_preview.jsonl", [row])
    out = tmp_path / "out"
    assert main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/any", "--base-url", server.url,
                 "--benchmark", "prmbench", "--data", str(data), "--output-dir", str(out), "--cache-dir",
                 str(tmp_path / "cache")]) == 0
    metrics = json.loads((out / "result.json").read_text())["metrics"]
    # scores [1, 0, 0]: TP 1, TN 1, FN 1: F1 = 2/3, negative F1 = 2/3
    assert metrics["subsets"]["circular"]["accuracy"] == pytest.approx(2 / 3)
    assert metrics["score"] == pytest.approx(2 / 3)


def test_parse_step_and_its_scores() -> None:
    assert parse_step("Paragraph 3 is where it breaks: \\boxed{3}", 4) == 3
    assert parse_step("[[ -1 ]]", 2) == -1 and parse_step("[[-2]]", 2) is None
    assert step_scores(1, 3) == [1.0, 0.0, 0.0] and step_scores(-1, 2) == [1.0, 1.0]
