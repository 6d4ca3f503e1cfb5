"""Low-precision speed with full-precision decisions (`--precision fast-exact`).

Every candidate is scored in bf16 (the fast pass). A seeded calibration sample of examples is scored in fp32 too,
which measures this model's bf16 error on this data where it decides: on the differences between a chosen and a
rejected answer's rewards. Every example whose decision could flip within a safe multiple of that error is scored
again in fp32, and its fp32 scores are the ones recorded. So decisions, accuracies and every metric are those of a
pure fp32 run, at close to bf16's speed. The sample is scored first: where its close calls are most of it (a model
whose preferences sit within bf16's error), re-scoring would cost more than bf16 saves, and the run goes on in fp32.

How the sample is drawn, the error measured and the close calls found: `calibration.py`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rmeval.benchmarks import BenchmarkSpec, custom_benchmark
from rmeval.inference.blocks import Work
from rmeval.inference.calibration import (
    CALIBRATION_MIN,
    DEFAULT_SAFETY,
    SEEN_SAFETY,
    calibrate,
    calibration_sample,
    close_calls,
)
from rmeval.inference.fast_pass import FastPass, fast_pass_kind
from rmeval.types import Example, Scored

if TYPE_CHECKING:

    from rmeval.inference.options import BatchingOptions, PrecisionOptions
    from rmeval.inference.scorestore import ScoreStore

P = TypeVar("P", bound="PrecisionOptions")
log = logging.getLogger(__name__)

__all__ = ["AUTO_ON_CPU_SPEEDUP", "GUARANTEE", "MOSTLY_CLOSE", "ONE_DTYPE", "FastExact", "fast_exact_values",
           "native_bf16", "precision_summary", "resolve_precision", "stores_for"]

MOSTLY_CLOSE = 0.5
"""When the calibration sample's close calls hold more than this share of its inputs, the rest of the run is scored
in fp32 alone: the bf16 pass costs 0.35-0.4 of an fp32 pass (MiniLM and SmolLM2 on this project's CPU), so
re-scoring more than half the inputs after it saves little and soon costs (SmolLM2 as a verdict judge on 276 v1 pairs:
99 % close calls, fast-exact 0.90x fp32's speed)."""
AUTO_ON_CPU_SPEEDUP = {"classifier (MiniLM-L6, whole RewardBench v1)": 1.29,
                       "implicit reward (SmolLM2-135M reference-free, 300 v1 pairs)": 1.39}
"""Fast-exact's speed against `--precision fp32` on this project's CPU (AMD EPYC with avx512_bf16), from
benchmarks/results/precision.json: below 1.5x, so `auto` runs one dtype on a CPU (fp32 there) and fast-exact only on
a CUDA GPU, where bf16's matrix products are many times fp32's (not measured here: no GPU was lent)."""
GUARANTEE = ("every decision is fp32's where the bf16 error of a comparison stays within the threshold: "
             "2 x the largest error in the calibration sample, raised in each block to 1.5 x the largest error "
             "among its examples scored both ways; a pair whose error is larger than every one seen, with a "
             "margin below it, would keep its bf16 decision. Measured on the benchmark models: 0 of 2,985 "
             "classifier decisions (MiniLM), 0 of 300 implicit-reward decisions (SmolLM2), 0 of 2,985 pair-ranker "
             "decisions, 0 of 276 verdict-judge decisions differed from fp32's (benchmarks/results/)")
"""What fast-exact's decisions rest on, recorded in result.json beside the measured numbers."""
SMALLEST_RUN = 4 * CALIBRATION_MIN
"""Fewer distinct inputs (answers; ordered pairs for a pairwise model) than this are scored in fp32 alone."""


def native_bf16(device: str) -> bool:
    """Whether bf16 runs natively here: a CUDA GPU with bf16, or a CPU with avx512_bf16 or AMX."""
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.is_file():
        return False
    flags = re.search(r"^flags\s*:(.*)$", cpuinfo.read_text(encoding="utf-8", errors="replace"), re.MULTILINE)
    return flags is not None and bool({"avx512_bf16", "amx_bf16"} & set(flags.group(1).split()))


def resolve_precision(options: P, device: str) -> tuple[P, bool]:
    """The options to load the model with (their dtype decided by `--precision`), and whether to run fast-exact.

    `auto` runs fast-exact only on a CUDA GPU with bf16 (`AUTO_ON_CPU_SPEEDUP`: on this project's CPU it gained
    less than 1.5x) and when nothing else states how the weights are held: a model loaded with `--dtype`, quantized
    or spread by `--device-map` keeps what was asked for (fast-exact holds fp32 weights, twice the memory of bf16).
    """
    mode: str = options.precision
    if mode == "auto":
        stated = options.dtype != "auto" or options.quantization or options.device_map
        gpu = device.startswith("cuda") and native_bf16(device)
        mode = "fast-exact" if not stated and gpu else "dtype"  # on a CPU it gains less than 1.5x: see above
    elif mode == "fast-exact" and not native_bf16(device):
        log.warning("bf16 is not native on %s: --precision fast-exact runs, slower than --precision fp32", device)
    if mode in ("fp32", "fast-exact"):
        return replace(options, dtype="float32"), mode == "fast-exact"
    if mode == "bf16":
        return replace(options, dtype="bfloat16"), False
    return options, False


def stores_for(options: BatchingOptions, fingerprint: Callable[[], Mapping[str, Any] | None], device: str,
               seed: int, fast: bool) -> tuple[ScoreStore | None, FastExact | None]:
    """A pointwise scorer's score store and, for fast-exact, its plan: bf16 scores are kept under the model's
    fingerprint marked with the kind of fast pass, fp32 ones under the plain fingerprint (shared with
    `--precision fp32`)."""
    from rmeval.inference.scorestore import open_score_store

    if not fast:
        return open_score_store(options.score_cache, options.use_score_cache, fingerprint), None
    device_type = device.split(":")[0]

    def fast_pass() -> Mapping[str, Any] | None:
        plain = fingerprint()
        return None if plain is None else {**plain, "fast_pass": fast_pass_kind(device_type)}

    store = open_score_store(options.score_cache, options.use_score_cache, fast_pass)
    exact = open_score_store(options.score_cache, options.use_score_cache, fingerprint)
    return store, FastExact(device_type, exact, seed=seed)


@dataclass
class FastExact:
    """How a pointwise scorer runs `--precision fast-exact`: the device kind its bf16 pass runs on, where fp32
    scores are kept (the scorer's own store keeps the bf16 ones), and what the last run found (for result.json)."""

    device_type: str
    exact_store: ScoreStore | None = None
    safety: float = DEFAULT_SAFETY
    seed: int = 0
    benchmark: BenchmarkSpec | None = None
    found: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """The scorer description's part: what the last run found, and where fp32 scores are kept."""
        return {"precision": self.found,
                **({"exact_score_store": self.exact_store.describe()} if self.exact_store else {})}

    def close(self) -> None:
        """Close the fp32 score store."""
        if self.exact_store is not None:
            self.exact_store.close()


ONE_DTYPE = {"precision": {"mode": "one dtype"}}
"""The description's precision part for a scorer that runs one dtype."""


def _rules(examples: Sequence[Example]) -> BenchmarkSpec:
    """A run scored without `prepare`: pairs, or best-of-N when any example has several answers."""
    several = any(len(e.chosen) != 1 or len(e.rejected) != 1 for e in examples)
    return custom_benchmark("best_of_n" if several else "pair")


def _dense(found: Mapping[int, float], count: int) -> list[float]:
    """One value per distinct input (NaN where none was computed), for `Regroup`."""
    return [found.get(i, math.nan) for i in range(count)]


def _close(rules: BenchmarkSpec, scored: Sequence[Scored], threshold: float) -> list[int]:
    """`close_calls` of scored examples (positions in `scored`)."""
    return close_calls(rules, [s.example.subset for s in scored], [s.chosen_scores for s in scored],
                       [s.rejected_scores for s in scored], threshold)


def _added(one: Mapping[str, int], other: Mapping[str, int]) -> dict[str, int]:
    """The counters of two passes, summed."""
    return {k: one.get(k, 0) + other.get(k, 0) for k in {**one, **other}}


Values = Callable[..., tuple[dict[int, float], dict[str, int]]]
"""`values(groups, store, progress=None)`: the values of the distinct inputs of `groups` (one group per block, each
packed into batches of its own), and the pass's counters."""
Regroup = Callable[[Sequence[int], Sequence[float]], list[Scored]]
"""`regroup(example_indices, values)`: those examples of the run scored from one value per distinct input."""


def precision_summary(blocks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What the per-block records of a fast-exact run add up to: the largest final threshold, how many blocks
    widened theirs, the largest error among the re-scored, how many examples and inputs were re-scored. A merge of
    shards recomputes it from the shards' blocks, so it equals one process's."""
    inputs = sum(int(b["inputs"]) for b in blocks)
    rescored = sum(int(b["rescored_inputs"]) for b in blocks)
    return {"threshold": max((float(b["threshold"]) for b in blocks), default=0.0),
            "widened": sum(int(b["widened"]) for b in blocks),
            "widened_blocks": sum(int(b["widened"]) > 0 for b in blocks),
            "max_rescored_error": max((float(b["max_rescored_error"]) for b in blocks), default=0.0),
            "rescored_examples": sum(int(b["rescored_examples"]) for b in blocks),
            "rescored_candidates": rescored, "share_rescored": round(rescored / max(inputs, 1), 4)}


def _widened(plan: FastExact, rules: BenchmarkSpec, work: Work, first: Mapping[int, Scored],
             exact: dict[int, float], values: Values, regroup: Regroup, start: float,
             ) -> tuple[set[int], list[dict[str, Any]], dict[str, int]]:
    """The close calls of each block re-scored in fp32 (`exact` gains them), each block's threshold widened while
    1.5 x the largest bf16 error among its examples scored both ways exceeds it: the inputs whose fp32 values are
    kept, a record per block, and the re-scoring's counters. Every block is decided from its own examples and the
    calibration alone, so the outcome does not depend on which blocks a process or a shard holds."""
    blocks = {b: work.examples_of(b) for b in work.my_blocks}
    threshold = dict.fromkeys(blocks, start)
    rounds = dict.fromkeys(blocks, 0)
    records: dict[int, dict[str, Any]] = {}
    kept: set[int] = set()
    counters: dict[str, int] = {}
    active = sorted(blocks)
    while active:
        close = {b: [blocks[b][j] for j in _close(rules, [first[i] for i in blocks[b]], threshold[b])]
                 for b in active}
        again = {b: sorted({s for i in close[b] for s in work.slots[i]}) for b in active}
        more, rescored = values(work.groups(s for b in active for s in again[b] if s not in exact), plan.exact_store)
        exact.update(more)
        counters = _added(counters, {"rescore_batches": rescored["batches"],
                                     "rescore_forward_batches": rescored["forward_batches"]})
        dense = _dense(exact, work.count)
        still = []
        for b in active:
            known = [i for i in blocks[b] if all(s in exact for s in work.slots[i])]
            seen = calibrate([first[i] for i in known], regroup(known, dense), SEEN_SAFETY)
            if seen.threshold > threshold[b]:
                threshold[b], rounds[b] = seen.threshold, rounds[b] + 1
                still.append(b)
                continue
            kept.update(again[b])
            records[b] = {"block": b, "examples": len(blocks[b]),
                          "inputs": len({s for i in blocks[b] for s in work.slots[i]}), "threshold": threshold[b],
                          "widened": rounds[b], "max_rescored_error": seen.max_error,
                          "rescored_examples": len(close[b]), "rescored_inputs": len(again[b])}
        active = still
    return kept, [records[b] for b in sorted(records)], counters


def fast_exact_values(plan: FastExact, model: object, examples: Sequence[Example], work: Work, values: Values,
                      regroup: Regroup, store: ScoreStore | None,
                      done: Callable[[Sequence[int]], None] | None) -> tuple[list[float], dict[str, int]]:
    """The fast-exact value of each distinct input of this invocation's examples (`work.mine` of the run's
    `examples`; `model` holds the weights the bf16 pass casts): a calibration sample of the whole run's examples in
    bf16 and fp32 (the same sample, threshold and decision whatever share of the run this invocation scores), then
    every other input in bf16, then every close call in fp32, block by block; or, when the sample's close calls are
    most of it (`MOSTLY_CLOSE`), every other input in fp32. `plan.found` says what was done."""
    count = work.count
    mine = work.my_inputs()
    if count < SMALLEST_RUN:  # the calibration alone would cost a quarter of an fp32 run or more
        exact, counters = values(work.groups(mine), plan.exact_store, done)
        plan.found = {"mode": "fp32", "why": f"{count} distinct inputs: fewer than {SMALLEST_RUN}, where "
                                              "fast-exact's calibration costs more than it saves"}
        return _dense(exact, count), counters
    sampled, sample = calibration_sample(work.slots, count, plan.seed)
    with FastPass(plan.device_type, model) as fast_pass:  # the sample first: it says whether the rest is worth it
        fast, counters = values([sample], store, done)
    exact, _ = values([sample], plan.exact_store)
    sample_fast = regroup(sampled, _dense(fast, count))
    calibration = calibrate(sample_fast, regroup(sampled, _dense(exact, count)), plan.safety)
    rules = plan.benchmark or _rules(examples)
    close = _close(rules, sample_fast, calibration.threshold)
    expected = len({slot for i in close for slot in work.slots[sampled[i]]}) / len(sample)
    rest = work.groups(i for i in mine if i not in fast)
    described = {**calibration.describe(), "calibration_candidates": len(sample),
                 "sample_close_share": round(expected, 4), "guarantee": GUARANTEE}
    if expected > MOSTLY_CLOSE:
        more, rescored = values(rest, plan.exact_store, done)
        exact.update(more)
        plan.found = {"mode": "fp32", "why": f"the calibration sample's close calls hold {expected:.0%} of its "
                                             f"inputs: more than {MOSTLY_CLOSE:.0%}, where re-scoring them costs "
                                             "more than the bf16 pass saves", **described}
        return _dense(exact, count), _added(counters, rescored)
    with FastPass(plan.device_type, model) as fast_pass:
        more, rest_counters = values(rest, store, done)
    fast.update(more)
    first = dict(zip(work.mine, regroup(work.mine, _dense(fast, count)), strict=True))
    kept, blocks, rescoring = _widened(plan, rules, work, first, exact, values, regroup, calibration.threshold)
    plan.found = {"mode": "fast-exact", "fast_pass": fast_pass.kind, **described,
                  "calibration_threshold": calibration.threshold, "seen_safety": SEEN_SAFETY,
                  **precision_summary(blocks), "blocks": blocks}
    final = {i: exact[i] if i in kept else fast[i] for i in mine}
    return _dense(final, count), _added(_added(counters, rest_counters), rescoring)
