"""How fast-exact finds its close calls (`precision.py`): a seeded calibration sample of whole examples, the bf16
error measured on it where decisions are made (a chosen-minus-rejected difference), and the examples whose deciding
comparison lies within the threshold that error gives.

Which examples are close calls follows what decides their credit: a pair's margin; best-of-N, the chosen answer
against the best rejected one (the win, and a tie at the top); any other comparison rule, the nearest chosen and
rejected scores. RewardBench 2's Ties subset is scored by its margins themselves, so it is always scored in fp32.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from rmeval.benchmarks import BenchmarkSpec
from rmeval.types import Scored

__all__ = ["ALWAYS_EXACT", "CALIBRATION_MIN", "CALIBRATION_SHARE", "DEFAULT_SAFETY", "SEEN_SAFETY", "Calibration",
           "calibrate", "calibration_sample", "close_calls"]

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
ALWAYS_EXACT = ("ties",)
"""Rules whose credit depends on the scores' magnitudes, not only on their order."""


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
