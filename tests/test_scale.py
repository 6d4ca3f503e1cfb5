"""Runs that survive and scale: the score store (a killed run resumes byte for byte, Ctrl-C keeps what was computed,
damaged and shared stores), data-parallel runs under torchrun, shards merged, and judges spread over endpoints."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import build_llama_causal_lm, interruptible, preference_rows, write_jsonl
from loopback_openai import LoopbackJudge
from rmeval.cli import main
from rmeval.common.store import describe_store
from rmeval.results import read_run

pytestmark = pytest.mark.slow


def rows(n: int) -> list[dict[str, Any]]:
    """n pairs of varied lengths in four subsets (texts written for the test)."""
    out = preference_rows(n // 4, ("alpha", "beta", "gamma", "delta"))
    return [{**r, "chosen": r["chosen"] + f" Step {i % 7}." * (i % 5)} for i, r in enumerate(out)]


def command(model: Path, data: Path, out: Path, store: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "rmeval", "run", "--no-progress", "--model", str(model), "--data", str(data),
            "--output-dir", str(out), "--score-cache", str(store), "--batch-size", "4", "--precision", "fp32", *extra]


def entries(store: Path) -> int:
    """Scores in the store so far (0 before its file is complete)."""
    path = store / "scores.sqlite"
    described = describe_store(path) if path.exists() else None
    return int(described["entries"]) if described else 0


def comparable(folder: Path) -> dict[str, Any]:
    """result.json without what differs between any two runs (timing, date), the store's own counters, and the
    two runs' own folders (the command and the store's path)."""
    data = json.loads((folder / "result.json").read_text())
    data.pop("timing")
    data["spec"].pop("created_at")
    data["spec"].pop("command")
    data["spec"]["scorer"]["options"].pop("score_cache")
    for key in ("from_store", "forward_batches"):
        data["spec"]["scorer"]["batching"].pop(key)
    data["spec"]["scorer"].pop("score_store")
    data["spec"]["scorer"].pop("exact_score_store", None)
    return data


def start_and_stop(cmd: list[str], store: Path, at_least: int, sig: signal.Signals) -> subprocess.Popen[str]:
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=interruptible)
    deadline = time.monotonic() + 120
    while entries(store) < at_least:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(sig)
    process.wait(timeout=60)
    return process


def test_a_killed_run_resumes_where_it_stopped_byte_for_byte(tmp_path: Path) -> None:
    model = build_llama_causal_lm(tmp_path / "lm")  # an implicit reward: slow enough to stop half-way
    data = write_jsonl(tmp_path / "d.jsonl", rows(240))
    clean = command(model, data, tmp_path / "clean", tmp_path / "store-a", "--scorer", "implicit")
    assert subprocess.run(clean, capture_output=True, text=True, check=False).returncode == 0
    resumed = command(model, data, tmp_path / "resumed", tmp_path / "store-b", "--scorer", "implicit")
    killed = start_and_stop(resumed, tmp_path / "store-b", 40, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL and not (tmp_path / "resumed" / "result.json").exists()
    kept = entries(tmp_path / "store-b")
    assert 40 <= kept < 480  # the killed run stopped half-way, with whole batches kept
    done = subprocess.run(resumed, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "resumed" / "samples.jsonl").read_bytes() == (tmp_path / "clean" / "samples.jsonl").read_bytes()
    assert comparable(tmp_path / "resumed") == comparable(tmp_path / "clean")
    scorer = json.loads((tmp_path / "resumed" / "result.json").read_text())["spec"]["scorer"]
    batching = scorer["batching"]
    assert batching["from_store"] == kept  # only what was missing was computed
    assert scorer["score_store"]["written"] == batching["unique_encodings"] - kept
    assert 0 < batching["forward_batches"] < batching["batches"]


def test_ctrl_c_keeps_the_scores_and_says_how_to_resume(tmp_path: Path) -> None:
    model = build_llama_causal_lm(tmp_path / "lm")
    data = write_jsonl(tmp_path / "d.jsonl", rows(240))
    cmd = command(model, data, tmp_path / "out", tmp_path / "store", "--scorer", "implicit")
    stopped = start_and_stop(cmd, tmp_path / "store", 20, signal.SIGINT)
    _, err = stopped.communicate()
    assert stopped.returncode == 130 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "new scores are kept in the score store" in err and "rerun the same command to resume" in err
    assert entries(tmp_path / "store") >= 20 and not (tmp_path / "out").exists()


def test_a_damaged_store_is_skipped_with_a_warning_never_trusted(tmp_path: Path, llama_classifier: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", rows(16))
    args = ["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data), "--score-cache",
            str(tmp_path / "store")]
    assert main([*args, "--output-dir", str(tmp_path / "a")]) == 0
    path = tmp_path / "store" / "scores.sqlite"
    for wal in (path.with_name("scores.sqlite-wal"), path.with_name("scores.sqlite-shm")):
        wal.unlink(missing_ok=True)
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 3])  # truncated
    assert main([*args, "--output-dir", str(tmp_path / "b")]) == 0
    assert "not a usable rmeval store" in caplog.text
    caplog.clear()
    assert read_run(tmp_path / "b").samples == read_run(tmp_path / "a").samples
    path.write_bytes(b"")
    with sqlite3.connect(path) as db:  # a store of another kind, or from an rmeval with another format
        db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('kind', 'scores'), ('format', '99')")
    assert main([*args, "--output-dir", str(tmp_path / "c")]) == 0
    assert "of format 99, not a 'scores' store of format 1" in caplog.text


def test_two_runs_share_one_store_at_once(tmp_path: Path, llama_classifier: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", rows(200))
    runs = [subprocess.Popen(command(llama_classifier, data, tmp_path / f"out-{i}", tmp_path / "store"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    for process in runs:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    a, b = (read_run(tmp_path / f"out-{i}") for i in range(2))
    assert [s.scores_chosen for s in a.samples] == [s.scores_chosen for s in b.samples]
    alone = subprocess.run(command(llama_classifier, data, tmp_path / "alone", tmp_path / "store-alone"),
                           capture_output=True, text=True, check=False)
    assert alone.returncode == 0
    assert read_run(tmp_path / "alone").metrics == a.metrics


def test_the_cache_command_shows_and_clears_the_stores(tmp_path: Path, llama_classifier: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RMEVAL_CACHE", str(tmp_path / "cache"))
    data = write_jsonl(tmp_path / "d.jsonl", rows(8))
    assert main(["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data), "--output-dir",
                 str(tmp_path / "out"), "--precision", "fp32"]) == 0
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    text = capsys.readouterr().out
    assert "scores" in text and "16 entries" in text and str(tmp_path / "cache") in text
    assert main(["cache", "clear"]) == 2
    assert main(["cache", "clear", "scores"]) == 0
    assert "removed the scores store" in capsys.readouterr().out
    assert not (tmp_path / "cache" / "scores" / "scores.sqlite").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def torchrun(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port",
                           str(free_port()), "-m", "rmeval", *args], capture_output=True, text=True, timeout=600,
                          check=False, env=env)


@pytest.mark.parametrize("scorer", ["classifier", "implicit"])
def test_torchrun_with_two_processes_equals_one(tmp_path: Path, llama_classifier: Path, scorer: str) -> None:
    model = llama_classifier if scorer == "classifier" else build_llama_causal_lm(tmp_path / "lm")
    data = write_jsonl(tmp_path / "d.jsonl", rows(40))
    base = ["run", "--no-progress", "--scorer", scorer, "--model", str(model), "--data", str(data),
            "--no-score-cache", "--precision", "fp32"]
    done = torchrun(*base, "--output-dir", str(tmp_path / "parallel"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("wrote ") == 1  # the main process alone writes and prints
    assert main([*base, "--output-dir", str(tmp_path / "single")]) == 0
    parallel, single = read_run(tmp_path / "parallel"), read_run(tmp_path / "single")
    assert parallel.spec.scorer["batching"]["processes"] == 2
    assert [s.correct for s in parallel.samples] == [s.correct for s in single.samples]
    for p, s in zip(parallel.samples, single.samples, strict=True):
        assert p.scores_chosen == pytest.approx(s.scores_chosen, abs=1e-5)
        assert p.scores_rejected == pytest.approx(s.scores_rejected, abs=1e-5)


def test_fast_exact_under_torchrun_and_in_shards_decides_as_one_fp32_process(tmp_path: Path,
                                                                            llama_classifier: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", rows(1100))  # two blocks of work (2,200 answers), so two shards
    base = ["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data), "--no-score-cache"]
    done = torchrun(*base, "--precision", "fast-exact", "--output-dir", str(tmp_path / "parallel"))
    assert done.returncode == 0, done.stderr[-3000:]
    for i in range(2):
        assert main([*base, "--precision", "fast-exact", "--shard", f"{i}/2",
                     "--output-dir", str(tmp_path / "parts")]) == 0
    assert main(["merge", str(tmp_path / "parts"), "--output-dir", str(tmp_path / "merged")]) == 0
    assert main([*base, "--precision", "fp32", "--output-dir", str(tmp_path / "single")]) == 0
    single = read_run(tmp_path / "single")
    parallel = read_run(tmp_path / "parallel")
    assert parallel.spec.scorer["batching"]["processes"] == 2
    for run in (parallel, read_run(tmp_path / "parts" / "shard-1-of-2"), read_run(tmp_path / "merged")):
        assert run.spec.scorer["precision"]["mode"] == "fast-exact"
    for run in (parallel, read_run(tmp_path / "merged")):
        assert sorted((s.subset, s.id, s.correct) for s in run.samples) == sorted(
            (s.subset, s.id, s.correct) for s in single.samples)
        assert run.metrics == single.metrics


def test_shards_merged_equal_one_run_and_bad_sets_are_refused(tmp_path: Path, llama_classifier: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", rows(2000))  # three blocks of work (3,072 distinct inputs), three shards
    base = ["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data), "--no-score-cache",
            "--precision", "fast-exact", "--output-dir", str(tmp_path / "parts")]
    for i in range(3):
        assert main([*base, "--shard", f"{i}/3"]) == 0
    parts = [tmp_path / "parts" / f"shard-{i}-of-3" for i in range(3)]
    assert sum(len(read_run(p).samples) for p in parts) == 2000
    assert main(["merge", str(tmp_path / "parts"), "--output-dir", str(tmp_path / "merged")]) == 0
    # the shards ran fast-exact; the single run is pure fp32: their decisions and metrics are the same
    assert main(["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data), "--no-score-cache",
                 "--precision", "fp32", "--output-dir", str(tmp_path / "single")]) == 0
    merged, single = read_run(tmp_path / "merged"), read_run(tmp_path / "single")
    def keys(run: Any) -> list[tuple[str, Any, float]]:
        return [(s.subset, s.id, s.correct) for s in run.samples]

    assert keys(merged) == keys(single)
    assert merged.metrics == single.metrics
    assert main(["report", str(tmp_path / "merged")]) == 0
    capsys.readouterr()
    assert main(["merge", str(parts[0]), str(parts[2]), "--output-dir", str(tmp_path / "m2")]) == 2
    assert "shard(s) 1 of 3 missing" in capsys.readouterr().err
    shutil.copytree(parts[1], tmp_path / "copy-of-1")
    assert main(["merge", *map(str, parts), str(tmp_path / "copy-of-1"), "--output-dir", str(tmp_path / "m3")]) == 2
    assert "shard 1 of 3 is given twice" in capsys.readouterr().err
    other = write_jsonl(tmp_path / "e.jsonl", rows(2000)[::-1])
    assert main(["run", "--no-progress", "--model", str(llama_classifier), "--data", str(other), "--no-score-cache",
                 "--output-dir", str(tmp_path / "other"), "--shard", "1/3"]) == 0
    capsys.readouterr()
    assert main(["merge", str(parts[0]), str(tmp_path / "other" / "shard-1-of-3"), str(parts[2]), "--output-dir",
                 str(tmp_path / "m4")]) == 2
    assert "is a shard of another run" in capsys.readouterr().err


def test_a_judge_spreads_its_requests_over_several_endpoints(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", rows(24))
    with LoopbackJudge() as a, LoopbackJudge() as b:
        both = ["run", "--no-progress", "--scorer", "judge", "--model", "openai/longest", "--base-url", a.url,
                "--base-url", b.url, "--data", str(data), "--cache-dir", str(tmp_path / "cache")]
        assert main([*both, "--output-dir", str(tmp_path / "two")]) == 0
        assert a.log.requests > 5 and b.log.requests > 5 and a.log.requests + b.log.requests == 24
        shutil.rmtree(tmp_path / "cache")
        assert main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/longest", "--base-url", a.url,
                     "--data", str(data), "--no-cache", "--output-dir", str(tmp_path / "one")]) == 0
    assert [s.correct for s in read_run(tmp_path / "two").samples] == \
        [s.correct for s in read_run(tmp_path / "one").samples]
