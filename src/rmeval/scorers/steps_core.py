"""The step-level core every process reward model plugs into: one score per step of each answer.

A step-level model implements `encode` (an answer's steps to token ids and the positions its scores are read
at) and `step_scores` (one batch's scores, a list per answer). The core gives it what the pointwise adapter gives
outcome models: every answer of a run flattened and deduplicated, the distinct encodings sorted by length and
packed by the token budget, the score store (one entry per step, keyed by the encoding and the step), the
data-parallel share, and the regrouping per example. Steps come from the example when it publishes them
(ProcessBench, PRMBench: `meta["steps"]`), otherwise from the answer's text by the named split rule; each answer's
outcome reward is its step scores aggregated (`--aggregate`), and the step scores themselves are kept in the
sample (`details.steps`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rmeval.data.steps import split_steps, strip_step_number
from rmeval.scorers.base import BaseScorer, Progress
from rmeval.scorers.batching import Batching, pack_batches
from rmeval.scorers.parallel import Share
from rmeval.scorers.scorestore import ScoreStore
from rmeval.scoring.steps import aggregate_steps
from rmeval.types import Example, Message, Scored

__all__ = ["StepAnswer", "StepEncoding", "StepModel", "StepScorer", "StepSettings"]


@dataclass(frozen=True)
class StepAnswer:
    """One answer as its steps, in its conversation: what a step-level model scores (equal ones once)."""

    prompt: tuple[Message, ...]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class StepEncoding:
    """Token ids of one answer and, per step, the position its score is read at (-1: cut by truncation)."""

    ids: tuple[int, ...]
    positions: tuple[int, ...]
    truncated: bool = False

    @property
    def length(self) -> int:
        """Tokens, what batching budgets."""
        return len(self.ids)

    def signature(self) -> str:
        """The encoding as text (the score store's key, with the step's index)."""
        return ",".join(map(str, self.ids)) + "@" + ",".join(map(str, self.positions))


class StepModel(Protocol):
    """A model that scores every step of an answer in one forward pass."""

    def encode(self, answers: Sequence[StepAnswer]) -> list[StepEncoding]:
        """Render and tokenize answers, with each step's read position."""
        ...

    def step_scores(self, batch: Sequence[StepEncoding]) -> list[list[float]]:
        """One score per step of each encoding (NaN where a step's position was cut)."""
        ...

    def fingerprint(self) -> dict[str, Any] | None:
        """Everything besides the encoding that decides a score (the score store's key); None: keep nothing."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model's part of the run spec."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


@dataclass(frozen=True)
class StepSettings:
    """How answers become steps and step scores become rewards (recorded with the run)."""

    aggregate: str = "min"
    split: str = "blank-lines"
    threshold: float = 0.5
    strip_numbers: bool = False

    def describe(self) -> dict[str, Any]:
        """The conventions of a step-level run."""
        return {"aggregate": self.aggregate, "split": self.split, "threshold": self.threshold,
                "strip_step_numbers": self.strip_numbers,
                "published_steps": "a step-level benchmark's own steps are scored as published; other answers are "
                                   f"split by {self.split!r}"}


class StepScorer(BaseScorer):
    """Scores every step of every answer once, in length-sorted token-budget batches, and regroups per example."""

    def __init__(self, model: StepModel, batching: Batching, settings: StepSettings,
                 store: ScoreStore | None = None, share: Share | None = None) -> None:
        self.model, self.batching, self.settings = model, batching, settings
        self.store, self.share = store, share or Share()
        self.stats: dict[str, int] = {}
        self._encodings: dict[StepAnswer, StepEncoding] = {}

    def answers(self, ex: Example) -> list[StepAnswer]:
        """The example's answers as steps (published, or split), chosen first."""
        published = ex.meta.get("steps")
        out = []
        for i, text in enumerate(ex.candidates):
            given = published[i] if isinstance(published, list) and i < len(published) else None
            steps = [str(s) for s in given] if isinstance(given, list) and given else split_steps(text,
                                                                                                  self.settings.split)
            if self.settings.strip_numbers:
                steps = [strip_step_number(s) for s in steps]
            out.append(StepAnswer(ex.prompt, tuple(steps)))
        return out

    def unique_answers(self, examples: Sequence[Example]) -> list[StepAnswer]:
        """Distinct answers in first-seen order."""
        return list(dict.fromkeys(a for ex in examples for a in self.answers(ex)))

    def encode(self, answers: Sequence[StepAnswer]) -> list[StepEncoding]:
        """Each answer's encoding, tokenized once per scorer."""
        missing = [a for a in dict.fromkeys(answers) if a not in self._encodings]
        self._encodings.update(zip(missing, self.model.encode(missing), strict=True))
        return [self._encodings[a] for a in answers]

    def total_work(self, examples: Sequence[Example]) -> int:
        """Progress counts distinct answers."""
        return len(self.unique_answers(examples))

    def example_costs(self, examples: Sequence[Example]) -> list[int]:
        """Tokens of each example's answers: what a `--shard` split balances."""
        return [sum(e.length for e in self.encode(self.answers(ex))) for ex in examples]

    def _batch(self, encoded: Sequence[StepEncoding], batch: Sequence[int]) -> dict[int, list[float]]:
        """One batch's step scores: from the store when it holds them all, else computed and kept."""
        keys = {i: [self.store.key(f"{encoded[i].signature()}#{j}") for j in range(len(encoded[i].positions))]
                for i in batch} if self.store else {}
        if self.store:
            found = self.store.get_many([k for i in batch for k in keys[i]])
            if all(k in found for i in batch for k in keys[i]):
                return {i: [found[k] for k in keys[i]] for i in batch}
        self.stats["forward_batches"] = self.stats.get("forward_batches", 0) + 1
        fresh = self.model.step_scores([encoded[i] for i in batch])
        for i, scores in zip(batch, fresh, strict=True):
            if len(scores) != len(encoded[i].positions):
                raise RuntimeError(f"the model gave {len(scores)} step scores for {len(encoded[i].positions)} steps")
        if self.store:
            self.store.put_many((k, v) for i, scores in zip(batch, fresh, strict=True)
                                for k, v in zip(keys[i], scores, strict=True))
        return dict(zip(batch, fresh, strict=True))

    def values(self, encoded: Sequence[StepEncoding], done: Callable[[Sequence[int]], None] | None = None
               ) -> dict[int, list[float]]:
        """Step scores of every distinct encoding (this process's token-balanced share, then gathered)."""
        mine = self.share.select([e.length for e in encoded])
        lengths = [encoded[i].length for i in mine]
        batches = pack_batches(lengths, self.batching)
        hits = self.store.hits if self.store else 0
        computed: dict[int, list[float]] = {}
        for local in batches:
            batch = [mine[j] for j in local]
            computed.update(self._batch(encoded, batch))
            if done:
                done(batch)
        counters = {"batches": len(batches), "forward_batches": self.stats.get("forward_batches", 0),
                    "real_tokens": sum(lengths), "padded_tokens": sum(len(b) * max(lengths[j] for j in b)
                                                                       for b in batches),
                    "from_store": self.store.hits - hits if self.store else 0}
        gathered, totals = self.share.gather(computed, counters)
        self.stats.update(totals)
        return gathered

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Every step of every distinct answer scored once; each answer's reward its aggregated step scores."""
        answers = self.unique_answers(examples)
        slots: dict[StepEncoding, int] = {}
        slot_of = {a: slots.setdefault(e, len(slots)) for a, e in zip(answers, self.encode(answers), strict=True)}
        encoded = list(slots)
        sharing: dict[int, int] = {}
        for slot in slot_of.values():
            sharing[slot] = sharing.get(slot, 0) + 1
        done = (lambda batch: progress(sum(sharing[i] for i in batch))) if progress else None
        self.stats = {"candidates": sum(len(ex.candidates) for ex in examples), "unique_answers": len(answers),
                      "unique_encodings": len(encoded),
                      "truncated": sum(e.truncated for e in encoded)}
        found = self.values(encoded, done)
        if self.share.count > 1:
            self.stats["processes"] = self.share.count
        return [self._scored(ex, [found.get(slot_of[a], [math.nan] * len(a.steps)) for a in self.answers(ex)])
                for ex in examples]

    def _scored(self, ex: Example, steps: list[list[float]]) -> Scored:
        rewards = [aggregate_steps(s, self.settings.aggregate) for s in steps]
        k = len(ex.chosen)
        details = {"steps": {"scores": steps, "threshold": self.settings.threshold}}
        return Scored(ex, tuple(rewards[:k]), tuple(rewards[k:]), details)

    def conventions(self) -> dict[str, Any]:
        """How steps were made and read, recorded beside the benchmark's conventions."""
        return {"steps": self.settings.describe()}

    def describe(self) -> dict[str, Any]:
        """The model's description, the step settings, batching and the score store."""
        return {**self.model.describe(), "steps": self.settings.describe(),
                "batching": {**self.batching.describe(), **self.stats},
                "score_store": self.store.describe() if self.store else None, "precision": {"mode": "one dtype"}}

    def close(self) -> None:
        """Close the model and the store."""
        self.model.close()
        if self.store is not None:
            self.store.close()

