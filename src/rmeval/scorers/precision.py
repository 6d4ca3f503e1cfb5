"""Low-precision speed with full-precision decisions (`--precision fast-exact`).

Every candidate is scored in bf16 (the fast pass). A seeded calibration sample of examples is scored in fp32 too,
which measures this model's bf16 error on this data where it decides: on the differences between a chosen and a
rejected answer's rewards. Every example whose decision could flip within a safe multiple of that error is scored
again in fp32, and its fp32 scores are the ones recorded. So decisions, accuracies and every metric are those of a
pure fp32 run, at close to bf16's speed.

Which examples are close calls follows what decides their credit: a pair's margin; best-of-N, the chosen answer
against the best rejected one (the win, and a tie at the top); any other comparison rule, the nearest chosen and
rejected scores. RewardBench 2's Ties subset is scored by its margins themselves, so it is always scored in fp32.
"""

from __future__ import annotations

import logging
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rmeval.benchmarks import BenchmarkSpec, custom_benchmark
from rmeval.scorers.fast_pass import FastPass, fast_pass_kind
from rmeval.types import Candidate, Example, Scored

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rmeval.scorers.base import PointwiseScorer, Progress
    from rmeval.scorers.options import BatchingOptions, PrecisionOptions
    from rmeval.scorers.scorestore import ScoreStore

P = TypeVar("P", bound="PrecisionOptions")
log = logging.getLogger(__name__)

__all__ = ["DEFAULT_SAFETY", "ONE_DTYPE", "Calibration", "FastExact", "calibrate", "calibration_sample", "close_calls",
           "native_bf16", "resolve_precision", "score_fast_exact", "stores_for"]

DEFAULT_SAFETY = 2.0
"""The threshold is this many times the largest bf16 error of a chosen-minus-rejected difference in the calibration
sample: room for a pair outside the sample to be off by twice as much as any inside it (measured on 500 RewardBench
v1 pairs with MiniLM: the largest of all is 1.1x that of a 90-pair sample at the median, 1.8x at worst of 200)."""
SEEN_SAFETY = 1.5
"""Every re-scored example measures its bf16 error too (often a third of a run, where the calibration sample holds
3 %). When this many times the largest error among all of them exceeds the threshold, the threshold rises to it and
the newly close calls are re-scored, until it holds: a tail the sample missed (seen on a tiny random encoder: one pair
off by 2.5x the sample's largest) shows among the re-scored."""
CALIBRATION_SHARE = 0.03
CALIBRATION_MIN = 128
SMALLEST_RUN = 4 * CALIBRATION_MIN
"""Fewer distinct inputs (answers; ordered pairs for a pairwise model) than this are scored in fp32 alone."""
ALWAYS_EXACT = ("ties",)
"""Rules whose credit depends on the scores' magnitudes, not only on their order."""


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


def calibration_sample(slots: Sequence[Sequence[int]], count: int, seed: int) -> tuple[list[int], list[int]]:
    """Which examples are scored both ways, and their distinct encodings: whole examples in a seeded order until
    they hold a share of the `count` encodings (`slots[i]`: example i's), at least `CALIBRATION_MIN`.

    >>> calibration_sample([[0, 1], [2, 3], [1, 4]], 5, 0)
    ([0, 1, 2], [0, 1, 2, 3, 4])
    """
    size = min(count, max(CALIBRATION_MIN, math.ceil(CALIBRATION_SHARE * count)))
    chosen: list[int] = []
    held: set[int] = set()
    for i in random.Random(seed).sample(range(len(slots)), len(slots)):
        if len(held) >= size:
            break
        chosen.append(i)
        held.update(slots[i])
    return sorted(chosen), sorted(held)


@dataclass(frozen=True)
class Calibration:
    """The measured bf16 error and the margin below which a decision is re-scored in fp32."""

    examples: int
    comparisons: int
    max_error: float
    threshold: float
    safety: float

    def describe(self) -> dict[str, float]:
        """The part of result.json that says how close calls were found."""
        return {"calibration_examples": self.examples, "calibration_comparisons": self.comparisons,
                "max_margin_error": self.max_error, "threshold": self.threshold, "safety": self.safety}


def calibrate(fast: Sequence[Scored], exact: Sequence[Scored], safety: float = DEFAULT_SAFETY) -> Calibration:
    """The threshold from the same examples scored fast and exactly: `safety` x the largest error of a difference
    between a chosen and a rejected answer's rewards, the quantity every decision is made on (measured on it, not
    bounded by twice a reward's error: the two errors of a pair are as likely to cancel as to add). A NaN either
    way makes every call close.

    >>> from rmeval.types import Example, Message, Scored
    >>> ex = Example("s", 0, (Message("user", "q"),), ("a",), ("b",))
    >>> round(calibrate([Scored(ex, (1.0,), (2.01,))], [Scored(ex, (1.0,), (2.0,))]).threshold, 9)
    0.02
    """
    errors = [abs((fc - fr) - (ec - er)) for f, e in zip(fast, exact, strict=True)
              for fc, ec in zip(f.chosen_scores, e.chosen_scores, strict=True)
              for fr, er in zip(f.rejected_scores, e.rejected_scores, strict=True)]
    worst = math.inf if any(math.isnan(x) for x in errors) else max(errors, default=0.0)
    return Calibration(len(fast), len(errors), worst, safety * worst, safety)


def _gap(rule: str, chosen: Sequence[float], rejected: Sequence[float]) -> float:
    """The distance of the comparison that decides an example's credit (inf: nothing to decide)."""
    if rule in ALWAYS_EXACT:
        return -math.inf
    if rule == "best_of_n":
        return abs(chosen[0] - max(rejected))
    return min(abs(c - r) for c in chosen for r in rejected)


def close_calls(benchmark: BenchmarkSpec, subsets: Sequence[str], chosen: Sequence[Sequence[float]],
                rejected: Sequence[Sequence[float]], threshold: float) -> list[int]:
    """The examples whose decision could flip within `threshold` (NaN scores included: exactness decides).

    >>> from rmeval.benchmarks import custom_benchmark
    >>> close_calls(custom_benchmark(), ["s", "s", "s"], [[1.0], [1.0], [float("nan")]], [[0.5], [0.99], [0.0]], 0.1)
    [1, 2]
    """
    out = []
    for i, (subset, c, r) in enumerate(zip(subsets, chosen, rejected, strict=True)):
        gap = _gap(benchmark.rule_of(subset), c, r)
        if not gap > threshold:  # a NaN gap compares false: re-scored
            out.append(i)
    return out


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


Values = Callable[..., tuple[dict[int, float], dict[str, int]]]
"""`values(indices, store, progress=None)`: the values of those distinct inputs, and the pass's counters."""
Regroup = Callable[[Sequence[int], Sequence[float]], list[Scored]]
"""`regroup(example_indices, values)`: those examples scored from one value per distinct input."""


def fast_exact_values(plan: FastExact, model: object, examples: Sequence[Example], slots: Sequence[Sequence[int]],
                      values: Values, regroup: Regroup, store: ScoreStore | None,
                      done: Callable[[Sequence[int]], None] | None) -> tuple[list[float], dict[str, int]]:
    """The fast-exact value of each distinct input (`slots[i]`: example i's; `model` holds the weights the bf16
    pass casts): every one in bf16, a calibration sample of examples in fp32, then every close call in fp32. The
    counters are the bf16 pass's (an fp32-only run's under `SMALLEST_RUN`); `plan.found` says what was done."""
    count = 1 + max((i for row in slots for i in row), default=-1)
    everything = range(count)
    if count < SMALLEST_RUN:  # the calibration alone would cost a quarter of an fp32 run or more
        exact, counters = values(everything, plan.exact_store, done)
        plan.found = {"mode": "fp32", "why": f"{count} distinct inputs: fewer than {SMALLEST_RUN}, where "
                                              "fast-exact's calibration costs more than it saves"}
        return [exact[i] for i in everything], counters
    with FastPass(plan.device_type, model) as fast_pass:
        fast, counters = values(everything, store, done)
    sampled, sample = calibration_sample(slots, count, plan.seed)
    exact, measured = values(sample, plan.exact_store)
    first = regroup(range(len(examples)), [fast[i] for i in everything])
    calibration = calibrate([first[i] for i in sampled],
                            regroup(sampled, [exact.get(i, math.nan) for i in everything]), plan.safety)
    rules = plan.benchmark or _rules(examples)
    threshold, rounds, fp32_batches = calibration.threshold, 0, measured["forward_batches"]
    while True:  # re-score the close calls; widen the threshold while the re-scored show larger errors
        close = close_calls(rules, [s.example.subset for s in first], [s.chosen_scores for s in first],
                            [s.rejected_scores for s in first], threshold)
        again = sorted({slot for i in close for slot in slots[i]})
        more, rescored = values([i for i in again if i not in exact], plan.exact_store)
        exact.update(more)
        fp32_batches += rescored["forward_batches"]
        known = [i for i in range(len(examples)) if all(slot in exact for slot in slots[i])]
        seen = calibrate([first[i] for i in known], regroup(known, [exact.get(i, math.nan) for i in everything]),
                         SEEN_SAFETY)
        if not seen.threshold > threshold:
            break
        threshold, rounds = seen.threshold, rounds + 1
    chosen = set(again)
    plan.found = {"mode": "fast-exact", "fast_pass": fast_pass.kind, **calibration.describe(), "threshold": threshold,
                  "calibration_threshold": calibration.threshold, "calibration_candidates": len(sample),
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
