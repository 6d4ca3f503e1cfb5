"""Locating response tokens (merges across the boundary, BOS, truncation) and the log-probability kernel's guards."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import build_llama_causal_lm, build_tokenizer
from rmeval.data.chat import ChatTemplate
from rmeval.inference.encoding import TextEncoder
from rmeval.inference.logprobs import EncodedResponse, block_mask, check_head, response_stats, row_sharing_blocker
from rmeval.inference.responses import encode_responses, response_start
from rmeval.types import Candidate, Message

# Writes BOS and the messages' contents back to back, so the prompt's last word and the answer's first merge.
GLUE_TEMPLATE = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"


def encoder_for(template: str, max_length: int = 128) -> TextEncoder:
    """A text encoder over the tiny test tokenizer with `template`."""
    return TextEncoder.create(build_tokenizer(template), ChatTemplate(template, "test"), max_length)


def test_token_merging_across_the_boundary_belongs_to_the_response() -> None:
    encoder = encoder_for(GLUE_TEMPLATE)
    tok = encoder.tokenizer
    (e,) = encode_responses(encoder, [Candidate((Message("user", "The quick brown fo"),), "x jumps")])
    tokens = tok.convert_ids_to_tokens(list(e.ids))
    assert tokens[e.start] == "Ġfox"  # 'fo' + 'x' is one token, and it carries answer text
    assert tok.decode(list(e.ids[: e.start])) == "<s>The quick brown"
    prompt_ids = tok("<s>The quick brown fo", add_special_tokens=False)["input_ids"]
    assert response_start(0, None, list(e.ids), prompt_ids) == e.start  # the prefix rule for slow tokenizers agrees


def test_one_bos_and_the_template_tail_is_response() -> None:
    from conftest import BOS_TEMPLATE

    encoder = encoder_for(BOS_TEMPLATE)
    tok = encoder.tokenizer
    (e,) = encode_responses(encoder, [Candidate((Message("user", "Hello."),), "Hi there.")])
    assert e.ids[0] == tok.bos_token_id and e.ids[1] != tok.bos_token_id
    assert tok.decode(list(e.ids[e.start :])) == "Hi there.<|im_end|>\n"
    assert tok.decode(list(e.ids[: e.start])).endswith("<|im_start|>assistant\n")


def test_truncation_cuts_the_prompt_and_keeps_the_response() -> None:
    from conftest import BOS_TEMPLATE

    long_prompt = "Please answer the question about the lazy dog. " * 3
    candidate = Candidate((Message("user", long_prompt),), "The quick brown fox jumps over the lazy dog.")
    (full,) = encode_responses(encoder_for(BOS_TEMPLATE, 256), [candidate])
    (cut,) = encode_responses(encoder_for(BOS_TEMPLATE, 24), [candidate])
    assert not full.truncated and cut.truncated and cut.length == 24
    assert cut.ids[0] == full.ids[0]  # BOS kept
    assert cut.ids[cut.start :] == full.ids[full.start :]  # the whole response, end included
    (tiny,) = encode_responses(encoder_for(BOS_TEMPLATE, 6), [candidate])
    assert tiny.ids[-5:] == full.ids[-5:] and tiny.start == 1  # even the response is cut: its end survives


def test_a_template_that_renders_the_prompt_differently_is_an_error() -> None:
    odd = ("{{ bos_token }}{% for m in messages %}{{ m['content'] }}|{% endfor %}"
           "{% if add_generation_prompt %}>{% endif %}")
    with pytest.raises(ValueError, match="does not start with the prompt"):
        encode_responses(encoder_for(odd), [Candidate((Message("user", "Hi"),), "Hello")])


def test_block_mask_isolates_answers_and_keeps_pads_finite() -> None:
    import torch

    segments = torch.tensor([[0, 0, 1, 1, 2, -1]])
    allowed = block_mask(segments, torch.float32, boolean=True)[0, 0]
    assert allowed[4].tolist() == [True, True, False, False, True, False]  # answer 2 sees the prompt and itself
    assert allowed[3].tolist() == [True, True, True, True, False, False]
    assert allowed[5].tolist() == [False] * 5 + [True]  # a pad attends to itself only
    additive = block_mask(segments, torch.float32, boolean=False)[0, 0]
    assert bool((additive == 0).eq(allowed).all())


def test_softcapped_logits_match_the_model(tmp_path: Path) -> None:
    import torch
    from transformers import Gemma2Config, Gemma2ForCausalLM

    tok = build_tokenizer()
    config = Gemma2Config(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, head_dim=8, max_position_embeddings=128,
                          final_logit_softcapping=3.0, initializer_range=0.3, pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    model = Gemma2ForCausalLM(config).eval()
    check_head(model)
    ids = (1, 20, 30, 40, 50, 60)
    (stats,) = response_stats(model, [EncodedResponse(ids, 3, False)])
    with torch.no_grad():
        logps = model(input_ids=torch.tensor([ids])).logits[0].double().log_softmax(-1)
    assert stats.logp_sum == pytest.approx(sum(float(logps[t - 1, ids[t]]) for t in range(3, 6)), rel=1e-5)


def test_unknown_logit_post_processing_is_refused(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(build_llama_causal_lm(tmp_path), dtype=torch.float32)
    model.config.logit_scale = 2.0  # Llama ignores it; rmeval's head would scale: the check must notice
    with pytest.raises(ValueError, match="transforms its logits"):
        check_head(model)


def test_rows_are_shared_only_where_the_attention_takes_a_block_mask(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(build_llama_causal_lm(tmp_path), dtype=torch.float32)
    assert row_sharing_blocker(model) is None
    model.config._attn_implementation = "flash_attention_2"
    assert row_sharing_blocker(model) == "flash_attention_2 attention takes no custom block mask"
    two = [EncodedResponse((1, 5, 6, 7), 2, False), EncodedResponse((1, 5, 8), 2, False)]
    with pytest.raises(ValueError, match="pass --no-share-prompts"):
        response_stats(model, two, share_prompts=True)
