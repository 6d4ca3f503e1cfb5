"""The step-level path of the core: every step of each answer is one input of the run, and the steps of one answer
are read from one forward pass of that answer.

A step-level model implements `encode` (an answer's steps to token ids and the positions its scores are read
at) and `step_scores` (one batch's scores, a list per answer). Here each step is a key (the answer and the step's
index) whose encoding is the answer's encoding and the step (`StepRead`); a batch holds whole answers, every step
of each (`plan`), and `forward` runs each distinct answer once. So step-level models get what the other local kinds
get from `LocalScorer`: deduplication, length-sorted token-budget batches within the run's blocks, the score store
(one entry per step), the data-parallel share and `--shard`.

Steps come from the example when it publishes them (ProcessBench, PRMBench: `meta["steps"]`), otherwise from the
answer's text by the named split rule; an answer's outcome reward is its step scores aggregated (`--aggregate`),
and the step scores themselves are kept in the sample (`details.steps`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rmeval.data.steps import split_steps, strip_step_number
from rmeval.inference.batching import Batching, pack_batches
from rmeval.inference.local import LocalScorer
from rmeval.inference.parallel import Share
from rmeval.inference.scorestore import ScoreStore
from rmeval.protocol import Progress
from rmeval.scoring.steps import aggregate_steps
from rmeval.types import Example, Message, Scored

__all__ = ["StepAnswer", "StepEncoding", "StepKey", "StepModel", "StepRead", "StepScorer", "StepSettings"]


@dataclass(frozen=True)
class StepAnswer:
    """One answer as its steps, in its conversation: what a step-level model scores (equal ones once)."""

    prompt: tuple[Message, ...]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class StepKey:
    """One step of one answer: an input of the run."""

    answer: StepAnswer
    step: int


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
        """The encoding as text."""
        return ",".join(map(str, self.ids)) + "@" + ",".join(map(str, self.positions))


@dataclass(frozen=True)
class StepRead:
    """One step's input: its answer's encoding and the step read (the score store keys it by both)."""

    encoding: StepEncoding
    step: int

    @property
    def length(self) -> int:
        """The answer's tokens."""
        return self.encoding.length

    def signature(self) -> str:
        """The answer's encoding and the step."""
        return f"{self.encoding.signature()}#{self.step}"


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


class StepScorer(LocalScorer[StepKey, StepRead]):
    """Scores every step of every distinct answer once, whole answers per batch, and regroups per example."""

    def __init__(self, model: StepModel, batching: Batching, settings: StepSettings,
                 store: ScoreStore | None = None, share: Share | None = None) -> None:
        super().__init__(batching, store, share, None)
        self.model, self.settings = model, settings

    @property
    def weights(self) -> object:
        """The model: it holds the torch modules."""
        return self.model

    def answers(self, ex: Example) -> list[StepAnswer]:
        """The example's answers as steps (published, or split), chosen first."""
        published = ex.meta.get("steps")
        out = []
        for i, text in enumerate(ex.candidates):
            given = published[i] if isinstance(published, list) and i < len(published) else None
            steps = ([str(s) for s in given] if isinstance(given, list) and given
                     else split_steps(text, self.settings.split))
            if self.settings.strip_numbers:
                steps = [strip_step_number(s) for s in steps]
            out.append(StepAnswer(ex.prompt, tuple(steps)))
        return out

    def keys(self, example: Example) -> list[StepKey]:
        """Every step of the example's distinct answers."""
        return [StepKey(a, j) for a in dict.fromkeys(self.answers(example)) for j in range(len(a.steps))]

    def encode_keys(self, keys: Sequence[StepKey]) -> list[StepRead]:
        """Each answer encoded once by the model; each of its steps read from that encoding."""
        answers = list(dict.fromkeys(k.answer for k in keys))
        encoded = dict(zip(answers, self.model.encode(answers), strict=True))
        return [StepRead(encoded[k.answer], k.step) for k in keys]

    def plan(self, encoded: Sequence[StepRead]) -> tuple[list[list[int]], int, int]:
        """Batches of whole answers (every step of each), longest first by the token budget, with the real and
        padded tokens of the answers."""
        rows: dict[StepEncoding, list[int]] = {}
        for i, read in enumerate(encoded):
            rows.setdefault(read.encoding, []).append(i)
        answers = list(rows)
        lengths = [a.length for a in answers]
        batches = pack_batches(lengths, self.batching)
        padded = sum(len(b) * max(lengths[r] for r in b) for b in batches)
        return [[i for r in b for i in rows[answers[r]]] for b in batches], sum(lengths), padded

    def forward(self, batch: Sequence[StepRead]) -> list[float]:
        """Each distinct answer of the batch run once; each step's score read from its answer's."""
        answers = list(dict.fromkeys(r.encoding for r in batch))
        scores = dict(zip(answers, self.model.step_scores(answers), strict=True))
        for answer in answers:
            if len(scores[answer]) != len(answer.positions):
                raise RuntimeError(f"the model gave {len(scores[answer])} step scores for {len(answer.positions)} "
                                   "steps")
        return [scores[r.encoding][r.step] for r in batch]

    def combine(self, example: Example, values: Mapping[StepKey, float]) -> Scored:
        """Each answer's step scores, and its outcome reward: their aggregate."""
        steps = [[values.get(StepKey(a, j), math.nan) for j in range(len(a.steps))] for a in self.answers(example)]
        rewards = [aggregate_steps(s, self.settings.aggregate) for s in steps]
        k = len(example.chosen)
        details = {"steps": {"scores": steps, "threshold": self.settings.threshold}}
        return Scored(example, tuple(rewards[:k]), tuple(rewards[k:]), details)

    def input_counts(self, examples: Sequence[Example]) -> dict[str, int]:
        """Answers and steps, and distinct ones."""
        answers = [a for ex in examples for a in self.answers(ex)]
        steps = {k for ex in examples for k in self.keys(ex)}
        return {"candidates": len(answers), "unique_answers": len(set(answers)), "unique_steps": len(steps)}

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Score every step once, whole answers per batch within the run's blocks, and regroup per example."""
        return self.compute(examples, progress)

    def conventions(self) -> dict[str, Any]:
        """How steps were made and read, recorded beside the benchmark's conventions."""
        return {"steps": self.settings.describe()}

    def describe(self) -> dict[str, Any]:
        """The model's description, the step settings, batching, the score store and precision."""
        return {**self.model.describe(), "steps": self.settings.describe(), **self.describe_core()}

    def close(self) -> None:
        """Close the model and the store."""
        self.model.close()
        self.close_core()
