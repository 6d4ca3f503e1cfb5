"""Length-sorted, token-budget batching shared by every model-backed scorer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_TOKEN_BUDGET", "Batching", "batching_for", "pack_batches"]

DEFAULT_TOKEN_BUDGET = {"cpu": 4096, "cuda": 16384}
"""Padded tokens per batch when neither --max-tokens-per-batch nor --batch-size is given. On a CPU, batches past a
few thousand tokens fall out of cache and run slower per token (measured with MiniLM on 2 cores: a 250-pair sample
of v1 took 19.5 s at 4096 against 25.8 s at 16384); a GPU wants wide batches to fill its cores."""


@dataclass(frozen=True)
class Batching:
    """How items are grouped: a budget of padded tokens per batch, a cap on items per batch, or both."""

    max_tokens_per_batch: int | None = DEFAULT_TOKEN_BUDGET["cpu"]
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


def batching_for(max_tokens_per_batch: int | None, batch_size: int | None, device: str) -> Batching:
    """The batching of a run: the options as given, or the device's default token budget when both are unset."""
    if max_tokens_per_batch is None and batch_size is None:
        max_tokens_per_batch = DEFAULT_TOKEN_BUDGET["cuda" if device.startswith("cuda") else "cpu"]
    return Batching(max_tokens_per_batch, batch_size)


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
