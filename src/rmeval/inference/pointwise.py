"""The pointwise adapter that every per-answer reward model plugs into: each distinct answer of a run (in its
conversation) is one input, scored on its own; an example's scores are its answers' rewards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

from rmeval.inference.batching import Batching, pack_batches
from rmeval.inference.local import Encoded, LocalScorer
from rmeval.inference.logprobs import EncodedResponse, group_rows, row_length
from rmeval.inference.parallel import Share
from rmeval.inference.precision import FastExact
from rmeval.inference.scorestore import ScoreStore
from rmeval.protocol import Progress
from rmeval.types import Candidate, Example, Scored

__all__ = ["Encoded", "PointwiseModel", "PointwiseScorer", "SharedPromptScorer"]

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


class PointwiseScorer(LocalScorer[Candidate, E]):
    """Flattens every candidate of every example, deduplicates, batches by length and token budget, regroups."""

    def __init__(self, model: PointwiseModel[E], batching: Batching, store: ScoreStore | None = None,
                 share: Share | None = None, fast_exact: FastExact | None = None) -> None:
        super().__init__(batching, store, share, fast_exact)
        self.model = model

    @property
    def weights(self) -> object:
        """The model: it holds the torch modules."""
        return self.model

    def keys(self, example: Example) -> list[Candidate]:
        """The example's distinct answers, each in its conversation."""
        return list(dict.fromkeys(Candidate(example.prompt, t) for t in example.candidates))

    def encode_keys(self, keys: Sequence[Candidate]) -> list[E]:
        """The model's encodings."""
        return self.model.encode(keys)

    def forward(self, batch: Sequence[E]) -> list[float]:
        """The model's rewards."""
        return self.model.rewards(batch)

    def combine(self, example: Example, values: Mapping[Candidate, float]) -> Scored:
        """Each answer's reward."""
        def lookup(texts: tuple[str, ...]) -> tuple[float, ...]:
            return tuple(values[Candidate(example.prompt, t)] for t in texts)

        return Scored(example, lookup(example.chosen), lookup(example.rejected))

    def input_counts(self, examples: Sequence[Example]) -> dict[str, int]:
        """Candidates, and distinct ones."""
        return {"candidates": sum(len(ex.candidates) for ex in examples),
                "unique_candidates": len({k for ex in examples for k in self.keys(ex)})}

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Score every candidate once, in length-sorted batches within the run's blocks, and regroup per example."""
        return self.compute(examples, progress)

    def describe(self) -> dict[str, Any]:
        """The model's description plus batching settings and statistics, and the stores' and precision's parts."""
        return {**self.model.describe(), **self.describe_core()}

    def close(self) -> None:
        """Close the model and the stores."""
        self.model.close()
        self.close_core()


class SharedPromptScorer(PointwiseScorer[EncodedResponse]):
    """The pointwise adapter, batching answers with identical prompt tokens together so that their prompt is run
    once: a row holds one prompt and all its answers, and rows are length-sorted and packed by the token budget."""

    def plan(self, encoded: Sequence[EncodedResponse]) -> tuple[list[list[int]], int, int]:
        """Batches of candidate indices, whole rows at a time, with the real and padded tokens of the rows."""
        rows = group_rows(encoded, share_prompts=True)
        costs = [row_length([encoded[i] for i in row]) for row in rows]
        batches = pack_batches(costs, self.batching)
        padded = sum(len(b) * max(costs[r] for r in b) for b in batches)
        return [[i for r in b for i in rows[r]] for b in batches], sum(costs), padded
