"""Reports: pure functions of result folders (no model, no torch)."""

from rmeval.report.header import excluded_note, run_title
from rmeval.report.judge_text import price_of
from rmeval.report.table import format_metrics, inputs_note

__all__ = ["excluded_note", "format_metrics", "inputs_note", "price_of", "run_title"]
