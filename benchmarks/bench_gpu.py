"""The GPU path: an 8B-shaped random Llama sequence classifier, built on the GPU (nothing downloaded), scores every
text of RewardBench v1 at bf16 and at fast-exact through rmeval's pointwise adapter, and in fp32 for the decisions;
the same texts through a naive per-pair loop (one pair per forward pass, bf16) give the ratio.

Recorded per run: pairs per second, tokens per second, peak GPU memory, fast-exact's share re-scored and how many
of its decisions equal fp32's. Without a CUDA device it runs the same code on the CPU with a tiny Llama of the same
shape family (so the script cannot rot), and says so in the result; the GPU figures then stay open.

The model is built in memory and handed to the classifier kind's own model class, so what is measured is rmeval's
batching, padding, precision and regrouping, not a disk load of 16 GB of random weights. The tokenizer is a
byte-level BPE trained here on the benchmark's own texts (32,000 tokens; the model's vocabulary is Llama-3's
128,256, of which it uses the first ids), close to a real tokenizer's token counts.

    python benchmarks/bench_gpu.py                        # on a device: about 6 minutes on one H200
    python benchmarks/bench_gpu.py --limit 4 --out /tmp/g.json   # a quick check (examples per subset)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "rewardbench-v1" / "filtered.jsonl"
OUT = ROOT / "benchmarks" / "results" / "gpu.json"
EIGHT_B = {"hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
           "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 8192, "rope_theta": 500000.0}
"""Llama-3-8B's shape (its published config.json), as the 8B reward models of the leaderboards use it."""
TINY = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "vocab_size": 32000, "max_position_embeddings": 4096}
MAX_LENGTH = 2048


def tokenizer_for(texts: list[str]) -> Any:
    """A byte-level BPE with Llama-3-like special tokens, trained on `texts`, with a plain chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=32000, special_tokens=specials,
                                                       show_progress=False))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=specials[0], eos_token=specials[1],
                                   pad_token=specials[1], model_max_length=MAX_LENGTH)
    fast.chat_template = ("{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
                          "<|end_header_id|>\n\n{{ m['content'] }}<|eot_id|>{% endfor %}")
    return fast


def build(device: str, shape: dict[str, Any], tokenizer: Any) -> Any:
    """A seeded random Llama classifier of `shape`, in fp32, on `device`."""
    import torch
    from transformers import LlamaConfig, LlamaForSequenceClassification

    config = LlamaConfig(**shape, num_labels=1, pad_token_id=tokenizer.pad_token_id, torch_dtype="float32")
    torch.manual_seed(0)
    with torch.device(device):
        model = LlamaForSequenceClassification(config)
    return model.eval()


def scorer_of(model: Any, tokenizer: Any, precision: str, device: str) -> Any:
    """rmeval's classifier around the in-memory model, with everything its factory would give it."""
    from rmeval.inference.assemble import Placement, decoded, pointwise_scorer
    from rmeval.inference.encoding import TextEncoder
    from rmeval.inference.guards import RewardGuard
    from rmeval.scorers.classifier import ClassifierModel, ClassifierOptions

    options = ClassifierOptions(precision=precision, max_length=MAX_LENGTH, use_score_cache=False,
                                dtype="bfloat16" if precision == "bf16" else "float32")
    encoder = TextEncoder.for_model(tokenizer, model.config, options, "random-llama-8b")
    classifier = ClassifierModel("random-llama-8b", options, model, tokenizer, encoder)
    where = Placement(device, options, precision == "fast-exact")
    return pointwise_scorer(classifier, where, 0, RewardGuard("random-llama-8b", decoded(tokenizer)))


def timed_run(scorer: Any, examples: list[Any], device: str) -> dict[str, Any]:
    """One scoring pass: time, tokens, peak memory, the precision record and every pair's scores."""
    import torch

    from rmeval.benchmarks import get_benchmark

    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    scorer.prepare(get_benchmark("rewardbench"))
    start = time.perf_counter()
    scored = scorer.score(examples)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    described = scorer.describe()
    tokens = described["batching"]["real_tokens"]
    return {"seconds": round(seconds, 2), "pairs_per_second": round(len(examples) / seconds, 2),
            "tokens_per_second": round(tokens / seconds, 1), "real_tokens": tokens,
            "padded_tokens": described["batching"]["padded_tokens"],
            "peak_gpu_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if device.startswith("cuda") else None,
            "precision": {k: v for k, v in described["precision"].items() if k != "blocks"},
            "margins": [s.chosen_scores[0] - s.rejected_scores[0] for s in scored]}


def naive_loop(model: Any, tokenizer: Any, examples: list[Any], device: str) -> dict[str, Any]:
    """One pair per forward pass (chosen and rejected padded together), bf16 weights, the reward at the last token."""
    import torch

    from rmeval.data.chat import resolve_template
    from rmeval.inference.encoding import TextEncoder
    from rmeval.types import Candidate

    encoder = TextEncoder.create(tokenizer, resolve_template(tokenizer, None, "random-llama-8b"), MAX_LENGTH)
    model.to(torch.bfloat16)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    with torch.inference_mode():
        for ex in examples:
            texts = [encoder.render(Candidate(ex.prompt, answer)) for answer in (ex.chosen[0], ex.rejected[0])]
            batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt",
                              add_special_tokens=False).to(device)
            model(**batch)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    model.to(torch.float32)
    return {"seconds": round(seconds, 2), "pairs_per_second": round(len(examples) / seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="examples per subset (quick checks)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from rmeval.data import load_examples

    gpu = torch.cuda.is_available()
    device = "cuda" if gpu else "cpu"
    examples = load_examples(data=DATA, limit=args.limit).examples
    texts = [m.content for ex in examples for m in ex.prompt] + [t for ex in examples for t in ex.candidates]
    tokenizer = tokenizer_for(texts)
    built = time.perf_counter()
    model = build(device, EIGHT_B if gpu else TINY, tokenizer)
    result: dict[str, Any] = {
        "benchmark": "GPU path: 8B-shaped random Llama classifier on RewardBench v1" if gpu
        else "GPU path run on the CPU with a tiny Llama (no CUDA device here): the GPU figures are open",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": torch.cuda.get_device_name(0) if gpu else f"{platform.machine()}, {os.cpu_count()} cores, CPU",
        "command": " ".join(["python", "benchmarks/bench_gpu.py", *sys.argv[1:]]),
        "model": {**(EIGHT_B if gpu else TINY), "seed": 0, "build_seconds": round(time.perf_counter() - built, 1)},
        "pairs": len(examples), "max_length": MAX_LENGTH}
    runs = {}
    for precision in ("bf16", "fast-exact", "fp32"):
        with scorer_of(model, tokenizer, precision, device) as scorer:
            runs[precision] = timed_run(scorer, examples, device)
        print(f"{precision:>10}: {runs[precision]['pairs_per_second']} pairs/s", file=sys.stderr)
    exact = runs["fp32"].pop("margins")
    for precision in ("bf16", "fast-exact"):
        margins = runs[precision].pop("margins")
        runs[precision]["decisions_equal_to_fp32"] = sum((a > 0) == (b > 0) for a, b in zip(margins, exact,
                                                                                            strict=True))
    runs["fp32"].pop("precision")
    result["runs"] = runs
    result["naive_loop_bf16"] = naive_loop(model, tokenizer, examples, device)
    result["bf16_over_naive"] = round(runs["bf16"]["pairs_per_second"] /
                                      result["naive_loop_bf16"]["pairs_per_second"], 2)
    result["fast_exact_over_fp32"] = round(runs["fast-exact"]["pairs_per_second"] /
                                           runs["fp32"]["pairs_per_second"], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
