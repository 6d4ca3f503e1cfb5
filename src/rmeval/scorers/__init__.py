"""Scorers: the protocol, the pointwise adapter, and the model kinds registered by name."""

from rmeval.scorers.base import Candidate, PointwiseModel, PointwiseScorer, Scorer
from rmeval.scorers.batching import Batching, pack_batches
from rmeval.scorers.registry import build_scorer, register_scorer, scorer_names

__all__ = [
    "Batching",
    "Candidate",
    "PointwiseModel",
    "PointwiseScorer",
    "Scorer",
    "build_scorer",
    "pack_batches",
    "register_scorer",
    "scorer_names",
]
