"""`rmeval run --scorer judge` with a published judge format, a price, votes and JudgeBench's one-game mode, end to
end against the loopback server; and the usage errors of these options."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmark_data import judgebench_rows, write_judgebench
from conftest import write_jsonl
from loopback_openai import LoopbackJudge
from rmeval.cli import main
from rmeval.results import read_run


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackJudge]:
    with LoopbackJudge() as s:
        yield s


def prefs(tmp_path: Path, n: int = 6) -> Path:
    rows = [{"prompt": f"Explain idea {i}.", "chosen": "A clear and complete explanation " + "with detail " * i,
             "rejected": "Unclear."} for i in range(n)]
    return write_jsonl(tmp_path / "prefs.jsonl", rows)


def judge(server: LoopbackJudge, model: str, data: Path, out: Path, *extra: str) -> int:
    return main(["run", "--no-progress", "--scorer", "judge", "--model", f"openai/{model}", "--base-url", server.url,
                 "--data", str(data), "--output-dir", str(out), "--no-cache", *extra])


def test_a_published_format_with_a_price_and_the_report(server: LoopbackJudge, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert judge(server, "longest-think@prometheus2-relative", prefs(tmp_path), out, "--judge-format",
                 "prometheus2-relative", "--max-new-tokens", "64", "--thinking-budget", "70", "--price", "2,10") == 0
    printed = capsys.readouterr().out
    result = json.loads((out / "result.json").read_text())
    scorer = result["spec"]["scorer"]
    assert scorer["formats"]["pairwise"]["name"] == "prometheus2-relative"
    assert scorer["formats"]["pairwise"]["sources"][0]["repo"] == "prometheus-eval/prometheus-eval"
    assert scorer["generation"]["thinking_budget"] == 70 and scorer["generation"]["samples"] == 1
    tokens = scorer["tokens"]
    assert tokens["cost"] == pytest.approx((tokens["prompt_tokens"] * 2 + tokens["completion_tokens"] * 10) / 1e6)
    for line in ("Judge verdicts", "lost budget", "Score over complete examples", "Tokens of the run's judgments",
                 f"{tokens['cost']:.4f}"):
        assert line in printed, line
    assert result["metrics"]["completed_score"] == 1.0
    assert main(["report", str(out)]) == 0
    report = capsys.readouterr().out
    assert "match result.json" in report and f"{tokens['cost']:.4f}" in report


def test_votes_from_the_command_line(server: LoopbackJudge, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert judge(server, "longest-noisy", prefs(tmp_path), out, "--samples", "5", "--temperature", "0.8",
                 "--top-p", "0.9") == 0
    run = read_run(out)
    assert run.spec.scorer["generation"]["samples"] == 5 and run.spec.scorer["generation"]["top_p"] == 0.9
    assert run.spec.conventions["judge"]["samples"] == 5
    assert all(len(s.details["judges"][0]["samples"][0]) == 5 for s in run.samples)
    sent = [b for b in server.log.bodies if b.get("model") == "longest-noisy" and b.get("top_p") == 0.9]
    assert len(sent) == 6 * 5 and {b["seed"] for b in sent} == {0, 1, 2, 3, 4}


def test_judgebench_one_game_mode(server: LoopbackJudge, tmp_path: Path) -> None:
    """`--order single`, as JudgeBench's --single_game: each pair once, response_A shown first, right when that one
    decision equals the label. A judge that always says A is then right exactly on the A>B pairs."""
    data = write_judgebench(tmp_path / "data")
    before = server.log.requests
    assert main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/first", "--base-url", server.url,
                 "--benchmark", "judgebench", "--data", str(data), "--output-dir", str(tmp_path / "single"),
                 "--order", "single", "--no-cache"]) == 0
    rows = judgebench_rows()
    assert server.log.requests - before == len(rows)  # one game per pair
    run = read_run(tmp_path / "single")
    assert run.spec.scorer["order"] == "single" and run.spec.conventions["judge"]["order"] == "single"
    labels = {r["pair_id"]: r["label"] for r in rows}
    for s in run.samples:
        shown = s.details["judges"][0]["shown"]
        assert shown == [[0, 1] if labels[s.id] == "A>B" else [1, 0]]  # the file's order: response_A first
        assert s.correct == float(labels[s.id] == "A>B")
    assert run.metrics.score == pytest.approx(sum(r["label"] == "A>B" for r in rows) / len(rows))


def test_one_game_needs_data_that_records_its_order(server: LoopbackJudge, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert judge(server, "first", prefs(tmp_path), tmp_path / "out", "--order", "single") == 2
    err = capsys.readouterr().err
    assert "--order single judges each pair once in its data's own order" in err and "Traceback" not in err


@pytest.mark.parametrize(("extra", "error"), [
    (["--samples", "4"], "give --temperature above 0"),
    (["--judge-format", "nonexistent"], "neither a shipped format"),
    (["--price", "cheap"], "expected IN,OUT"),
    (["--thinking-budget", "0"], "--thinking-budget must be at least 1"),
    (["--judge-format", "prometheus2-relative", "--verdict", "logprob"], "drop --judge-format"),
])
def test_usage_errors_are_one_line(server: LoopbackJudge, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   extra: list[str], error: str) -> None:
    assert judge(server, "longest", prefs(tmp_path), tmp_path / "out", *extra) == 2
    err = capsys.readouterr().err
    assert error in err and "Traceback" not in err


def test_a_raw_format_needs_an_engine_that_takes_text(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    assert main(["run", "--no-progress", "--scorer", "judge", "--model", "anthropic/claude", "--judge-format",
                 "judgelm", "--data", str(prefs(tmp_path)), "--output-dir", str(tmp_path / "out")]) == 2
    assert "takes chat messages only" in capsys.readouterr().err


def test_models_lists_the_judge_presets_and_formats(capsys: pytest.CaptureFixture[str]) -> None:
    from rmeval.scorers.judge import format_names

    assert main(["models", "--kind", "judge"]) == 0
    table = capsys.readouterr().out
    assert "prometheus-7b-v2.0" in table and "format: prometheus2-relative, prometheus2-absolute" in table
    assert main(["models", "--formats"]) == 0
    formats = capsys.readouterr().out
    assert all(name in formats for name in format_names())
    assert main(["models", "--formats", "--json"]) == 0
    described = {f["name"]: f for f in json.loads(capsys.readouterr().out)}
    assert described["arena-hard"]["sources"][0]["repo"] == "lmarena/arena-hard-auto"
    assert described["judgelrm"]["raw"] is True
