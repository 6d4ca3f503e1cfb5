"""Guards against silently wrong models: a reward that is NaN, or the same for every text of the first batch.

A broken model still produces numbers: a head that reads a padding position, a head newly initialised to zeros, an
fp16 overflow. Its run would finish with an accuracy near chance (or, for constant rewards, exactly 0 with every
pair a tie). The guard looks at what the model returned and stops with the texts that showed it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from rmeval.inference.pointwise import Encoded, PointwiseModel
from rmeval.types import Candidate

__all__ = ["GuardedModel", "RewardGuard"]

E = TypeVar("E", bound=Encoded)
SHOW_CHARS = 160
FIRST_VALUES = 8
"""How many values (from the first batch, or the first few) must all be equal to stop a run: in bfloat16 two
different texts can round to the same reward, eight cannot by chance."""


def _short(shown: Any) -> str:
    text = " ".join(str(shown).split())
    return text if len(text) <= SHOW_CHARS else "..." + text[-SHOW_CHARS:]


class RewardGuard:
    """Checks a model's outputs: every value must be a finite number, and the first `FIRST_VALUES` values (the
    first batch, or the first few) must not all be equal. `show` turns an item into text for the error message."""

    def __init__(self, name: str, show: Callable[[Any], Any], what: str = "reward") -> None:
        self.name = name
        self.show = show
        self.what = what
        self._first: list[tuple[Any, float]] = []
        self.constant_checked = False

    def check(self, items: Sequence[Any], values: Sequence[float]) -> None:
        """Raise ValueError, naming the texts, when `values` show a broken model."""
        bad = [i for i, v in enumerate(values) if not math.isfinite(v)]
        if bad:
            i = bad[0]
            raise ValueError(f"{self.name} gave a {self.what} of {values[i]} for {len(bad)} of the {len(values)} "
                             f"texts of a batch, e.g. {_short(self.show(items[i]))!r}. Check --dtype (float16 "
                             "overflows in some models) and that the scorer kind matches the model")
        if self.constant_checked:
            return
        self._first += list(zip(items, values, strict=True))
        if len(self._first) < FIRST_VALUES:
            return
        self.constant_checked = True
        distinct = {v for _, v in self._first}
        if len(distinct) == 1:
            (a, v), (b, _) = self._first[0], self._first[-1]
            raise ValueError(f"{self.name} gave every one of the first {len(self._first)} different texts the same "
                             f"{self.what}, {v}, e.g. {_short(self.show(a))!r} and {_short(self.show(b))!r}: its "
                             "head ignores the text (untrained, or read at a padding position). Check the scorer "
                             "kind and its head options (rmeval models lists known models)")
        self._first = []

    def describe(self) -> dict[str, Any]:
        """What the guard checks, for result.json."""
        return {"finite": "every value", "not_constant": "the first batch"}


class GuardedModel(Generic[E]):
    """A pointwise model whose rewards pass through a `RewardGuard`; everything else is the wrapped model's."""

    def __init__(self, inner: PointwiseModel[E], guard: RewardGuard) -> None:
        self.inner = inner
        self.guard = guard

    def encode(self, candidates: Sequence[Candidate]) -> list[E]:
        """The wrapped model's encodings."""
        return self.inner.encode(candidates)

    def rewards(self, batch: Sequence[E]) -> list[float]:
        """The wrapped model's rewards, checked."""
        values = self.inner.rewards(batch)
        self.guard.check(batch, values)
        return values

    def fingerprint(self) -> dict[str, Any] | None:
        """The wrapped model's: the guard changes no value it lets through."""
        return self.inner.fingerprint()

    def describe(self) -> dict[str, Any]:
        """The wrapped model's description and the guard's."""
        return {**self.inner.describe(), "guards": self.guard.describe()}

    def close(self) -> None:
        """Close the wrapped model."""
        self.inner.close()
