"""Judge throughput against an API with 200 ms latency: a sequential loop against rmeval's concurrent engine.

The API is the tests' loopback OpenAI-compatible server (a real HTTP server on 127.0.0.1) answering every request
after a fixed delay, as a remote judge would. Three runs judge the same examples (pairwise, seeded order):

- sequential: written here, one request after another with one pooled HTTP client, the way a plain loop would;
- rmeval: `JudgeScorer` through `evaluate`, its reliable engine at `--concurrency` (default 16) with a fresh cache;
- rerun: the same again over the now filled cache, which must send no request at all;
- votes: K=1 against K=8 judgments per order (`--samples`, temperature 0.7, each with a fresh cache): requests
  sent, wall time and requests per second.

The examples are the first N pairs of the shared RewardBench v1 file when it exists, else synthetic pairs.

    .venv/bin/python benchmarks/bench_judge.py                     # writes benchmarks/results/judge.json and .md
    .venv/bin/python benchmarks/bench_judge.py --examples 20 --out /tmp/j.json   # quick check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the loopback server lives with the tests that also use it

from loopback_openai import LoopbackJudge  # noqa: E402
from rmeval.benchmarks import custom_benchmark  # noqa: E402
from rmeval.engines import EngineSettings, GenerationParams, build_engine  # noqa: E402
from rmeval.engines.cache import ResponseCache  # noqa: E402
from rmeval.engines.wrapper import ReliableEngine  # noqa: E402
from rmeval.evaluate import evaluate  # noqa: E402
from rmeval.results import RunResult  # noqa: E402
from rmeval.scorers.judge import JudgeScorer, parse_pairwise, resolve_templates  # noqa: E402
from rmeval.types import Example, Message  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "rewardbench-v1" / "filtered.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "judge.json"
MODEL = "openai/longest"
PARAMS = GenerationParams(max_new_tokens=256)


def load(n: int) -> tuple[list[Example], str]:
    """The first `n` pairs of the shared RewardBench v1 file, or synthetic pairs without it."""
    if DATA.is_file():
        from rmeval.data import load_examples

        return load_examples(data=DATA).examples[:n], str(DATA)
    examples = [Example("synthetic", i, (Message("user", f"Question {i}?"),), ("A fuller answer " * (1 + i % 4),),
                        ("Short.",)) for i in range(n)]
    return examples, "synthetic"


def sequential(server: LoopbackJudge, examples: list[Example]) -> tuple[float, list[str | None]]:
    """One request at a time: the baseline every concurrent engine is measured against."""
    import httpx

    scorer = judge_scorer(server, None, 1)
    chats = [r.chat for r in scorer.plan(examples)]
    start = time.perf_counter()
    verdicts: list[str | None] = []
    with httpx.Client(timeout=60) as client:
        for chat in chats:
            body = {"model": MODEL.split("/", 1)[1], "messages": [m.as_dict() for m in chat],
                    "max_tokens": PARAMS.max_new_tokens, "temperature": 0.0}
            reply = client.post(f"{server.url}/chat/completions", json=body).json()
            verdicts.append(parse_pairwise(reply["choices"][0]["message"]["content"]))
    return time.perf_counter() - start, verdicts


def judge_scorer(server: LoopbackJudge, cache: ResponseCache | None, concurrency: int, samples: int = 1,
                 params: GenerationParams = PARAMS) -> JudgeScorer:
    engine = build_engine(MODEL, EngineSettings(base_urls=(server.url,), request_timeout=60))
    return JudgeScorer([(MODEL, ReliableEngine(engine, cache, concurrency))], resolve_templates(()), params,
                       samples=samples)


def votes(server: LoopbackJudge, examples: list[Example], concurrency: int, ks: list[int]) -> dict[str, Any]:
    """Each K's run from an empty cache: seconds, requests sent, requests per second, and the accuracy."""
    out: dict[str, Any] = {}
    params = GenerationParams(max_new_tokens=256, temperature=0.7)
    for k in ks:
        with tempfile.TemporaryDirectory() as tmp:
            cache = ResponseCache(Path(tmp))
            before = server.log.requests
            start = time.perf_counter()
            result = evaluate(judge_scorer(server, cache, concurrency, k, params), examples, custom_benchmark("pair"),
                              data_source={}, versions={}, progress=False, bootstrap=0)
            seconds = time.perf_counter() - start
            cache.close()
        sent = server.log.requests - before
        out[f"K={k}"] = {"seconds": round(seconds, 3), "requests": sent,
                         "requests_per_second": round(sent / seconds, 1),
                         "examples_per_second": round(len(examples) / seconds, 2),
                         "accuracy": round(result.metrics.score, 4)}
    return out


def timed_run(server: LoopbackJudge, examples: list[Example], cache: ResponseCache,
              concurrency: int) -> tuple[float, int, RunResult]:
    """Seconds, requests the server received, and the result of one rmeval run."""
    before = server.log.requests
    start = time.perf_counter()
    result = evaluate(judge_scorer(server, cache, concurrency), examples, custom_benchmark("pair"),
                      data_source={}, versions={}, progress=False, bootstrap=0)
    return time.perf_counter() - start, server.log.requests - before, result


def markdown(result: dict[str, Any]) -> str:
    """The recorded result as a short table."""
    rows = "\n".join(f"| {name} | {r['seconds']:.2f} | {r['examples_per_second']:.1f} | {r['requests']} |"
                     for name, r in result["runs"].items())
    return (f"# Judge throughput ({result['date']})\n\n"
            f"{result['examples']} examples from {result['data']}; loopback server with "
            f"{result['latency_ms']} ms latency per request; concurrency {result['concurrency']}.\n"
            f"Machine: {result['machine']}.\nCommand: `{result['command']}`\n\n"
            "| run | seconds | examples/s | requests sent |\n|---|---|---|---|\n" + rows + "\n\n"
            f"Speed-up of rmeval over the sequential loop: **{result['speedup']:.1f}x** (target >= 10x). "
            f"Rerun served from the cache with {result['runs']['rerun']['requests']} requests. "
            f"Same verdicts in both runs: {result['same_verdicts']}.\n" + _votes_md(result.get("votes", {})))


def _votes_md(runs: dict[str, Any]) -> str:
    if not runs:
        return ""
    rows = "\n".join(f"| {k} | {r['requests']} | {r['seconds']:.2f} | {r['requests_per_second']:.1f} | "
                     f"{r['examples_per_second']:.1f} |" for k, r in runs.items())
    return ("\nVotes over sampled judgments (`--samples K`, temperature 0.7, an empty cache each; the noise-free "
            "`longest` judge, so every sample agrees):\n\n| samples per order | requests | seconds | requests/s | "
            "examples/s |\n|---|---|---|---|---|\n" + rows + "\n\nThe server's ceiling is the concurrency over the "
            "latency (16 / 0.2 s = 80 requests/s); this machine was shared with other work and loaded (see the load "
            "average above), so the timings are indicative.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the server waits before answering")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--samples", default="1,8", help="the vote sizes K to time (comma-separated)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    examples, source = load(args.examples)
    load_before = os.getloadavg()[0]  # other work on the machine slows the client side of both runs
    with LoopbackJudge(latency=args.latency) as server, tempfile.TemporaryDirectory() as tmp:
        seq_seconds, seq_verdicts = sequential(server, examples)
        cache = ResponseCache(Path(tmp))
        seconds, requests, result = timed_run(server, examples, cache, args.concurrency)
        re_seconds, re_requests, rerun = timed_run(server, examples, cache, args.concurrency)
        cache.close()
        voted = votes(server, examples, args.concurrency, [int(k) for k in args.samples.split(",") if k.strip()])
    said = [s.details["judges"][0]["said"][0] for s in result.samples]
    n = len(examples)
    runs = {
        "sequential": {"seconds": seq_seconds, "requests": n},
        "rmeval": {"seconds": seconds, "requests": requests},
        "rerun": {"seconds": re_seconds, "requests": re_requests},
    }
    for r in runs.values():
        r["seconds"] = round(r["seconds"], 3)
        r["examples_per_second"] = round(n / r["seconds"], 2)
    out = {
        "benchmark": "judge throughput",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"load average {load_before:.1f} at start",
        "command": " ".join(["python", "benchmarks/bench_judge.py", *sys.argv[1:]]),
        "data": source,
        "examples": n,
        "latency_ms": round(args.latency * 1000),
        "concurrency": args.concurrency,
        "runs": runs,
        "speedup": round(seq_seconds / seconds, 2),
        "same_verdicts": said == seq_verdicts and [s.correct for s in rerun.samples] == [
            s.correct for s in result.samples],
        "target": {"speedup_at_least": 10, "rerun_requests": 0},
        "votes": voted,
    }
    out["target_met"] = out["speedup"] >= 10 and re_requests == 0 and out["same_verdicts"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(out), encoding="utf-8")
    print(markdown(out))


if __name__ == "__main__":
    main()
