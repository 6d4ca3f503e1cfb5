"""OpenAI-compatible chat completions over HTTP: OpenAI, vLLM and other local servers, Together...

A raw prompt (`base.raw_prompt`) goes to `/completions` as plain text instead. From every response the engine keeps
the reasoning a server returned apart (`message.reasoning_content`, vLLM's reasoning parsers; or `reasoning`),
why generation stopped (`finish_reason`; vLLM's `stop_reason` names the stop string) and the token counts of
`usage` (`completion_tokens_details.reasoning_tokens` where the server reports it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.engines.base import Chat, Finish, Generation, GenerationParams, raw_text
from rmeval.engines.http import HttpEngine

__all__ = ["OpenAIChatEngine", "parse_choice"]


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _finish(choice: dict[str, Any]) -> tuple[Finish, str | None]:
    reason = choice.get("finish_reason")
    if reason == "length":
        return "token_budget", None
    if reason == "stop":
        stop = choice.get("stop_reason")  # vLLM: the stop string, a stop token id, or null for the end of the turn
        return ("stop_string", stop) if isinstance(stop, str) else ("end_of_turn", None)
    return ("unknown", None) if reason is None else ("other", None)


def parse_choice(data: Any, chat: bool) -> Generation:
    """The generation in a chat or completions response. An empty `choices` list, or a chat message with neither
    content nor reasoning (a refusal, a tool call), has no answer: IndexError / TypeError, retried as malformed.

    >>> parse_choice({"choices": [{"message": {"content": "[[A]]", "reasoning_content": "hm"},
    ...   "finish_reason": "stop"}], "usage": {"prompt_tokens": 9, "completion_tokens": 4}}, chat=True)
    Generation(text='[[A]]', reasoning='hm', finish='end_of_turn', stop=None, prompt_tokens=9, completion_tokens=4, \
thinking_tokens=None)
    """
    choice = data["choices"][0]
    if chat:
        message = choice["message"]
        content, reasoning = message.get("content"), message.get("reasoning_content", message.get("reasoning"))
        if not isinstance(reasoning, str):
            reasoning = None
        if content is None and reasoning is not None:
            content = ""  # the budget ran out while the model thought: an answer, with no verdict in it
    else:
        content, reasoning = choice["text"], None
    if not isinstance(content, str):
        raise TypeError(f"content is {type(content).__name__}")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    details = usage.get("completion_tokens_details")
    thinking = _count(details.get("reasoning_tokens")) if isinstance(details, dict) else None
    finish, stop = _finish(choice)
    return Generation(content, reasoning, finish, stop, _count(usage.get("prompt_tokens")),
                      _count(usage.get("completion_tokens")), thinking)


class OpenAIChatEngine(HttpEngine):
    """POST {base_url}/chat/completions (or /completions for a raw prompt), one prompt per request; the key is sent
    as a bearer token only."""

    raw_prompts = True

    def __init__(self, model: str, base_urls: Sequence[str], api_key: str | None, timeout: float,
                 name: str = "openai") -> None:
        super().__init__(model, base_urls, api_key, timeout)
        self.name = name

    def _complete(self, prompt: Chat, params: GenerationParams) -> Generation:
        text = raw_text(prompt)
        body: dict[str, Any] = {"model": self.model}
        if text is None:
            body["messages"] = [m.as_dict() for m in prompt]
        else:
            body["prompt"] = text
        body.update(max_tokens=params.max_tokens, temperature=params.temperature, seed=params.seed)
        if params.top_p != 1.0:
            body["top_p"] = params.top_p
        if params.stop:
            body["stop"] = list(params.stop)
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        url = f"{self.next_url()}/{'chat/completions' if text is None else 'completions'}"
        return self.post(url, body, headers, lambda d: parse_choice(d, text is None))

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json (the key is never included)."""
        return {**self.identity(), "protocol": "openai-chat-completions", "request_timeout": self.timeout}
