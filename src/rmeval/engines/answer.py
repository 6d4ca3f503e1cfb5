"""One request's outcome as the wrapper hands it on and the cache keeps it: the answer apart from the thinking part,
why generation stopped, the token counts, or the error that ended the request's last try."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rmeval.engines.base import Generation, GenerationParams
from rmeval.engines.thinking import split_thinking

__all__ = ["Answer", "as_generation"]


def as_generation(value: Generation | str) -> Generation:
    """An engine's output as a `Generation` (an engine that returns plain text says nothing of why it stopped)."""
    return value if isinstance(value, Generation) else Generation(value)


@dataclass(frozen=True)
class Answer:
    """A prompt's outcome. `text` is the answer, where a verdict is read; `thinking` the thinking part apart from
    it (None: none); `closed` False when the thinking part never closed; `finish` and `stop` why generation
    stopped; the token counts (None: not reported); `error` why there is no answer (text None)."""

    text: str | None
    error: str | None = None
    cached: bool = False
    attempts: int = 0
    thinking: str | None = None
    closed: bool = True
    finish: str = "unknown"
    stop: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    thinking_tokens: int | None = None

    @classmethod
    def of(cls, generation: Generation, params: GenerationParams, attempts: int = 1) -> Answer:
        """The answer of one generation, its thinking part split off with the parameters' tags."""
        split = split_thinking(generation.text, generation.reasoning, params.think, params.think_opened)
        return cls(split.answer, attempts=attempts, thinking=split.thinking, closed=split.closed,
                   finish=generation.finish, stop=generation.stop, prompt_tokens=generation.prompt_tokens,
                   completion_tokens=generation.completion_tokens, thinking_tokens=generation.thinking_tokens)

    def record(self) -> dict[str, Any]:
        """What samples.jsonl keeps of one judgment besides its verdict: why it stopped and its token counts."""
        out: dict[str, Any] = {"stop": self.finish}
        if self.stop is not None:
            out["stop_string"] = self.stop
        out["tokens"] = [self.prompt_tokens, self.completion_tokens, self.thinking_tokens]
        if self.cached:
            out["cached"] = True
        return out
