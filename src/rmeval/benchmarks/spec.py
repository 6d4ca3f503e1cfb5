"""Benchmarks as data: the subsets, sections, weights and per-example rule of each benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["BenchmarkSpec", "Rule", "Section", "SubsetSpec"]

Rule = Literal["pair", "best_of_n"]
"""How one example is scored: `pair` is RewardBench v1's strict chosen > rejected; `best_of_n` gives 1/k when the
chosen answer shares the top score with k answers (RewardBench 2)."""


@dataclass(frozen=True)
class SubsetSpec:
    """A subset, its published row count (checked when the whole benchmark is loaded) and its section weight.

    `weight=None` means the subset weighs as many as the rows actually scored.
    """

    name: str
    rows: int | None = None
    weight: float | None = None


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

    def section_of(self, subset: str) -> str | None:
        """The section a subset belongs to, or None."""
        for section in self.sections:
            if any(s.name == subset for s in section.subsets):
                return section.name
        return None

    def conventions(self) -> dict[str, object]:
        """The scoring conventions, as recorded in every result file."""
        return {
            "rule": self.rule,
            "sections": {
                sec.name: {s.name: (s.weight if s.weight is not None else "rows") for s in sec.subsets}
                for sec in self.sections
            },
            "section_score": "sum(accuracy * weight) / sum(weight) over the section's subsets",
            "score": self.score_definition,
        }
