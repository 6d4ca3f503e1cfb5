"""Implicit (DPO) reward speed and memory on a fixed 300-row sample of RewardBench v1: rmeval against a naive loop.

Policy and reference are both SmolLM2-135M-Instruct (the `smollm2-135m-instruct` preset, fp32, max length 2048).
Every variant scores the same token ids (rmeval's rendering and response location); only the computation differs:

- rmeval: candidates deduplicated, answers sharing a prompt laid out in one row (the prompt runs once), rows sorted
  by length and packed by a padded-token budget; only response positions go through the LM head, in chunks; the
  reference's log-probabilities are read from / written to the on-disk cache.
- naive: dataset order, batches of 8 examples, a separate forward for chosen and for rejected, the full-vocabulary
  log-softmax of every position, policy and reference alike.

With the same model as policy and reference every reward is exactly 0, so decisions there are all ties on both
sides. Decisions are therefore also compared where they mean something: the reference-free `avg` reward (the
default preset's), rmeval's own run against the naive loop's policy pass. The cost of a second policy against a
cached reference is a second rmeval run on the warm cache: no reference forward pass, the reference not even loaded.

Each variant runs in its own subprocess, so its peak resident memory is its own.

    .venv/bin/python benchmarks/bench_implicit.py                      # writes benchmarks/results/implicit.json
    .venv/bin/python benchmarks/bench_implicit.py --rows 20 --out /tmp/i.json   # quick check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "rewardbench-v1" / "filtered.jsonl"
OUT = ROOT / "benchmarks" / "results" / "implicit.json"
MODEL = "smollm2-135m-instruct"
NAIVE_BATCH = 8
VARIANTS = ("rmeval-ref-cold", "rmeval-ref-warm", "rmeval-ref-free", "rmeval-ref-free-unshared", "naive")
"""Cold: empty reference cache. Warm: a second run against the filled cache. Unshared: one row per answer."""


def sample_examples(rows: int, seed: int) -> list[Any]:
    """A seeded sample of the shared RewardBench v1 file, kept in dataset order."""
    from rmeval.benchmarks import get_benchmark
    from rmeval.data.files import read_file_rows
    from rmeval.data.schema import rows_to_examples

    numbered = list(read_file_rows(DATA))
    picked = sorted(random.Random(seed).sample(range(len(numbered)), rows))
    return rows_to_examples([numbered[i] for i in picked], str(DATA), get_benchmark("rewardbench"))


def naive_logps(model: Any, items: list[Any], pad_id: int) -> list[list[float]]:
    """The textbook way: right-padded batch, logits at every position, full log-softmax, then gather."""
    import torch

    width = max(e.length for e in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for row, e in enumerate(items):
        ids[row, : e.length] = torch.tensor(e.ids)
        mask[row, : e.length] = 1
    with torch.inference_mode():
        logps = model(input_ids=ids, attention_mask=mask).logits.float().log_softmax(-1)
        return [[float(logps[row, t - 1, e.ids[t]]) for t in range(e.start, e.length)] for row, e in enumerate(items)]


def run_naive(examples: list[Any]) -> dict[str, Any]:
    """Policy and reference, batches of 8 examples in dataset order, chosen and rejected apart."""
    from rmeval.scorers.implicit import ImplicitOptions, load_causal_lm
    from rmeval.types import Candidate

    start = time.perf_counter()
    scorer: Any
    scorer, _ = _build(ref_free="avg", dtype="float32", max_length=2048)
    implicit = scorer.model.inner
    policy, encoder = implicit.policy, implicit.encoder
    reference, _ = load_causal_lm(implicit.info["weights"], None, ImplicitOptions(dtype="float32"), "cpu")
    pad_id = int(encoder.tokenizer.pad_token_id)
    loaded = time.perf_counter()
    rewards, averages = [], []
    for lo in range(0, len(examples), NAIVE_BATCH):
        batch = examples[lo : lo + NAIVE_BATCH]
        sides = []
        for side in ("chosen", "rejected"):
            items = implicit.encode([Candidate(ex.prompt, getattr(ex, side)[0]) for ex in batch])
            pol, ref = naive_logps(policy, items, pad_id), naive_logps(reference, items, pad_id)
            sides.append([(sum(p) - sum(r), sum(p) / len(p)) for p, r in zip(pol, ref, strict=True)])
        rewards += [[c[0], r[0]] for c, r in zip(*sides, strict=True)]
        averages += [[c[1], r[1]] for c, r in zip(*sides, strict=True)]
    return {"load_seconds": loaded - start, "seconds": time.perf_counter() - loaded, "rewards": rewards,
            "ref_free_avg": averages}


def _build(**options: Any) -> tuple[Any, float]:
    """The implicit scorer of `options` on the model, and its load time."""
    from rmeval.scorers import build_scorer

    start = time.perf_counter()
    scorer = build_scorer("implicit", MODEL, precision="fp32", **options)  # one dtype (fast-exact: bench_precision)
    return scorer, time.perf_counter() - start


def run_rmeval(examples: list[Any], reference: bool, cache: Path, share: bool) -> dict[str, Any]:
    """rmeval's scorer as `rmeval run --model smollm2-135m-instruct [--ref-model smollm2-135m-instruct]` builds it."""
    scorer: Any
    scorer, load = _build(dtype="float32", max_length=2048, ref_cache=cache, ref_model=MODEL if reference else None,
                          ref_free=None if reference else "avg", share_prompts=share)
    start = time.perf_counter()
    scored = scorer.score(examples)
    seconds = time.perf_counter() - start
    spec = scorer.describe()
    ref = spec["reference"] or {}
    return {"load_seconds": load, "seconds": seconds, "batching": spec["batching"],
            "reference_forward_items": ref.get("forward_items"), "reference_loaded": ref.get("loaded"),
            "reference_load_seconds": ref.get("load_seconds"), "cache": ref.get("cache"),
            "rewards": [[*s.chosen_scores, *s.rejected_scores] for s in scored]}


def worker(args: argparse.Namespace) -> None:
    """One variant in this process; prints its JSON record."""
    import torch

    examples = sample_examples(args.rows, args.seed)
    if args.variant == "naive":
        record = run_naive(examples)
    else:
        record = run_rmeval(examples, "ref-free" not in args.variant, args.cache, "unshared" not in args.variant)
    record["pairs_per_second"] = len(examples) / record["seconds"]
    record["total_seconds"] = record["load_seconds"] + record["seconds"]
    record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    record["threads"] = torch.get_num_threads()
    print(json.dumps(record))


def decisions(a: list[list[float]], b: list[list[float]]) -> dict[str, Any]:
    """How often two runs rank chosen over rejected alike, and how far their numbers are apart."""
    same = sum((x[0] > x[1]) == (y[0] > y[1]) and (x[0] == x[1]) == (y[0] == y[1]) for x, y in zip(a, b, strict=True))
    diff = max(abs(u - v) for x, y in zip(a, b, strict=True) for u, v in zip(x, y, strict=True))
    return {"equal_decisions": same, "pairs": len(a), "ties_a": sum(x[0] == x[1] for x in a),
            "ties_b": sum(y[0] == y[1] for y in b), "max_abs_difference": diff}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.variant:
        worker(args)
        return
    from rmeval.presets import resolve_model_path

    resolve_model_path(MODEL)  # convert the GGUF once, outside every timed run
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as cache:
        for variant in VARIANTS:
            cmd = [sys.executable, __file__, "--variant", variant, "--rows", str(args.rows), "--seed", str(args.seed),
                   "--cache", cache]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            runs[variant] = json.loads(done.stdout.strip().splitlines()[-1])
            r = runs[variant]
            print(f"{variant:>16}: {r['pairs_per_second']:.3f} pairs/s, scoring {r['seconds']:.1f} s, "
                  f"total {r['total_seconds']:.1f} s, peak {r['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
    report(args, runs)


def report(args: argparse.Namespace, runs: dict[str, dict[str, Any]]) -> None:
    """Compare the runs against the targets and write the result file."""
    cold, warm, free, naive = (runs[k] for k in ("rmeval-ref-cold", "rmeval-ref-warm", "rmeval-ref-free", "naive"))
    with_ref = decisions(cold["rewards"], naive["rewards"])
    cached = decisions(warm["rewards"], cold["rewards"])
    ref_free = decisions(free["rewards"], naive["ref_free_avg"])
    unshared = runs["rmeval-ref-free-unshared"]
    sharing = {"seconds_shared": free["seconds"], "seconds_unshared": unshared["seconds"],
               "time_ratio_shared_over_unshared": free["seconds"] / unshared["seconds"],
               "real_tokens_shared": free["batching"]["real_tokens"],
               "real_tokens_unshared": unshared["batching"]["real_tokens"],
               "padded_tokens_shared": free["batching"]["padded_tokens"],
               "padded_tokens_unshared": unshared["batching"]["padded_tokens"],
               "scores": decisions(free["rewards"], unshared["rewards"])}
    speedup = cold["pairs_per_second"] / naive["pairs_per_second"]
    warm_ratio = warm["total_seconds"] / cold["total_seconds"]
    for r in runs.values():
        r.pop("rewards", None)
        r.pop("ref_free_avg", None)
    result = {
        "benchmark": f"implicit rewards, {args.rows}-row sample (seed {args.seed}) of RewardBench v1",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, CPU only, Python {platform.python_version()}",
        "load_average_at_end": os.getloadavg(),
        "command": " ".join(["nice -n 0 .venv/bin/python benchmarks/bench_implicit.py", *sys.argv[1:]]),
        "model": f"{MODEL} as policy and reference, float32, max length 2048",
        "runs": runs,
        "speedup_with_reference": speedup,
        "peak_rss_ratio_rmeval_over_naive": cold["peak_rss_mb"] / naive["peak_rss_mb"],
        "warm_cache_time_ratio": warm_ratio,
        "decisions_with_reference": with_ref,
        "decisions_ref_free_avg": ref_free,
        "warm_cache_run_against_cold_run": cached,
        "prompt_sharing_ref_free": sharing,
        "targets": {"speedup_at_least": 2.0, "lower_peak_memory": True, "warm_cache_time_ratio_at_most": 0.6},
        "targets_met": speedup >= 2.0 and cold["peak_rss_mb"] < naive["peak_rss_mb"] and warm_ratio <= 0.6,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
