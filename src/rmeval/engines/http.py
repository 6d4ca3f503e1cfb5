"""What the HTTP engines share: one pooled httpx client per engine, and which failures to retry."""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from rmeval.common.secrets import mask_url, redact, url_secrets
from rmeval.engines.base import Chat, FatalError, Generation, GenerationParams, RetryableError

__all__ = ["RETRY_STATUS", "HttpEngine", "Reply", "api_key_from_env", "parse_retry_after", "post_json"]

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


@dataclass(frozen=True)
class Reply:
    """A whole HTTP response, read within the attempt's time."""

    status: int
    retry_after: str | None
    body: bytes
    encoding: str

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode(self.encoding, errors="replace")


def _post_within(client: Any, url: str, body: dict[str, Any], headers: dict[str, str], seconds: float) -> Reply:
    """POST and read the whole answer in at most `seconds`: the client's own timeout bounds each read, so a server
    that drips its body a byte at a time would never time out; here the attempt runs in a thread and is abandoned
    (its connection dropped at its next chunk) once its time is up."""
    found: dict[str, Any] = {}
    finished, abandoned = threading.Event(), threading.Event()

    def attempt() -> None:
        try:
            with client.stream("POST", url, json=body, headers=headers) as response:
                chunks = []
                for chunk in response.iter_bytes():
                    if abandoned.is_set():
                        return
                    chunks.append(chunk)
                found["reply"] = Reply(response.status_code, response.headers.get("retry-after"), b"".join(chunks),
                                       response.encoding or "utf-8")
        except BaseException as e:  # handed to the caller's thread
            found["error"] = e
        finally:
            finished.set()

    threading.Thread(target=attempt, name="rmeval-http", daemon=True).start()
    if not finished.wait(seconds):
        abandoned.set()
        raise RetryableError(f"timeout: no whole answer within {seconds:g} s")
    if "error" in found:
        raise found["error"]
    reply: Reply = found["reply"]
    return reply


def post_json(client: Any, url: str, body: dict[str, Any], headers: dict[str, str], secrets: Sequence[str | None],
              extract: Callable[[Any], T], seconds: float) -> T:
    """POST `body`, map every failure to Retryable/Fatal, and return `extract(parsed JSON)` (an answer's text, or
    a `Generation`) with every secret masked; the whole attempt takes at most `seconds`.

    `extract` raises KeyError, IndexError, TypeError or ValueError on a response without an answer; such a
    response counts as malformed and is retried, since servers return these transiently under load. A server may
    echo a key (in an answer, in an error body): secrets are masked before anything is cut, kept or shown.
    """
    import httpx

    try:
        response = _post_within(client, url, body, headers, seconds)
    except httpx.TimeoutException as err:
        raise RetryableError(f"timeout: {type(err).__name__}") from None
    except httpx.RequestError as err:  # transport failures, undecodable bodies: worth another try
        raise RetryableError(redact(f"connection: {type(err).__name__}: {err}", secrets)) from None
    if response.status != 200:
        detail = redact(response.text, secrets)[:300]
        message = f"HTTP {response.status}: {detail}"
        if response.status in RETRY_STATUS:
            raise RetryableError(message, parse_retry_after(response.retry_after))
        raise FatalError(message)
    try:
        return _masked(extract(json.loads(response.body)), secrets)
    except ValueError as err:  # json.JSONDecodeError is a ValueError
        raise RetryableError(redact(f"malformed response: {type(err).__name__}: {err}", secrets)[:200]) from None
    except (KeyError, IndexError, TypeError) as err:
        reason = redact(f"{type(err).__name__}: {err}", secrets)[:100]
        raise RetryableError(f"malformed response: no answer ({reason})") from None


def _masked(value: T, secrets: Sequence[str | None]) -> T:
    """An answer with every secret masked: its text, and a generation's reasoning too."""
    if isinstance(value, str):
        return redact(value, secrets)  # type: ignore[return-value]
    if isinstance(value, Generation):
        reasoning = None if value.reasoning is None else redact(value.reasoning, secrets)
        return replace(value, text=redact(value.text, secrets), reasoning=reasoning)  # type: ignore[return-value]
    return value


class _MaskedUrls(logging.Filter):
    """httpx logs every request's URL (at INFO, shown by -v), credentials included: mask them in its records."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask_url(record.getMessage()), None
        return True


def _mask_httpx_logs() -> None:
    """Install the filter once on httpx's logger."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskedUrls) for f in logger.filters):
        logger.addFilter(_MaskedUrls())


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
        self.secrets = tuple(s for s in (api_key, *(x for u in self.base_urls for x in url_secrets(u))) if s)
        """Everything masked out of answers and errors: the key, and credentials inside the endpoints' URLs."""
        self.timeout = timeout
        _mask_httpx_logs()
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=256))

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[Generation | str | None]:
        """One request per prompt."""
        return [self._complete(p, params) for p in prompts]

    def _complete(self, prompt: Chat, params: GenerationParams) -> Generation:
        raise NotImplementedError

    def identity(self) -> dict[str, str]:
        """Engine, model and endpoint (credentials in its URL masked): the same model name on another server may be
        another model."""
        return {"engine": self.name, "model": self.model, "base_url": ",".join(sorted(map(mask_url, self.base_urls)))}

    def post(self, url: str, body: dict[str, Any], headers: dict[str, str], extract: Callable[[Any], T]) -> T:
        """One request's answer (`post_json`), its secrets masked, within the attempt's timeout."""
        return post_json(self._client, url, body, headers, self.secrets, extract, self.timeout)

    def next_url(self) -> str:
        """The endpoint of the next request (one endpoint: always it)."""
        return self.base_urls[next(self._turn) % len(self.base_urls)]

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
