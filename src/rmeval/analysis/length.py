"""Length bias: length-only baselines, a model's accuracy by length difference, reward-length correlation.

Lengths are the character counts recorded in each sample's `features` at evaluation time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import Rule
from rmeval.metrics import example_outcome
from rmeval.results import SampleRecord

__all__ = ["BIN_EDGES", "FLAG_THRESHOLD", "LengthReport", "format_length", "length_baselines", "length_bins",
           "length_difference", "length_report",
           "pearson", "spearman"]

FLAG_THRESHOLD = 0.8
"""A subset where a length-only baseline scores above this measures length more than quality."""

BIN_EDGES = (-math.inf, -1000.0, -300.0, -100.0, -30.0, 30.0, 100.0, 300.0, 1000.0, math.inf)
"""Bins of chosen-minus-rejected characters; fixed (not quantiles) so that runs on one dataset line up."""


def _has_lengths(s: SampleRecord) -> bool:
    return "chars_chosen" in s.features and "chars_rejected" in s.features


def length_baselines(samples: Sequence[SampleRecord], rule: Rule, tie_credit: float = 0.0
                     ) -> dict[str, dict[str, float]]:
    """Per subset: accuracy of "the longer answer wins" and "the shorter answer wins", scored under `rule`."""
    out: dict[str, dict[str, list[float]]] = {}
    for s in samples:
        if s.part or not _has_lengths(s):
            continue
        lc = [float(x) for x in s.features["chars_chosen"]]
        lr = [float(x) for x in s.features["chars_rejected"]]
        row = out.setdefault(s.subset, {"longer": [], "shorter": []})
        row["longer"].append(example_outcome(rule, s.subset, lc, lr, tie_credit).credit)
        shorter = example_outcome(rule, s.subset, [-x for x in lc], [-x for x in lr], tie_credit)
        row["shorter"].append(shorter.credit)
    return {k: {"longer": float(np.mean(v["longer"])), "shorter": float(np.mean(v["shorter"])),
                "n": float(len(v["longer"]))} for k, v in out.items()}


def length_difference(s: SampleRecord) -> float:
    """Chosen minus rejected characters (means over the candidates when there are several)."""
    return float(np.mean(s.features["chars_chosen"]) - np.mean(s.features["chars_rejected"]))


def length_bins(samples: Sequence[SampleRecord]) -> list[dict[str, Any]]:
    """The model's mean credit per bin of chosen-minus-rejected length (empty bins left out)."""
    rows = [(length_difference(s), s.correct) for s in samples if not s.part and _has_lengths(s)]
    out = []
    for lo, hi in itertools.pairwise(BIN_EDGES):
        credits = [c for d, c in rows if lo <= d < hi]
        if credits:
            out.append({"lo": lo, "hi": hi, "n": len(credits), "accuracy": float(np.mean(credits))})
    return out


def _ranks(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Ranks from 1, ties sharing their average rank."""
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_x)) + 1]
    ends = np.r_[starts[1:], len(x)]
    avg = (starts + ends + 1) / 2.0  # mean of ranks start+1 .. end
    ranks = np.empty(len(x))
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson's correlation; NaN when either side is constant or has fewer than two values."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    a, b = a - a.mean(), b - b.mean()
    return float(np.dot(a, b) / math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b))))


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (Pearson's on average ranks)."""
    rx, ry = _ranks(np.asarray(x, dtype=np.float64)), _ranks(np.asarray(y, dtype=np.float64))
    return pearson(list(rx), list(ry))


@dataclass(frozen=True)
class LengthReport:
    """The length-bias findings of one run."""

    baselines: dict[str, dict[str, float]]
    bins: list[dict[str, Any]]
    correlation: dict[str, float]
    flagged: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (infinite bin edges as null)."""
        def edge(x: float) -> float | None:
            return None if math.isinf(x) else x
        bins = [{**b, "lo": edge(b["lo"]), "hi": edge(b["hi"])} for b in self.bins]
        return {"baselines": self.baselines, "bins": bins, "correlation": self.correlation,
                "flagged": self.flagged, "flag_threshold": FLAG_THRESHOLD}


def length_report(samples: Sequence[SampleRecord], rule: Rule, tie_credit: float = 0.0) -> LengthReport:
    """Baselines, flags (a baseline above `FLAG_THRESHOLD`), binned accuracy, reward-length correlations."""
    baselines = length_baselines(samples, rule, tie_credit)
    flagged = [k for k, v in baselines.items() if max(v["longer"], v["shorter"]) > FLAG_THRESHOLD]
    rewards: list[float] = []
    chars: list[float] = []
    for s in samples:
        if s.part or not _has_lengths(s):
            continue
        for score, n in zip([*s.scores_chosen, *s.scores_rejected],
                            [*s.features["chars_chosen"], *s.features["chars_rejected"]], strict=True):
            if not math.isnan(score):
                rewards.append(score)
                chars.append(float(n))
    correlation = {"pearson": pearson(rewards, chars), "spearman": spearman(rewards, chars),
                   "n": float(len(chars))}
    return LengthReport(baselines, length_bins(samples), correlation, flagged)


def format_length(report: LengthReport) -> str:
    """The length-bias findings as plain text (percentages)."""
    if not report.baselines:
        return "Length bias: this result folder has no lengths (written before rmeval recorded features)."
    width = max(len(k) for k in [*report.baselines, "subset"])
    lines = ["Length baselines (accuracy of picking by length alone)",
             f"  {'subset':<{width}}  {'longer %':>8}  {'shorter %':>9}"]
    for k, v in report.baselines.items():
        flag = "  <- a length baseline alone scores above 80 %" if k in report.flagged else ""
        lines.append(f"  {k:<{width}}  {100 * v['longer']:>8.1f}  {100 * v['shorter']:>9.1f}{flag}")
    lines.append("Model accuracy by chosen-minus-rejected length (characters)")
    for b in report.bins:
        lines.append(f"  [{b['lo']:>6.0f}, {b['hi']:>6.0f})  n={b['n']:>5}  {100 * b['accuracy']:6.1f} %")
    c = report.correlation
    lines.append(f"Reward vs length over {int(c['n'])} answers: Pearson {c['pearson']:+.3f}, "
                 f"Spearman {c['spearman']:+.3f}")
    return "\n".join(lines)
