"""A run of pairs as arrays: the fast road of the length analyses for RewardBench v1-shaped runs (one chosen and
one rejected answer per example, scored by the strict pair rule). `length_report` takes it whenever it applies; the
general per-example road handles everything else, and the tests hold both to the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.analysis.runs import RuleOf
from rmeval.benchmarks import BenchmarkSpec
from rmeval.results import SampleRecord

__all__ = ["PairArrays", "pair_arrays"]

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class PairArrays:
    """Per example: its subset (an index into `subsets`, in order of first appearance), both scores, both lengths."""

    subsets: tuple[str, ...]
    index: NDArray[np.int64]
    chosen: Floats
    rejected: Floats
    chars_chosen: Floats
    chars_rejected: Floats

    def _per_subset(self, values: Floats) -> Floats:
        counts = np.bincount(self.index, minlength=len(self.subsets))
        return np.bincount(self.index, weights=values, minlength=len(self.subsets)) / np.maximum(counts, 1)

    def baselines(self) -> dict[str, dict[str, float]]:
        """Per subset: the accuracy of "the longer answer wins" and of "the shorter answer wins" (a tie earns 0)."""
        longer = self._per_subset((self.chars_chosen > self.chars_rejected).astype(np.float64))
        shorter = self._per_subset((self.chars_chosen < self.chars_rejected).astype(np.float64))
        counts = np.bincount(self.index, minlength=len(self.subsets))
        return {name: {"longer": float(longer[i]), "shorter": float(shorter[i]), "n": float(counts[i])}
                for i, name in enumerate(self.subsets)}

    def bins(self, edges: Sequence[float], tie_credit: float) -> list[dict[str, Any]]:
        """The model's mean credit per bin [lo, hi) of chosen-minus-rejected length; empty bins left out."""
        credit = np.where(self.chosen > self.rejected, 1.0, np.where(self.chosen == self.rejected, tie_credit, 0.0))
        which = np.searchsorted(np.asarray(edges), self.chars_chosen - self.chars_rejected, side="right") - 1
        out = []
        for i in range(len(edges) - 1):
            mask = which == i
            if mask.any():
                out.append({"lo": edges[i], "hi": edges[i + 1], "n": int(mask.sum()),
                            "accuracy": float(credit[mask].mean())})
        return out

    def prefers_longer(self) -> tuple[float, int]:
        """How often the higher-scored answer is the longer one, over examples with no tie in either."""
        decided = ((self.chosen != self.rejected) & (self.chars_chosen != self.chars_rejected)
                   & ~np.isnan(self.chosen) & ~np.isnan(self.rejected))
        hits = (self.chosen > self.rejected) == (self.chars_chosen > self.chars_rejected)
        n = int(decided.sum())
        return (float(hits[decided].mean()) if n else float("nan")), n

    def rewards_and_lengths(self) -> tuple[Floats, Floats]:
        """Every scored answer's reward and length (NaN rewards left out)."""
        rewards = np.concatenate([self.chosen, self.rejected])
        chars = np.concatenate([self.chars_chosen, self.chars_rejected])
        known = ~np.isnan(rewards)
        return rewards[known], chars[known]


def pair_arrays(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec) -> PairArrays | None:
    """The run's examples that record lengths, as arrays; None unless every one is a pair under the pair rule."""
    rule_of = RuleOf(benchmark)
    order: dict[str, int] = {}
    index, sc, sr, lc, lr = [], [], [], [], []
    for s in samples:
        f = s.features
        if s.part or "chars_chosen" not in f or "chars_rejected" not in f:
            continue
        c, r = f["chars_chosen"], f["chars_rejected"]
        if not (len(s.scores_chosen) == len(s.scores_rejected) == len(c) == len(r) == 1) or rule_of(s.subset) != "pair":
            return None
        index.append(order.setdefault(s.subset, len(order)))
        sc.append(s.scores_chosen[0])
        sr.append(s.scores_rejected[0])
        lc.append(c[0])
        lr.append(r[0])
    floats = [np.asarray(x, dtype=np.float64) for x in (sc, sr, lc, lr)]
    return PairArrays(tuple(order), np.asarray(index, dtype=np.int64), *floats)
