"""What the HTTP engines share: one pooled httpx client per engine, and which failures to retry."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from rmeval.engines.base import Chat, FatalError, Generation, GenerationParams, RetryableError, redact

__all__ = ["RETRY_STATUS", "HttpEngine", "api_key_from_env", "parse_retry_after", "post_json"]

T = TypeVar("T")

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
"""Rate limits, timeouts and server errors (529 is Anthropic's 'overloaded')."""


def api_key_from_env(name: str, required: bool) -> str | None:
    """The key in environment variable `name`; a clear error when it is required and missing."""
    key = os.environ.get(name) or None
    if key is None and required:
        raise ValueError(f"no API key: set the environment variable {name} (or pass --api-key-env NAME)")
    return key


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date).

    >>> parse_retry_after("2"), parse_retry_after(None), parse_retry_after("soon")
    (2.0, None, None)
    """
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import time

        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def post_json(client: Any, url: str, body: dict[str, Any], headers: dict[str, str], secret: str | None,
              extract: Callable[[Any], T]) -> T:
    """POST `body`, map every failure to Retryable/Fatal, and return `extract(parsed JSON)`.

    `extract` raises KeyError, IndexError, TypeError or ValueError on a response without an answer; such a
    response counts as malformed and is retried, since servers return these transiently under load.
    """
    import httpx

    try:
        response = client.post(url, json=body, headers=headers)
    except httpx.TimeoutException as err:
        raise RetryableError(f"timeout: {type(err).__name__}") from None
    except httpx.RequestError as err:  # transport failures, undecodable bodies: worth another try
        raise RetryableError(redact(f"connection: {type(err).__name__}: {err}", secret)) from None
    if response.status_code != 200:
        detail = redact(response.text[:300], secret)
        message = f"HTTP {response.status_code}: {detail}"
        if response.status_code in RETRY_STATUS:
            raise RetryableError(message, parse_retry_after(response.headers.get("retry-after")))
        raise FatalError(message)
    try:
        return extract(response.json())
    except ValueError as err:  # json.JSONDecodeError is a ValueError
        raise RetryableError(f"malformed response: {type(err).__name__}: {str(err)[:200]}") from None
    except (KeyError, IndexError, TypeError) as err:
        reason = f"{type(err).__name__}: {str(err)[:100]}"
        raise RetryableError(f"malformed response: no answer ({reason})") from None


class HttpEngine:
    """An API engine: one prompt per request (the wrapper sends them concurrently) through a pooled client.
    Subclasses say how one chat becomes a request and its answer (`_complete`) and what result.json records."""

    max_batch = 1
    max_concurrency: int | None = None
    name = "http"

    def __init__(self, model: str, base_urls: Sequence[str], api_key: str | None, timeout: float) -> None:
        from rmeval.common.extras import require

        require("httpx", extra="api", purpose="an HTTP judge")
        import httpx

        self.model = model
        if not base_urls:
            raise ValueError("an HTTP engine needs an endpoint")
        # Several endpoints serving one model (`vllm serve` replicas): requests go round the list.
        self.base_urls = tuple(u.rstrip("/") for u in base_urls)
        self._turn = itertools.count()
        self._key = api_key
        self.timeout = timeout
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=256))

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[Generation | str | None]:
        """One request per prompt."""
        return [self._complete(p, params) for p in prompts]

    def _complete(self, prompt: Chat, params: GenerationParams) -> Generation:
        raise NotImplementedError

    def identity(self) -> dict[str, str]:
        """Engine, model and endpoint: the same model name on another server may be another model."""
        return {"engine": self.name, "model": self.model, "base_url": ",".join(sorted(self.base_urls))}

    def next_url(self) -> str:
        """The endpoint of the next request (one endpoint: always it)."""
        return self.base_urls[next(self._turn) % len(self.base_urls)]

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
