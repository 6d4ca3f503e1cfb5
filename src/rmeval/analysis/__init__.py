"""Analyses of result folders: bootstrap intervals, paired comparisons, length bias and refusals.

Everything here is a pure function of result files (numpy only): no model, no torch, no transformers.
"""

from rmeval.analysis.bootstrap import DEFAULT_RESAMPLES, bootstrap_ci, ci_from_samples
from rmeval.analysis.compare import compare_runs, holm, mcnemar
from rmeval.analysis.features import candidate_features
from rmeval.analysis.length import length_report
from rmeval.analysis.refusals import is_refusal, refusal_report

__all__ = [
    "DEFAULT_RESAMPLES",
    "bootstrap_ci",
    "candidate_features",
    "ci_from_samples",
    "compare_runs",
    "holm",
    "is_refusal",
    "length_report",
    "mcnemar",
    "refusal_report",
]
