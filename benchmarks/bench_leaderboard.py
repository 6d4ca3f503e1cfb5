"""Leaderboard at scale: build the site for 100 result folders of 3,000 examples each, then sort its table in a
real browser.

Targets: the build (`rmeval leaderboard DIR --out SITE`, timed as the user runs it, Python start-up included) takes
under 20 s; sorting the 100-row table in chromium takes under 100 ms (timed inside the page with performance.now()).

The result folders are synthetic but written by rmeval's own `evaluate`: RewardBench v1's subsets and sections
(math-prm given 15 extra rows: 3,000 examples), texts of varied lengths with refusals in the Safety subsets, and
rewards from a seeded rule per model (skill, length preference, noise), so each folder has real intervals, lengths,
refusal labels and four scorer kinds. Writes benchmarks/results/leaderboard.json and .md.

    .venv/bin/python benchmarks/bench_leaderboard.py [--folders 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from rmeval.benchmarks import get_benchmark
from rmeval.evaluate import evaluate
from rmeval.results import write_run
from rmeval.scorers import BaseScorer
from rmeval.types import Example, Message, Scored

RESULTS = Path(__file__).parent / "results"
EXAMPLES = 3000
KINDS = [{"kind": "classifier"}, {"kind": "implicit", "ref_model": "org/base"}, {"kind": "implicit", "ref_free": "avg"},
         {"kind": "judge", "mode": "pairwise"}]
WORDS = ["the", "reward", "model", "ranks", "answers", "by", "quality", "length", "style", "safety", "and",
         "correctness", "of", "each", "reply"]
REFUSAL = "I'm sorry, but I can't help with that request."
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def synthetic_examples(rng: np.random.Generator) -> list[Example]:
    """3,000 examples over RewardBench v1's subsets; Safety pairs hold a refusal on one side."""
    spec = get_benchmark("rewardbench")
    examples = []
    for sub in spec.subsets:
        rows = (sub.rows or 0) + (EXAMPLES - 2985 if sub.name == "math-prm" else 0)
        for i in range(rows):
            texts = [" ".join(rng.choice(WORDS, size=int(rng.integers(5, 400)))) for _ in range(2)]
            if spec.expects_of(sub.name):  # the safety subsets
                texts[i % 2] = REFUSAL + " " + texts[i % 2][:80]
            examples.append(Example(sub.name, i, (Message("user", f"question {i}"),), (texts[0],), (texts[1],)))
    return examples


class RuleScorer(BaseScorer):
    """Seeded rewards: skill for chosen answers, a length preference and noise (a stand-in for a model)."""

    def __init__(self, index: int) -> None:
        self.rng = np.random.default_rng(index)
        self.skill, self.length = float(self.rng.uniform(0.0, 1.5)), float(self.rng.uniform(-0.3, 0.3))
        self.info = {**KINDS[index % len(KINDS)], "model": f"org/model-{index:03d}"}

    def _reward(self, text: str, chosen: bool) -> float:
        return self.skill * chosen + self.length * math.log(1 + len(text)) + float(self.rng.normal())

    def score(self, examples: Sequence[Example], progress: Any = None) -> list[Scored]:
        """One seeded reward per answer."""
        return [Scored(e, tuple(self._reward(t, True) for t in e.chosen),
                       tuple(self._reward(t, False) for t in e.rejected)) for e in examples]

    def total_work(self, examples: Sequence[Example]) -> int:
        """One unit per example."""
        return len(examples)

    def describe(self) -> dict[str, Any]:
        """The stand-in model's kind and name."""
        return dict(self.info)


def write_folders(root: Path, count: int) -> None:
    examples = synthetic_examples(np.random.default_rng(0))
    digest = hashlib.sha256("".join(e.chosen[0] + e.rejected[0] for e in examples).encode()).hexdigest()
    spec = get_benchmark("rewardbench")
    for i in range(count):
        result = evaluate(RuleScorer(i), examples, spec, data_source={"kind": "file", "path": "synthetic.jsonl",
                                                                       "sha256": digest}, versions={"rmeval": "bench"},
                          progress=False, seed=i)
        write_run(result, root / f"run-{i:03d}")


def time_build(results: Path, site: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rmeval.cli", "leaderboard", str(results), "--out", str(site)],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


SORT_JS = """async (label) => {
  const header = [...document.querySelectorAll("table.leaderboard thead th")].find(h => h.textContent === label);
  const start = performance.now();
  header.querySelector("button").click();
  void document.body.offsetHeight;  // include the layout the new order needs
  const sorted = performance.now();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return [sorted - start, performance.now() - start, document.querySelectorAll("tbody tr").length];
}"""


def time_sorts(index: Path, repeats: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(index.as_uri())
        labels = page.eval_on_selector_all("table.leaderboard thead th", "hs => hs.map(h => h.textContent)")
        sort_ms, frame_ms, rows = [], [], 0
        for _ in range(repeats):
            for label in labels:
                s, f, rows = page.evaluate(SORT_JS, label)
                sort_ms.append(s)
                frame_ms.append(f)
        version = browser.version
        browser.close()
    return {"rows": rows, "columns": labels, "sorts": len(sort_ms), "chromium": version,
            "sort_ms": _summary(sort_ms), "to_next_frame_ms": _summary(frame_ms)}


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median": round(statistics.median(values), 2), "p95": round(p95, 2), "max": round(max(values), 2)}


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folders", type=int, default=100)
    parser.add_argument("--builds", type=int, default=3, help="timed builds (the median is reported)")
    parser.add_argument("--keep", type=Path, help="write the folders and the site here and keep them (folders "
                                                  "already there are reused)")
    args = parser.parse_args()
    info = machine()
    work = args.keep or Path(tempfile.mkdtemp(prefix="rmeval-bench-"))
    try:
        start = time.perf_counter()
        existing = len(list((work / "results").glob("run-*/result.json")))
        if existing != args.folders:  # --keep of an earlier run: reuse its folders
            write_folders(work / "results", args.folders)
        generated = round(time.perf_counter() - start, 1) if existing != args.folders else None
        builds = [time_build(work / "results", work / "site") for _ in range(args.builds)]
        sorts = time_sorts(work / "site" / "index.html", repeats=5)
        size = sum(f.stat().st_size for f in (work / "site").rglob("*") if f.is_file())
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    record = {
        "benchmark": "leaderboard site: build and in-browser sort",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["nice .venv/bin/python benchmarks/bench_leaderboard.py", *sys.argv[1:]]),
        "machine": info,
        "folders": args.folders, "examples_per_folder": EXAMPLES,
        "generate_seconds": generated,
        "build_seconds": {"runs": [round(b, 2) for b in builds], "median": round(statistics.median(builds), 2),
                          "target": 20.0},
        "site_megabytes": round(size / 1e6, 2),
        "browser_sort": {**sorts, "target_ms": 100.0},
    }
    record["passed"] = record["build_seconds"]["median"] < 20.0 and sorts["sort_ms"]["p95"] < 100.0
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "leaderboard.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS / "leaderboard.md").write_text(markdown(record))
    print(markdown(record))


def markdown(r: dict[str, Any]) -> str:
    m, b, s = r["machine"], r["build_seconds"], r["browser_sort"]
    return "\n".join([
        "# Leaderboard benchmark", "",
        f"- date: {r['date']}", f"- command: `{r['command']}`",
        f"- machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; load average at start "
        f"{', '.join(f'{x:.2f}' for x in m['load_average_at_start'])} (a machine shared with other work)",
        f"- chromium {s['chromium']}", "",
        "| measure | result | target |", "|---|---:|---:|",
        f"| build the site: {r['folders']} folders x {r['examples_per_folder']:,} examples "
        f"(`rmeval leaderboard`, median of {len(b['runs'])}: {', '.join(map(str, b['runs']))} s) | "
        f"{b['median']:.2f} s | < {b['target']:.0f} s |",
        f"| sort the {s['rows']}-row table in chromium: click handler and the layout it causes, 95th percentile of "
        f"{s['sorts']} header clicks (median {s['sort_ms']['median']:.1f} ms, slowest {s['sort_ms']['max']:.1f} ms) "
        f"| {s['sort_ms']['p95']:.1f} ms | < {s['target_ms']:.0f} ms |",
        f"| sort and paint (to the next frame), 95th percentile (median {s['to_next_frame_ms']['median']:.1f} ms, "
        f"slowest {s['to_next_frame_ms']['max']:.1f} ms) | {s['to_next_frame_ms']['p95']:.1f} ms | |", "",
        f"Site size: {r['site_megabytes']} MB. Generating the synthetic folders (not part of the target) took "
        f"{r['generate_seconds'] if r['generate_seconds'] is not None else 'no time (reused)'} s. "
        f"Targets met: {'yes' if r['passed'] else 'NO'}.", "",
    ])


if __name__ == "__main__":
    main()
