"""Scorers: the protocol and its lifecycle, the pointwise adapter, and the model kinds registered by name."""

from rmeval.scorers.base import BaseScorer, PointwiseModel, PointwiseScorer, Scorer
from rmeval.scorers.batching import Batching, pack_batches
from rmeval.scorers.registry import (
    ScorerEntry,
    build_scorer,
    register_scorer,
    scorer_entries,
    scorer_entry,
    scorer_names,
)

__all__ = [
    "BaseScorer",
    "Batching",
    "PointwiseModel",
    "PointwiseScorer",
    "Scorer",
    "ScorerEntry",
    "build_scorer",
    "pack_batches",
    "register_scorer",
    "scorer_entries",
    "scorer_entry",
    "scorer_names",
]
