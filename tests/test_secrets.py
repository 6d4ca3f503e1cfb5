"""Secrets never leave memory: however a server echoes an API key or the credentials of a `--base-url` (whole, cut at
any byte, inside an answer or a long error body), no file rmeval writes (the judge's answer store included) and
nothing it prints holds a piece of them; and `--request-deadline` bounds a request that drips its body slowly."""

from __future__ import annotations

import base64
import json
import logging
import time
from pathlib import Path

import pytest

from conftest import write_jsonl
from loopback_openai import LoopbackJudge
from rmeval.cli import main
from rmeval.common.secrets import FRAGMENT, mask_command, mask_url, redact, url_secrets

KEY = "sk-live-7Qm2Vx9LpR4tZ8cW1nB6yH3kJ0dF5gS"
PASSWORD = "Pa55-w0rd-Kq8Zr3Lm"


def pieces(secret: str) -> list[str]:
    """Every run of FRAGMENT characters of `secret`: none may appear in anything rmeval writes or prints."""
    return [secret[i:i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)]


def leaked(secret: str, blob: bytes) -> list[str]:
    return [p for p in pieces(secret) if p.encode() in blob]


@pytest.mark.parametrize("cut", range(len(KEY) + 1))
def test_a_key_cut_at_any_byte_is_masked_from_either_end(cut: int) -> None:
    for piece in (KEY[:cut], KEY[cut:]):
        text = f"error: the key {piece} is not valid"
        masked = redact(text, KEY)
        if len(piece) >= FRAGMENT:
            assert not leaked(KEY, masked.encode()) and "***" in masked, masked
        else:  # a piece this short is no secret, and ordinary text must stay as it was
            assert masked == text or len(piece) == len(KEY)


def test_several_secrets_pieces_in_the_middle_and_plain_text() -> None:
    text = f"a {KEY[5:30]} b {PASSWORD[2:]} c {KEY}{PASSWORD}"
    masked = redact(text, [KEY, None, PASSWORD])
    assert not leaked(KEY, masked.encode()) and not leaked(PASSWORD, masked.encode())
    assert masked.startswith("a *** b *** c ***")
    assert redact("nothing secret in this answer: [[A]]", [KEY, PASSWORD]) == "nothing secret in this answer: [[A]]"


def test_url_credentials_are_secrets_and_never_recorded() -> None:
    url = f"https://me:{PASSWORD}@api.example.com/v1?api_key={KEY}&x=1"
    basic = base64.b64encode(f"me:{PASSWORD}".encode()).decode()
    assert {PASSWORD, f"me:{PASSWORD}", basic, KEY} <= set(url_secrets(url))
    assert mask_url(url) == "https://***@api.example.com/v1?api_key=***&x=1"
    assert mask_command(["--base-url", url, "--model", "openai/m"]) == ["--base-url", mask_url(url), "--model",
                                                                       "openai/m"]


def judge_rows(faults: list[str]) -> list[dict[str, object]]:
    return [{"subset": "s", "id": i, "prompt": f"Question {i}? {fault}", "chosen": "A long and careful answer here.",
             "rejected": "No."} for i, fault in enumerate(faults)]


def everything_written(*roots: Path) -> bytes:
    return b"\n".join(p.read_bytes() for root in roots for p in sorted(root.rglob("*")) if p.is_file())


@pytest.mark.parametrize("how", ["api-key", "url-credentials"])
def test_no_file_and_no_output_holds_a_piece_of_the_credentials(tmp_path: Path, how: str,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str],
                                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # what -v shows: httpx logs every request's URL
    data = write_jsonl(tmp_path / "d.jsonl", judge_rows(["", "<fault:echoanswer:all>", "<fault:echolong:all>",
                                                         "<fault:echoauth:all>", ""]))
    out, cache = tmp_path / "out", tmp_path / "judge-cache"
    with LoopbackJudge() as server:
        if how == "api-key":
            monkeypatch.setenv("LOOPBACK_KEY", KEY)
            flags, secrets = ["--base-url", server.url, "--api-key-env", "LOOPBACK_KEY"], [KEY]
        else:
            url = server.url.replace("http://", f"http://me:{PASSWORD}@")
            basic = base64.b64encode(f"me:{PASSWORD}".encode()).decode()
            flags, secrets = ["--base-url", url], [PASSWORD, basic]
        code = main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/longest", "--data", str(data),
                     "--max-retries", "0", "--cache-dir", str(cache), "--output-dir", str(out), *flags, "-v"])
        seen = server.log.authorization
    assert code == 0
    assert any(secrets[-1] in a for a in seen)  # the server did get them, and echoed them
    captured = capsys.readouterr()
    written = everything_written(out, cache) + (captured.out + captured.err + caplog.text).encode()
    assert "HTTP Request: POST" in caplog.text
    for secret in secrets:
        assert not leaked(secret, written), secret
    assert (cache / "judgments.sqlite").is_file()  # the judge cache (answers and thinking apart)
    result = json.loads((out / "result.json").read_text())
    assert result["metrics"]["counts"]["s"]["failed_requests"] == 2  # the two error bodies
    if how == "url-credentials":
        assert "me:" not in json.dumps(result) and "http://***@127.0.0.1" in json.dumps(result["spec"])


def test_the_deadline_bounds_a_request_that_drips_its_body(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", judge_rows(["", "<fault:drip:all>", ""]))
    with LoopbackJudge(drip_seconds=0.25) as server:  # its whole answer would take over a minute
        start = time.perf_counter()
        assert main(["run", "--no-progress", "--scorer", "judge", "--model", "openai/longest", "--base-url",
                     server.url, "--data", str(data), "--no-cache", "--request-timeout", "0.5",
                     "--request-deadline", "1.2", "--max-retries", "5", "--output-dir", str(tmp_path / "out")]) == 0
        elapsed = time.perf_counter() - start
        attempts = sorted(server.log.attempts.values())
    counts = json.loads((tmp_path / "out" / "result.json").read_text())["metrics"]["counts"]["s"]
    assert counts["failed_requests"] == 1
    assert attempts == [1, 1, 1]  # no retry fits in the deadline after a 0.5 s attempt
    assert elapsed < 30  # generous: the dripped answer alone would take 75 s
