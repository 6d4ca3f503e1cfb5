"""A run's metrics without the pairs an audit flagged: the same samples less those pairs, every metric recomputed by
the run's own metric function (`scoring.run_metrics`: the benchmark's formula, its weights and intervals), and the
pairs left out counted per subset and reason in `metrics.excluded` (as `audit: <check>`).

The result is a run of its own (its name says `without audit-flagged pairs`; `spec.data.audit` names the audit
file and its hash), so it can be written as a result folder and shown on the leaderboard beside the original.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from rmeval.audit.findings import read_audit
from rmeval.results import RunResult, benchmark_of, stored_resampling, tie_credit_of
from rmeval.scoring import run_metrics

__all__ = ["SUFFIX", "without_flagged"]

SUFFIX = " (without audit-flagged pairs)"


def _merge(a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    out = {k: dict(v) for k, v in a.items()}
    for subset, reasons in b.items():
        row = out.setdefault(subset, {})
        for reason, n in reasons.items():
            row[reason] = row.get(reason, 0) + n
    return out


def without_flagged(run: RunResult, audit_path: Path) -> tuple[RunResult, dict[str, Any]]:
    """The run recomputed without the audit's flagged pairs, and what was done (counts, warnings)."""
    audit, flags = read_audit(audit_path)
    reason_of: dict[tuple[str, str], str] = {}
    for f in flags:  # a pair flagged by several checks is counted once, under the first (label checks first)
        reason_of.setdefault((f.subset, f.id), f"audit: {f.reason}")
    kept, removed = [], Counter[tuple[str, str]]()
    for s in run.samples:
        reason = None if s.part else reason_of.get(s.key)
        if reason is None:
            kept.append(s)
        else:
            removed[(s.subset, reason)] += 1
    excluded: dict[str, dict[str, int]] = {}
    for (subset, reason), n in sorted(removed.items()):
        excluded.setdefault(subset, {})[reason] = n
    data = dict(run.spec.data) if isinstance(run.spec.data, dict) else {}
    merged = _merge(dict(data.get("excluded") or {}), excluded)
    held = {s.key for s in run.samples if not s.part}
    absent = sorted(k for k in reason_of if k not in held)
    warnings = []
    if absent:
        warnings.append(f"{len(absent)} flagged pair(s) are not in this run (first: {absent[0][0]} {absent[0][1]})")
    audited, ours = (audit.get("data") or {}).get("sha256"), data.get("sha256")
    if audited and ours and audited != ours:
        warnings.append(f"the audit read other data (sha256 {audited[:12]}) than this run ({ours[:12]})")
    record = {"file": str(audit_path), "sha256": hashlib.sha256(audit_path.read_bytes()).hexdigest(),
              "pairs_excluded": sum(removed.values()), "flagged_not_in_run": len(absent)}
    spec = replace(run.spec, data={**data, "excluded": merged, "audit": record},
                   name=run.spec.display_name + SUFFIX)
    metrics = run_metrics(kept, benchmark_of(run.spec), tie_credit_of(run.spec), stored_resampling(run),
                          excluded=merged)
    return RunResult(spec, metrics, dict(run.timing), kept), {**record, "excluded": excluded, "warnings": warnings}
