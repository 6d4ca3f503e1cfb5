"""Parity with the reference implementation (allenai/reward-bench@05a9005e) and with the models' own code, through
`rmeval run --preset NAME --inputs model|reference --model ./tiny-copy`: tiny checkpoints in each family's
published shape, scored by rmeval, and the same ids built here by hand from what the reference's scripts and
wrappers do (cited in presets.json), agree to 1e-5."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import BOS_TEMPLATE, write_jsonl
from model_shapes import build_value_head_model
from rmeval.cli import main

ROWS = [{"subset": "s", "id": i, "prompt": q, "chosen": c, "rejected": r} for i, (q, c, r) in enumerate([
    ("What is the capital of France?", "Paris is the capital of France.", "Berlin, I think."),
    ("Write a function that adds two numbers.", "def add(a, b):\n    return a + b\n", "I cannot help."),
    ("Say hello.", "Hello! How can I help you today?", "No."),
    ("Name a fox.", "The quick brown fox jumps over the lazy dog.", "A dog is not a fox, but thanks."),
])]


def close(expected: float) -> Any:
    """Agreement to 1e-5 (relative 1e-6 for rewards past 10, where float32 rounding of a batch is larger)."""
    return pytest.approx(expected, abs=1e-5, rel=1e-6)


def run(tmp_path: Path, *args: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`rmeval run ARGS` on the rows above; result.json and samples.jsonl."""
    data = write_jsonl(tmp_path / "prefs.jsonl", ROWS)
    out = tmp_path / "out"
    assert main(["run", "--no-progress", "--data", str(data), "--output-dir", str(out), "--allow-longer",
                 "--max-length", "200", "--dtype", "float32", "--no-score-cache", "--batch-size", "1", *args]) == 0
    result = json.loads((out / "result.json").read_text())
    return result, [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]


def head_at_last(built: dict[str, Any], ids: list[int], activation: Any = None) -> float:
    """The stored head applied by hand to the backbone's last hidden state of `ids` (one unpadded sequence)."""
    with torch.no_grad():
        h = built["backbone"](input_ids=torch.tensor([ids])).last_hidden_state[0, -1]
        for n, (w, b) in enumerate(built["layers"]):
            h = w @ h + (b if b is not None else 0)
            if n < len(built["layers"]) - 1 and activation is not None:
                h = activation(h)
    return float(h[0])


TEXTS = {
    # safe-rlhf's prompt and EOS (safe_rlhf/datasets/preference.py) / the pku-align FastChat text with EOS
    # appended (rewardbench/chattemplates.py, scripts/run_rm.py L242-244)
    ("beaver-7b-v1.0-reward", "model"): (lambda q, a: f"BEGINNING OF CONVERSATION: USER: {q} ASSISTANT:{a}", True),
    ("beaver-7b-v1.0-reward", "reference"): (lambda q, a: f"BEGINNING OF CONVERSATION: USER: {q} ASSISTANT: {a} ",
                                             True),
    ("beaver-7b-v1.0-cost", "reference"): (lambda q, a: f"BEGINNING OF CONVERSATION: USER: {q} ASSISTANT: {a} ",
                                           True),
    # the card's Human/Assistant lines / FastChat's openbmb text ("User: q\n\nAssistant: a\n\n") with EOS appended
    ("ultrarm-13b", "model"): (lambda q, a: f"Human: {q}\nAssistant: {a}", False),
    ("ultrarm-13b", "reference"): (lambda q, a: f"User: {q}\n\nAssistant: {a}\n\n", True),
}
SHAPES = {"beaver": ("model", "score_head"), "ultrarm": ("model", "regression_head")}


@pytest.mark.parametrize(("preset", "inputs"), sorted(TEXTS), ids=lambda v: str(v))
def test_eos_appending_presets_feed_each_conventions_ids(tmp_path: Path, preset: str, inputs: str) -> None:
    prefix, head = SHAPES[preset.split("-")[0]]
    built = build_value_head_model(tmp_path / "rm", prefix=prefix, head=head, chat_template=False)
    tok = built["tokenizer"]
    text, eos = TEXTS[(preset, inputs)]
    sign = -1.0 if preset.endswith("cost") else 1.0
    result, samples = run(tmp_path, "--preset", preset, "--inputs", inputs, "--model", str(tmp_path / "rm"))
    assert result["spec"]["scorer"]["options"]["inputs"] == inputs
    for row, sample in zip(ROWS, samples, strict=True):
        pairs = ((row["chosen"], sample["scores_chosen"][0]), (row["rejected"], sample["scores_rejected"][0]))
        for answer, got in pairs:
            ids = tok(text(row["prompt"], answer))["input_ids"] + ([tok.eos_token_id] if eos else [])
            assert got == close(sign * head_at_last(built, ids))


@pytest.mark.parametrize("inputs", ["model", "reference"])
def test_grm_feeds_a_double_bos_in_both_conventions_as_its_training_code_does(tmp_path: Path, inputs: str) -> None:
    built = build_value_head_model(tmp_path / "grm", prefix="model", head="v_head.summary", widths=(16, 1),
                                   bias=True)
    tok = built["tokenizer"]
    _, samples = run(tmp_path, "--preset", "grm-llama3-8b-sftreg", "--inputs", inputs, "--model", str(tmp_path / "grm"))
    for row, sample in zip(ROWS, samples, strict=True):
        text = tok.apply_chat_template([{"role": "user", "content": row["prompt"]},
                                        {"role": "assistant", "content": row["chosen"]}], tokenize=False)
        ids = tok(text)["input_ids"]  # encode_plus with special tokens: BOS, then the template's own BOS
        assert ids[:2] == [tok.bos_token_id] * 2
        assert sample["scores_chosen"][0] == close(head_at_last(built, ids, torch.relu))


def test_report_names_the_convention_in_its_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_value_head_model(tmp_path / "rm", prefix="model", head="score_head", chat_template=False)
    run(tmp_path, "--preset", "beaver-7b-v1.0-reward", "--inputs", "reference", "--model", str(tmp_path / "rm"))
    capsys.readouterr()
    assert main(["report", str(tmp_path / "out")]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "inputs: reference (the reference implementation's token ids)" in header


def test_a_default_classifiers_masked_double_bos_gives_the_one_bos_reward(tmp_path: Path) -> None:
    """The reference's RewardBenchPipeline masks the first of a double BOS out of attention (pipeline.py L46-74):
    with rotary positions that is the reward of one BOS, which is what rmeval feeds in both conventions."""
    from transformers import AutoModelForSequenceClassification

    from conftest import build_llama_classifier

    path = build_llama_classifier(tmp_path / "cls")
    result, samples = run(tmp_path, "--model", str(path), "--inputs", "reference")
    model = AutoModelForSequenceClassification.from_pretrained(path).eval()
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    assert tok.chat_template == BOS_TEMPLATE
    for row, sample in zip(ROWS, samples, strict=True):
        text = tok.apply_chat_template([{"role": "user", "content": row["prompt"]},
                                        {"role": "assistant", "content": row["chosen"]}], tokenize=False)
        ids = tok(text)["input_ids"]
        mask = [0] + [1] * (len(ids) - 1)
        with torch.no_grad():
            out = model(input_ids=torch.tensor([ids]), attention_mask=torch.tensor([mask])).logits[0, 0]
        assert sample["scores_chosen"][0] == close(float(out))
    assert result["spec"]["scorer"]["input_convention"]["append_token"] is None


@pytest.mark.parametrize("inputs", ["model", "reference"])
def test_athene_reads_at_the_appended_cls_with_one_bos_or_the_reference_branchs_two(tmp_path: Path,
                                                                                    inputs: str) -> None:
    from transformers import AutoTokenizer

    built = build_value_head_model(tmp_path / "athene", prefix="model", head="v_head")
    tok = AutoTokenizer.from_pretrained(tmp_path / "athene")
    tok.cls_token = "<|im_end|>"  # Athene's CLS is a special token of its tokenizer
    tok.save_pretrained(tmp_path / "athene")
    _, samples = run(tmp_path, "--preset", "athene-rm-70b", "--inputs", inputs, "--model", str(tmp_path / "athene"))
    for row, sample in zip(ROWS, samples, strict=True):
        text = tok.apply_chat_template([{"role": "user", "content": row["prompt"]},
                                        {"role": "assistant", "content": row["chosen"]}], tokenize=False)
        ids = tok(text + tok.cls_token, add_special_tokens=inputs == "reference")["input_ids"]
        assert ids[-1] == tok.cls_token_id
        assert sample["scores_chosen"][0] == close(head_at_last(built, ids))


def test_inf_orm_reads_its_two_layer_score_head_with_a_relu(tmp_path: Path) -> None:
    """INFORMForSequenceClassification (rewardbench/models/inform.py L22-86): a LlamaModel under `model.` and
    `score` = Sequential(Linear(H, H), ReLU, Linear(H, 1)), read at the last real token."""
    built = build_value_head_model(tmp_path / "inf", prefix="model", head="score", widths=(32, 1), bias=True)
    tok = built["tokenizer"]
    _, samples = run(tmp_path, "--preset", "inf-orm-llama3.1-70b", "--model", str(tmp_path / "inf"))
    for row, sample in zip(ROWS, samples, strict=True):
        text = tok.apply_chat_template([{"role": "user", "content": row["prompt"]},
                                        {"role": "assistant", "content": row["chosen"]}], tokenize=False)
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert sample["scores_chosen"][0] == close(head_at_last(built, ids, torch.relu))
