"""The engine interface every judge backend implements, what one generation returns, and the errors that tell the
wrapper what to retry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, Protocol, runtime_checkable

from rmeval.common.secrets import redact
from rmeval.types import Message

__all__ = [
    "FINISH_REASONS",
    "RAW_ROLE",
    "Chat",
    "Engine",
    "EngineError",
    "FatalError",
    "Finish",
    "Generation",
    "GenerationParams",
    "RetryableError",
    "raw_prompt",
    "raw_text",
    "redact",
]

Chat = tuple[Message, ...]
"""One prompt for a judge: a system and/or user conversation, or one `raw` message (`raw_prompt`)."""

RAW_ROLE = "raw"
"""The role of a prompt's only message when the prompt is plain text sent as it is, no chat template around it
(JudgeLM, PandaLM, Auto-J and JudgeLRM were trained on such completion prompts)."""

Finish = Literal["end_of_turn", "token_budget", "stop_string", "other", "unknown"]
FINISH_REASONS: tuple[str, ...] = ("end_of_turn", "token_budget", "stop_string", "other", "unknown")
"""Why generation stopped: the model ended its turn, the token budget ran out, a stop string came, something else
the engine named (a content filter), or the engine did not say."""


def raw_prompt(text: str) -> Chat:
    """A prompt sent as plain text, as completion models take it.

    >>> raw_text(raw_prompt("[INST] hi [/INST]")), raw_text((Message("user", "hi"),))
    ('[INST] hi [/INST]', None)
    """
    return (Message(RAW_ROLE, text),)


def raw_text(prompt: Chat) -> str | None:
    """The text of a raw prompt, or None for a chat."""
    return prompt[0].content if len(prompt) == 1 and prompt[0].role == RAW_ROLE else None


@dataclass(frozen=True)
class GenerationParams:
    """Sampling parameters, part of every cache key. Greedy (temperature 0) by default: runs reproduce.

    `max_new_tokens` bounds the answer after any thinking part and `thinking_budget` (None: no separate budget) the
    thinking part; a request may generate both (`max_tokens`). `stop` ends generation on every engine; `local_stop`
    only on the transformers engine, and only without a thinking budget (a small local judge stops at the end of
    its verdict to save time; a reasoning judge's thought may hold such an end). `think` holds the
    tags around a thinking part; `think_opened`: the prompt itself opens it (its template ends inside the tag).
    Sample i of a vote uses `sample(i)`: the same parameters with seed `seed + i`.
    """

    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    thinking_budget: int | None = None
    stop: tuple[str, ...] = ()
    local_stop: tuple[str, ...] = ()
    think: tuple[str, str] = ("<think>", "</think>")
    think_opened: bool = False

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1 or (self.thinking_budget is not None and self.thinking_budget < 1):
            raise ValueError(f"token budgets must be positive, got max_new_tokens={self.max_new_tokens}, "
                             f"thinking_budget={self.thinking_budget}")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise ValueError(f"bad sampling parameters: temperature={self.temperature}, top_p={self.top_p}")

    @property
    def max_tokens(self) -> int:
        """What one request may generate in all: the answer's budget plus the thinking budget.

        >>> GenerationParams(max_new_tokens=512, thinking_budget=4096).max_tokens
        4608
        """
        return self.max_new_tokens + (self.thinking_budget or 0)

    def sample(self, index: int) -> GenerationParams:
        """The parameters of sample `index` of a vote (seed + index, as vLLM seeds the n samples of one request).

        >>> GenerationParams(seed=7).sample(3).seed
        10
        """
        return replace(self, seed=self.seed + index)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (cache keys, result.json)."""
        out = asdict(self)
        out["stop"], out["local_stop"], out["think"] = list(self.stop), list(self.local_stop), list(self.think)
        return out


@dataclass(frozen=True)
class Generation:
    """What an engine generated for one prompt: the text, the reasoning a server returned apart from it (vLLM's
    `reasoning_content`, Anthropic's thinking blocks), why it stopped (`stop` names the stop string) and its token
    counts (None where the engine does not report them)."""

    text: str
    reasoning: str | None = None
    finish: Finish = "unknown"
    stop: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    thinking_tokens: int | None = None


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

    `generate` answers every prompt in order: a `Generation` (or plain text, from engines that know no more), or
    None when that prompt got no answer. It may raise `RetryableError` / `FatalError` for the whole call; the
    wrapper (`engines.wrapper.ReliableEngine`) adds concurrency, retries, timeouts, samples and the cache around it.
    `max_batch` is how many prompts one call takes (1 for HTTP APIs); `max_concurrency` caps parallel calls (1 for
    a local model, None for no own limit). An engine that samples n answers of one prompt at once (vLLM) also has
    `generate_samples` (see `engines.samples`).
    """

    name: str
    model: str
    max_batch: int
    max_concurrency: int | None

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> Sequence[Generation | str | None]:
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
