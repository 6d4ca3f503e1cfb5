"""`rmeval run --scorer judge` end to end against the loopback OpenAI-compatible server, and `rmeval report`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import write_jsonl
from loopback_openai import LoopbackJudge, words
from rmeval.cli import main

SECRET = "sk-loopback-must-never-be-written"


@pytest.fixture
def server() -> Iterator[LoopbackJudge]:
    with LoopbackJudge(hang_seconds=1.0) as s:
        yield s


def rows() -> list[dict[str, Any]]:
    """Two subsets written for this test; some prompts ask the server for faults, one is multi-turn."""
    out: list[dict[str, Any]] = []
    for i in range(6):
        fault = {1: " <fault:429:1>", 2: " <fault:500:all>", 3: " <fault:garbage:all>"}.get(i, "")
        out.append({"subset": "alpha", "id": i, "prompt": f"Explain idea {i}.{fault}",
                    "chosen": "A clear and complete explanation " + "with detail " * i,
                    "rejected": "Unclear." if i % 2 else "Too short here."})
    for i in range(4):
        out.append({"subset": "beta", "id": i,
                    "prompt": [{"role": "user", "content": f"Start {i}"}, {"role": "assistant", "content": "Ok."},
                               {"role": "user", "content": "Now finish."}],
                    "chosen": "Finished in full, step by step.", "rejected": "No."})
    return out


def expected_credit(row: dict[str, Any]) -> float:
    """What the `longest` judge earns, computed from the data: failures count as ties (0.5)."""
    if "<fault:500:all>" in str(row["prompt"]) or "<fault:garbage:all>" in str(row["prompt"]):
        return 0.5
    return float(words(row["chosen"]) > words(row["rejected"]))


def run_judge(server: LoopbackJudge, data: Path, out: Path, cache: Path, *extra: str) -> int:
    return main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/longest", "--base-url", server.url,
                 "--api-key-env", "LOOPBACK_KEY", "--data", str(data), "--output-dir", str(out), "--cache-dir",
                 str(cache), "--max-retries", "2", "--request-timeout", "0.5", *extra])


def test_cli_run_writes_results_counts_failures_and_reruns_from_cache(
        server: LoopbackJudge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOOPBACK_KEY", SECRET)
    data = write_jsonl(tmp_path / "prefs.jsonl", rows())
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert run_judge(server, data, out, cache) == 0
    printed = capsys.readouterr().out
    result = json.loads((out / "result.json").read_text())
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(samples) == 10  # every example ends scored or counted as failed: nothing lost
    by_key = {(r["subset"], r["id"]): expected_credit(r) for r in rows()}
    assert {(s["subset"], s["id"]): s["correct"] for s in samples} == by_key
    counts = result["metrics"]["counts"]
    verdicts = {k: counts["alpha"][k] for k in ("judgements", "unparseable", "lost_to_budget", "failed_requests",
                                                 "inconsistent", "scored_by_policy", "complete", "wrong")}
    assert verdicts == {"judgements": 6, "unparseable": 1, "lost_to_budget": 0, "failed_requests": 1,
                        "inconsistent": 0, "scored_by_policy": 2, "complete": 4, "wrong": 0}
    assert counts["beta"]["scored_by_policy"] == 0
    spec = result["spec"]
    assert spec["conventions"]["tie_credit"] == 0.5
    assert spec["conventions"]["judge"]["order"] == "seeded" and spec["conventions"]["judge"]["on_failure"] == "tie"
    assert spec["scorer"]["kind"] == "judge" and spec["scorer"]["judges"][0]["base_url"] == server.url
    assert spec["scorer"]["templates"]["pairwise"]["source"] == "builtin:pairwise"
    assert "unparseable" in printed and "failed req." in printed
    first_requests = server.log.requests
    assert first_requests == 10 + 1 + 2  # one 429 retried once; the persistent 500 tried 1 + 2 times

    assert run_judge(server, data, tmp_path / "again", cache) == 0  # a rerun: only the failed request is retried
    assert server.log.requests == first_requests + 3
    again = json.loads((tmp_path / "again" / "result.json").read_text())
    assert again["metrics"]["subsets"] == result["metrics"]["subsets"]
    assert again["spec"]["scorer"]["judges"][0]["requests"]["cache_hits"] == 9

    for path in [*out.iterdir(), *cache.iterdir()]:
        assert SECRET.encode() not in path.read_bytes(), path
    assert main(["report", str(out)]) == 0
    report = capsys.readouterr().out
    assert "match result.json" in report and "unparseable" in report  # counts recomputed from samples.jsonl


def test_cli_ensemble_and_both_orders(server: LoopbackJudge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_jsonl(tmp_path / "prefs.jsonl", [r for r in rows() if r["subset"] == "beta"])
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/first", "--model",
                 "openai/longest-1", "--model", "openai/longest-2", "--order", "both", "--base-url", server.url,
                 "--data", str(data), "--no-cache"]) == 0
    # The default folder names every judge of the ensemble, so it never overwrites the first judge's own run.
    out = tmp_path / "results" / "prefs" / "openai__first+openai__longest-1+openai__longest-2"
    result = json.loads((out / "result.json").read_text())
    assert result["metrics"]["subsets"]["beta"]["accuracy"] == 1.0
    assert result["metrics"]["counts"]["beta"]["inconsistent"] == 4  # the `first` judge, on every example
    sample = json.loads((out / "samples.jsonl").read_text().splitlines()[0])
    assert [j["judge"] for j in sample["details"]["judges"]] == ["openai/first", "openai/longest-1",
                                                                 "openai/longest-2"]
    assert result["spec"]["scorer"]["judges"][0]["cache"] is None


def test_cli_rejects_an_ensemble_for_other_scorers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "prefs.jsonl", rows())
    assert main(["run", "--model", "a", "--model", "b", "--data", str(data)]) == 2
    assert "only --scorer judge" in capsys.readouterr().err


def test_cli_user_prompt_file_in_rating_mode(server: LoopbackJudge, tmp_path: Path) -> None:
    template = tmp_path / "my_rating.txt"
    template.write_text("### system\nRate strictly.\n### user\n{question}\n[Answer]\n{answer}\n[End of Answer]\n"
                        "Reply with [[N]].\n", encoding="utf-8")
    data = write_jsonl(tmp_path / "prefs.jsonl", [r for r in rows() if r["subset"] == "beta"])
    out = tmp_path / "out"
    assert main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/longest", "--judge-mode", "rating",
                 "--judge-prompt", str(template), "--base-url", server.url, "--data", str(data), "--output-dir",
                 str(out), "--no-cache"]) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["spec"]["scorer"]["templates"]["rating"]["source"].startswith(f"file:{template}")
    assert result["spec"]["scorer"]["rendered_example"][1]["content"].startswith("Now finish.\n[Answer]\n")
    assert result["spec"]["conventions"]["judge"]["modes"] == {"beta": "rating"}
    sample = json.loads((out / "samples.jsonl").read_text().splitlines()[0])
    assert sample["scores_chosen"] == [6.0] and sample["scores_rejected"] == [1.0]  # word counts, capped to 1..10
