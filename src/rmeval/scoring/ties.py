"""RewardBench 2's Ties subset: a composite of accuracy and margins, scored per prompt across two variants.

Each prompt appears twice: `ref:<pid>` (one correct answer) and `tied:<pid>` (several equally correct answers). A
good reward model ranks every correct answer above every incorrect one, and keeps the correct answers closer to each
other than to the incorrect ones. The composite is a weighted sum of five terms; each term is a mean over prompts,
so one table of prompts x terms (NaN where a term does not apply to a prompt) gives both the composite and the
units the bootstrap resamples. The formula follows SCORING.md literally, with numpy semantics (NaN compares false,
`nan_to_num` turns a NaN margin into 0), so the numbers match the reference implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import parse_ties_id
from rmeval.benchmarks.rewardbench2 import TIES_VARIANTS

__all__ = ["TIES_WEIGHTS", "TiesResult", "TiesTable", "ties_score", "ties_table"]

TIES_WEIGHTS = {
    "tied_accuracy": 0.30,
    "ref_accuracy": 0.30,
    "correctness_preferred": 0.20,
    "correctness_preferred_hard": 0.20,
    "correctness_margin_score": 0.01,
}
"""The composite's weights, as published (they sum to 1.01: the margin term is a small bonus)."""

Floats = NDArray[np.float64]
TiesRow = tuple[int | str, Sequence[float], Sequence[float]]
"""(id, scores of the correct answers, scores of the incorrect answers)."""


@dataclass(frozen=True)
class TiesResult:
    """The Ties composite, each of its five terms, how many prompts fed it, and the ids left without a partner."""

    score: float
    terms: dict[str, float]
    prompts: dict[str, int]
    unpaired: tuple[str, ...]
    weights: dict[str, float] = field(default_factory=lambda: dict(TIES_WEIGHTS))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored under `metrics.ties[subset]`."""
        return {"score": self.score, "terms": dict(self.terms), "weights": dict(self.weights),
                "prompts": dict(self.prompts), "unpaired": list(self.unpaired)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TiesResult:
        """Read the JSON form back (null numbers are NaN)."""
        nan = float("nan")
        return cls(nan if data["score"] is None else float(data["score"]),
                   {k: nan if v is None else float(v) for k, v in data["terms"].items()},
                   {k: int(v) for k, v in data.get("prompts", {}).items()}, tuple(data.get("unpaired", ())),
                   {k: float(v) for k, v in data.get("weights", TIES_WEIGHTS).items()})


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


def _prompt_terms(ref: tuple[float, float] | None, tied: tuple[float, float] | None) -> list[float]:
    """The five terms on one prompt (NaN where a term needs a variant the prompt lacks)."""
    nan = float("nan")
    out = [float(tied[0] > 0) if tied else nan, float(ref[0] > 0) if ref else nan]
    if ref is None or tied is None:
        return [*out, nan, nan, nan]
    (cim_ref, _), (cim_tied, dcm_tied) = ref, tied
    worst = min(cim_ref, cim_tied) if not (np.isnan(cim_ref) or np.isnan(cim_tied)) else nan
    # A zero spread among the tied correct answers divides by zero: +/-inf (tanh -> +/-1) or NaN (nan_to_num -> 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = float(np.nan_to_num(np.tanh(np.float64(worst) / np.float64(dcm_tied) - 1.0)))
    return [*out, float(cim_tied > dcm_tied), float(worst > dcm_tied), margin]


@dataclass(frozen=True)
class TiesTable:
    """One row per prompt id (in order of first appearance), one column per term of `TIES_WEIGHTS`."""

    prompt_ids: tuple[str, ...]
    terms: Floats
    prompts: dict[str, int]
    unpaired: tuple[str, ...]

    def term_means(self) -> dict[str, float]:
        """Each term's mean over the prompts it applies to (NaN when it applies to none)."""
        out = {}
        for j, name in enumerate(TIES_WEIGHTS):
            column = self.terms[:, j]
            present = column[~np.isnan(column)]
            out[name] = float(np.mean(present)) if present.size else float("nan")
        return out

    def result(self) -> TiesResult:
        """The composite of every prompt of the table."""
        terms = self.term_means()
        return TiesResult(sum(TIES_WEIGHTS[k] * v for k, v in terms.items()), terms, dict(self.prompts),
                          self.unpaired)


def ties_table(rows: Iterable[TiesRow]) -> TiesTable:
    """The per-prompt table of (id, correct scores, incorrect scores) rows, ids being `ref:<pid>` / `tied:<pid>`.

    Both accuracies use every prompt of their variant; the three margin terms use the prompts present in both.
    """
    stats: dict[str, dict[str, tuple[float, float]]] = {v: {} for v in TIES_VARIANTS}
    order: dict[str, None] = {}
    for ex_id, correct, incorrect in rows:
        parsed = parse_ties_id(ex_id)
        if parsed is None:
            raise ValueError(f"a Ties id must be ref:<pid> or tied:<pid>, got {ex_id!r}")
        variant, pid = parsed
        if pid in stats[variant]:
            raise ValueError(f"Ties id {ex_id!r} appears twice")
        stats[variant][pid] = _margins(correct, incorrect)
        order.setdefault(pid, None)
    ref, tied = stats["ref"], stats["tied"]
    table = [_prompt_terms(ref.get(pid), tied.get(pid)) for pid in order]
    paired = [pid for pid in order if pid in ref and pid in tied]
    both = set(paired)
    unpaired = tuple(f"{v}:{pid}" for pid in order for v in TIES_VARIANTS if pid in stats[v] and pid not in both)
    terms = np.array(table, dtype=np.float64).reshape(len(table), len(TIES_WEIGHTS))
    return TiesTable(tuple(order), terms, {"ref": len(ref), "tied": len(tied), "paired": len(paired)}, unpaired)


def ties_score(rows: Iterable[TiesRow]) -> TiesResult:
    """The Ties composite of (id, correct scores, incorrect scores) rows.

    A subset with no paired prompt has a NaN score (the terms that need both variants cannot be computed).
    """
    return ties_table(rows).result()
