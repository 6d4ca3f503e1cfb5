"""Scoring: the credit rule, units, aggregation and bootstrap, and the one function from samples to metrics.

Everything that turns scores into numbers lives here and nowhere else; analyses, reports and the leaderboard call it.
Pure numpy: no model, no torch.
"""

from rmeval.scoring.bootstrap import DEFAULT_LEVEL, DEFAULT_RESAMPLES, Resampling, bootstrap_ci, percentile_interval
from rmeval.scoring.compute import run_metrics, subset_counts
from rmeval.scoring.credit import credits, example_credit, run_credits
from rmeval.scoring.metrics import CombinedValue, CompanionMetrics, Intervals, Metrics, SubsetMetrics
from rmeval.scoring.ties import TIES_WEIGHTS, TiesResult, ties_score
from rmeval.scoring.units import SubsetUnits, pair_units, run_units

__all__ = [
    "DEFAULT_LEVEL",
    "DEFAULT_RESAMPLES",
    "TIES_WEIGHTS",
    "CombinedValue",
    "CompanionMetrics",
    "Intervals",
    "Metrics",
    "Resampling",
    "SubsetMetrics",
    "SubsetUnits",
    "TiesResult",
    "bootstrap_ci",
    "credits",
    "example_credit",
    "pair_units",
    "percentile_interval",
    "run_credits",
    "run_metrics",
    "run_units",
    "subset_counts",
    "ties_score",
]
