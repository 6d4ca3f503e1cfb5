"""Every failure a user can cause ends in one clear line and the right exit code, before any model loads where it
can be checked then; nothing already computed is lost; result folders are consistent or absent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import interruptible, preference_rows, write_jsonl
from loopback_openai import LoopbackJudge
from rmeval.cli import main


def run_cli(*args: str) -> int:
    return main(["run", "--no-progress", *args])


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "d.jsonl", preference_rows(2))


@pytest.mark.parametrize(("content", "message"), [
    (b"", "holds no rows (an empty file?)"),
    (b"\n\n  \n", "holds no rows (an empty file?)"),
    (b'{"prompt": "P\\ud800", "chosen": "A", "rejected": "B"}\n',
     "row 1, field 'prompt': not valid Unicode: a lone surrogate '\\ud800' at character 1"),
])
def test_bad_files_stop_before_any_model_loads(tmp_path: Path, content: bytes, message: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    assert run_cli("--model", str(tmp_path / "no-such-model"), "--data", str(path)) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err and err.count("\n") == 1


@pytest.mark.parametrize(("flags", "message"), [
    (["--max-length", "0"], "--max-length must be at least 1, got 0"),
    (["--batch-size", "0"], "--batch-size must be at least 1, got 0"),
    (["--max-tokens-per-batch", "-5"], "--max-tokens-per-batch must be at least 1"),
    (["--scorer", "judge", "--request-timeout", "0"], "--request-timeout must be greater than 0"),
    (["--scorer", "judge", "--max-retries", "-1"], "--max-retries must be at least 0"),
    (["--scorer", "judge", "--request-timeout", "400"], "--request-deadline (300 s) is shorter than one attempt"),
    (["--scorer", "judge", "--concurrency", "0"], "--concurrency must be at least 1"),
    (["--limit", "0"], "--limit must be at least 1"),
    (["--ref-free", "sum"], "--ref-free does not apply to --scorer classifier"),
])
def test_bad_numbers_and_misplaced_options(data: Path, flags: list[str], message: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--model", "org/model", "--data", str(data), *flags) == 2
    assert message in capsys.readouterr().err


def test_models_and_tokenizers_that_do_not_exist_or_are_no_models(
        tmp_path: Path, data: Path, llama_classifier: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (["--model", str(tmp_path / "missing")], "no such folder"),
        (["--model", str(empty)], "not a model folder (it holds none of config.json)"),
        (["--model", str(data)], "not a folder"),
        (["--model", "org/not-downloaded"], "offline (HF_HUB_OFFLINE=1) it cannot be downloaded"),
        (["--model", str(llama_classifier), "--tokenizer", str(empty)], "--tokenizer"),
        (["--scorer", "implicit", "--model", str(llama_classifier), "--ref-model", str(empty)], "--ref-model"),
    ]
    for flags, message in cases:
        assert run_cli("--data", str(data), *flags) == 2, flags
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1, err


def test_a_template_that_does_not_parse_names_its_line(tmp_path: Path, data: Path, llama_classifier: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "t.jinja"
    template.write_text("{% for m in messages %}\n{{ m.content }\n{% endfor %}", encoding="utf-8")
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--chat-template", str(template)) == 2
    assert f"--chat-template {template}, line 2: not a valid Jinja template" in capsys.readouterr().err


def test_cuda_without_cuda(data: Path, llama_classifier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--device", "cuda") == 2
    assert "--device cuda: CUDA is not available on this machine" in capsys.readouterr().err


def test_a_length_above_the_models_limit_needs_allow_longer(tmp_path: Path, data: Path, llama_classifier: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--max-length", "4096") == 2
    err = capsys.readouterr().err
    assert "--max-length 4096 is above" in err and "own limit of 128 tokens" in err
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--max-length", "4096", "--allow-longer",
                   "--output-dir", str(tmp_path / "out")) == 0


def test_an_unwritable_output_folder_stops_before_scoring(tmp_path: Path, data: Path, llama_classifier: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    start = time.perf_counter()
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(blocker / "out")) == 2
    err = capsys.readouterr().err
    assert f"cannot write the results to {blocker / 'out'}" in err and time.perf_counter() - start < 10


def test_an_unexpected_error_is_one_line_and_exit_1_with_the_traceback_under_v(
        tmp_path: Path, data: Path, llama_classifier: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import rmeval.scorers.classifier as classifier

    def broken(*args: Any) -> list[float]:
        raise RuntimeError("the accelerator fell over")

    monkeypatch.setattr(classifier.ClassifierModel, "rewards", broken)
    monkeypatch.chdir(tmp_path)
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--no-score-cache") == 1
    err = capsys.readouterr().err
    assert err == ("rmeval: error: RuntimeError: the accelerator fell over (rerun with -v to see the traceback)\n")
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--no-score-cache", "-v") == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def judge_rows(n: int, fault: str = "") -> list[dict[str, Any]]:
    return [{"subset": "s", "id": i, "prompt": f"Question {i}?{fault}", "chosen": "A long and careful answer here.",
             "rejected": "No."} for i in range(n)]


def test_a_judge_whose_every_request_fails_writes_nothing_and_exits_1(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", judge_rows(3, " <fault:500:all>"))
    out = tmp_path / "out"
    with LoopbackJudge() as server:
        code = run_cli("--scorer", "judge", "--model", "openai/longest", "--base-url", server.url, "--data",
                       str(data), "--max-retries", "0", "--no-cache", "--output-dir", str(out))
    assert code == 1 and not out.exists()
    err = capsys.readouterr().err
    assert "every one of the 3 judge requests failed" in err and "HTTP 500" in err


def test_many_failed_verdicts_are_said_first_with_the_accuracy_over_the_rest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", judge_rows(6) + [{**r, "id": 10 + i} for i, r in
                                                             enumerate(judge_rows(3, " <fault:garbage:all>"))])
    out = tmp_path / "out"
    with LoopbackJudge() as server:
        assert run_cli("--scorer", "judge", "--model", "openai/longest", "--base-url", server.url, "--data",
                       str(data), "--no-cache", "--output-dir", str(out)) == 0
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("WARNING: 3 of 9 judge verdicts (33.3 %) failed (0 lost to the token budget, "
                               "3 unparseable, 0 failed requests)")
    assert lines[3].split() == ["s", "6", "100.00"]  # over the six examples with a verdict
    result = json.loads((out / "result.json").read_text())
    assert result["metrics"]["scored_only"]["s"] == {"accuracy": 1.0, "n": 6, "ties": 0}
    assert result["metrics"]["subsets"]["s"]["accuracy"] == pytest.approx((6 + 1.5) / 9)


def test_a_hanging_request_is_bounded_by_its_deadline(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", [*judge_rows(2), {**judge_rows(1, " <fault:hang:all>")[0], "id": 5}])
    with LoopbackJudge(hang_seconds=30) as server:
        start = time.perf_counter()
        assert run_cli("--scorer", "judge", "--model", "openai/longest", "--base-url", server.url, "--data",
                       str(data), "--no-cache", "--request-timeout", "0.5", "--request-deadline", "1.2",
                       "--max-retries", "5", "--output-dir", str(tmp_path / "out")) == 0
        assert time.perf_counter() - start < 10
    counts = json.loads((tmp_path / "out" / "result.json").read_text())["metrics"]["counts"]["s"]
    assert counts["failed_requests"] == 1


def test_ctrl_c_stops_a_judge_at_once_with_one_line(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", judge_rows(200))
    with LoopbackJudge(latency=0.2) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "rmeval", "run", "--no-progress", "--scorer", "judge", "--model", "openai/longest",
             "--base-url", server.url, "--data", str(data), "--no-cache", "--concurrency", "4", "--output-dir",
             str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=interruptible)
        while server.log.requests < 8:
            time.sleep(0.05)
            assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGINT)
        seen = server.log.requests
        _, err = process.communicate(timeout=30)
        time.sleep(0.5)  # anything still sent would arrive by now
        after = server.log.requests - seen
    assert process.returncode == 130
    assert err.strip().startswith("rmeval: interrupted: nothing was written") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert after <= 4  # at most the requests already in flight (concurrency 4), not the 190 queued ones
    assert not (tmp_path / "out").exists()


def test_folders_are_consistent_or_say_so(tmp_path: Path, data: Path, llama_classifier: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out)) == 0
    (out / ".samples.jsonl.abc123").write_text("a leftover of a killed write", encoding="utf-8")
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["result.json", "samples.jsonl"]  # the leftover is gone
    samples = out / "samples.jsonl"
    original = samples.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in original.splitlines()]
    lines[0]["correct"] = 1.0 - lines[0]["correct"]
    samples.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["report", str(out)]) == 1
    text = capsys.readouterr().out
    assert "samples.jsonl is not the file result.json was computed from" in text
    assert "1 example(s) record a credit their scores do not earn" in text
    samples.write_text(original, encoding="utf-8")
    result = json.loads((out / "result.json").read_text())
    result["metrics"]["subsets"]["alpha"]["n"] += 1
    (out / "result.json").write_text(json.dumps(result), encoding="utf-8")
    assert main(["report", str(out)]) == 1
    assert "subset alpha: stored n=3" in capsys.readouterr().out
