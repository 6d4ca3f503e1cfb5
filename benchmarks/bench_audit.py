"""The audit at RewardBench v1's scale: every code subset whose toolchain is installed here and math-prm, each as
`rmeval audit` runs it (wall time, Python start-up included), and the training-data overlap check of 100,000
synthetic training prompts against all v1 prompts (13-grams and MinHash near-duplicates).

The synthetic training set is seeded: prompts of 20 to 200 words drawn from v1's own vocabulary (so most n-grams
look up real words), with planted overlaps whose count the check must find: prompts that quote 13 words of a v1
prompt, near-duplicates (a v1 prompt with one word in ten replaced) and identical copies of short v1 prompts.
Needs ../shared/data/rewardbench-v1/filtered.jsonl and HumanEvalPack's published files beside it. Writes
benchmarks/results/audit.json and audit.md.

    .venv/bin/python benchmarks/bench_audit.py [--jobs N] [--rows 100000] [--skip-code]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rmeval.audit.overlap import tokens
from rmeval.audit.toolchains import toolchain

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SHARED = ROOT.parent / "shared" / "data"
V1 = SHARED / "rewardbench-v1" / "filtered.jsonl"
HEP = SHARED / "published" / "humanevalpack"
RMEVAL = [sys.executable, "-m", "rmeval"]


def audit(args: list[str], out: Path) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    subprocess.run([*RMEVAL, "audit", "--data", str(V1), "--out", str(out), *args], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started, json.loads(out.read_text(encoding="utf-8"))


def code_and_math(jobs: int, work: Path) -> dict[str, Any]:
    subsets = {}
    for lang in ("python", "js", "cpp", "java", "rust", "go"):
        tc = toolchain(lang)
        if tc.missing:
            subsets[f"hep-{lang}"] = {"skipped": tc.missing}
            continue
        seconds, report = audit(["--subsets", f"hep-{lang}", "--tests", str(HEP), "--jobs", str(jobs),
                                 "--checks", "code"], work / f"hep-{lang}.json")
        subsets[f"hep-{lang}"] = {"seconds": round(seconds, 1), **report["subsets"][f"hep-{lang}"]["code"],
                                  "flagged": [f"{f['id']}: {f['found']}" for f in report["flagged"]]}
        print(f"hep-{lang}: {seconds:.1f} s", flush=True)
    seconds, report = audit(["--subsets", "math-prm", "--checks", "math"], work / "math-prm.json")
    subsets["math-prm"] = {"seconds": round(seconds, 1), **report["subsets"]["math-prm"]["math"],
                           "flagged": len(report["flagged"])}
    print(f"math-prm: {seconds:.1f} s", flush=True)
    return subsets


def synthetic_training(path: Path, rows: int, seed: int = 0) -> dict[str, list[int]]:
    """Seeded training prompts with planted overlaps; returns the planted rows (1-based) by kind."""
    prompts = sorted({json.loads(line)["prompt"] for line in V1.read_text(encoding="utf-8").splitlines()})
    vocab = sorted({w for p in prompts for w in tokens(p)})  # words only: a v1 token such as a list of numbers
    # would quote 13 of the benchmark's words at once
    rng = random.Random(seed)
    long_ones = [p for p in prompts if len(tokens(p)) >= 30]
    planted: dict[int, tuple[str, str]] = {}
    slots = iter(rng.sample(range(rows), 170))
    for p in rng.sample(long_ones, 100):
        words = tokens(p)
        start = rng.randrange(0, len(words) - 13)
        planted[next(slots)] = ("13-gram quote", "Question: " + " ".join(words[start:start + 13]) + " please explain.")
    for p in rng.sample([p for p in prompts if len(p.split()) >= 60], 50):  # one word in 60 replaced
        words = p.split()
        planted[next(slots)] = ("near-duplicate", " ".join(rng.choice(vocab) if i % 60 == 30 else w
                                                           for i, w in enumerate(words)))
    for p in rng.sample([p for p in prompts if 3 <= len(tokens(p)) < 13], 20):
        planted[next(slots)] = ("identical short prompt", p)
    with path.open("w", encoding="utf-8") as f:
        for i in range(rows):
            text = planted[i][1] if i in planted else " ".join(rng.choice(vocab) for _ in range(rng.randint(20, 200)))
            f.write(json.dumps({"prompt": text, "chosen": "a", "rejected": "b"}) + "\n")
    by_kind: dict[str, list[int]] = {}
    for i, (kind, _) in planted.items():
        by_kind.setdefault(kind, []).append(i + 1)
    return by_kind


def overlap(rows: int, work: Path) -> dict[str, Any]:
    train = work / "train.jsonl"
    planted = synthetic_training(train, rows)
    seconds, report = audit(["--checks", "", "--train", str(train)], work / "overlap.json")
    o = report["overlap"]
    kinds: dict[str, int] = {}
    for m in o["matches"]:
        kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
    matched = {m["training_row"] for m in o["matches"]}
    recall = {kind: f"{sum(r in matched for r in found)}/{len(found)}" for kind, found in planted.items()}
    others = len(matched - {r for found in planted.values() for r in found})
    return {"training_rows": o["training_rows"], "benchmark_prompts": o["benchmark_prompts"],
            "command_seconds": round(seconds, 1), "index_seconds": o["index_seconds"],
            "scan_seconds": o["scan_seconds"], "rows_per_second": o["rows_per_second"],
            "million_rows_minutes": round(1_000_000 / o["rows_per_second"] / 60, 1),
            "planted_rows_found": recall, "unplanted_rows_matched": others, "matches_by_kind": kinds,
            "pairs_flagged": len(report["flagged"])}


def markdown(r: dict[str, Any]) -> str:
    lines = ["# Audit benchmark", "", f"- date: {r['date']}", f"- command: `{r['command']}`",
             f"- machine: {r['machine']['cpu']}, {r['machine']['cores']} cores, Python {r['machine']['python']}; "
             f"load average at start {', '.join(f'{x:.2f}' for x in r['machine']['load_average_at_start'])} "
             "(a machine shared with other work: timings are indicative)", ""]
    if r.get("code_and_math"):
        lines += ["| subset | wall time | pairs | checked | consistent | contradicting | not checkable |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for name, s in r["code_and_math"].items():
            if "skipped" in s:
                lines.append(f"| {name} | skipped | | | | | {s['skipped']} |")
                continue
            why = "; ".join(f"{n}: {k}" for k, n in s["not_checkable"].items()) or "0"
            lines.append(f"| {name} | {s['seconds']} s | {s['pairs']} | {s['checked']} | {s['consistent']} | "
                         f"{s['contradicting']} | {why} |")
        total = sum(s.get("seconds", 0) for s in r["code_and_math"].values())
        lines += ["", f"Total wall time: {total:.0f} s with --jobs {r['jobs']}.", ""]
    o = r["overlap"]
    lines += [f"Overlap: {o['training_rows']:,} synthetic training prompts against {o['benchmark_prompts']:,} v1 "
              f"prompts: scan {o['scan_seconds']} s ({o['rows_per_second']:,} rows/s, so a million rows in about "
              f"{o['million_rows_minutes']} min), index {o['index_seconds']} s, whole command "
              f"{o['command_seconds']} s. "
              f"Planted rows found: {o['planted_rows_found']}; other rows matched: {o['unplanted_rows_matched']}; "
              f"matches by kind {o['matches_by_kind']}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-code", action="store_true", help="the overlap check only")
    args = parser.parse_args()
    if not V1.is_file() or not HEP.is_dir():
        raise SystemExit(f"needs {V1} and {HEP}")
    record: dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["python", "benchmarks/bench_audit.py", *sys.argv[1:]]), "jobs": args.jobs,
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "python": platform.python_version(), "load_average_at_start": list(os.getloadavg())}}
    with tempfile.TemporaryDirectory(prefix="rmeval-bench-audit-") as tmp:
        work = Path(tmp)
        if not args.skip_code:
            record["code_and_math"] = code_and_math(args.jobs, work)
        record["overlap"] = overlap(args.rows, work)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "audit.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS / "audit.md").write_text(markdown(record))
    print(markdown(record))


if __name__ == "__main__":
    main()
