"""Position bias: in which order a judge sees the answers, and how its verdict maps back to an answer.

A presentation is a tuple `shown` of candidate indices (0 = the first chosen answer): position p of the prompt shows
candidate `shown[p]`, so a verdict naming position p means candidate `shown[p]`. Seeded orders come from a hash of
the run's seed and the example's key, never from Python's salted `hash`, so every run and every machine agrees.

`single` is JudgeBench's one-game mode (`run_judge.py --single_game`, ScalerLab/JudgeBench@e2c52c2, lines 30-38 and
84-90: the pair judged once, `response_A` shown first as the file has it, no reversed game); its authors then count
a pair right when that one decision equals the label (`utils/metrics.py`, `compute_final_metrics`, lines 19-24).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from typing import Any, Literal, get_args

from rmeval.types import ExampleKey

__all__ = ["ORDER_POLICIES", "OrderPolicy", "data_order", "example_seed", "presentations", "seeded_permutation"]

OrderPolicy = Literal["seeded", "both", "fixed", "single"]
DATA_ORDERS = {"A>B": (0, 1), "B>A": (1, 0)}
"""A JudgeBench label and the order of its pair in the file: the chosen answer is response_A when A>B."""
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


def data_order(meta: Mapping[str, Any], n: int) -> tuple[int, ...] | None:
    """The order the data itself shows a pair's answers in, when it records one (JudgeBench's `label`: A>B means
    response_A, the first in the file, is the chosen answer), else None.

    >>> data_order({"label": "B>A"}, 2), data_order({}, 2)
    ((1, 0), None)
    """
    return DATA_ORDERS.get(str(meta.get("label"))) if n == 2 else None


def presentations(policy: str, n: int, seed: int, key: ExampleKey,
                  meta: Mapping[str, Any] | None = None) -> list[tuple[int, ...]]:
    """The orders in which a judge sees an example's `n` answers under `policy`.

    `fixed`: as stored (chosen first); `seeded`: one seeded shuffle (for two answers, a seeded swap); `both`: the
    seeded order and its reverse, so each answer is seen in the other's place (for two answers, both orders);
    `single`: once, in the data's own order (`data_order`), an error for data that records none.

    >>> presentations("fixed", 2, 0, ("s", "1"))
    [(0, 1)]
    >>> sorted(presentations("both", 2, 0, ("s", "1")))
    [(0, 1), (1, 0)]
    """
    if policy == "fixed":
        return [tuple(range(n))]
    if policy == "single":
        order = data_order(meta or {}, n)
        if order is None:
            raise ValueError(f"--order single judges each pair once in its data's own order (JudgeBench's one-game "
                             f"mode), and example {key} records none: use --order seeded, both or fixed")
        return [order]
    shown = seeded_permutation(n, seed, key)
    if policy == "seeded":
        return [shown]
    if policy == "both":
        return [shown, shown[::-1]]
    raise ValueError(f"--order must be one of {', '.join(ORDER_POLICIES)}, got {policy!r}")
