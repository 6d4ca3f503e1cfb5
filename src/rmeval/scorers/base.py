"""The scorer protocol and the pointwise adapter that every per-answer reward model plugs into."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from rmeval.benchmarks import BenchmarkSpec
from rmeval.scorers.batching import Batching, pack_batches
from rmeval.scorers.parallel import Share
from rmeval.scorers.precision import ONE_DTYPE, FastExact, score_fast_exact
from rmeval.scorers.scorestore import ScoreStore
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
    scored once, so texts that truncation makes identical get exactly the same reward; `signature` is the encoding
    as text, what the score store keys it by."""

    @property
    def length(self) -> int: ...

    def signature(self) -> str: ...

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

    def fingerprint(self) -> dict[str, Any] | None:
        """Everything besides the encoding that decides a reward (the score store's key); None: keep nothing."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model's part of the run spec."""
        ...

    def close(self) -> None:
        """Release the model (and any cache it holds)."""
        ...


class PointwiseScorer(BaseScorer, Generic[E]):
    """Flattens every candidate of every example, deduplicates, batches by length and token budget, regroups."""

    def __init__(self, model: PointwiseModel[E], batching: Batching, store: ScoreStore | None = None,
                 share: Share | None = None, fast_exact: FastExact | None = None) -> None:
        self.model = model
        self.batching = batching
        self.store = store
        self.share = share or Share()
        self.fast_exact = fast_exact
        self.stats: dict[str, int] = {}
        self._encodings: dict[Candidate, E] = {}
        self._forward_batches = 0

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

    def encode(self, candidates: Sequence[Candidate]) -> list[E]:
        """The candidates' encodings, each tokenized once per scorer (a shard's costs, then its scores)."""
        missing = [c for c in dict.fromkeys(candidates) if c not in self._encodings]
        self._encodings.update(zip(missing, self.model.encode(missing), strict=True))
        return [self._encodings[c] for c in candidates]

    def example_costs(self, examples: Sequence[Example]) -> list[int]:
        """Tokens of each example's answers in their conversations: what a `--shard` split balances."""
        lengths = {c: e.length for c, e in zip(self.unique_candidates(examples),
                                                self.encode(self.unique_candidates(examples)), strict=True)}
        return [sum(lengths[Candidate(ex.prompt, t)] for t in ex.candidates) for ex in examples]

    def _batch_values(self, encoded: Sequence[E], batch: Sequence[int], keys: Mapping[int, str],
                      store: ScoreStore | None) -> dict[int, float]:
        """One batch's rewards: from the store when it holds them all, else computed and kept (a value the store
        already held wins, so a rerun gives the same numbers whatever was computed where)."""
        found = store.get_many([keys[i] for i in batch]) if store else {}
        if len(found) == len(batch):
            return {i: found[keys[i]] for i in batch}
        self._forward_batches += 1
        fresh = self.model.rewards([encoded[i] for i in batch])
        if store:
            store.put_many((keys[i], v) for i, v in zip(batch, fresh, strict=True) if keys[i] not in found)
            return {i: found.get(keys[i], v) for i, v in zip(batch, fresh, strict=True)}
        return dict(zip(batch, fresh, strict=True))

    def distinct(self, examples: Sequence[Example]) -> tuple[list[Candidate], list[int], list[E]]:
        """The examples' distinct candidates, the encoding each maps to, and the distinct encodings (texts equal
        after truncation share one)."""
        candidates = self.unique_candidates(examples)
        slots: dict[E, int] = {}
        slot_of = [slots.setdefault(e, len(slots)) for e in self.encode(candidates)]
        return candidates, slot_of, list(slots)

    def values(self, encoded: Sequence[E], indices: Sequence[int], store: ScoreStore | None,
               progress: Callable[[Sequence[int]], None] | None = None) -> tuple[dict[int, float], dict[str, int]]:
        """Rewards of `encoded[i]` for every i in `indices`, with the counters of the pass.

        In a data-parallel run this process scores its token-balanced share and every process gathers them all.
        """
        mine = [indices[j] for j in self.share.select([encoded[i].length for i in indices])]
        local, real, padded = self.plan([encoded[i] for i in mine])
        keys = {i: store.key(encoded[i].signature()) for i in mine} if store else {}
        hits_before = store.hits if store else 0
        self._forward_batches = 0
        computed: dict[int, float] = {}
        for batch in ([mine[j] for j in b] for b in local):
            computed.update(self._batch_values(encoded, batch, keys, store))
            if progress:
                progress(batch)
        counters = {"batches": len(local), "forward_batches": self._forward_batches, "real_tokens": real,
                    "padded_tokens": padded, "from_store": store.hits - hits_before if store else 0}
        return self.share.gather(computed, counters)

    def regroup(self, examples: Sequence[Example], candidates: Sequence[Candidate], slot_of: Sequence[int],
                values: Sequence[float]) -> list[Scored]:
        """Each example with its candidates' rewards."""
        index = {c: slot_of[i] for i, c in enumerate(candidates)}

        def lookup(ex: Example, texts: tuple[str, ...]) -> tuple[float, ...]:
            return tuple(values[index[Candidate(ex.prompt, t)]] for t in texts)

        return [Scored(ex, lookup(ex, ex.chosen), lookup(ex, ex.rejected)) for ex in examples]

    def counted(self, examples: Sequence[Example], candidates: Sequence[Candidate], encoded: Sequence[E],
                counters: dict[str, int]) -> None:
        """Keep a run's statistics for `describe`."""
        self.stats = {"candidates": sum(len(ex.candidates) for ex in examples), "unique_candidates": len(candidates),
                      "unique_encodings": len(encoded), **counters}
        if self.share.count > 1:
            self.stats["processes"] = self.share.count

    def prepare(self, benchmark: BenchmarkSpec) -> None:
        """Fast-exact precision needs the benchmark's rules to know which decisions are close."""
        if self.fast_exact is not None:
            self.fast_exact.benchmark = benchmark

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Score every candidate once, in length-sorted batches, and regroup per example."""
        if self.fast_exact is not None:
            return score_fast_exact(self, self.fast_exact, examples, progress)
        candidates, slot_of, encoded = self.distinct(examples)
        sharing = Counter(slot_of)  # candidates behind each encoding, for the progress bar
        done = (lambda batch: progress(sum(sharing[i] for i in batch))) if progress else None
        found, counters = self.values(encoded, range(len(encoded)), self.store, done)
        self.counted(examples, candidates, encoded, counters)
        return self.regroup(examples, candidates, slot_of, [found.get(i, math.nan) for i in range(len(encoded))])

    def describe(self) -> dict[str, Any]:
        """The model's description plus batching settings and statistics, and the score store's part."""
        return {**self.model.describe(), "batching": {**self.batching.describe(), **self.stats},
                "score_store": self.store.describe() if self.store else None,
                **(self.fast_exact.describe() if self.fast_exact else ONE_DTYPE)}

    def close(self) -> None:
        """Close the model and the store."""
        self.model.close()
        if self.store is not None:
            self.store.close()
        if self.fast_exact is not None:
            self.fast_exact.close()
