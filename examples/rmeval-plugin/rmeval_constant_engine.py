"""`constant/TEXT`: a judge engine that answers every prompt with the same verdict (`constant/A` says `[[A]]`).

An engine is one file: a class with `generate` (answers in prompt order; None for a prompt it could not answer),
`identity` (what the cache keys on besides the prompt) and `describe`, and a factory registered under the ENGINE
part of `ENGINE/MODEL`. The wrapper brings the cache, concurrency, retries and timeouts. A judge that always says A
is a handy probe: under `--order both` every pair it sees turns out inconsistent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.engines import EngineSettings, register_engine
from rmeval.engines.base import Chat, GenerationParams


class ConstantEngine:
    """Answers `[[TEXT]]` to every prompt."""

    name = "constant"
    max_batch = 64
    max_concurrency: int | None = 1

    def __init__(self, model: str) -> None:
        self.model = model

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[str | None]:
        """The same verdict for every prompt."""
        return [f"My verdict: [[{self.model}]]" for _ in prompts]

    def identity(self) -> dict[str, str]:
        """Engine and verdict."""
        return {"engine": self.name, "model": self.model}

    def describe(self) -> dict[str, Any]:
        """What result.json records."""
        return self.identity()

    def close(self) -> None:
        """Nothing to release."""


@register_engine("constant")
def build_constant(model: str, settings: EngineSettings) -> ConstantEngine:
    """`constant/A` answers `[[A]]`."""
    return ConstantEngine(model)
