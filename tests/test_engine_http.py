"""The HTTP engines and the reliable wrapper against a real loopback server with injected faults."""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loopback_openai import LoopbackJudge
from rmeval.engines import EngineSettings, GenerationParams, build_engine
from rmeval.engines.cache import ResponseCache
from rmeval.engines.wrapper import ReliableEngine, RetryPolicy
from rmeval.types import Message

FAST = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.2)
PARAMS = GenerationParams(max_new_tokens=32)
SECRET = "sk-test-0123456789abcdef"


def chat(text: str) -> tuple[Message, ...]:
    """A pairwise judge prompt in the shape the loopback server reads."""
    return (Message("system", "Judge."),
            Message("user", f"[Answer A]\n{text}\n[End of Answer A]\n\n[Answer B]\nno\n[End of Answer B]"))


@pytest.fixture
def server() -> Iterator[LoopbackJudge]:
    with LoopbackJudge(hang_seconds=1.0) as s:
        yield s


def reliable(server: LoopbackJudge, cache: ResponseCache | None = None, concurrency: int = 8,
             timeout: float = 0.4, model: str = "openai/longest") -> ReliableEngine:
    engine = build_engine(model, EngineSettings(base_urls=(server.url,), request_timeout=timeout))
    return ReliableEngine(engine, cache, concurrency=concurrency, retry=FAST)


def test_every_transient_fault_is_retried_until_answered(server: LoopbackJudge) -> None:
    faults = ["<fault:429:2>", "<fault:500:1>", "<fault:hang:1>", "<fault:badjson:1>", "<fault:empty:2>"]
    prompts = [chat(f"a long good answer {f}") for f in faults] + [chat("plain long answer")]
    engine = reliable(server)
    answers = engine.answer(prompts, PARAMS)
    assert all(a.text is not None and a.text.endswith("[[A]]") for a in answers), answers
    assert [a.attempts for a in answers] == [3, 2, 2, 2, 3, 1]
    assert engine.stats.retries == 2 + 1 + 1 + 1 + 2
    assert engine.stats.failed == 0
    assert server.log.requests == 3 + 2 + 2 + 2 + 3 + 1
    assert set(engine.stats.errors) == {"HTTP 429", "HTTP 500", "timeout", "malformed response"}


def test_retry_after_is_honoured(server: LoopbackJudge) -> None:
    server.retry_after = "0.15"  # below FAST's cap of 0.2 s
    engine = reliable(server)
    [answer] = engine.answer([chat("wait for it <fault:429:1>")], PARAMS)
    assert answer.text is not None
    [times] = server.log.times.values()
    assert times[1] - times[0] >= 0.14  # the server's hint, not the 0.01 s backoff


def test_persistent_faults_fail_alone_and_nothing_is_lost(server: LoopbackJudge) -> None:
    prompts = [chat("x <fault:500:all>"), chat("y <fault:empty:all>"), chat("good one"), chat("z <fault:hang:all>")]
    engine = reliable(server, timeout=0.2)
    answers = engine.answer(prompts, PARAMS)
    assert [a.text is None for a in answers] == [True, True, False, True]
    assert [a.attempts for a in answers] == [4, 4, 1, 4]  # 1 + max_retries
    assert "HTTP 500" in str(answers[0].error) and "no answer" in str(answers[1].error)
    assert "timeout" in str(answers[3].error)
    assert engine.stats.failed == 3


def test_client_errors_are_not_retried_and_keys_are_redacted(server: LoopbackJudge, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("LOOPBACK_KEY", SECRET)
    cache = ResponseCache(tmp_path / "cache")
    engine = build_engine("openai/longest", EngineSettings(base_urls=(server.url,), api_key_env="LOOPBACK_KEY"))
    wrapped = ReliableEngine(engine, cache, retry=FAST)
    with caplog.at_level(logging.DEBUG, logger="rmeval"):
        bad, good = wrapped.answer([chat("echo <fault:echoauth:all>"), chat("fine answer here")], PARAMS)
    assert server.log.authorization == {f"Bearer {SECRET}"}  # the key does reach the server...
    assert bad.text is None and bad.attempts == 1 and "HTTP 400" in str(bad.error)
    assert good.text is not None
    description = json.dumps(wrapped.describe())
    cache.close()
    # ...and nothing else: not the error, the log, the description, the cache file or its keys.
    assert SECRET not in str(bad.error) and "***" in str(bad.error)
    assert SECRET not in caplog.text
    assert SECRET not in description
    assert all(SECRET.encode() not in f.read_bytes() for f in (tmp_path / "cache").iterdir())
    monkeypatch.setenv("LOOPBACK_KEY", "sk-another-key")  # the key is not part of the cache key: a rotated key
    rotated = build_engine("openai/longest", EngineSettings(base_urls=(server.url,), api_key_env="LOOPBACK_KEY"))
    before = server.log.requests
    [again] = ReliableEngine(rotated, ResponseCache(tmp_path / "cache"), retry=FAST).answer(
        [chat("fine answer here")], PARAMS)
    assert again.cached and again.text == good.text and server.log.requests == before


def test_cache_serves_a_rerun_and_retries_only_failures(server: LoopbackJudge, tmp_path: Path) -> None:
    prompts = [chat(f"answer number {i}") for i in range(6)] + [chat("broken <fault:500:all>")]
    first = reliable(server, ResponseCache(tmp_path / "c"))
    texts = first.generate(prompts + prompts[:2], PARAMS)  # duplicates in one call are requested once
    assert server.log.requests == 6 + 4
    assert texts[:2] == texts[-2:] and texts[6] is None
    again = reliable(server, ResponseCache(tmp_path / "c"))
    assert again.generate(prompts, PARAMS) == texts[:7]
    assert server.log.requests == 10 + 4  # only the failed prompt was asked again
    assert again.stats.cache_hits == 6
    other = reliable(server, ResponseCache(tmp_path / "c"))
    other.generate(prompts[:1], GenerationParams(max_new_tokens=33))  # other sampling parameters: another key
    assert server.log.requests == 15


def test_concurrency_limit_holds(server: LoopbackJudge) -> None:
    server.latency = 0.1
    engine = reliable(server, concurrency=3)
    engine.generate([chat(f"answer {i}") for i in range(12)], PARAMS)
    assert server.log.max_in_flight == 3


def test_anthropic_messages_protocol(server: LoopbackJudge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPBACK_KEY", SECRET)
    engine = build_engine("anthropic/longest", EngineSettings(base_urls=(server.root,), api_key_env="LOOPBACK_KEY"))
    [text] = ReliableEngine(engine, retry=FAST).generate([chat("a fairly long answer")], PARAMS)
    assert text is not None and text.endswith("[[A]]")
    [body] = server.log.bodies
    assert body["system"] == "Judge." and [m["role"] for m in body["messages"]] == ["user"]
    assert body["max_tokens"] == 32 and server.log.authorization == {SECRET}


def test_missing_key_for_a_provider_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        build_engine("openai/gpt-4o", EngineSettings())


def test_engines_load_their_heavy_imports_only_when_built() -> None:
    code = ("import sys, rmeval.engines, rmeval.scorers.judge, rmeval.commands.run; "
            "print(sorted(m for m in ('torch', 'transformers', 'httpx', 'vllm') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed here")
def test_vllm_without_its_extra_is_a_clear_error() -> None:
    with pytest.raises(ImportError, match=r"pip install 'rmeval\[vllm\]'"):
        build_engine("vllm/some-model", EngineSettings())
