"""The Anthropic Messages API over HTTP (system prompt as a top-level field, text blocks joined)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.engines.base import Chat, GenerationParams
from rmeval.engines.http import post_json

__all__ = ["ANTHROPIC_VERSION", "AnthropicEngine"]

ANTHROPIC_VERSION = "2023-06-01"


def _text(data: Any) -> str:
    blocks = [b["text"] for b in data["content"] if b.get("type") == "text"]
    if not blocks:
        raise IndexError("no text block")
    return "".join(blocks)


class AnthropicEngine:
    """POST {base_url}/v1/messages, one prompt per request; the key travels in the x-api-key header only."""

    max_batch = 1
    max_concurrency: int | None = None
    name = "anthropic"

    def __init__(self, model: str, base_url: str, api_key: str | None, timeout: float) -> None:
        import httpx

        self.model = model
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.timeout = timeout
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=256))

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[str | None]:
        """One request per prompt."""
        return [self._complete(p, params) for p in prompts]

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
        return post_json(self._client, f"{self.base_url}/v1/messages", body, headers, self._key, _text)

    def identity(self) -> dict[str, str]:
        """Engine, model and endpoint."""
        return {"engine": self.name, "model": self.model, "base_url": self.base_url}

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json (the key is never included)."""
        return {**self.identity(), "protocol": "anthropic-messages", "api_version": ANTHROPIC_VERSION,
                "request_timeout": self.timeout}

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
