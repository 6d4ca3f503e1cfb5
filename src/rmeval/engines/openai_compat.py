"""OpenAI-compatible chat completions over HTTP: OpenAI, vLLM and other local servers, Together..."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.engines.base import Chat, GenerationParams
from rmeval.engines.http import post_json

__all__ = ["OpenAIChatEngine"]


def _content(data: Any) -> str:
    # An empty `choices` list or a null content (a refusal, a tool call) has no answer: Index/TypeError.
    content = data["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        raise TypeError(f"content is {type(content).__name__}")
    return content


class OpenAIChatEngine:
    """POST {base_url}/chat/completions, one prompt per request; the key is sent as a bearer token only."""

    max_batch = 1
    max_concurrency: int | None = None

    def __init__(self, model: str, base_url: str, api_key: str | None, timeout: float,
                 name: str = "openai") -> None:
        import httpx

        self.name = name
        self.model = model
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.timeout = timeout
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=256))

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[str | None]:
        """One request per prompt (the wrapper sends prompts one at a time, concurrently)."""
        return [self._complete(p, params) for p in prompts]

    def _complete(self, prompt: Chat, params: GenerationParams) -> str:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.as_dict() for m in prompt],
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
            "seed": params.seed,
        }
        if params.top_p != 1.0:
            body["top_p"] = params.top_p
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        url = f"{self.base_url}/chat/completions"
        return post_json(self._client, url, body, headers, self._key, _content)

    def identity(self) -> dict[str, str]:
        """Engine, model and endpoint: the same model name on another server may be another model."""
        return {"engine": self.name, "model": self.model, "base_url": self.base_url}

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json (the key is never included)."""
        return {**self.identity(), "protocol": "openai-chat-completions", "request_timeout": self.timeout}

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
