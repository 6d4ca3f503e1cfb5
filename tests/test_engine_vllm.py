"""The vLLM engine against a stand-in module with vLLM's offline interface (tests/fake_vllm.py): K samples through
vLLM's own `n` (sample i seeded seed + i), stop reasons and token counts, tensor parallelism, raw prompts, and the
same cache and results as the HTTP path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import fake_vllm
from loopback_openai import LoopbackJudge
from rmeval.benchmarks import custom_benchmark
from rmeval.engines.vllm_engine import VLLMEngine
from rmeval.evaluate import evaluate
from rmeval.results import RunResult
from rmeval.scorers import build_scorer
from rmeval.scorers.judge import JudgeScorer
from rmeval.types import Example, Message


@pytest.fixture(autouse=True)
def vllm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(sys.modules, "vllm", fake_vllm.module())
    fake_vllm.LLM.created.clear()
    yield


def pairs(n: int, note: str = "") -> list[Example]:
    return [Example("chat", i, (Message("user", f"Question {i} {note}"),), (" ".join(["solid"] * (4 + i % 3)),),
                    ("weak " * (1 + i % 3),)) for i in range(n)]


def run(scorer: object, examples: list[Example]) -> RunResult:
    assert isinstance(scorer, JudgeScorer)
    with scorer:
        return evaluate(scorer, examples, custom_benchmark("pair"), data_source={}, versions={}, progress=False,
                        bootstrap=0)


def test_k_samples_go_through_vllms_n_and_k8_after_k4_draws_only_the_new_ones(tmp_path: Path) -> None:
    options = {"samples": 4, "temperature": 0.7, "tensor_parallel_size": 2, "cache_dir": tmp_path / "c",
               "max_new_tokens": 256}
    four = run(build_scorer("judge", "vllm/longest-noisy", seed=5, **options), pairs(6))
    [llm] = fake_vllm.LLM.created
    assert llm.tensor_parallel_size == 2 and four.spec.scorer["judges"][0]["tensor_parallel_size"] == 2
    assert llm.calls == [("chat", [(4, 5, 256)] * 6)]  # one call; each prompt one request of n=4 from seed 5
    eight = run(build_scorer("judge", "vllm/longest-noisy", seed=5, **{**options, "samples": 8}), pairs(6))
    assert fake_vllm.LLM.created[1].calls == [("chat", [(4, 5 + 4, 256)] * 6)]  # samples 4-7: n=4 from seed 9
    for s in eight.samples:
        assert len(s.details["judges"][0]["samples"][0]) == 8
    assert eight.spec.scorer["judges"][0]["requests"]["cache_hits"] == 6 * 4


def test_the_same_results_as_the_http_path() -> None:
    options = {"samples": 3, "temperature": 0.5, "max_new_tokens": 256}
    local = run(build_scorer("judge", "vllm/longest-noisy-think", seed=1, use_cache=False, **options), pairs(8))
    with LoopbackJudge() as server:
        http = run(build_scorer("judge", "openai/longest-noisy-think", seed=1, use_cache=False,
                                base_urls=(server.url,), **options), pairs(8))
    assert [s.correct for s in local.samples] == [s.correct for s in http.samples]
    assert [s.details["judges"][0]["samples"] for s in local.samples] == [
        s.details["judges"][0]["samples"] for s in http.samples]  # verdicts, stop reasons and token counts
    assert local.metrics.counts == http.metrics.counts


def test_stop_reasons_token_counts_and_budgets() -> None:
    run_ = run(build_scorer("judge", "vllm/longest-think", max_new_tokens=40, use_cache=False), pairs(8))
    records = [s.details["judges"][0]["samples"][0][0] for s in run_.samples]
    assert {r["stop"] for r in records} == {"end_of_turn", "token_budget"}
    for r in records:
        prompt, completion, thinking = r["tokens"]
        assert prompt > 0 and 0 < thinking <= completion <= 40
    lost = sum(r["stop"] == "token_budget" for r in records)
    assert run_.metrics.counts["chat"]["lost_to_budget"] == lost


def test_raw_formats_go_through_generate_and_long_prompts_fail_alone() -> None:
    huge = Example("chat", 99, (Message("user", "word " * 3000),), ("a b c",), ("a",))
    result = run(build_scorer("judge", "vllm/longest@judgelm", judge_formats=("judgelm",), use_cache=False),
                 [*pairs(4), huge])
    [llm] = fake_vllm.LLM.created
    assert llm.calls[0][0] == "generate"  # JudgeLM's raw prompt: plain text, no chat template
    assert result.metrics.counts["chat"]["failed_requests"] == 1  # the prompt past the context, alone
    assert sum(s.correct for s in result.samples[:4]) == 4


def test_the_engine_reports_what_vllm_says() -> None:
    from rmeval.engines.base import GenerationParams

    engine = VLLMEngine("longest-think", tensor_parallel_size=1)
    prompt = (Message("user", "[Answer A]\na b c\n[End of Answer A]\n\n[Answer B]\nd\n[End of Answer B]"),)
    [[first, second]] = engine.generate_samples([(prompt, GenerationParams(max_new_tokens=400, temperature=0.3,
                                                                           seed=2), 2)])
    assert first is not None and second is not None
    assert first.finish == "end_of_turn" and first.text.endswith("[[A]]") and first.thinking_tokens
    assert engine.describe()["tensor_parallel_size"] == 1
