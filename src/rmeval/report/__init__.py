"""Reports: pure functions of result folders (no model, no torch)."""

from rmeval.report.judge_text import price_of
from rmeval.report.table import format_metrics

__all__ = ["format_metrics", "price_of"]
