"""Reports: pure functions of result folders (no model, no torch)."""

from rmeval.report.header import excluded_note, run_title
from rmeval.report.table import format_metrics

__all__ = ["excluded_note", "format_metrics", "run_title"]
