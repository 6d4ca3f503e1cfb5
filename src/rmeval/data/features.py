"""Per-candidate features recorded in samples.jsonl, so analyses need no texts: lengths and refusal labels."""

from __future__ import annotations

from typing import Any

from rmeval.data.refusal_detector import is_refusal
from rmeval.types import Example

__all__ = ["candidate_features"]


def candidate_features(example: Example) -> dict[str, Any]:
    """Characters and refusal label of every chosen and rejected answer (same order as the scores).

    >>> from rmeval.types import Message
    >>> ex = Example("s", 1, (Message("user", "hi"),), ("Hello there!",), ("I'm sorry, but I can't help.",))
    >>> candidate_features(ex)
    {'chars_chosen': [12], 'chars_rejected': [28], 'refusal_chosen': [False], 'refusal_rejected': [True]}
    """
    return {
        "chars_chosen": [len(t) for t in example.chosen],
        "chars_rejected": [len(t) for t in example.rejected],
        "refusal_chosen": [is_refusal(t) for t in example.chosen],
        "refusal_rejected": [is_refusal(t) for t in example.rejected],
    }
