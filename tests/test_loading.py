"""Loading through the shared loader: a device map, the quantization options' clear errors without CUDA or
bitsandbytes, the load report in result.json (unused checkpoint weights), and the NaN guard."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from model_shapes import build_value_head_model
from rmeval.common.extras import MissingExtra
from rmeval.models.options import parse_max_memory
from rmeval.scorers import build_scorer
from rmeval.types import Example, Message

EXAMPLES = [Example("s", i, (Message("user", f"Question {i}: what is {i} plus {i}?"),),
                    (f"The answer is {2 * i}, because adding a number to itself doubles it.",),
                    (f"The answer is {2 * i + 1}.",)) for i in range(5)]


def rewards(scorer: object) -> list[float]:
    scored = scorer.score(EXAMPLES)  # type: ignore[attr-defined]
    return [x for s in scored for x in (*s.chosen_scores, *s.rejected_scores)]


def test_a_device_map_places_the_model_through_accelerate_and_is_recorded(llama_classifier: Path) -> None:
    plain = build_scorer("classifier", str(llama_classifier), precision="fp32")
    mapped = build_scorer("classifier", str(llama_classifier), device_map="auto", max_memory="cpu=4GiB")
    assert max(abs(a - b) for a, b in zip(rewards(plain), rewards(mapped), strict=True)) < 1e-5
    load = mapped.describe()["load"]
    assert load["device_map"] and set(load["device_map"].values()) == {"cpu"}
    assert plain.describe()["load"]["device_map"] is None and load["quantization"] is None


@pytest.mark.parametrize(("options", "message"), [
    ({"max_memory": "cpu=4GiB"}, "--max-memory applies to a model spread with --device-map"),
    ({"device_map": "auto", "max_memory": "lots"}, "expected DEVICE=SIZE pairs"),
])
def test_memory_options_are_checked_before_loading(llama_classifier: Path, options: dict[str, str],
                                                   message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_scorer("classifier", str(llama_classifier), **options)
    assert parse_max_memory("0=20GiB,cpu=64GiB") == {0: "20GiB", "cpu": "64GiB"}


def test_quantization_needs_cuda_and_bitsandbytes(llama_classifier: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="--quantization 8bit needs a CUDA GPU"):
            build_scorer("classifier", str(llama_classifier), quantization="8bit")
    if importlib.util.find_spec("bitsandbytes") is None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        with pytest.raises(MissingExtra, match=r"--quantization 4bit needs bitsandbytes.*rmeval\[quant\]"):
            build_scorer("classifier", str(llama_classifier), quantization="4bit")


def test_checkpoint_weights_the_model_leaves_unused_are_recorded(tmp_path: Path) -> None:
    from safetensors.torch import load_file, save_file

    build_value_head_model(tmp_path / "rm", prefix="model")
    tensors = load_file(str(tmp_path / "rm" / "model.safetensors"))
    tensors["lm_head.weight"] = torch.zeros(8, 32)  # a language-model head kept beside the value head
    save_file(tensors, str(tmp_path / "rm" / "model.safetensors"), metadata={"format": "pt"})
    load = build_scorer("value-head", str(tmp_path / "rm")).describe()["load"]
    assert load["unused_weights"] == {"count": 1, "names": ["lm_head.weight"]}
    assert load["newly_initialised"]["count"] == 0 and load["dtype"] == "float32"


def test_a_reward_that_is_not_a_number_stops_the_run_with_the_text(tmp_path: Path) -> None:
    from safetensors.torch import load_file, save_file

    build_value_head_model(tmp_path / "rm", prefix="model")
    tensors = load_file(str(tmp_path / "rm" / "model.safetensors"))
    tensors["v_head.weight"] = torch.full_like(tensors["v_head.weight"], float("nan"))
    save_file(tensors, str(tmp_path / "rm" / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(ValueError, match=r"gave a reward of nan for 10 of the 10 texts.*e\.g\. '.*answer is"):
        build_scorer("value-head", str(tmp_path / "rm"), max_tokens_per_batch=100_000).score(EXAMPLES)


def test_allow_new_head_lets_a_test_score_an_untrained_head(tmp_path: Path) -> None:
    from conftest import build_llama_causal_lm

    path = build_llama_causal_lm(tmp_path / "lm")
    with pytest.raises(ValueError, match=r"newly initialised \(score\.weight\)"):
        build_scorer("classifier", str(path))
    scorer = build_scorer("classifier", str(path), allow_new_head=True, score_index=0)
    assert len(rewards(scorer)) == 10
    load = scorer.describe()["load"]
    assert load["newly_initialised"]["names"] == ["score.weight"] and load["unused_weights"]["names"] == [
        "lm_head.weight"]


def test_a_bare_encoder_loaded_as_a_classifier_stops(tmp_path: Path) -> None:
    from transformers import BertConfig, BertModel

    from conftest import build_wordpiece_tokenizer

    tokenizer = build_wordpiece_tokenizer()
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=4, max_position_embeddings=64)
    BertModel(config).save_pretrained(tmp_path / "encoder")  # a sentence encoder: no classification head
    tokenizer.save_pretrained(tmp_path / "encoder")
    with pytest.raises(ValueError, match=r"newly initialised \(.*classifier\.weight.*--allow-new-head"):
        build_scorer("classifier", str(tmp_path / "encoder"), chat_template="raw")
