"""Benchmarks as data: the subsets, sections, weights and per-example rule of each benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

__all__ = ["BenchmarkSpec", "JudgeMode", "Rule", "Section", "SubsetSpec"]

Rule = Literal["pair", "best_of_n", "ties"]
"""How one example is scored: `pair` is RewardBench v1's strict chosen > rejected; `best_of_n` gives 1/k when the
chosen answer shares the top score with k answers (RewardBench 2); `ties` credits an example whose every correct
answer beats every incorrect one, and scores the subset with RewardBench 2's Ties composite (see `rmeval.ties`)."""

JudgeMode = Literal["ranking", "rating"]
"""How a generative judge must score a subset: rank all answers at once, or rate each answer on its own."""


@dataclass(frozen=True)
class SubsetSpec:
    """A subset, its published row count (checked when the whole benchmark is loaded) and its section weight.

    `weight=None` means the subset weighs as many as the rows actually scored. `rule` overrides the benchmark's rule
    for this subset (RewardBench 2's Ties); `judge_mode` is the judging protocol the benchmark prescribes, if any.
    """

    name: str
    rows: int | None = None
    weight: float | None = None
    rule: Rule | None = None
    judge_mode: JudgeMode | None = None


@dataclass(frozen=True)
class Section:
    """A named group of subsets whose accuracies are averaged with the subsets' weights."""

    name: str
    subsets: tuple[SubsetSpec, ...]


@dataclass(frozen=True)
class BenchmarkSpec:
    """Everything that defines how a benchmark is read and scored.

    A benchmark with `sections` is closed: a row whose subset belongs to no section is an error. A benchmark without
    sections (custom data) takes its subsets from the data, and its score is the mean of its subset accuracies.
    """

    name: str
    description: str
    rule: Rule
    sections: tuple[Section, ...] = ()
    hub_id: str | None = None
    hub_split: str | None = None
    packaged_file: str | None = None
    score_definition: str = "mean of the section scores"

    @property
    def closed(self) -> bool:
        """Whether the benchmark's subsets are fixed (rows of any other subset are rejected)."""
        return bool(self.sections)

    @property
    def subsets(self) -> tuple[SubsetSpec, ...]:
        """Every subset, in section order."""
        return tuple(s for section in self.sections for s in section.subsets)

    def subset_names(self) -> tuple[str, ...]:
        """Names of every subset, in section order."""
        return tuple(s.name for s in self.subsets)

    @cached_property
    def _by_name(self) -> dict[str, SubsetSpec]:
        # Looked up once per scored example by the metrics: built once per spec.
        return {s.name: s for s in self.subsets}

    def rule_of(self, subset: str) -> Rule:
        """The rule that scores `subset`: its own override, else the benchmark's."""
        spec = self._by_name.get(subset)
        return spec.rule if spec is not None and spec.rule is not None else self.rule

    def judge_mode_of(self, subset: str) -> JudgeMode | None:
        """The judging protocol the benchmark prescribes for `subset` (None: the judge's own setting)."""
        spec = self._by_name.get(subset)
        return spec.judge_mode if spec is not None else None

    def section_of(self, subset: str) -> str | None:
        """The section a subset belongs to, or None."""
        for section in self.sections:
            if any(s.name == subset for s in section.subsets):
                return section.name
        return None

    def conventions(self) -> dict[str, object]:
        """The scoring conventions, as recorded in every result file."""
        out: dict[str, object] = {
            "rule": self.rule,
            "sections": {
                sec.name: {s.name: (s.weight if s.weight is not None else "rows") for s in sec.subsets}
                for sec in self.sections
            },
            "section_score": "sum(accuracy * weight) / sum(weight) over the section's subsets",
            "score": self.score_definition,
        }
        # Only benchmarks that use them record these keys, so v1 result files keep their exact shape.
        rules = {s.name: s.rule for s in self.subsets if s.rule is not None}
        modes = {s.name: s.judge_mode for s in self.subsets if s.judge_mode is not None}
        if rules:
            out["subset_rules"] = rules
        if modes:
            out["judge_modes"] = modes
        return out
