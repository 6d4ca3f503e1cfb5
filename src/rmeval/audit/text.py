"""The audit as the terminal shows it: a table per check with a row per subset, then every flagged pair."""

from __future__ import annotations

from typing import Any

from rmeval.audit.findings import CHECKS, AuditReport

__all__ = ["format_audit"]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, r in enumerate(rows):
        cells = [c.ljust(w) if i in (0, len(r) - 1) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                               strict=True))]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def _why(reasons: dict[str, int]) -> str:
    return "; ".join(f"{n}: {why}" for why, n in reasons.items())


def _checks(report: AuditReport) -> list[str]:
    lines: list[str] = []
    subsets = report.subsets()
    for check in CHECKS:
        rows = [["subset", "pairs", "checked", "consistent", "contradicting", "not checkable", "why not"]]
        for subset, checks in subsets.items():
            row: dict[str, Any] | None = checks.get(check)
            if row is None:
                continue
            unchecked = sum(row["not_checkable"].values())
            rows.append([subset, str(row["pairs"]), str(row["checked"]), str(row["consistent"]),
                         str(row["contradicting"]), str(unchecked), _why(row["not_checkable"])])
        if len(rows) > 1:
            lines += ["", f"{check} check", *_table(rows)]
    return lines


def _runs(report: AuditReport) -> list[str]:
    runs = report.runs
    if not runs:
        return []
    flagged = runs["flagged"]
    lines = ["", f"pairs at least {runs['share']:.0%} of {len(runs['folders'])} runs get wrong: {len(flagged)} of "
                 f"{runs['pairs']}"]
    if flagged:
        rows = [["subset", "id", "wrong", "share", "chosen - rejected chars", ""]]
        rows += [[r["subset"], r["id"], f"{r['wrong']}/{r['runs']}", f"{r['share']:.0%}",
                  "" if r["length_difference"] is None else f"{r['length_difference']:+d}", ""] for r in flagged]
        lines += _table(rows)
    return lines


def _overlap(report: AuditReport) -> list[str]:
    o = report.overlap
    if not o:
        return []
    rate = f", {o['rows_per_second']:,} rows/s" if o.get("rows_per_second") else ""
    lines = ["", f"overlap with {o['source'].get('path') or o['source'].get('id')}: {o['training_rows']:,} training "
                 f"prompts, {o['ngram']}-grams" + (f" and MinHash near-duplicates (Jaccard >= {o['minhash_threshold']})"
                                                    if o.get("minhash_threshold") is not None else "")
             + f" ({o['scan_seconds']:.1f} s{rate})"]
    rows = [["subset", "prompts", "overlapping", "how"]]
    rows += [[s, str(r["prompts"]), str(r["overlapping"]), ", ".join(f"{k} {n}" for k, n in r["by_kind"].items())]
             for s, r in o["subsets"].items()]
    return lines + _table(rows)


def format_audit(report: AuditReport, out: str | None = None) -> str:
    """The audit's tables and every flagged pair."""
    head = f"audit of {report.benchmark or 'runs'}" + (f" ({sum(report.pairs.values())} pairs)" if report.pairs
                                                       else "")
    lines = [head, *_checks(report), *_runs(report), *_overlap(report)]
    flags = report.flags()
    lines += ["", f"flagged pairs: {len(flags)}"]
    lines += [f"  {f.subset} {f.id} [{f.reason}] {f.found}" for f in flags]
    if out:
        lines += ["", f"wrote {out}"]
    return "\n".join(lines)
