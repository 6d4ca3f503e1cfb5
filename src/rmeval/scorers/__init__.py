"""Scorers: the model kinds registered by name, and what a plugin needs to add one (the protocol, the pointwise
adapter and its batching, the registry)."""

from rmeval.inference.batching import Batching, pack_batches
from rmeval.inference.pointwise import PointwiseModel, PointwiseScorer
from rmeval.protocol import BaseScorer, Scorer
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
