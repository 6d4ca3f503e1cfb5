"""The scorer protocol, the one interface `evaluate` knows, and the lifecycle's defaults every kind starts from.

It sits below the inference core and the kinds (which implement it) so that everything above, from `evaluate` to
the registry and the presets, can name a scorer without importing any of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from rmeval.benchmarks import BenchmarkSpec
from rmeval.types import Example, Scored

__all__ = ["BaseScorer", "Progress", "Scorer"]

Progress = Callable[[int], None]
"""Called with the number of items just finished (drives the progress bar)."""


@runtime_checkable
class Scorer(Protocol):
    """Anything that turns examples into scored examples: the one interface `evaluate` knows.

    Lifecycle: built by its registry factory, `prepare`d for the benchmark it will score (judges follow the
    protocol a benchmark prescribes per subset), asked to `score`, then `describe`d and `close`d. A scorer is a
    context manager, so `with build_scorer(...) as scorer:` closes it (HTTP pools, caches, models) on every path.
    """

    tie_credit: float
    """The credit a tie earns under this scorer (0: RewardBench's strict rule; judges score a tie as half right)."""

    def prepare(self, benchmark: BenchmarkSpec) -> None:
        """Adapt to the benchmark about to be scored."""
        ...

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """One score per candidate of every example."""
        ...

    def total_work(self, examples: Sequence[Example]) -> int:
        """How many progress units scoring `examples` will report."""
        ...

    def describe(self) -> dict[str, Any]:
        """Everything about the scorer that result.json must record."""
        ...

    def conventions(self) -> dict[str, Any]:
        """Scoring conventions of this scorer, recorded beside the benchmark's (a judge's order and failure policy)."""
        ...

    def close(self) -> None:
        """Release what the scorer holds; safe to call twice."""
        ...

    def __enter__(self) -> Scorer: ...

    def __exit__(self, *exc: object) -> None: ...


class BaseScorer(ABC):
    """The lifecycle's defaults: no tie credit, nothing to prepare, no conventions of its own, nothing to close."""

    tie_credit: float = 0.0

    def prepare(self, benchmark: BenchmarkSpec) -> None:
        """Nothing to adapt by default."""
        return

    @abstractmethod
    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """One score per candidate of every example."""

    @abstractmethod
    def total_work(self, examples: Sequence[Example]) -> int:
        """How many progress units scoring `examples` will report."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Everything about the scorer that result.json must record."""

    def conventions(self) -> dict[str, Any]:
        """No conventions beyond the benchmark's by default."""
        return {}

    def close(self) -> None:
        """Nothing to release by default."""
        return

    def __enter__(self) -> BaseScorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
