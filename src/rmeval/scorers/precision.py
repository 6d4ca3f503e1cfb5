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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rmeval.benchmarks import BenchmarkSpec, custom_benchmark
from rmeval.scorers.calibration import (
    CALIBRATION_MIN,
    DEFAULT_SAFETY,
    SEEN_SAFETY,
    calibrate,
    calibration_sample,
    close_calls,
)
from rmeval.scorers.fast_pass import FastPass, fast_pass_kind
from rmeval.types import Candidate, Example, Scored

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rmeval.scorers.base import PointwiseScorer, Progress
    from rmeval.scorers.options import BatchingOptions, PrecisionOptions
    from rmeval.scorers.scorestore import ScoreStore

P = TypeVar("P", bound="PrecisionOptions")
log = logging.getLogger(__name__)

__all__ = ["MOSTLY_CLOSE", "ONE_DTYPE", "FastExact", "fast_exact_values", "native_bf16", "resolve_precision",
           "score_fast_exact", "stores_for"]

MOSTLY_CLOSE = 0.5
"""When the calibration sample's close calls hold more than this share of its inputs, the rest of the run is scored
in fp32 alone: the bf16 pass costs 0.35-0.4 of an fp32 pass (MiniLM and SmolLM2 on this project's CPU), so
re-scoring more than half the inputs after it saves little and soon costs (SmolLM2 as a verdict judge on 276 v1 pairs:
99 % close calls, fast-exact 0.90x fp32's speed)."""
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

    `auto` runs fast-exact only where bf16 is native and nothing else states how the weights are held: a model
    loaded with `--dtype`, quantized or spread by `--device-map` keeps what was asked for (fast-exact holds fp32
    weights, twice the memory of bf16, and on a CPU their bf16 copy during the fast pass).
    """
    mode: str = options.precision
    if mode == "auto":
        stated = options.dtype != "auto" or options.quantization or options.device_map
        mode = "fast-exact" if not stated and native_bf16(device) else "dtype"
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
    from rmeval.scorers.scorestore import open_score_store

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
"""`values(indices, store, progress=None)`: the values of those distinct inputs, and the pass's counters."""
Regroup = Callable[[Sequence[int], Sequence[float]], list[Scored]]
"""`regroup(example_indices, values)`: those examples scored from one value per distinct input."""


def fast_exact_values(plan: FastExact, model: object, examples: Sequence[Example], slots: Sequence[Sequence[int]],
                      values: Values, regroup: Regroup, store: ScoreStore | None,
                      done: Callable[[Sequence[int]], None] | None) -> tuple[list[float], dict[str, int]]:
    """The fast-exact value of each distinct input (`slots[i]`: example i's; `model` holds the weights the bf16
    pass casts): a calibration sample of examples in bf16 and fp32, then every other input in bf16, then every close
    call in fp32; or, when the sample's close calls are most of it (`MOSTLY_CLOSE`), every other input in fp32. The
    counters are the main pass's (the sample's and the rest's, summed); `plan.found` says what was done."""
    count = 1 + max((i for row in slots for i in row), default=-1)
    everything = range(count)
    if count < SMALLEST_RUN:  # the calibration alone would cost a quarter of an fp32 run or more
        exact, counters = values(everything, plan.exact_store, done)
        plan.found = {"mode": "fp32", "why": f"{count} distinct inputs: fewer than {SMALLEST_RUN}, where "
                                              "fast-exact's calibration costs more than it saves"}
        return [exact[i] for i in everything], counters
    sampled, sample = calibration_sample(slots, count, plan.seed)
    with FastPass(plan.device_type, model) as fast_pass:  # the sample first: it says whether the rest is worth it
        fast, counters = values(sample, store, done)
    exact, measured = values(sample, plan.exact_store)
    sample_fast = regroup(sampled, _dense(fast, count))
    calibration = calibrate(sample_fast, regroup(sampled, _dense(exact, count)), plan.safety)
    rules = plan.benchmark or _rules(examples)
    close = _close(rules, sample_fast, calibration.threshold)
    expected = len({slot for i in close for slot in slots[sampled[i]]}) / len(sample)
    rest = [i for i in everything if i not in fast]
    if expected > MOSTLY_CLOSE:
        more, rescored = values(rest, plan.exact_store, done)
        exact.update(more)
        plan.found = {"mode": "fp32", "why": f"the calibration sample's close calls hold {expected:.0%} of its "
                                             f"inputs: more than {MOSTLY_CLOSE:.0%}, where re-scoring them costs "
                                             "more than the bf16 pass saves", **calibration.describe(),
                      "sample_close_share": round(expected, 4)}
        return [exact[i] for i in everything], _added(counters, rescored)
    with FastPass(plan.device_type, model) as fast_pass:
        more, rest_counters = values(rest, store, done)
    fast.update(more)
    counters = _added(counters, rest_counters)
    first = regroup(range(len(examples)), [fast[i] for i in everything])
    threshold, rounds, fp32_batches = calibration.threshold, 0, measured["forward_batches"]
    while True:  # re-score the close calls; widen the threshold while the re-scored show larger errors
        close = _close(rules, first, threshold)
        again = sorted({slot for i in close for slot in slots[i]})
        more, rescored = values([i for i in again if i not in exact], plan.exact_store)
        exact.update(more)
        fp32_batches += rescored["forward_batches"]
        known = [i for i in range(len(examples)) if all(slot in exact for slot in slots[i])]
        seen = calibrate([first[i] for i in known], regroup(known, _dense(exact, count)), SEEN_SAFETY)
        if not seen.threshold > threshold:
            break
        threshold, rounds = seen.threshold, rounds + 1
    chosen = set(again)
    plan.found = {"mode": "fast-exact", "fast_pass": fast_pass.kind, **calibration.describe(), "threshold": threshold,
                  "calibration_threshold": calibration.threshold, "calibration_candidates": len(sample),
                  "sample_close_share": round(expected, 4),
                  "max_rescored_error": seen.max_error, "widened": rounds, "rescored_examples": len(close),
                  "rescored_candidates": len(again), "share_rescored": round(len(again) / max(count, 1), 4),
                  "fp32_batches": fp32_batches}
    return [exact[i] if i in chosen else fast[i] for i in everything], counters


def score_fast_exact(scorer: PointwiseScorer[Any], plan: FastExact, examples: Sequence[Example],
                     progress: Progress | None) -> list[Scored]:
    """A pointwise scorer's run in fast-exact precision (`fast_exact_values`)."""
    candidates, slot_of, encoded = scorer.distinct(examples)
    sharing = Counter(slot_of)
    done = (lambda batch: progress(sum(sharing[i] for i in batch))) if progress else None
    index = {c: slot_of[i] for i, c in enumerate(candidates)}
    slots = [[index[Candidate(ex.prompt, t)] for t in ex.candidates] for ex in examples]

    def regroup(which: Sequence[int], found: Sequence[float]) -> list[Scored]:
        return scorer.regroup([examples[i] for i in which], candidates, slot_of, found)

    final, counters = fast_exact_values(plan, scorer.model, examples, slots, partial(scorer.values, encoded), regroup,
                                        scorer.store, done)
    scorer.counted(examples, candidates, encoded, counters)
    return scorer.regroup(examples, candidates, slot_of, final)
