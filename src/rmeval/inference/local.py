"""What the pointwise adapter and the pairwise path share: a run's inputs (each example's answers, or its ordered
pairs of answers), encoded once and deduplicated by encoding, cut into blocks (`blocks.py`), packed into batches
within each block, handed to processes a batch at a time, read from and kept in the score store, and scored in one
dtype or fast-exact (`precision.py`).

Because batches are packed within blocks and blocks depend only on the data, every input is scored in the same
batch however the run is split: one process, `torchrun` with N processes and N `--shard`s merged give the same
numbers, bit for bit on one machine, and fast-exact's calibration is drawn from, and decided over, the whole run.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from rmeval.benchmarks import BenchmarkSpec
from rmeval.inference.batching import Batching, pack_batches
from rmeval.inference.blocks import MIN_BLOCK_INPUTS, Work, plan_blocks
from rmeval.inference.parallel import Share, balanced_shares
from rmeval.inference.precision import ONE_DTYPE, FastExact, fast_exact_values
from rmeval.inference.scorestore import ScoreStore
from rmeval.protocol import BaseScorer, Progress
from rmeval.types import Example, Scored

__all__ = ["Encoded", "Layout", "LocalScorer"]


class Encoded(Protocol):
    """A tokenized input; `length` is what batching budgets. Equal encodings (hashable, compared by value) are
    scored once, so texts that truncation makes identical get exactly the same reward; `signature` is the encoding
    as text, what the score store keys it by."""

    @property
    def length(self) -> int: ...

    def signature(self) -> str: ...

    def __hash__(self) -> int: ...


K = TypeVar("K", bound=Hashable)
E = TypeVar("E", bound=Encoded)


@dataclass(frozen=True)
class Layout(Generic[K, E]):
    """A run's inputs: each example's keys (`keys[i]`), the distinct encoding each key maps to (`slot_of`), the
    distinct encodings, and the work they make (slots and blocks of every example)."""

    keys: list[list[K]]
    slot_of: dict[K, int]
    encoded: list[E]
    work: Work


class LocalScorer(BaseScorer, Generic[K, E]):
    """The scorer of a model run on this machine; a path says what an example's inputs are (`keys`), how they are
    encoded and computed (`encode_keys`, `forward`), and how their values make an example's scores (`combine`)."""

    def __init__(self, batching: Batching, store: ScoreStore | None, share: Share | None,
                 fast_exact: FastExact | None) -> None:
        self.batching = batching
        self.store = store
        self.share = share or Share()
        self.fast_exact = fast_exact
        self.stats: dict[str, int] = {}
        self.run: Sequence[Example] | None = None
        """The whole run, when this invocation scores one shard of it (`shard`)."""
        self._mine: list[int] = []
        self._encodings: dict[K, E] = {}
        self._layout: tuple[Sequence[Example], Layout[K, E]] | None = None
        self._forward_batches = 0

    @abstractmethod
    def keys(self, example: Example) -> list[K]:
        """The distinct inputs `example` needs, in a fixed order."""

    @abstractmethod
    def encode_keys(self, keys: Sequence[K]) -> list[E]:
        """Encodings of `keys` (all at once, so fast tokenizers can batch)."""

    @abstractmethod
    def forward(self, batch: Sequence[E]) -> list[float]:
        """The model's values of one batch, in order."""

    @abstractmethod
    def combine(self, example: Example, values: Mapping[K, float]) -> Scored:
        """`example` scored from its inputs' values."""

    @property
    @abstractmethod
    def weights(self) -> object:
        """What holds the model's torch modules (the bf16 pass casts them)."""

    def plan(self, encoded: Sequence[E]) -> tuple[list[list[int]], int, int]:
        """Batches of indices into `encoded` (longest first, packed by the token budget), with the real and padded
        tokens they hold. A layout of several inputs in one row overrides this."""
        lengths = [e.length for e in encoded]
        batches = pack_batches(lengths, self.batching)
        return batches, sum(lengths), sum(len(b) * max(lengths[i] for i in b) for b in batches)

    def encode(self, keys: Sequence[K]) -> list[E]:
        """The keys' encodings, each tokenized once per scorer."""
        missing = [k for k in dict.fromkeys(keys) if k not in self._encodings]
        self._encodings.update(zip(missing, self.encode_keys(missing), strict=True))
        return [self._encodings[k] for k in keys]

    def layout(self, examples: Sequence[Example]) -> Layout[K, E]:
        """The run's inputs and blocks (kept for the last run asked about: a shard's run, then its scoring)."""
        if self._layout is not None and self._layout[0] is examples:
            return self._layout[1]
        keys = [self.keys(ex) for ex in examples]
        distinct = list(dict.fromkeys(k for row in keys for k in row))
        slots: dict[E, int] = {}
        slot_of = {k: slots.setdefault(e, len(slots)) for k, e in zip(distinct, self.encode(distinct), strict=True)}
        encoded = list(slots)
        rows = [sorted({slot_of[k] for k in row}) for row in keys]
        blocks = plan_blocks([ex.prompt for ex in examples], rows, [e.length for e in encoded])
        layout = Layout(keys, slot_of, encoded, Work(rows, blocks, len(encoded), range(len(examples))))
        self._layout = (examples, layout)
        return layout

    def total_work(self, examples: Sequence[Example]) -> int:
        """Progress counts distinct inputs."""
        return len({k for ex in examples for k in self.keys(ex)})

    def shard(self, examples: Sequence[Example], index: int, count: int) -> list[int]:
        """The positions of the examples of the `index`-th of `count` shares of the run's blocks (balanced by
        tokens), which this scorer then scores as part of the whole run."""
        work = self.layout(examples).work
        tokens = Counter[int]()
        for s, b in work.block_of_input.items():
            tokens[b] += self.layout(examples).encoded[s].length
        blocks = max(work.blocks, default=-1) + 1
        if count > blocks:
            plural = "s" if blocks != 1 else ""
            raise ValueError(f"--shard {index}/{count}: this run is cut into {blocks} block{plural} of work (at "
                             f"least {MIN_BLOCK_INPUTS} distinct inputs each, so that a split never changes a "
                             f"number), so it takes at most {blocks} shard{plural}")
        chosen = set(balanced_shares([tokens[b] for b in range(blocks)], count)[index])
        self.run, self._mine = examples, [i for i, b in enumerate(work.blocks) if b in chosen]
        return list(self._mine)

    def values(self, encoded: Sequence[E], groups: Sequence[Sequence[int]], store: ScoreStore | None,
               progress: Callable[[Sequence[int]], None] | None = None) -> tuple[dict[int, float], dict[str, int]]:
        """The values of `encoded[i]` for every i of `groups` (each group packed into batches of its own), with the
        counters of the pass. In a data-parallel run each process computes a share of the batches, balanced by
        padded tokens, and every process gathers them all."""
        batches: list[list[int]] = []
        real = padded = 0
        for group in groups:
            local, r, p = self.plan([encoded[i] for i in group])
            batches += [[group[j] for j in b] for b in local]
            real, padded = real + r, padded + p
        mine = [batches[j] for j in self.share.select([len(b) * max(encoded[i].length for i in b) for b in batches])]
        keys = {i: store.key(encoded[i].signature()) for b in mine for i in b} if store else {}
        hits_before = store.hits if store else 0
        self._forward_batches = 0
        computed: dict[int, float] = {}
        for batch in mine:
            computed.update(self._batch_values(encoded, batch, keys, store))
            if progress:
                progress(batch)
        found, counters = self.share.gather(computed, {
            "forward_batches": self._forward_batches, "from_store": store.hits - hits_before if store else 0})
        return found, {"batches": len(batches), "real_tokens": real, "padded_tokens": padded, **counters}

    def _batch_values(self, encoded: Sequence[E], batch: Sequence[int], keys: Mapping[int, str],
                      store: ScoreStore | None) -> dict[int, float]:
        """One batch's values: from the store when it holds them all, else computed and kept (a value the store
        already held wins, so a rerun gives the same numbers whatever was computed where)."""
        found = store.get_many([keys[i] for i in batch]) if store else {}
        if len(found) == len(batch):
            return {i: found[keys[i]] for i in batch}
        self._forward_batches += 1
        fresh = self.forward([encoded[i] for i in batch])
        if store:
            store.put_many((keys[i], v) for i, v in zip(batch, fresh, strict=True) if keys[i] not in found)
            return {i: found.get(keys[i], v) for i, v in zip(batch, fresh, strict=True)}
        return dict(zip(batch, fresh, strict=True))

    def prepare(self, benchmark: BenchmarkSpec) -> None:
        """Fast-exact precision needs the benchmark's rules to know which decisions are close."""
        if self.fast_exact is not None:
            self.fast_exact.benchmark = benchmark

    def compute(self, examples: Sequence[Example], progress: Progress | None) -> list[Scored]:
        """Every input of `examples` computed once, in batches packed within blocks, and each example scored: a
        shard's examples within the whole run they come from (`shard`), others as a run of their own."""
        ours = self.run is not None and len(examples) == len(self._mine) and all(
            e is self.run[p] for e, p in zip(examples, self._mine, strict=True))
        whole = self.run if ours and self.run is not None else examples
        lay = self.layout(whole)
        work = replace(lay.work, mine=self._mine if ours else range(len(whole)), block_of_input=lay.work.block_of_input)
        sharing = Counter(lay.slot_of[k] for k in {k for i in work.mine for k in lay.keys[i]})
        done = (lambda batch: progress(sum(sharing[i] for i in batch))) if progress else None

        def regroup(which: Sequence[int], found: Sequence[float]) -> list[Scored]:
            return [self.combine(whole[i], {k: found[lay.slot_of[k]] for k in lay.keys[i]}) for i in which]

        if self.fast_exact is not None:
            final, counters = fast_exact_values(self.fast_exact, self.weights, whole, work,
                                                partial(self.values, lay.encoded), regroup, self.store, done)
        else:
            found, counters = self.values(lay.encoded, work.groups(work.my_inputs()), self.store, done)
            final = [found.get(i, math.nan) for i in range(work.count)]
        self.counted([whole[i] for i in work.mine], len(sharing), len(work.my_blocks), counters)
        return regroup(work.mine, final)

    def counted(self, examples: Sequence[Example], encodings: int, blocks: int, counters: dict[str, int]) -> None:
        """Keep a run's statistics for `describe` (a path names its inputs)."""
        self.stats = {**self.input_counts(examples), "unique_encodings": encodings, "blocks": blocks, **counters,
                      **({"processes": self.share.count} if self.share.count > 1 else {})}

    def input_counts(self, examples: Sequence[Example]) -> dict[str, int]:
        """How many inputs the examples hold, and how many distinct ones, under the path's own names."""
        keys = [k for ex in examples for k in self.keys(ex)]
        return {"inputs": len(keys), "unique_inputs": len(set(keys))}

    def describe_core(self) -> dict[str, Any]:
        """The batching settings and statistics, the score store's part and the precision's."""
        return {"batching": {**self.batching.describe(), **self.stats},
                "score_store": self.store.describe() if self.store else None,
                **(self.fast_exact.describe() if self.fast_exact else ONE_DTYPE)}

    def close_core(self) -> None:
        """Close the stores."""
        if self.store is not None:
            self.store.close()
        if self.fast_exact is not None:
            self.fast_exact.close()
