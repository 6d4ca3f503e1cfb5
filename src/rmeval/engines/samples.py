"""Which requests a run still has to send: K samples of every prompt, minus what the cache holds, grouped into jobs.

Sample i of a prompt is the request with seed `seed + i` (`GenerationParams.sample`), so every sample has its own
cache key and a vote of K=8 after one of K=4 sends only samples 4 to 7. An engine that samples n answers of one
prompt at once (vLLM's `n`, whose i-th answer is seeded `seed + i`) gets one job per run of consecutive missing
samples of a prompt; any other engine one job per missing sample. Identical prompts are requested once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rmeval.engines.answer import Answer
from rmeval.engines.base import Chat, Generation, GenerationParams
from rmeval.engines.cache import cache_key

__all__ = ["Job", "ParallelSampler", "Plan", "chunks", "plan_samples"]


@runtime_checkable
class ParallelSampler(Protocol):
    """An engine that draws `n` samples of a prompt in one request, the i-th seeded `params.seed + i`."""

    def generate_samples(self, requests: Sequence[tuple[Chat, GenerationParams, int]]
                         ) -> Sequence[Sequence[Generation | None] | None]:
        """For each (prompt, params, n): n generations (None for one that failed), or None for the whole request."""
        ...


@dataclass(frozen=True)
class Job:
    """Samples `start` to `start + count - 1` of one prompt, and the cache key of each."""

    prompt: Chat
    start: int
    keys: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many samples the job draws."""
        return len(self.keys)


@dataclass
class Plan:
    """What the cache answered (`found[p][i]`, None where it did not), the jobs left, and which slots each key
    fills (identical prompts share their keys)."""

    found: list[list[Answer | None]]
    jobs: list[Job]
    slots: dict[str, list[tuple[int, int]]]


def _runs(indices: Sequence[int]) -> list[list[int]]:
    """Consecutive runs of sorted indices: [0, 1, 3] -> [[0, 1], [3]]."""
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def plan_samples(identity: Mapping[str, str], prompts: Sequence[Chat], params: GenerationParams, samples: int,
                 stored: Mapping[str, Answer] | None, parallel: bool,
                 keys: Sequence[Sequence[str]] | None = None) -> Plan:
    """The cache's answers and the jobs still to send for `samples` samples of every prompt."""
    keys = keys or all_keys(identity, prompts, params, samples)
    found: list[list[Answer | None]] = [[None] * samples for _ in prompts]
    slots: dict[str, list[tuple[int, int]]] = {}
    missing: dict[str, dict[int, str]] = {}  # first key of a prompt -> sample -> key, in order of first use
    first_prompt: dict[str, int] = {}
    for p, row in enumerate(keys):
        for i, key in enumerate(row):
            hit = stored.get(key) if stored is not None else None
            if hit is not None:
                found[p][i] = hit
                continue
            if key not in slots:
                missing.setdefault(row[0], {})[i] = key
                first_prompt.setdefault(row[0], p)
            slots.setdefault(key, []).append((p, i))
    jobs = []
    for head, wanted in missing.items():
        prompt = prompts[first_prompt[head]]
        groups = _runs(list(wanted)) if parallel else [[i] for i in sorted(wanted)]
        jobs += [Job(prompt, run[0], tuple(wanted[i] for i in run)) for run in groups]
    return Plan(found, jobs, slots)


def all_keys(identity: Mapping[str, str], prompts: Sequence[Chat], params: GenerationParams,
             samples: int) -> list[list[str]]:
    """The cache key of every sample of every prompt."""
    return [[cache_key(identity, p, params.sample(i)) for i in range(samples)] for p in prompts]


def chunks(jobs: Sequence[Job], max_batch: int, parallel: bool) -> list[list[Job]]:
    """Jobs packed into engine calls: one call takes one sample index (one seed) unless the engine samples in
    parallel; prompts of like length share a local batch (it pads to its longest)."""
    size = max(1, max_batch)
    if size == 1:
        return [[j] for j in jobs]
    groups: dict[int, list[Job]] = {}
    for job in jobs:
        groups.setdefault(0 if parallel else job.start, []).append(job)
    out = []
    for start in sorted(groups):
        ordered = sorted(groups[start], key=lambda j: sum(len(m.content) for m in j.prompt))
        out += [ordered[k:k + size] for k in range(0, len(ordered), size)]
    return out
