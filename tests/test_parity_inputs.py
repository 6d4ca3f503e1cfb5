"""Parity of the input conventions that are code, not options: Better-PairRM's reference layout, the reference's
DPO tokenization and truncation, the reference's EOS rule for tokenizers without a template; and the presets table
(at least 70 models, each fact that can be checked offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import build_llama_causal_lm, build_tokenizer
from model_shapes import PAIRRM_MARKERS, build_pairrm_model
from rmeval.cli import main
from rmeval.inference.encoding import InputConvention, reference_convention
from rmeval.inference.pairwise import OrderedPair
from rmeval.presets import presets
from rmeval.scorers import build_scorer
from rmeval.types import Message
from test_pair_ranker import by_hand as pairrm_by_hand
from test_parity import ROWS, close

BETTER = {"pair_format": "better-pairrm", "backbone_prefix": "pretrained_model", "head_activation": "tanh"}


def reference_pair(tok: Any, q: str, first: str, second: str, source_max: int, cand_max: int) -> list[int]:
    """Better-PairRM's ids as rewardbench/models/betterpairrm.py builds them, written out: the indented template's
    text, each part tokenized, cut and decoded back, then `[CLS] <|source|> [SEP]` + the conversation framed."""
    def roundtrip(text: str, limit: int, keep_end: bool) -> str:
        ids = tok.encode(text, add_special_tokens=False)
        return str(tok.decode(ids[-limit:] if keep_end else ids[:limit], skip_special_tokens=True))

    def framed(text: str, limit: int, keep_end: bool) -> list[int]:
        ids = tok.encode(text)
        if len(ids) <= limit:
            return list(ids)
        body = ids[1:-1]
        return [ids[0], *(body[-(limit - 2):] if keep_end else body[: limit - 2]), ids[-1]]

    source = roundtrip(f"USER: {q.strip()}\n    \n    ASSISTANT: ", source_max, True)
    answers = [roundtrip(a, cand_max, False) for a in (first, second)]
    head = list(tok.encode(PAIRRM_MARKERS[0]))
    ids = head + framed(source, source_max - len(head), True)
    room = (source_max + 2 * cand_max - len(ids)) // 2
    return ids + framed(PAIRRM_MARKERS[1] + answers[0], room, False) + framed(PAIRRM_MARKERS[2] + answers[1], room,
                                                                             False)


@pytest.mark.parametrize(("source_max", "cand_max"), [(2030, 670), (14, 9)], ids=["preset", "truncating"])
def test_better_pairrm_reference_layout(tmp_path: Path, source_max: int, cand_max: int) -> None:
    built = build_pairrm_model(tmp_path / "bp")
    scorer = build_scorer("pair-ranker", str(tmp_path / "bp"), **BETTER, inputs="reference",
                          source_max_tokens=source_max, candidate_max_tokens=cand_max)
    ranker, tok = scorer.model, built["tokenizer"]
    for row in ROWS:
        prompt = (Message("user", row["prompt"]),)
        [enc] = ranker.encode([OrderedPair(prompt, row["chosen"], row["rejected"])])
        expected = reference_pair(tok, row["prompt"], row["chosen"], row["rejected"], source_max, cand_max)
        assert list(enc.ids) == expected
        assert expected[:3] == [tok.cls_token_id, tok.convert_tokens_to_ids("<|source|>"), tok.sep_token_id]
        [value] = ranker.preferences([enc])
        assert value == close(pairrm_by_hand(built, tok, tuple(expected)))
    model_mode = build_scorer("pair-ranker", str(tmp_path / "bp"), **BETTER).model
    [own] = model_mode.encode([OrderedPair((Message("user", "Hi"),), "a", "b")])
    assert own.ids[:2] == (tok.cls_token_id, tok.convert_tokens_to_ids("<|source|>"))  # one frame, no [SEP] after


def logp(model: Any, ids: list[int], start: int) -> float:
    """The sum of log p(ids[t] | ids[:t]) for t from `start` on."""
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0].float().log_softmax(-1)
    return float(sum(logits[t - 1, ids[t]] for t in range(start, len(ids))))


def reference_dpo(tok: Any, q: str, chosen: str, rejected: str) -> list[tuple[list[int], int]]:
    """rewardbench/dpo.py's tokenize_row written out for the tulu template: (ids, first answer index) of chosen
    and rejected."""
    prompt = f"<|user|>\n{q}\n"
    parts = []
    for answer in (chosen, rejected):
        rest = (prompt + f"<|assistant|>\n{answer}\n").replace(prompt, "")
        p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
        full = tok(prompt + rest, add_special_tokens=False)["input_ids"]
        start = len(p_ids) - (p_ids != full[: len(p_ids)])
        bos = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        parts.append(([bos, *full[:start]], [*full[start:], tok.eos_token_id]))
    longer = max(len(a) for _, a in parts)
    out = []
    for p, a in parts:
        if len(p) + longer > 2048:
            p = p[-128:]
        if len(p) + longer > 2048:
            a = a[: 2048 - 128]
        out.append((p + a, len(p)))
    return out


def test_tulu_dpo_reference_counts_the_header_and_eos_and_truncates_as_the_reference(tmp_path: Path) -> None:
    policy = build_llama_causal_lm(tmp_path / "policy", chat_template=None)
    ref = build_llama_causal_lm(tmp_path / "ref", seed=1, chat_template=None)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    models = [AutoModelForCausalLM.from_pretrained(p).float().eval() for p in (policy, ref)]
    tok = AutoTokenizer.from_pretrained(policy)
    long_prompt = "The quick brown fox jumps over the lazy dog. " * 230  # past 2,048 tokens
    rows = [*ROWS, {"subset": "s", "id": 9, "prompt": long_prompt, "chosen": "A fox.", "rejected": "A dog, surely."}]
    from conftest import write_jsonl

    data = write_jsonl(tmp_path / "dpo.jsonl", rows)
    out = tmp_path / "out"
    assert main(["run", "--no-progress", "--data", str(data), "--output-dir", str(out), "--preset", "tulu-2-dpo-7b",
                 "--model", str(policy), "--ref-model", str(ref), "--inputs", "reference", "--dtype", "float32",
                 "--no-score-cache", "--no-ref-cache", "--batch-size", "1", "--no-share-prompts"]) == 0
    import json

    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    for row, sample in zip(rows, samples, strict=True):
        (c_ids, c_start), (r_ids, r_start) = reference_dpo(tok, row["prompt"], row["chosen"], row["rejected"])
        assert len(tok(row["prompt"])["input_ids"]) < 2048 or len(c_ids) <= 2048
        for (ids, start), got in (((c_ids, c_start), sample["scores_chosen"][0]),
                                  ((r_ids, r_start), sample["scores_rejected"][0])):
            # A difference of two sums of log-probabilities: agreement to 1e-5 relative to those sums (float32).
            lp, lr = logp(models[0], ids, start), logp(models[1], ids, start)
            assert got == pytest.approx(lp - lr, abs=1e-5 * (1 + abs(lp) + abs(lr))), (row["id"], len(ids), start)


def test_the_dpo_reference_prepends_eos_where_the_tokenizer_has_no_bos() -> None:
    from rmeval.data.chat import resolve_template
    from rmeval.inference.encoding import TextEncoder
    from rmeval.scorers.dpo_reference import split_reference
    from rmeval.types import Candidate

    tok = build_tokenizer(chat_template=None)
    tok.bos_token = None
    encoder = TextEncoder(tok, resolve_template(tok, "tulu"), 2048, add_special_tokens=False)
    candidate = Candidate((Message("user", "Say hello."),), "Hello!")
    prompt, answer = split_reference(encoder, candidate, "<|user|>\nSay hello.\n")
    assert prompt[0] == tok.eos_token_id and answer[-1] == tok.eos_token_id
    assert tok.decode(answer[:-1]) == "<|assistant|>\nHello!\n"


def test_the_references_eos_rule_applies_to_the_tokenizers_that_honour_add_eos_token() -> None:
    from transformers import PreTrainedTokenizerFast

    class LlamaTokenizerFast(PreTrainedTokenizerFast):  # the class name is what transformers 4.57.6 decides by
        pass

    plain = build_tokenizer(chat_template=None)
    llama = LlamaTokenizerFast(tokenizer_object=plain.backend_tokenizer, bos_token="<s>", eos_token="</s>")
    base = InputConvention()
    assert reference_convention(llama, base, "reference").append == "eos_token"
    assert reference_convention(llama, base, "model").append is None
    assert reference_convention(plain, base, "reference").append is None  # its class ignores add_eos_token
    llama.chat_template = "{{ messages[0]['content'] }}"
    assert reference_convention(llama, base, "reference").append is None  # the template decides


def test_at_least_seventy_presets_with_the_new_kinds_and_every_checkable_fact(
        capsys: pytest.CaptureFixture[str]) -> None:
    table = presets()
    assert len(table) >= 70
    assert {"starling-rm-7b-alpha", "skywork-vl-reward-7b", "inf-orm-llama3.1-70b", "qrm-llama3.1-8b",
            "ldl-reward-gemma-2-27b-v0.1", "urm-llama-3.1-8b", "worldpm-72b", "ziya-llama-7b-reward",
            "llama-3-offsetbias-rm-8b", "llama-3.1-tulu-3-8b-rm", "skywork-reward-v2-qwen3-0.6b"} <= set(table)
    assert all(p.inputs["model"] and p.inputs["reference"] for p in table.values())
    assert main(["models", "--check"]) == 0
    assert "every offline-checkable fact holds" in capsys.readouterr().out
    assert main(["models"]) == 0
    listed = capsys.readouterr().out
    assert "starling-rm-7b-alpha" in listed and "skywork-vl-reward-7b" in listed


def test_rewardbench2_reference_runs_cut_long_texts_on_the_right_as_run_v2_does(tmp_path: Path) -> None:
    from test_presets import config_of

    config = config_of("--model", str(tmp_path), "--inputs", "reference", "--benchmark", "rewardbench2")
    assert config.options.truncation_side == "right"
    assert config_of("--model", str(tmp_path), "--inputs", "reference").options.truncation_side == "left"
    kept = config_of("--model", str(tmp_path), "--inputs", "reference", "--benchmark", "rewardbench2",
                     "--truncation-side", "left")
    assert kept.options.truncation_side == "left"


def test_truncation_keeps_the_special_tokens_and_the_appended_one_on_either_side() -> None:
    from rmeval.data.chat import resolve_template
    from rmeval.inference.encoding import TextEncoder

    tok = build_tokenizer(chat_template=None)
    template = resolve_template(tok, "raw")
    for side in ("left", "right"):
        encoder = TextEncoder.create(tok, template, 6, InputConvention("auto", "eos_token", side))
        ids = [tok.bos_token_id, 10, 11, 12, 13, 14, 15]
        cut, was_cut = encoder.fit(ids)
        body = [12, 13, 14, 15] if side == "left" else [10, 11, 12, 13]
        assert (cut, was_cut) == ([tok.bos_token_id, *body, tok.eos_token_id], True)


def reference_pairrm(tok: Any, q: str, first: str, second: str, source_max: int, cand_max: int) -> list[int]:
    """PairRM-hf's ids as rewardbench/models/pairrm.py (tokenize_conv_pair, tokenize_pair) builds them, written
    out for one user turn: each part encoded with its marker as one string, with special tokens, cut on the right."""
    instruction = "Finish the following coversation in each i-th turn by filling in <Response i> with your response."
    source = tok.encode(PAIRRM_MARKERS[0] + instruction + f"USER: {q}\nAssistant: <Response 1>",
                        max_length=source_max, truncation=True)
    room = (source_max + 2 * cand_max - len(source)) // 2
    return source + [i for marker, answer in zip(PAIRRM_MARKERS[1:], (first, second), strict=True)
                     for i in tok.encode(f"{marker}<Response 1>: {answer}", max_length=room, truncation=True)]


@pytest.mark.parametrize(("source_max", "cand_max"), [(1224, 412), (20, 10)], ids=["preset", "truncating"])
def test_pairrm_reference_ids_are_its_own(tmp_path: Path, source_max: int, cand_max: int) -> None:
    built = build_pairrm_model(tmp_path / "prm")
    options = {**BETTER, "pair_format": "pairrm", "source_max_tokens": source_max, "candidate_max_tokens": cand_max}
    for inputs in ("model", "reference"):
        ranker = build_scorer("pair-ranker", str(tmp_path / "prm"), **options, inputs=inputs).model
        for row in ROWS:
            [enc] = ranker.encode([OrderedPair((Message("user", row["prompt"]),), row["chosen"], row["rejected"])])
            expected = reference_pairrm(built["tokenizer"], row["prompt"], row["chosen"], row["rejected"],
                                        source_max, cand_max)
            assert list(enc.ids) == expected, (inputs, row["id"])
