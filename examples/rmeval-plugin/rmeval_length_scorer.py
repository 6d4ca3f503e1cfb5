"""`--scorer length`: the length baseline as a reward model (the longer, or the shorter, answer wins).

A pointwise scorer is one file: an options dataclass (each field a command-line flag), a model that encodes
candidates and rewards batches of them, and a factory registered under its name. The pointwise adapter brings
deduplication, length-sorted batching and regrouping; `evaluate` brings the benchmark's rules, intervals and files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rmeval.common.options import option
from rmeval.scorers import Batching, PointwiseScorer, register_scorer
from rmeval.types import Candidate


@dataclass(frozen=True)
class LengthOptions:
    """Options of `--scorer length`."""

    cli_group: ClassVar[str] = "length baseline (--scorer length)"

    prefer: Literal["longer", "shorter"] = option("longer", "which answer the baseline rewards")


@dataclass(frozen=True)
class Chars:
    """An answer's length in characters: what batching budgets, and (hashable) what deduplication compares."""

    length: int

    def signature(self) -> str:
        """The encoding as text (what the score store keys it by)."""
        return str(self.length)


class LengthModel:
    """Rewards an answer by its length."""

    def __init__(self, prefer: str) -> None:
        self.sign = 1.0 if prefer == "longer" else -1.0

    def encode(self, candidates: Sequence[Candidate]) -> list[Chars]:
        """Each answer's length."""
        return [Chars(len(c.response)) for c in candidates]

    def rewards(self, batch: Sequence[Chars]) -> list[float]:
        """Plus or minus the length."""
        return [self.sign * c.length for c in batch]

    def fingerprint(self) -> dict[str, Any] | None:
        """Nothing worth keeping: a length costs nothing to compute again."""
        return None

    def describe(self) -> dict[str, Any]:
        """What result.json records."""
        return {"kind": "length", "reward": f"{'+' if self.sign > 0 else '-'}characters of the answer"}

    def close(self) -> None:
        """Nothing to release."""


@register_scorer("length", LengthOptions, "the longer (or shorter) answer wins", models="any")
def load_length(models: Sequence[str], options: LengthOptions, seed: int) -> PointwiseScorer[Chars]:
    """The length baseline; the model name is only a label."""
    return PointwiseScorer(LengthModel(options.prefer), Batching(max_tokens_per_batch=None, batch_size=256))
