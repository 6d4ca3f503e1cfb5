"""Low-precision speed with full-precision decisions (`--precision fast-exact`).

Every candidate is scored under bf16 autocast. A calibration sample (seeded) is scored in fp32 too, which measures
this model's bf16 error on this data; every example whose decision could flip within a safe multiple of that error
is scored again in fp32, and its fp32 scores are the ones recorded. So decisions, accuracies and every metric are
those of a pure fp32 run, at close to bf16's speed.

Which examples are close calls follows what decides their credit: a pair's margin; best-of-N, the chosen answer
against the best rejected one (the win, and a tie at the top); any other comparison rule, the nearest chosen and
rejected scores. RewardBench 2's Ties subset is scored by its margins themselves, so it is always scored in fp32.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rmeval.benchmarks import BenchmarkSpec

__all__ = ["DEFAULT_SAFETY", "Calibration", "calibrate", "calibration_sample", "close_calls", "native_bf16"]

DEFAULT_SAFETY = 4.0
"""The threshold is this many times the largest bf16 error seen on a margin (twice the largest error of a score)."""
CALIBRATION_SHARE = 0.03
CALIBRATION_MIN = 128
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


def calibration_sample(count: int, seed: int) -> list[int]:
    """Which of `count` distinct encodings are scored both ways: a seeded share, at least `CALIBRATION_MIN`."""
    size = min(count, max(CALIBRATION_MIN, math.ceil(CALIBRATION_SHARE * count)))
    return sorted(random.Random(seed).sample(range(count), size))


@dataclass(frozen=True)
class Calibration:
    """The measured bf16 error and the margin below which a decision is re-scored in fp32."""

    candidates: int
    max_error: float
    threshold: float
    safety: float

    def describe(self) -> dict[str, float]:
        """The part of result.json that says how close calls were found."""
        return {"calibration_candidates": self.candidates, "max_abs_error": self.max_error,
                "threshold": self.threshold, "safety": self.safety}


def calibrate(fast: Sequence[float], exact: Sequence[float], safety: float = DEFAULT_SAFETY) -> Calibration:
    """The threshold from the same candidates scored fast and exactly: `safety` x twice the largest error (a
    margin is off by at most the two scores' errors). A NaN either way makes every call close.

    >>> round(calibrate([1.0, 2.01], [1.0, 2.0]).threshold, 9)
    0.08
    """
    errors = [abs(f - e) for f, e in zip(fast, exact, strict=True)]
    worst = math.inf if any(math.isnan(x) for x in errors) else max(errors, default=0.0)
    return Calibration(len(errors), worst, safety * 2 * worst, safety)


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
