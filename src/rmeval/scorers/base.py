"""The scorer protocol and the pointwise adapter that every per-answer reward model plugs into."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from rmeval.benchmarks import BenchmarkSpec
from rmeval.scorers.batching import Batching, pack_batches
from rmeval.types import Candidate, Example, Scored

__all__ = ["BaseScorer", "Encoded", "PointwiseModel", "PointwiseScorer", "Progress", "Scorer"]

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


class Encoded(Protocol):
    """A tokenized candidate; `length` is what batching budgets. Equal encodings (hashable, compared by value) are
    scored once, so texts that truncation makes identical get exactly the same reward."""

    @property
    def length(self) -> int: ...

    def __hash__(self) -> int: ...


E = TypeVar("E", bound=Encoded)


class PointwiseModel(Protocol[E]):
    """A model that gives each answer a reward on its own (classifiers, implicit rewards, rating judges)."""

    def encode(self, candidates: Sequence[Candidate]) -> list[E]:
        """Tokenize candidates (all at once, so fast tokenizers can batch)."""
        ...

    def rewards(self, batch: Sequence[E]) -> list[float]:
        """Rewards of one batch, in order."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model's part of the run spec."""
        ...

    def close(self) -> None:
        """Release the model (and any cache it holds)."""
        ...


class PointwiseScorer(BaseScorer, Generic[E]):
    """Flattens every candidate of every example, deduplicates, batches by length and token budget, regroups."""

    def __init__(self, model: PointwiseModel[E], batching: Batching) -> None:
        self.model = model
        self.batching = batching
        self.stats: dict[str, int] = {}

    @staticmethod
    def unique_candidates(examples: Sequence[Example]) -> list[Candidate]:
        """Distinct candidates in first-seen order."""
        seen: dict[Candidate, None] = {}
        for ex in examples:
            for text in ex.candidates:
                seen.setdefault(Candidate(ex.prompt, text), None)
        return list(seen)

    def total_work(self, examples: Sequence[Example]) -> int:
        """Progress counts unique candidates."""
        return len(self.unique_candidates(examples))

    def plan(self, encoded: Sequence[E]) -> tuple[list[list[int]], int, int]:
        """Batches of indices into `encoded` (longest first, packed by the token budget), with the real and padded
        tokens they hold. Scorers that lay several candidates out in one row override this."""
        lengths = [e.length for e in encoded]
        batches = pack_batches(lengths, self.batching)
        return batches, sum(lengths), sum(len(b) * max(lengths[i] for i in b) for b in batches)

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Score every candidate once, in length-sorted batches, and regroup per example."""
        candidates = self.unique_candidates(examples)
        slots: dict[E, int] = {}  # distinct encodings; texts equal after truncation share one
        slot_of = [slots.setdefault(e, len(slots)) for e in self.model.encode(candidates)]
        encoded = list(slots)
        sharing = Counter(slot_of)  # candidates behind each encoding, for the progress bar
        batches, real, padded = self.plan(encoded)
        values = [math.nan] * len(encoded)
        for batch in batches:
            for i, v in zip(batch, self.model.rewards([encoded[i] for i in batch]), strict=True):
                values[i] = v
            if progress:
                progress(sum(sharing[i] for i in batch))
        self.stats = {"candidates": sum(len(ex.candidates) for ex in examples), "unique_candidates": len(candidates),
                      "unique_encodings": len(encoded), "batches": len(batches), "real_tokens": real,
                      "padded_tokens": padded}
        index = {c: slot_of[i] for i, c in enumerate(candidates)}

        def lookup(ex: Example, texts: tuple[str, ...]) -> tuple[float, ...]:
            return tuple(values[index[Candidate(ex.prompt, t)]] for t in texts)

        return [Scored(ex, lookup(ex, ex.chosen), lookup(ex, ex.rejected)) for ex in examples]

    def describe(self) -> dict[str, Any]:
        """The model's description plus batching settings and statistics."""
        return {**self.model.describe(), "batching": {**self.batching.describe(), **self.stats}}

    def close(self) -> None:
        """Close the model."""
        self.model.close()
