"""Reports: pure functions of result folders (no model, no torch)."""

from rmeval.report.table import format_metrics, inputs_note

__all__ = ["format_metrics", "inputs_note"]
