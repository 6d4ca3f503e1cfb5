"""The engine interface every judge backend implements, and the errors that tell the wrapper what to retry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from rmeval.common.secrets import redact
from rmeval.types import Message

__all__ = [
    "Chat",
    "Engine",
    "EngineError",
    "FatalError",
    "GenerationParams",
    "RetryableError",
    "redact",
]

Chat = tuple[Message, ...]
"""One prompt for a judge: a system and/or user conversation."""


@dataclass(frozen=True)
class GenerationParams:
    """Sampling parameters, part of every cache key. Greedy (temperature 0) by default: runs reproduce."""

    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be positive, got {self.max_new_tokens}")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise ValueError(f"bad sampling parameters: temperature={self.temperature}, top_p={self.top_p}")

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (cache keys, result.json)."""
        return asdict(self)


class EngineError(Exception):
    """A request that did not produce an answer."""


class RetryableError(EngineError):
    """Worth another try: 429, 5xx, a timeout, a dropped connection, a malformed or empty response.

    `retry_after` is the server's own hint in seconds (the Retry-After header), when it gave one.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FatalError(EngineError):
    """Not worth retrying (a 400 or 401): the request fails at once."""


@runtime_checkable
class Engine(Protocol):
    """A text generator for judge prompts.

    `generate` answers every prompt in order; an item is None when that prompt got no answer. It may raise
    `RetryableError` / `FatalError` for the whole call; the wrapper (`engines.wrapper.ReliableEngine`) adds
    concurrency, retries, timeouts and the cache around it. `max_batch` is how many prompts one call takes
    (1 for HTTP APIs); `max_concurrency` caps parallel calls (1 for a local model, None for no own limit).
    """

    name: str
    model: str
    max_batch: int
    max_concurrency: int | None

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[str | None]:
        """Answers in prompt order."""
        ...

    def identity(self) -> dict[str, str]:
        """What decides the answers besides prompt and parameters (engine, model, endpoint); never a key."""
        ...

    def describe(self) -> dict[str, Any]:
        """The engine's part of result.json (never a key)."""
        ...

    def close(self) -> None:
        """Release connections or memory."""
        ...
