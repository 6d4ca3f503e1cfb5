"""Position bias: in which order a judge sees the answers, and how its verdict maps back to an answer.

A presentation is a tuple `shown` of candidate indices (0 = the first chosen answer): position p of the prompt shows
candidate `shown[p]`, so a verdict naming position p means candidate `shown[p]`. Seeded orders come from a hash of
the run's seed and the example's key, never from Python's salted `hash`, so every run and every machine agrees.
"""

from __future__ import annotations

import hashlib
import random
from typing import Literal, get_args

from rmeval.types import ExampleKey

__all__ = ["ORDER_POLICIES", "OrderPolicy", "example_seed", "presentations", "seeded_permutation"]

OrderPolicy = Literal["seeded", "both", "fixed"]
ORDER_POLICIES: tuple[str, ...] = get_args(OrderPolicy)


def example_seed(seed: int, key: ExampleKey) -> int:
    """A 64-bit seed from the run's seed and the example's (subset, id).

    >>> example_seed(0, ("chat", "1")) == example_seed(0, ("chat", "1")) != example_seed(1, ("chat", "1"))
    True
    """
    material = f"{seed}\x1f{key[0]}\x1f{key[1]}".encode()
    return int.from_bytes(hashlib.sha256(material).digest()[:8], "big")


def seeded_permutation(n: int, seed: int, key: ExampleKey) -> tuple[int, ...]:
    """The order one example's `n` answers are shown in: a shuffle seeded by `example_seed`.

    >>> sorted(seeded_permutation(4, 0, ("math", "7")))
    [0, 1, 2, 3]
    """
    order = list(range(n))
    random.Random(example_seed(seed, key)).shuffle(order)
    return tuple(order)


def presentations(policy: str, n: int, seed: int, key: ExampleKey) -> list[tuple[int, ...]]:
    """The orders in which a judge sees an example's `n` answers under `policy`.

    `fixed`: as stored (chosen first); `seeded`: one seeded shuffle (for two answers, a seeded swap); `both`: the
    seeded order and its reverse, so each answer is seen in the other's place (for two answers, both orders).

    >>> presentations("fixed", 2, 0, ("s", "1"))
    [(0, 1)]
    >>> sorted(presentations("both", 2, 0, ("s", "1")))
    [(0, 1), (1, 0)]
    """
    if policy == "fixed":
        return [tuple(range(n))]
    shown = seeded_permutation(n, seed, key)
    if policy == "seeded":
        return [shown]
    if policy == "both":
        return [shown, shown[::-1]]
    raise ValueError(f"--order must be one of {', '.join(ORDER_POLICIES)}, got {policy!r}")
