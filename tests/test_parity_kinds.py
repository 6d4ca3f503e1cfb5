"""Parity for the kinds added for issue 23 and the conventions that differ by kind: each tiny checkpoint in its
family's published shape (parity_shapes.py), scored by rmeval and by hand from what the reference implementation
(allenai/reward-bench@05a9005e) or the model's own code feeds, agreeing to 1e-5."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
import transformers

from parity_shapes import (
    build_armo_style,
    build_oasst_pythia,
    build_side_file_head,
    build_spm_folder,
    build_starling_7b,
)
from rmeval.scorers import build_scorer
from test_parity import ROWS, close, head_at_last, run

TF5 = int(transformers.__version__.split(".")[0]) >= 5


def conversation(tok: Any, prompt: str, answer: str) -> str:
    """The tokenizer's own template, rendered by transformers."""
    return str(tok.apply_chat_template([{"role": "user", "content": prompt},
                                        {"role": "assistant", "content": answer}], tokenize=False))


@pytest.mark.parametrize("inputs", ["model", "reference"])
def test_oasst_pythia_loads_as_its_registered_class_and_appends_eos_in_reference_mode(tmp_path: Path,
                                                                                    inputs: str) -> None:
    built = build_oasst_pythia(tmp_path / "oasst")
    tok = built["tokenizer"]
    result, samples = run(tmp_path, "--preset", "oasst-rm-2.1-pythia-1.4b", "--inputs", inputs, "--model",
                          str(tmp_path / "oasst"))
    assert result["spec"]["scorer"]["pooling"] == "last"
    for row, sample in zip(ROWS, samples, strict=True):
        text = f"<|prompter|>{row['prompt']}<|endoftext|><|assistant|>{row['chosen']}<|endoftext|>"
        ids = tok(text)["input_ids"] + ([tok.eos_token_id] if inputs == "reference" else [])
        assert sample["scores_chosen"][0] == close(head_at_last(built, ids))


def test_a_reward_class_with_mean_pooling_averages_the_real_tokens(tmp_path: Path) -> None:
    built = build_oasst_pythia(tmp_path / "oasst", pooling="mean")
    scorer = build_scorer("value-head", str(tmp_path / "oasst"), chat_template="oasst-pythia", batch_size=2)
    from rmeval.types import Example, Message

    ex = Example("s", 0, (Message("user", ROWS[0]["prompt"]),), (ROWS[0]["chosen"],), (ROWS[0]["rejected"],))
    [scored] = scorer.score([ex])
    ids = built["tokenizer"](f"<|prompter|>{ROWS[0]['prompt']}<|endoftext|><|assistant|>{ROWS[0]['chosen']}"
                             "<|endoftext|>")["input_ids"]
    with torch.no_grad():
        h = built["backbone"](input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0)
    (w, b), = built["layers"]
    assert scored.chosen_scores[0] == close(float(w @ h + b))
    assert scorer.describe()["pooling"] == "mean"


@pytest.mark.skipif(not TF5, reason="the symbol exists in transformers 4.51")
def test_remote_code_written_for_4x_fails_with_the_missing_symbol(tmp_path: Path) -> None:
    build_armo_style(tmp_path / "armo", written_for_4x=True)
    with pytest.raises(ValueError, match=r"imports LLAMA_INPUTS_DOCSTRING from transformers\.models\.llama\."
                                         r"modeling_llama.*removed in transformers 4\.52.*<= 4\.51\.3.*venv-tf4"):
        build_scorer("remote-code", str(tmp_path / "armo"), trust_remote_code=True, output_field="score")


@pytest.mark.parametrize("inputs", ["model", "reference"])
def test_armorm_feeds_one_bos_as_its_card_and_two_as_the_reference_wrapper(tmp_path: Path, inputs: str) -> None:
    """Under transformers 4.51 the code that imports LLAMA_INPUTS_DOCSTRING loads; under 5, the same code without
    that import does (what changes between the versions is only the import)."""
    model = build_armo_style(tmp_path / "armo", written_for_4x=not TF5)
    tok = transformers.AutoTokenizer.from_pretrained(tmp_path / "armo")
    _, samples = run(tmp_path, "--preset", "armorm-llama3-8b-v0.1", "--inputs", inputs, "--trust-remote-code",
                     "--model", str(tmp_path / "armo"))
    for row, sample in zip(ROWS, samples, strict=True):
        text = conversation(tok, row["prompt"], row["chosen"])
        ids = tok(text, add_special_tokens=inputs == "reference")["input_ids"]
        assert ids.count(tok.bos_token_id) == (2 if inputs == "reference" else 1)
        with torch.no_grad():
            expected = float(model(input_ids=torch.tensor([ids])).score[0])
        assert sample["scores_chosen"][0] == close(expected)


def test_a_deberta_tokenizer_keeps_its_sentencepiece_normalisation(tmp_path: Path) -> None:
    """The authors' tokenizer (transformers 4's conversion of spm.model) applies the model's nmt_nfkc map: a
    ligature and full-width letters tokenize as their NFKC forms, as SentencePiece itself does."""
    sp = build_spm_folder(tmp_path / "spm")
    from rmeval.models.loading import load_tokenizer
    from rmeval.models.options import ModelOptions

    tok = load_tokenizer(str(tmp_path / "spm"), ModelOptions())
    text = "ﬁne ＡＢＣ fish"
    assert tok.tokenize(text) == sp.encode(text, out_type=str)
    assert tok(text)["input_ids"][1:-1] == tok("fine ABC fish")["input_ids"][1:-1]


def test_starling_7b_loads_its_state_dict_over_the_named_base_model(tmp_path: Path) -> None:
    built = build_starling_7b(tmp_path)
    tok = built["tokenizer"]
    _, samples = run(tmp_path, "--preset", "starling-rm-7b-alpha", "--model", str(tmp_path / "rm"),
                     "--base-model", str(tmp_path / "base"))
    for row, sample in zip(ROWS, samples, strict=True):
        ids = tok(conversation(tok, row["prompt"], row["chosen"]), add_special_tokens=False)["input_ids"]
        assert sample["scores_chosen"][0] == close(head_at_last(built, ids))


def test_skywork_vl_reads_its_head_from_the_side_file(tmp_path: Path) -> None:
    built = build_side_file_head(tmp_path / "vl")
    tok = built["tokenizer"]
    result, samples = run(tmp_path, "--preset", "skywork-vl-reward-7b", "--model", str(tmp_path / "vl"))
    assert result["spec"]["scorer"]["head_file"] == "value_head.safetensors"
    for row, sample in zip(ROWS, samples, strict=True):
        ids = tok(conversation(tok, row["prompt"], row["chosen"]), add_special_tokens=False)["input_ids"]
        assert sample["scores_rejected"][0] != sample["scores_chosen"][0]
        assert sample["scores_chosen"][0] == close(head_at_last(built, ids))


@pytest.mark.parametrize("inputs", ["model", "reference"])
def test_eurus_feeds_its_cards_sample_or_fastchats_mistral_text_with_eos_appended(tmp_path: Path,
                                                                                  inputs: str) -> None:
    from parity_shapes import build_eurus_style

    model = build_eurus_style(tmp_path / "eurus")
    tok = transformers.AutoTokenizer.from_pretrained(tmp_path / "eurus")
    _, samples = run(tmp_path, "--preset", "eurus-rm-7b", "--inputs", inputs, "--trust-remote-code",
                     "--model", str(tmp_path / "eurus"))
    for row, sample in zip(ROWS, samples, strict=True):
        if inputs == "model":  # the card: "[INST] q [/INST] a" through tokenizer()
            ids = tok(f"[INST] {row['prompt']} [/INST] {row['chosen']}")["input_ids"]
        else:  # FastChat's mistral conversation (fschat 0.2.36) and the EOS run_rm.py's add_eos_token appends
            ids = tok(f"[INST] {row['prompt']} [/INST] {row['chosen']}</s>")["input_ids"] + [tok.eos_token_id]
        with torch.no_grad():
            expected = float(model(input_ids=torch.tensor([ids]))[0, 0])
        assert sample["scores_chosen"][0] == close(expected)


@pytest.mark.skipif(not TF5, reason="the tiny Qwen2.5-VL is built in transformers 5's configuration layout")
def test_skywork_vl_on_a_qwen2_5_vl_reads_the_text_models_last_state(tmp_path: Path) -> None:
    from parity_shapes import build_qwen2_5_vl_with_side_head

    built = build_qwen2_5_vl_with_side_head(tmp_path / "vl")
    tok = built["tokenizer"]
    result, samples = run(tmp_path, "--preset", "skywork-vl-reward-7b", "--model", str(tmp_path / "vl"))
    assert result["spec"]["scorer"]["backbone"] == "Qwen2_5_VLModel"
    for row, sample in zip(ROWS, samples, strict=True):
        ids = tok(conversation(tok, row["prompt"], row["chosen"]), add_special_tokens=False)["input_ids"]
        assert sample["scores_chosen"][0] == close(head_at_last(built, ids))
