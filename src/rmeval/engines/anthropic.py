"""The Anthropic Messages API over HTTP (system prompt as a top-level field, text blocks joined).

With a thinking budget the request enables extended thinking (`thinking.budget_tokens`, the API's own budget;
`max_tokens` covers thinking and answer, and the API then takes no temperature or top_p); the thinking blocks come
back apart from the text. `stop_reason` says why generation stopped; `usage` holds the token counts (output tokens
include the thinking, which the API does not count apart).
"""

from __future__ import annotations

from typing import Any

from rmeval.engines.base import Chat, Finish, Generation, GenerationParams
from rmeval.engines.http import HttpEngine

__all__ = ["ANTHROPIC_VERSION", "AnthropicEngine", "parse_message"]

ANTHROPIC_VERSION = "2023-06-01"
_FINISH: dict[str, Finish] = {"end_turn": "end_of_turn", "max_tokens": "token_budget",
                              "stop_sequence": "stop_string"}


def parse_message(data: Any) -> Generation:
    """The generation in a Messages response; no text block at all is malformed (IndexError, retried).

    >>> parse_message({"content": [{"type": "thinking", "thinking": "hm"}, {"type": "text", "text": "[[B]]"}],
    ...                "stop_reason": "end_turn", "usage": {"input_tokens": 12, "output_tokens": 30}})
    Generation(text='[[B]]', reasoning='hm', finish='end_of_turn', stop=None, prompt_tokens=12, \
completion_tokens=30, thinking_tokens=None)
    """
    blocks = data["content"]
    texts = [b["text"] for b in blocks if b.get("type") == "text"]
    thoughts = [b["thinking"] for b in blocks if b.get("type") == "thinking" and isinstance(b.get("thinking"), str)]
    reason = data.get("stop_reason")
    finish: Finish = _FINISH.get(reason, "other") if isinstance(reason, str) else "unknown"
    if not texts and not (thoughts and finish == "token_budget"):
        raise IndexError("no text block")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    stop = data.get("stop_sequence") if isinstance(data.get("stop_sequence"), str) else None
    counts = [usage.get(k) if isinstance(usage.get(k), int) else None for k in ("input_tokens", "output_tokens")]
    return Generation("".join(texts), "\n".join(thoughts) if thoughts else None, finish, stop, counts[0], counts[1])


class AnthropicEngine(HttpEngine):
    """POST {base_url}/v1/messages, one prompt per request; the key travels in the x-api-key header only."""

    name = "anthropic"
    raw_prompts = False

    def _complete(self, prompt: Chat, params: GenerationParams) -> Generation:
        system = "\n\n".join(m.content for m in prompt if m.role == "system")
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": params.max_tokens,
            "messages": [m.as_dict() for m in prompt if m.role != "system"],
        }
        if params.thinking_budget:
            body["thinking"] = {"type": "enabled", "budget_tokens": params.thinking_budget}
        else:
            body["temperature"] = params.temperature
            if params.top_p != 1.0:  # recent models refuse temperature and top_p together unless asked
                body["top_p"] = params.top_p
        if system:
            body["system"] = system
        if params.stop:
            body["stop_sequences"] = list(params.stop)
        headers = {"anthropic-version": ANTHROPIC_VERSION}
        if self._key:
            headers["x-api-key"] = self._key
        return self.post(f"{self.next_url()}/v1/messages", body, headers, parse_message)

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json (the key is never included)."""
        return {**self.identity(), "protocol": "anthropic-messages", "api_version": ANTHROPIC_VERSION,
                "request_timeout": self.timeout}
