"""A run cut into blocks of work before anything is scored: the unit batches are packed in, and the unit a split
hands out whole (a process of `torchrun` takes whole batches of them, a `--shard` whole blocks).

A score computed in bf16 (and, at 1e-7, in fp32) depends on the other texts of its batch: their padding, the shape
of the matrix products. So that a run gives the same numbers however it is split, its batches must not depend on
the split: they are packed within blocks, and the blocks depend only on the run's data. Examples that share an
input (an answer in two examples) or a prompt (answers an implicit reward reads in one row behind their prompt) are
in one block, so every input is scored once, in the same batch, whatever the split. The number of blocks grows with
the run (`MIN_BLOCK_INPUTS` inputs per block at least, `MAX_BLOCKS` at most), and blocks are balanced by tokens.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["MAX_BLOCKS", "MIN_BLOCK_INPUTS", "Work", "block_count", "plan_blocks"]

MIN_BLOCK_INPUTS = 1024
"""Distinct inputs per block at least. Fast-exact widens its threshold block by block, from the bf16 errors of the
block's own re-scored examples (`precision.py`): a block needs enough of them to show the error's tail (a tiny
random pair ranker on 600 pairs had its two largest errors in one half of the run and missed them in the other
when cut in two). Bigger blocks also pack with less padding; fewer blocks allow fewer `--shard`s."""
MAX_BLOCKS = 64
"""Blocks at most: as many shards as this can split a run; processes under torchrun take batches, not blocks."""


def block_count(inputs: int) -> int:
    """How many blocks a run of `inputs` distinct inputs is cut into.

    >>> block_count(100), block_count(5935), block_count(10**6)
    (1, 5, 64)
    """
    return max(1, min(MAX_BLOCKS, inputs // MIN_BLOCK_INPUTS))


def _components(keys: Sequence[Iterable[Hashable]]) -> list[int]:
    """The component of each example: examples that share a key are in one (union-find, roots the first seen)."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[Hashable, int] = {}
    for i, own in enumerate(keys):
        for key in own:
            j = first.setdefault(key, i)
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(keys))]


def plan_blocks(prompts: Sequence[Hashable], slots: Sequence[Sequence[int]], costs: Sequence[int]) -> list[int]:
    """The block of each example (`slots[i]`: example i's distinct inputs, `costs[s]`: input s's tokens), examples
    that share a prompt or an input in one block, blocks of near-equal tokens.

    >>> plan_blocks(["p", "q", "p", "r"], [[0, 1], [2], [3], [4]], [5, 5, 1, 1, 1])
    [0, 0, 0, 0]
    >>> plan_blocks([f"p{i}" for i in range(2100)], [[i] for i in range(2100)], [1] * 2100)[:4]
    [0, 1, 0, 1]
    """
    count = 1 + max((s for row in slots for s in row), default=-1)
    keys = [[("prompt", p), *(("input", s) for s in row)] for p, row in zip(prompts, slots, strict=True)]
    component = _components(keys)
    weight: dict[int, int] = {}
    counted: set[int] = set()
    for i, row in enumerate(slots):
        fresh = [s for s in row if s not in counted]
        counted.update(fresh)
        weight[component[i]] = weight.get(component[i], 0) + sum(costs[s] for s in fresh)
    loads = [(0, b) for b in range(block_count(count))]
    block_of: dict[int, int] = {}
    for root in sorted(weight, key=lambda r: (-weight[r], r)):  # heaviest first, ties by data order
        load, b = heapq.heappop(loads)
        block_of[root] = b
        heapq.heappush(loads, (load + weight[root], b))
    return [block_of[component[i]] for i in range(len(slots))]


@dataclass(frozen=True)
class Work:
    """What a scorer computes: the whole run's examples as their distinct inputs (`slots[i]`, indices of `count`
    inputs), the block of each example, and the examples this invocation scores (`mine`: all of them, or a
    shard's whole blocks)."""

    slots: Sequence[Sequence[int]]
    blocks: Sequence[int]
    count: int
    mine: Sequence[int]
    block_of_input: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, row in enumerate(self.slots):
            for s in row:
                self.block_of_input.setdefault(s, self.blocks[i])

    @property
    def my_blocks(self) -> list[int]:
        """The blocks this invocation scores, in order."""
        return sorted({self.blocks[i] for i in self.mine})

    def my_inputs(self) -> list[int]:
        """The distinct inputs of the examples this invocation scores."""
        return sorted({s for i in self.mine for s in self.slots[i]})

    def groups(self, inputs: Iterable[int]) -> list[list[int]]:
        """`inputs` grouped by block (blocks in order, inputs in order within each): the unit of batch packing."""
        by_block: dict[int, list[int]] = {}
        for s in sorted(set(inputs)):
            by_block.setdefault(self.block_of_input[s], []).append(s)
        return [by_block[b] for b in sorted(by_block)]

    def examples_of(self, block: int) -> list[int]:
        """This invocation's examples in `block`."""
        return [i for i in self.mine if self.blocks[i] == block]
