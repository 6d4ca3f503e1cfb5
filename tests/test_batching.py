"""Length-sorted, token-budget batching."""

from __future__ import annotations

import random

import pytest

from rmeval.inference.batching import Batching, pack_batches


def padded_cost(batch: list[int], lengths: list[int]) -> int:
    return len(batch) * max(lengths[i] for i in batch)


def test_every_item_once_longest_first_within_budget() -> None:
    rng = random.Random(0)
    lengths = [rng.randint(1, 500) for _ in range(300)]
    batching = Batching(max_tokens_per_batch=2048)
    batches = pack_batches(lengths, batching)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(300))
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
    assert all(padded_cost(b, lengths) <= 2048 for b in batches)
    real = sum(lengths)
    padded = sum(padded_cost(b, lengths) for b in batches)
    assert real / padded > 0.9  # sorting makes padding small


def test_batch_size_caps_items_and_combines_with_the_budget() -> None:
    lengths = [10] * 25
    assert [len(b) for b in pack_batches(lengths, Batching(None, batch_size=8))] == [8, 8, 8, 1]
    assert [len(b) for b in pack_batches(lengths, Batching(max_tokens_per_batch=50, batch_size=8))] == [5] * 5


def test_an_item_longer_than_the_budget_gets_its_own_batch() -> None:
    assert pack_batches([5000, 10, 10], Batching(max_tokens_per_batch=100)) == [[0], [1, 2]]


def test_equal_lengths_keep_input_order() -> None:
    assert pack_batches([3, 3, 3, 3], Batching(max_tokens_per_batch=6)) == [[0, 1], [2, 3]]


def test_invalid_settings() -> None:
    with pytest.raises(ValueError, match="needs --max-tokens-per-batch, --batch-size, or both"):
        Batching(None, None)
    with pytest.raises(ValueError, match="batch-size must be at least 1"):
        Batching(batch_size=0)
