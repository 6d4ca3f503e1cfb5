"""The Anthropic Messages API over HTTP (system prompt as a top-level field, text blocks joined)."""

from __future__ import annotations

from typing import Any

from rmeval.engines.base import Chat, GenerationParams
from rmeval.engines.http import HttpEngine

__all__ = ["ANTHROPIC_VERSION", "AnthropicEngine"]

ANTHROPIC_VERSION = "2023-06-01"


def _text(data: Any) -> str:
    blocks = [b["text"] for b in data["content"] if b.get("type") == "text"]
    if not blocks:
        raise IndexError("no text block")
    return "".join(blocks)


class AnthropicEngine(HttpEngine):
    """POST {base_url}/v1/messages, one prompt per request; the key travels in the x-api-key header only."""

    name = "anthropic"

    def _complete(self, prompt: Chat, params: GenerationParams) -> str:
        system = "\n\n".join(m.content for m in prompt if m.role == "system")
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
            "messages": [m.as_dict() for m in prompt if m.role != "system"],
        }
        if system:
            body["system"] = system
        if params.top_p != 1.0:  # recent models refuse temperature and top_p together unless asked
            body["top_p"] = params.top_p
        headers = {"anthropic-version": ANTHROPIC_VERSION}
        if self._key:
            headers["x-api-key"] = self._key
        return self.post(f"{self.next_url()}/v1/messages", body, headers, _text)

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json (the key is never included)."""
        return {**self.identity(), "protocol": "anthropic-messages", "api_version": ANTHROPIC_VERSION,
                "request_timeout": self.timeout}
