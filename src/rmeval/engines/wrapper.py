"""The one wrapper every engine runs behind: cache, concurrency limit, retries with backoff and jitter, samples.

Request timeouts are set on each engine's own client (an HTTP read cannot be abandoned from outside a thread);
the wrapper decides what a timeout means: another try, until `max_retries` are spent, then a failed request.
A failed request becomes None, never an exception, so nothing already answered is lost; every answer is
written to the cache by the worker that received it, so a run killed half-way resumes where it stopped. The K
samples of a vote are K requests with seeds `seed + i`, each cached under its own key (`engines.samples`); an engine
that samples in parallel (vLLM) draws a prompt's missing samples in one request.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, cast

from rmeval.engines.answer import Answer, as_generation
from rmeval.engines.base import Chat, Engine, FatalError, Generation, GenerationParams, RetryableError
from rmeval.engines.cache import ResponseCache
from rmeval.engines.samples import Job, ParallelSampler, all_keys, chunks, plan_samples

__all__ = ["Answer", "ReliableEngine", "RetryPolicy", "WrapperStats"]  # Answer: re-exported (engines.answer)

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
    """An engine with a cache, a concurrency limit, retries and samples; `generate` gives `list[str | None]`."""

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
        self.parallel = isinstance(engine, ParallelSampler)

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[str | None]:
        """Answers in prompt order; None where a request failed after its retries."""
        return [a.text for a in self.answer(prompts, params)]

    def answer(self, prompts: Sequence[Chat], params: GenerationParams,
               progress: Callable[[int], None] | None = None) -> list[Answer]:
        """Like `generate`, with each failure's reason; identical prompts are requested once."""
        return [row[0] for row in self.answer_samples(prompts, params, 1, progress)]

    def answer_samples(self, prompts: Sequence[Chat], params: GenerationParams, samples: int,
                       progress: Callable[[int], None] | None = None) -> list[list[Answer]]:
        """`samples` answers of every prompt (sample i seeded `seed + i`), in prompt order; only the samples the
        cache lacks are requested."""
        if samples < 1:
            raise ValueError(f"samples must be at least 1, got {samples}")
        identity = self.engine.identity()
        keys = all_keys(identity, prompts, params, samples)
        stored = self.cache.get_many([k for row in keys for k in row]) if self.cache is not None else None
        plan = plan_samples(identity, prompts, params, samples, stored, self.parallel, keys)
        out = plan.found
        hits = sum(a is not None for row in out for a in row)
        with self._lock:
            self.stats.prompts += len(prompts) * samples
            self.stats.cache_hits += hits
        if progress and hits:
            progress(hits)

        def done(chunk: list[Job], answers: list[list[Answer]]) -> None:
            filled = 0
            for job, got in zip(chunk, answers, strict=True):
                for key, ans in zip(job.keys, got, strict=True):
                    for p, i in plan.slots[key]:
                        out[p][i] = ans
                        filled += 1
            if progress:
                progress(filled)

        calls = chunks(plan.jobs, self.engine.max_batch, self.parallel)
        if self.concurrency == 1:  # in this thread, so that Ctrl-C interrupts a local model at once
            for c in calls:
                done(c, self._run(c, params, identity))
        elif calls:
            pool = ThreadPoolExecutor(max_workers=min(self.concurrency, len(calls)))
            try:
                futures = {pool.submit(self._run, c, params, identity): c for c in calls}
                for future in as_completed(futures):
                    done(futures[future], future.result())
            except BaseException:  # Ctrl-C: queued requests are dropped, none starts, in-flight ones are abandoned
                self._stop.set()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
        return [[a if a is not None else Answer(None, "lost") for a in row] for row in out]

    def _call(self, chunk: list[Job], params: GenerationParams) -> list[Sequence[Generation | str | None] | None]:
        """One engine call for a chunk of jobs: the generations of each job's samples."""
        got: list[Sequence[Generation | str | None] | None]
        if self.parallel:
            sampler = cast(ParallelSampler, self.engine)
            got = list(sampler.generate_samples([(j.prompt, params.sample(j.start), j.count) for j in chunk]))
        else:
            texts = self.engine.generate([j.prompt for j in chunk], params.sample(chunk[0].start))
            got = [None if t is None else [t] for t in texts]
        if len(got) != len(chunk):
            raise RuntimeError(f"{self.engine.name}: {len(got)} answers for {len(chunk)} prompts")
        return got

    def _run(self, chunk: list[Job], params: GenerationParams, identity: dict[str, str]) -> list[list[Answer]]:
        attempt = 0
        start = time.monotonic()
        while True:
            if self._stop.is_set():
                return [[Answer(None, "interrupted")] * j.count for j in chunk]
            with self._lock:
                self.stats.calls += 1
            try:
                got = self._call(chunk, params)
                break
            except RetryableError as err:
                self._count(str(err))
                if attempt >= self.retry.max_retries:
                    return self._fail(chunk, f"{err} (after {attempt + 1} attempts)", attempt + 1)
                with self._lock:
                    pause = self.retry.delay(attempt, err.retry_after, self._rng)
                if not self.retry.within_deadline(time.monotonic() - start, pause):
                    return self._fail(chunk, f"{err} (after {attempt + 1} attempts: the request deadline of "
                                             f"{self.retry.deadline:g} s leaves no room for another)", attempt + 1)
                with self._lock:
                    self.stats.retries += 1
                log.debug("%s: %s; retrying in %.2f s", self.engine.name, err, pause)
                if self._stop.wait(pause):  # Ctrl-C or close during the pause: no retry
                    return [[Answer(None, "interrupted")] * j.count for j in chunk]
                attempt += 1
            except FatalError as err:
                self._count(str(err))
                return self._fail(chunk, str(err), attempt + 1)
        return [self._answers(job, outputs, params, identity, attempt + 1) for job, outputs in zip(chunk, got,
                                                                                                   strict=True)]

    def _answers(self, job: Job, outputs: Sequence[Generation | str | None] | None, params: GenerationParams,
                 identity: dict[str, str], attempts: int) -> list[Answer]:
        """One job's answers, each stored in the cache as it comes."""
        if outputs is None or len(outputs) != job.count:
            outputs = [None] * job.count
        answers = []
        for i, (key, value) in enumerate(zip(job.keys, outputs, strict=True)):
            if value is None:
                answers.append(Answer(None, "no answer", attempts=attempts))
                with self._lock:
                    self.stats.failed += 1
                continue
            ans = Answer.of(as_generation(value), params.sample(job.start + i), attempts)
            if self.cache is not None:
                self.cache.put(key, identity, ans)
            answers.append(ans)
        return answers

    def _count(self, message: str) -> None:
        kind = message.split(":", 1)[0][:60]
        with self._lock:
            self.stats.errors[kind] = self.stats.errors.get(kind, 0) + 1

    def _fail(self, chunk: list[Job], reason: str, attempts: int) -> list[list[Answer]]:
        log.warning("%s/%s: request failed: %s", self.engine.name, self.engine.model, reason)
        with self._lock:
            self.stats.failed += sum(j.count for j in chunk)
        return [[Answer(None, reason, attempts=attempts)] * j.count for j in chunk]

    def describe(self) -> dict[str, Any]:
        """Engine, wrapper settings and counts (no key ever appears here)."""
        cache = self.cache.describe() if self.cache is not None else None
        return {**self.engine.describe(), "concurrency": self.concurrency, "max_retries": self.retry.max_retries,
                "cache": cache, "requests": self.stats.as_dict()}

    def close(self) -> None:
        """Stop every request not yet sent and close the engine (the cache is shared and closed by its owner)."""
        self._stop.set()
        self.engine.close()
