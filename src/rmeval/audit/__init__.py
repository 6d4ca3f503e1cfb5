"""Auditing a benchmark's labels by their verifiable reasons: code pairs run against their tests in a sandbox,
math answers compared by equivalence, safety behaviours checked by the refusal detector, the pairs many runs get
wrong, and the prompts a training set overlaps; `exclude` leaves the flagged pairs out of a run's metrics."""

from rmeval.audit.core import AuditOptions, run_audit
from rmeval.audit.findings import CHECKS, AuditReport, Flag, Verdict, read_audit, write_audit
from rmeval.audit.humanevalpack import HUB_ID
from rmeval.audit.sandbox import Limits
from rmeval.audit.text import format_audit

__all__ = ["CHECKS", "HUB_ID", "AuditOptions", "AuditReport", "Flag", "Limits", "Verdict", "format_audit",
           "read_audit", "run_audit", "write_audit"]
