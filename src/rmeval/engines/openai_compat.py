"""OpenAI-compatible chat completions over HTTP: OpenAI, vLLM and other local servers, Together..."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.engines.base import Chat, GenerationParams
from rmeval.engines.http import HttpEngine

__all__ = ["OpenAIChatEngine"]


def _content(data: Any) -> str:
    # An empty `choices` list or a null content (a refusal, a tool call) has no answer: Index/TypeError.
    content = data["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        raise TypeError(f"content is {type(content).__name__}")
    return content


class OpenAIChatEngine(HttpEngine):
    """POST {base_url}/chat/completions, one prompt per request; the key is sent as a bearer token only."""

    def __init__(self, model: str, base_urls: Sequence[str], api_key: str | None, timeout: float,
                 name: str = "openai") -> None:
        super().__init__(model, base_urls, api_key, timeout)
        self.name = name

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
        url = f"{self.next_url()}/chat/completions"
        return self.post(url, body, headers, _content)

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json (the key is never included)."""
        return {**self.identity(), "protocol": "openai-chat-completions", "request_timeout": self.timeout}
