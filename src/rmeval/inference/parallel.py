"""Splitting a run's work across processes: token-balanced shares of what there is to score, for data-parallel
runs started by `accelerate launch` or `torchrun` (one share per process, gathered on every process) and for
`--shard I/N` runs on clusters without a shared launcher (one share per invocation, merged afterwards).

A share is chosen greedily by cost (the longest item to the least loaded share, ties by position), so every share
gets the same mix of long and short texts and packs into batches of the same padded size. The split depends only on
the costs, never on timing, so every process computes the same one.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Share", "balanced_shares", "launched", "parse_shard", "process_share"]


def balanced_shares(costs: Sequence[int], count: int) -> list[list[int]]:
    """Indices of `costs` split into `count` shares of near-equal total cost, each in index order.

    >>> balanced_shares([5, 1, 4, 2, 3, 3], 2)
    [[0, 1, 5], [2, 3, 4]]
    """
    if count < 1:
        raise ValueError(f"a split needs at least one share, got {count}")
    loads = [(0, s) for s in range(count)]
    shares: list[list[int]] = [[] for _ in range(count)]
    for i in sorted(range(len(costs)), key=lambda i: (-costs[i], i)):
        load, s = heapq.heappop(loads)
        shares[s].append(i)
        heapq.heappush(loads, (load + costs[i], s))
    return [sorted(share) for share in shares]


def parse_shard(text: str) -> tuple[int, int]:
    """`--shard I/N` as (I, N), 0 <= I < N.

    >>> parse_shard("2/8")
    (2, 8)
    """
    index, sep, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i, n = -1, 0
    if not sep or n < 1 or not 0 <= i < n:
        raise ValueError(f"--shard takes I/N with 0 <= I < N (the I-th of N shares), got {text!r}")
    return i, n


@dataclass(frozen=True)
class Share:
    """This process's place in a data-parallel run: share `index` of `count` (one process: 0 of 1)."""

    index: int = 0
    count: int = 1

    def select(self, costs: Sequence[int]) -> list[int]:
        """The indices this process scores."""
        return list(range(len(costs))) if self.count == 1 else balanced_shares(costs, self.count)[self.index]

    def gather(self, local: Mapping[int, float], stats: Mapping[str, int]) -> tuple[dict[int, float], dict[str, int]]:
        """Every process's values and summed counters, on every process."""
        if self.count == 1:
            return dict(local), dict(stats)
        from accelerate.utils import gather_object

        parts: list[Any] = gather_object([(dict(local), dict(stats))])
        values: dict[int, float] = {}
        totals: dict[str, int] = {}
        for part_values, part_stats in parts:
            values.update(part_values)
            for k, v in part_stats.items():
                totals[k] = totals.get(k, 0) + v
        return values, totals

    @property
    def is_main(self) -> bool:
        """Whether this process writes the results and prints the report."""
        return self.index == 0


SIZE_VARIABLES = ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")
"""Where torchrun (and accelerate launch, which uses it) or an MPI launcher says how many processes there are."""


def launched() -> bool:
    """Whether this process is one of several started by a distributed launcher."""
    return any(int(os.environ.get(name, "1") or "1") > 1 for name in SIZE_VARIABLES)


def process_share() -> Share:
    """This process's share of a run started by `accelerate launch` or `torchrun` (one process: the whole run).

    The process group is set up by accelerate's `PartialState`, so the same code runs on one CPU, several GPUs
    and several nodes (gloo on CPUs, NCCL on GPUs).
    """
    if not launched():
        return Share()
    import torch
    from accelerate import PartialState

    # Without `cpu=True` accelerate takes a CPU-only torchrun for one process per machine (no gloo group).
    state = PartialState(cpu=not torch.cuda.is_available())
    return Share(state.process_index, state.num_processes)
