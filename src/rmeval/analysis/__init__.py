"""Analyses of result folders: paired comparisons, length bias, refusals, and whether two runs are comparable.

Everything here is a pure function of result files (numpy only): no model, no torch, no transformers. The numbers
themselves come from `rmeval.scoring`.
"""

from rmeval.analysis.compare import Comparison, compare_runs, holm, mcnemar
from rmeval.analysis.length import LengthReport, dataset_baselines, length_report
from rmeval.analysis.refusals import RefusalRow, refusal_report, refusal_totals

__all__ = [
    "Comparison",
    "LengthReport",
    "RefusalRow",
    "compare_runs",
    "dataset_baselines",
    "holm",
    "length_report",
    "mcnemar",
    "refusal_report",
    "refusal_totals",
]
