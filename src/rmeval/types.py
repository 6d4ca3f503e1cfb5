"""The vocabulary of rmeval: a few frozen dataclasses shared by every layer.

Chosen and rejected are tuples so that v1 pairs (1 vs 1), v2 best-of-4 (1 vs 3) and Ties (k vs m) are one type.
A run is written as a `RunSpec` (how it was made) and one `SampleRecord` per example (what each answer scored).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any

__all__ = ["Candidate", "Example", "ExampleKey", "Message", "RunSpec", "SampleRecord", "Scored"]

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

    @property
    def digest(self) -> str:
        """16 hex digits of the sha256 of the prompt and the answers (not the subset, id or row): the same pair in
        any file, in any order, has the same digest, so two runs' examples are paired by what they hold.

        >>> Example("s", 1, (Message("user", "hi"),), ("a",), ("b",)).digest == Example("t", 9, (Message("user",
        ... "hi"),), ("a",), ("b",)).digest
        True
        """
        content = [[m.as_dict() for m in self.prompt], list(self.chosen), list(self.rejected)]
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class Scored:
    """An example with one reward per candidate (same order as `chosen` / `rejected`).

    `details` carries what a scorer wants kept per example (a judge's verdicts, failures), written to samples.jsonl.
    """

    example: Example
    chosen_scores: tuple[float, ...]
    rejected_scores: tuple[float, ...]
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Candidate:
    """One answer in its conversation: the unit a pointwise model scores. Equal candidates are scored once."""

    prompt: tuple[Message, ...]
    response: str


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to reproduce a run: benchmark and data, scorer settings, conventions, versions."""

    benchmark: str
    data: dict[str, Any]
    scorer: dict[str, Any]
    conventions: dict[str, Any]
    versions: dict[str, str]
    seed: int = 0
    command: list[str] | None = None
    created_at: str | None = None
    name: str | None = None
    """The run's display name (`--name`; by default the preset or the model's last path part)."""

    @property
    def display_name(self) -> str:
        """The run's name, as every command shows it: the recorded one (`--name`, else the preset or the model's
        last path part), else, for a run that recorded none, the model the scorer recorded (a local path by its
        last part).

        >>> RunSpec("b", {}, {"model": "/tmp/x/my-rm"}, {}, {}).display_name
        'my-rm'
        """
        if self.name:
            return self.name
        model = str(self.scorer.get("model") or "") if isinstance(self.scorer, Mapping) else ""
        if model.startswith(("/", "./", "../", "~")) or "\\" in model:
            return PurePath(model.replace("\\", "/")).name or model
        return model or "unnamed run"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        """Read the JSON form back (unknown keys are kept out of the dataclass)."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class SampleRecord:
    """One line of samples.jsonl: every candidate's score and the credit the example earned.

    `part` is empty for the benchmark itself and names a companion set scored in the same run (`prior-sets`).
    `features` holds per-candidate facts the analyses need without the texts (lengths, refusal labels); `facts`
    what the benchmark's rule needs to know of the example beyond its scores (JudgeBench's label); `digest` what the
    example held (its prompt and answers), hashed.
    """

    subset: str
    id: int | str
    scores_chosen: list[float]
    scores_rejected: list[float]
    correct: float
    part: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    """`Example.digest` of the example scored: what `compare` pairs two runs' examples by (empty in older runs)."""

    @property
    def key(self) -> ExampleKey:
        """(subset, id as text), as `Example.key`."""
        return (self.subset, str(self.id))

    def to_json(self) -> str:
        """One JSON line (empty `part`, `details`, `features` and `facts` are left out)."""
        data = asdict(self)
        for key in ("part", "details", "features", "facts", "digest"):
            if not data[key]:
                del data[key]
        return json.dumps(data, ensure_ascii=False, allow_nan=True)

    @classmethod
    def from_json(cls, line: str) -> SampleRecord:
        """Parse one line."""
        return cls.from_dict(json.loads(line))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SampleRecord:
        """Build from a parsed line."""
        return cls(d["subset"], d["id"], list(d["scores_chosen"]), list(d["scores_rejected"]), float(d["correct"]),
                   d.get("part", ""), d.get("details", {}), d.get("features", {}), d.get("facts", {}),
                   str(d.get("digest", "")))
