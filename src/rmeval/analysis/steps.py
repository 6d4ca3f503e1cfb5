"""Where a model first objects in a solution, against where the label puts the first error (step-level runs).

Per subset of a run on a step-level benchmark: how often the model's first objection is exactly the labelled first
error, earlier (it objects to a valid step), later (it lets the error pass for a while), never (it misses the
error), or on a solution with no error at all (a false alarm), and the histogram of the offset, objection minus
label, over the solutions where both exist. The first objection follows the benchmark's own rule: ProcessBench's
first step below the threshold, PRMBench's first step not above it (`rmeval.scoring.steps`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.scoring.steps import STEP_RULES, first_objection, label_first_error, step_record
from rmeval.types import SampleRecord

__all__ = ["OFFSET_RANGE", "StepView", "has_step_view", "step_views"]

OFFSET_RANGE = 5
"""Offsets beyond +/- this many steps share the outer bins of the histogram."""


@dataclass
class StepView:
    """One subset's first objections against its labels."""

    subset: str
    n: int = 0
    exact: int = 0
    early: int = 0
    late: int = 0
    missed: int = 0
    false_alarm: int = 0
    no_error_agreed: int = 0
    failed: int = 0
    offsets: dict[int, int] = field(default_factory=dict)
    """Objection minus label, over the erroneous solutions the model objected to (negative: too early)."""

    def histogram(self) -> list[int]:
        """Counts of the offsets -OFFSET_RANGE .. OFFSET_RANGE, the outer bins holding everything beyond."""
        bins = [0] * (2 * OFFSET_RANGE + 1)
        for offset, count in self.offsets.items():
            bins[max(-OFFSET_RANGE, min(OFFSET_RANGE, offset)) + OFFSET_RANGE] += count
        return bins

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`report --json`, the leaderboard's entry)."""
        return {"n": self.n, "exact": self.exact, "early": self.early, "late": self.late, "missed": self.missed,
                "false_alarm": self.false_alarm, "no_error_agreed": self.no_error_agreed, "failed": self.failed,
                "offsets": {str(k): v for k, v in sorted(self.offsets.items())}, "histogram": self.histogram()}


def has_step_view(benchmark: BenchmarkSpec) -> bool:
    """Whether the benchmark labels steps (so a run on it has first objections to show)."""
    return any(benchmark.rule_of(s) in STEP_RULES for s in benchmark.subset_names())


def _add(view: StepView, objected: int | None, label: int) -> None:
    view.n += 1
    if objected is None:
        view.failed += 1
    elif label < 0:
        if objected < 0:
            view.no_error_agreed += 1
        else:
            view.false_alarm += 1
    elif objected < 0:
        view.missed += 1
    else:
        offset = objected - label
        view.offsets[offset] = view.offsets.get(offset, 0) + 1
        if offset == 0:
            view.exact += 1
        elif offset < 0:
            view.early += 1
        else:
            view.late += 1


def step_views(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec) -> dict[str, StepView]:
    """Each subset's view, in the benchmark's order; empty when the run has no step scores or labels."""
    views: dict[str, StepView] = {}
    for s in samples:
        rule = benchmark.rule_of(s.subset)
        if s.part or rule not in STEP_RULES:
            continue
        scores, threshold = step_record(s.details)
        if scores is None:
            continue
        objected = first_objection(scores, threshold, strict=rule == "first_error")
        _add(views.setdefault(s.subset, StepView(s.subset)), objected, label_first_error(rule, s.facts))
    order = [n for n in benchmark.subset_names() if n in views]
    return {n: views[n] for n in order}
