"""Runs that survive and scale, measured on the whole RewardBench v1 file with the MiniLM classifier (the model of
`bench_classifier.py`: real pretrained weights, a seeded head), every run a real `python -m rmeval run` process with
one thread per process:

- the score store's cost: full runs with a fresh store against runs without one, alternated (`--repeats` of each;
  the fastest of each kind compared, so a slow moment of the machine does not count as the store's), target at
  most 3 % slower, and the store's size per 1,000 scores;
- resuming: a run killed (SIGKILL) once half of its scores are stored, then rerun: the rerun's wall time against a
  full run's (target: at most 55 %), and its samples byte-identical to the full run's;
- data parallel: `torchrun --nproc-per-node 2` (gloo, one thread each) against one process with one thread
  (target: at least 1.8x the pairs per second), same decisions;
- the token balance of the shares: max over mean of the padded tokens each share packs, for 2, 4, 8 and 64 shares
  (target: at most 1.05).

    .venv/bin/python benchmarks/bench_scale.py                 # writes benchmarks/results/scale.json
    .venv/bin/python benchmarks/bench_scale.py --limit 20 --out /tmp/s.json   # quick check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classifier import DEFAULT_DATA, build_model
from rmeval.common.store import describe_store

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "scale.json"
SHARES = (2, 4, 8, 64)
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1",
       "TOKENIZERS_PARALLELISM": "false"}


def rmeval_run(model: Path, data: Path, out: Path, store: Path | None, limit: int | None) -> list[str]:
    cmd = ["-m", "rmeval", "run", "--no-progress", "--model", str(model), "--data", str(data), "--chat-template",
           "raw", "--max-length", "512", "--precision", "fp32", "--output-dir", str(out), "--overwrite"]
    cmd += ["--score-cache", str(store)] if store else ["--no-score-cache"]
    return cmd + (["--limit", str(limit)] if limit else [])


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def entries(store: Path) -> int:
    """Scores in the store so far (0 before its file is complete)."""
    path = store / "scores.sqlite"
    described = describe_store(path) if path.exists() else None
    return int(described["entries"]) if described else 0


def result(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "result.json").read_text())  # type: ignore[no-any-return]


def store_bytes(store: Path) -> int:
    return sum(p.stat().st_size for p in store.glob("scores.sqlite*"))


def kill_at_half(cmd: list[str], store: Path, total: int) -> int:
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    while entries(store) < total // 2:
        if process.poll() is not None:
            sys.exit("the run finished before it could be killed half-way")
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return entries(store)


def balance(model: Path, data: Path, limit: int | None) -> dict[str, Any]:
    """max / mean of the padded tokens each process computes (processes take batches of the run's block plan) and
    each shard (shards take whole blocks), as a data-parallel or sharded run splits them."""
    from rmeval.data import load_examples
    from rmeval.inference.parallel import balanced_shares
    from rmeval.scorers import build_scorer

    examples = load_examples(data=data, limit=limit).examples
    scorer: Any = build_scorer("classifier", str(model), chat_template="raw", max_length=512, use_score_cache=False,
                               precision="fp32")
    layout = scorer.layout(examples)
    costs, block_of = [], []
    for group in layout.work.groups(range(layout.work.count)):
        batches, _, _ = scorer.plan([layout.encoded[i] for i in group])
        costs += [len(b) * max(layout.encoded[group[j]].length for j in b) for b in batches]
        block_of += [layout.work.block_of_input[group[0]]] * len(batches)
    blocks = max(block_of) + 1

    def spread(loads: list[int]) -> float:
        return round(max(loads) / (sum(loads) / len(loads)), 4)

    per_block = [sum(c for c, b in zip(costs, block_of, strict=True) if b == k) for k in range(blocks)]
    return {"blocks": blocks,
            "processes": {str(n): spread([sum(costs[j] for j in share) for share in balanced_shares(costs, n)])
                          for n in SHARES},
            "shards": {str(n): spread([sum(per_block[k] for k in share) for share in balanced_shares(per_block, n)])
                       for n in SHARES if n <= blocks}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, help="examples per subset (a quick check)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--repeats", type=int, default=2, help="runs with and without the store, alternated")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model = work / "minilm-rm"
        build_model(model)
        data = args.data
        without: list[float] = []
        fresh: list[float] = []
        for repeat in range(args.repeats):
            without.append(timed([python, *rmeval_run(model, data, work / "no-store", None, args.limit)]))
            store_full = work / f"store-full-{repeat}"  # a fresh store every time: every score computed and written
            fresh.append(timed([python, *rmeval_run(model, data, work / "full", store_full, args.limit)]))
        no_store, full = min(without), min(fresh)
        total = entries(store_full)
        size = store_bytes(store_full)
        kept = kill_at_half([python, *rmeval_run(model, data, work / "resumed", work / "store-r", args.limit)],
                            work / "store-r", total)
        rerun = timed([python, *rmeval_run(model, data, work / "resumed", work / "store-r", args.limit)])
        identical = (work / "resumed" / "samples.jsonl").read_bytes() == (work / "full" / "samples.jsonl").read_bytes()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        parallel_cmd = [python, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", str(port),
                        *rmeval_run(model, data, work / "parallel", None, args.limit)]
        parallel = timed(parallel_cmd)
        single, two = result(work / "no-store"), result(work / "parallel")
        same = [s["correct"] for s in map(json.loads, (work / "no-store" / "samples.jsonl").read_text().splitlines())] \
            == [s["correct"] for s in map(json.loads, (work / "parallel" / "samples.jsonl").read_text().splitlines())]
        shares = balance(model, data, args.limit)
    pairs = single["metrics"]["subsets"]
    n = sum(m["n"] for m in pairs.values())
    report = {
        "benchmark": "bench_scale", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "threads_per_process": 1},
        "data": str(data), "examples": n, "scores": total,
        "store": {"full_run_seconds": round(full, 2), "without_store_seconds": round(no_store, 2),
                  "runs_with_store_seconds": [round(x, 2) for x in fresh],
                  "runs_without_store_seconds": [round(x, 2) for x in without],
                  "overhead": round(full / no_store - 1, 4), "target_overhead": 0.03,
                  "bytes": size, "bytes_per_1000_scores": round(1000 * size / max(total, 1))},
        "resume": {"killed_with_scores_kept": kept, "rerun_seconds": round(rerun, 2),
                   "rerun_over_full": round(rerun / full, 4), "target": 0.55, "samples_byte_identical": identical},
        "data_parallel": {"single_pairs_per_second": single["timing"]["pairs_per_second"],
                          "two_processes_pairs_per_second": two["timing"]["pairs_per_second"],
                          "speedup": round(two["timing"]["pairs_per_second"] / single["timing"]["pairs_per_second"],
                                           3),
                          "single_wall_seconds": round(no_store, 2), "two_processes_wall_seconds": round(parallel, 2),
                          "target_speedup": 1.8, "same_decisions": same},
        "token_balance_max_over_mean": shares, "target_balance": 1.05,
        "command": " ".join(sys.argv),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
