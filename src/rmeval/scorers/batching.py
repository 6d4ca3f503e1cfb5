"""Length-sorted, token-budget batching shared by every model-backed scorer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Batching", "pack_batches"]


@dataclass(frozen=True)
class Batching:
    """How items are grouped: a budget of padded tokens per batch, a cap on items per batch, or both."""

    max_tokens_per_batch: int | None = 16384
    batch_size: int | None = None

    def __post_init__(self) -> None:
        if self.max_tokens_per_batch is None and self.batch_size is None:
            raise ValueError("batching needs --max-tokens-per-batch, --batch-size, or both")
        for name in ("max_tokens_per_batch", "batch_size"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name.replace('_', '-')} must be at least 1, got {value}")

    def describe(self) -> dict[str, object]:
        """The settings as recorded in result.json."""
        return {"max_tokens_per_batch": self.max_tokens_per_batch, "batch_size": self.batch_size,
                "order": "longest first, deduplicated"}


def pack_batches(lengths: Sequence[int], batching: Batching) -> list[list[int]]:
    """Indices of `lengths` grouped into batches, longest first.

    A batch costs (items x longest item) padded tokens; sorting first makes that close to its real tokens. An item
    longer than the whole budget gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[current[0]] if current else lengths[i]
        fits_tokens = batching.max_tokens_per_batch is None or (len(current) + 1) * longest <= (
            batching.max_tokens_per_batch
        )
        fits_count = batching.batch_size is None or len(current) < batching.batch_size
        if current and not (fits_tokens and fits_count):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
