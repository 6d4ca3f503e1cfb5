"""The vocabulary of rmeval: a few frozen dataclasses shared by every layer.

Chosen and rejected are tuples so that v1 pairs (1 vs 1), v2 best-of-4 (1 vs 3) and Ties (k vs m) are one type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Example", "ExampleKey", "Message", "Scored"]

ExampleKey = tuple[str, str]
"""(subset, id as text): ids alone are not unique in RewardBench v1 (id 3692 appears twice)."""


@dataclass(frozen=True)
class Message:
    """One chat turn."""

    role: str
    content: str

    def as_dict(self) -> dict[str, str]:
        """The `{role, content}` mapping chat templates expect."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Example:
    """A prompt with the answers a reward model must rank: every chosen above every rejected."""

    subset: str
    id: int | str
    prompt: tuple[Message, ...]
    chosen: tuple[str, ...]
    rejected: tuple[str, ...]
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> ExampleKey:
        """The unique key of the example within a benchmark."""
        return (self.subset, str(self.id))

    @property
    def candidates(self) -> tuple[str, ...]:
        """Every answer, chosen first."""
        return self.chosen + self.rejected


@dataclass(frozen=True)
class Scored:
    """An example with one reward per candidate (same order as `chosen` / `rejected`).

    `details` carries what a scorer wants kept per example (a judge's verdicts, failures), written to samples.jsonl.
    """

    example: Example
    chosen_scores: tuple[float, ...]
    rejected_scores: tuple[float, ...]
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
