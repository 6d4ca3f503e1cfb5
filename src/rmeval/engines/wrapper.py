"""The one wrapper every engine runs behind: cache, concurrency limit, retries with backoff and jitter.

Request timeouts are set on each engine's own client (an HTTP read cannot be abandoned from outside a thread);
the wrapper decides what a timeout means: another try, until `max_retries` are spent, then a failed request.
A failed request becomes None, never an exception, so nothing already answered is lost; every answer is
written to the cache by the worker that received it, so a run killed half-way resumes where it stopped.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from rmeval.engines.base import Chat, Engine, FatalError, GenerationParams, RetryableError
from rmeval.engines.cache import ResponseCache, cache_key

__all__ = ["Answer", "ReliableEngine", "RetryPolicy", "WrapperStats"]

log = logging.getLogger("rmeval.engines")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    The delay before retry n (0-based) is base * 2**n, capped, times a random factor in [0.5, 1] (jitter, so
    workers hit by the same 429 do not come back in lockstep). A server's Retry-After wins when it gives one.
    `deadline` bounds a request as a whole: no retry starts that could end after it, one attempt taking at most
    `attempt_timeout` (the engine's own timeout).
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    deadline: float | None = None
    attempt_timeout: float = 0.0

    def within_deadline(self, elapsed: float, pause: float) -> bool:
        """Whether a retry after `pause` more seconds can still finish before the deadline.

        >>> RetryPolicy(deadline=300, attempt_timeout=120).within_deadline(130.0, 2.0)
        True
        >>> RetryPolicy(deadline=300, attempt_timeout=120).within_deadline(250.0, 2.0)
        False
        """
        return self.deadline is None or elapsed + pause + self.attempt_timeout <= self.deadline

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry `attempt`.

        >>> RetryPolicy(base_delay=1.0).delay(0, retry_after=3.0, rng=random.Random(0))
        3.0
        >>> 2.0 <= RetryPolicy(base_delay=1.0).delay(2, None, random.Random(0)) <= 4.0
        True
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        return float(min(self.max_delay, self.base_delay * 2**attempt) * (0.5 + 0.5 * rng.random()))


@dataclass(frozen=True)
class Answer:
    """One prompt's outcome: the text, or the error that ended its last try."""

    text: str | None
    error: str | None = None
    cached: bool = False
    attempts: int = 0


@dataclass
class WrapperStats:
    """Counts over the wrapper's life (recorded in result.json)."""

    prompts: int = 0
    cache_hits: int = 0
    calls: int = 0
    retries: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"prompts": self.prompts, "cache_hits": self.cache_hits, "calls": self.calls,
                "retries": self.retries, "failed": self.failed, "errors": dict(sorted(self.errors.items()))}


class ReliableEngine:
    """An engine with a cache, a concurrency limit and retries; `generate` gives `list[str | None]`."""

    def __init__(self, engine: Engine, cache: ResponseCache | None = None, concurrency: int = 8,
                 retry: RetryPolicy | None = None, seed: int = 0) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.engine = engine
        self.cache = cache
        self.concurrency = min(concurrency, engine.max_concurrency or concurrency)
        self.retry = retry or RetryPolicy()
        self.stats = WrapperStats()
        self._lock = threading.Lock()
        self._stop = threading.Event()  # set on Ctrl-C or close: no new request starts
        self._rng = random.Random(seed)  # jitter only: answers never depend on it

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[str | None]:
        """Answers in prompt order; None where a request failed after its retries."""
        return [a.text for a in self.answer(prompts, params)]

    def answer(self, prompts: Sequence[Chat], params: GenerationParams,
               progress: Callable[[int], None] | None = None) -> list[Answer]:
        """Like `generate`, with each failure's reason; identical prompts are requested once."""
        identity = self.engine.identity()
        keys = [cache_key(identity, p, params) for p in prompts]
        out: list[Answer | None] = [None] * len(prompts)
        pending: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            hit = self.cache.get(key) if self.cache is not None else None
            if hit is not None:
                out[i] = Answer(hit, cached=True)
            else:
                pending.setdefault(key, []).append(i)
        hits = len(prompts) - sum(len(v) for v in pending.values())
        with self._lock:
            self.stats.prompts += len(prompts)
            self.stats.cache_hits += hits
        if progress and hits:
            progress(hits)
        unique = list(pending)
        if self.engine.max_batch > 1:  # a local batch pads to its longest prompt: batch prompts of like length
            unique.sort(key=lambda k: sum(len(m.content) for m in prompts[pending[k][0]]))
        size = max(1, self.engine.max_batch)
        chunks = [unique[j:j + size] for j in range(0, len(unique), size)]

        def done(chunk: list[str], answers: list[Answer]) -> None:
            for key, ans in zip(chunk, answers, strict=True):
                for i in pending[key]:
                    out[i] = ans
            if progress:
                progress(sum(len(pending[k]) for k in chunk))

        if self.concurrency == 1:  # in this thread, so that Ctrl-C interrupts a local model at once
            for c in chunks:
                done(c, self._run([prompts[pending[k][0]] for k in c], c, params, identity))
        elif chunks:
            pool = ThreadPoolExecutor(max_workers=min(self.concurrency, len(chunks)))
            try:
                futures = {pool.submit(self._run, [prompts[pending[k][0]] for k in c], c, params, identity): c
                           for c in chunks}
                for future in as_completed(futures):
                    done(futures[future], future.result())
            except BaseException:  # Ctrl-C: queued requests are dropped, none starts, in-flight ones are abandoned
                self._stop.set()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
        return [a if a is not None else Answer(None, "lost") for a in out]

    def _run(self, prompts: list[Chat], keys: list[str], params: GenerationParams,
             identity: dict[str, str]) -> list[Answer]:
        attempt = 0
        start = time.monotonic()
        while True:
            if self._stop.is_set():
                return [Answer(None, "interrupted") for _ in prompts]
            with self._lock:
                self.stats.calls += 1
            try:
                texts = self.engine.generate(prompts, params)
                if len(texts) != len(prompts):
                    raise RuntimeError(f"{self.engine.name}: {len(texts)} answers for {len(prompts)} prompts")
                break
            except RetryableError as err:
                self._count(str(err))
                if attempt >= self.retry.max_retries:
                    return self._fail(prompts, f"{err} (after {attempt + 1} attempts)", attempt + 1)
                with self._lock:
                    pause = self.retry.delay(attempt, err.retry_after, self._rng)
                if not self.retry.within_deadline(time.monotonic() - start, pause):
                    return self._fail(prompts, f"{err} (after {attempt + 1} attempts: the request deadline of "
                                               f"{self.retry.deadline:g} s leaves no room for another)", attempt + 1)
                with self._lock:
                    self.stats.retries += 1
                log.debug("%s: %s; retrying in %.2f s", self.engine.name, err, pause)
                if self._stop.wait(pause):  # Ctrl-C or close during the pause: no retry
                    return [Answer(None, "interrupted") for _ in prompts]
                attempt += 1
            except FatalError as err:
                self._count(str(err))
                return self._fail(prompts, str(err), attempt + 1)
        answers = []
        for key, text in zip(keys, texts, strict=True):
            if text is None:
                answers.append(Answer(None, "no answer", attempts=attempt + 1))
                with self._lock:
                    self.stats.failed += 1
                continue
            if self.cache is not None:
                self.cache.put(key, identity, text)
            answers.append(Answer(text, attempts=attempt + 1))
        return answers

    def _count(self, message: str) -> None:
        kind = message.split(":", 1)[0][:60]
        with self._lock:
            self.stats.errors[kind] = self.stats.errors.get(kind, 0) + 1

    def _fail(self, prompts: list[Chat], reason: str, attempts: int) -> list[Answer]:
        log.warning("%s/%s: request failed: %s", self.engine.name, self.engine.model, reason)
        with self._lock:
            self.stats.failed += len(prompts)
        return [Answer(None, reason, attempts=attempts) for _ in prompts]

    def describe(self) -> dict[str, Any]:
        """Engine, wrapper settings and counts (no key ever appears here)."""
        cache = self.cache.describe() if self.cache is not None else None
        return {**self.engine.describe(), "concurrency": self.concurrency, "max_retries": self.retry.max_retries,
                "cache": cache, "requests": self.stats.as_dict()}

    def close(self) -> None:
        """Stop every request not yet sent and close the engine (the cache is shared and closed by its owner)."""
        self._stop.set()
        self.engine.close()
