"""RewardBench 2's Ties subset: a composite of accuracy and margins, scored per prompt across two variants.

Each prompt appears twice: `ref:<pid>` (one correct answer) and `tied:<pid>` (several equally correct answers). A
good reward model ranks every correct answer above every incorrect one, and keeps the correct answers closer to each
other than to the incorrect ones. The formula follows SCORING.md literally, with numpy semantics (NaN compares false,
`nan_to_num` turns a NaN term into 0), so the numbers match the reference implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rmeval.benchmarks import BenchmarkSpec

__all__ = ["TIES_WEIGHTS", "VARIANTS", "TiesResult", "parse_ties_id", "ties_outcome", "ties_results", "ties_score"]

VARIANTS = ("ref", "tied")

TIES_WEIGHTS = {
    "tied_accuracy": 0.30,
    "ref_accuracy": 0.30,
    "correctness_preferred": 0.20,
    "correctness_preferred_hard": 0.20,
    "correctness_margin_score": 0.01,
}
"""The composite's weights, as published (they sum to 1.01: the margin term is a small bonus)."""

ScoredRow = tuple[str, int | str, Sequence[float], Sequence[float]]
"""(subset, id, scores of the correct answers, scores of the incorrect answers): what a Scored or a sample gives."""


@dataclass(frozen=True)
class TiesResult:
    """The Ties composite, each of its five terms, how many prompts fed it, and the ids left without a partner."""

    score: float
    terms: dict[str, float]
    prompts: dict[str, int]
    unpaired: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored under `metrics.extra["ties"][subset]`."""
        return {"score": self.score, "terms": dict(self.terms), "weights": dict(TIES_WEIGHTS),
                "prompts": dict(self.prompts), "unpaired": list(self.unpaired)}


def parse_ties_id(ex_id: int | str) -> tuple[str, str] | None:
    """(variant, prompt id) of a Ties id such as `ref:12` or `tied:12`; None when the id has another shape.

    >>> parse_ties_id("tied:12"), parse_ties_id("ref:a:b"), parse_ties_id(12), parse_ties_id("other:1")
    (('tied', '12'), ('ref', 'a:b'), None, None)
    """
    if not isinstance(ex_id, str):
        return None
    variant, sep, pid = ex_id.partition(":")
    return (variant, pid) if sep and variant in VARIANTS and pid else None


def _margins(correct: Sequence[float], incorrect: Sequence[float]) -> tuple[float, float]:
    """(cim, dcm): worst correct minus best incorrect, and the spread of the correct answers (NaN with one)."""
    good = np.asarray(correct, dtype=np.float64)
    bad = np.asarray(incorrect, dtype=np.float64)
    if good.size == 0 or bad.size == 0:
        raise ValueError("a Ties example needs at least one correct and one incorrect answer")
    # np.min / np.max propagate NaN (a failed score), where Python's min() would depend on the order.
    cim = float(np.min(good) - np.max(bad))
    dcm = float(np.max(good) - np.min(good)) if good.size > 1 else float("nan")
    return cim, dcm


def ties_outcome(correct: Sequence[float], incorrect: Sequence[float]) -> tuple[float, bool]:
    """Per-example credit: 1 when every correct answer scores strictly above every incorrect one; a tie when the
    worst correct answer only equals the best incorrect one.

    >>> ties_outcome([3.0, 2.0], [1.0, 0.0]), ties_outcome([3.0, 1.0], [1.0]), ties_outcome([3.0, 0.5], [1.0])
    ((1.0, False), (0.0, True), (0.0, False))
    """
    cim, _ = _margins(correct, incorrect)
    return (1.0 if cim > 0 else 0.0), cim == 0


def _mean(values: Sequence[float] | np.ndarray[Any, Any]) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def ties_score(rows: Iterable[tuple[int | str, Sequence[float], Sequence[float]]]) -> TiesResult:
    """The Ties composite of (id, correct scores, incorrect scores) rows, ids being `ref:<pid>` / `tied:<pid>`.

    Both accuracies use every prompt of their variant; the three margin terms use the prompts present in both.
    A subset with no paired prompt has a NaN score (the terms that need both variants cannot be computed).
    """
    stats: dict[str, dict[str, tuple[float, float]]] = {v: {} for v in VARIANTS}
    order: list[str] = []
    for ex_id, correct, incorrect in rows:
        parsed = parse_ties_id(ex_id)
        if parsed is None:
            raise ValueError(f"a Ties id must be ref:<pid> or tied:<pid>, got {ex_id!r}")
        variant, pid = parsed
        if pid in stats[variant]:
            raise ValueError(f"Ties id {ex_id!r} appears twice")
        stats[variant][pid] = _margins(correct, incorrect)
        if pid not in order:
            order.append(pid)
    ref, tied = stats["ref"], stats["tied"]
    paired = [pid for pid in order if pid in ref and pid in tied]
    unpaired = tuple(f"{v}:{pid}" for pid in order for v in VARIANTS if pid in stats[v] and pid not in paired)
    cim_ref = np.array([ref[p][0] for p in paired], dtype=np.float64)
    cim_tied = np.array([tied[p][0] for p in paired], dtype=np.float64)
    dcm_tied = np.array([tied[p][1] for p in paired], dtype=np.float64)
    worst_cim = np.minimum(cim_ref, cim_tied)
    # A zero spread among the tied correct answers divides by zero: +/-inf (tanh -> +/-1) or NaN (nan_to_num -> 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.nan_to_num(np.tanh(worst_cim / dcm_tied - 1.0))
    terms = {
        "tied_accuracy": _mean([float(cim > 0) for cim, _ in tied.values()]),
        "ref_accuracy": _mean([float(cim > 0) for cim, _ in ref.values()]),
        "correctness_preferred": _mean(cim_tied > dcm_tied),
        "correctness_preferred_hard": _mean(worst_cim > dcm_tied),
        "correctness_margin_score": _mean(margin),
    }
    score = sum(TIES_WEIGHTS[k] * v for k, v in terms.items())
    prompts = {"ref": len(ref), "tied": len(tied), "paired": len(paired)}
    return TiesResult(score, terms, prompts, unpaired)


def ties_results(rows: Iterable[ScoredRow], spec: BenchmarkSpec) -> dict[str, TiesResult]:
    """The composite of every subset that `spec` scores with the `ties` rule (other rows are ignored)."""
    grouped: dict[str, list[tuple[int | str, Sequence[float], Sequence[float]]]] = {}
    for subset, ex_id, correct, incorrect in rows:
        if spec.rule_of(subset) == "ties":
            grouped.setdefault(subset, []).append((ex_id, correct, incorrect))
    return {subset: ties_score(items) for subset, items in grouped.items()}
