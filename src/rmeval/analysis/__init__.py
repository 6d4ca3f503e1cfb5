"""Analyses of result folders: bootstrap intervals, paired comparisons, length bias and refusals.

Everything here is a pure function of result files (numpy only): no model, no torch, no transformers.
"""

from rmeval.analysis.bootstrap import DEFAULT_LEVEL, DEFAULT_RESAMPLES, bootstrap_ci, ci_from_samples
from rmeval.analysis.compare import Comparison, compare_runs, holm, mcnemar
from rmeval.analysis.features import candidate_features
from rmeval.analysis.length import LengthReport, dataset_baselines, length_report
from rmeval.analysis.refusals import RefusalRow, is_refusal, refusal_report, refusal_totals
from rmeval.analysis.runs import benchmark_of, sample_outcome, tie_credit_of

__all__ = [
    "DEFAULT_LEVEL",
    "DEFAULT_RESAMPLES",
    "Comparison",
    "LengthReport",
    "RefusalRow",
    "benchmark_of",
    "bootstrap_ci",
    "candidate_features",
    "ci_from_samples",
    "compare_runs",
    "dataset_baselines",
    "holm",
    "is_refusal",
    "length_report",
    "mcnemar",
    "refusal_report",
    "refusal_totals",
    "sample_outcome",
    "tie_credit_of",
]
