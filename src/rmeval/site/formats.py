"""The leaderboard table for papers and scripts: Markdown, CSV, LaTeX (and the rows behind them, as JSON).

One ranked table per dataset (each benchmark, each custom dataset), under its name. Names are untrusted text and
are escaped for each format: Markdown gets no raw HTML and no table-breaking pipe, a CSV cell never starts a
spreadsheet formula, LaTeX's special characters are written as text. A missing value is `n/a` in Markdown and
LaTeX and an empty cell in CSV.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any

from rmeval.site.entries import Entry
from rmeval.site.groups import groups_of, tables_of
from rmeval.site.labels import run_labels

__all__ = ["FORMATS", "by_benchmark", "columns_of", "csv_cell", "group_labels", "latex_text", "md_text",
           "render_table", "table_rows"]

FORMATS = ("md", "csv", "latex")
by_benchmark = tables_of
"""Entries per table (benchmark or custom dataset), each ranked (the name older callers use)."""


def group_labels(entries: Sequence[Entry]) -> dict[tuple[str, str], str]:
    """A letter per (data, conventions) fingerprint pair, as the site letters them: A for the data most entries
    scored, then B, C, ... (Z, AA, ...)."""
    return {key: label for label, key, _ in groups_of(entries)}


def columns_of(entries: Sequence[Entry]) -> tuple[str, list[str]]:
    """('sections' or 'subsets', names): the benchmark's sections; its subsets when it has fewer than two sections
    (RewardBench 2's one section is its score, open benchmarks have none); none when the one subset is the score
    itself (a custom dataset without subsets is all `default`)."""
    sections = list(dict.fromkeys(n for e in entries for n in (e.section_order or list(e.sections))))
    if len(sections) > 1:
        return "sections", sections
    subsets = list(dict.fromkeys(n for e in entries for n in e.subsets))
    return "subsets", subsets if len(subsets) > 1 else []


def _interval(ci: Sequence[Any] | None) -> tuple[float, float]:
    if ci is None or len(ci) != 2:
        return math.nan, math.nan
    return float(ci[0]), float(ci[1])


def table_rows(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """One flat dict per entry: dataset, benchmark, rank, model, kind, score and columns (fractions, with
    intervals), and what tells the run apart."""
    rows = []
    for table, group in tables_of(entries).items():
        labels, names = group_labels(group), columns_of(group)
        kind, columns = names
        shown = run_labels(group)
        for rank, e in enumerate(group, start=1):
            values = e.sections if kind == "sections" else {k: v["accuracy"] for k, v in e.subsets.items()}
            intervals = e.sections_ci if kind == "sections" else {k: v.get("ci") for k, v in e.subsets.items()}
            lo, hi = _interval(e.score_ci)
            row: dict[str, Any] = {"dataset": table, "benchmark": e.benchmark, "rank": rank, "model": e.model,
                                   "run": shown[e.slug], "kind": e.kind, "score": e.score, "score_lo": lo,
                                   "score_hi": hi}
            for n in columns:
                lo, hi = _interval(intervals.get(n))
                row.update({n: values.get(n, math.nan), f"{n}_lo": lo, f"{n}_hi": hi})
            row.update({"data_group": labels[e.group_key], "data_fingerprint": e.data_id,
                        "conventions_fingerprint": e.conventions_id, "verified": e.verified,
                        "invalid_rows_left_out": e.invalid_rows, "created_at": e.created})
            rows.append(row)
    return rows


def _pct(x: Any) -> str:
    return f"{100 * x:.2f}" if isinstance(x, (int, float)) and math.isfinite(x) else "n/a"


def _cell(row: dict[str, Any], name: str) -> str:
    lo, hi = row[f"{name}_lo"], row[f"{name}_hi"]
    interval = f" [{_pct(lo)}, {_pct(hi)}]" if math.isfinite(lo) and math.isfinite(hi) else ""
    return _pct(row[name]) + interval


def md_text(text: Any) -> str:
    """Markdown table text that renders as the text it is: HTML characters as entities (no tag, no comment, no
    entity of its own survives), Markdown's punctuation and the table's pipes escaped, lines joined.

    >>> md_text('<img src=x onerror=alert(1)> | *b*')
    '&lt;img src=x onerror=alert(1)&gt; \\\\| \\\\*b\\\\*'
    """
    out = " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\|`*_[]#!~":
        out = out.replace(ch, "\\" + ch)
    return out


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP's CSV injection list)."""


def csv_cell(value: Any) -> Any:
    """A CSV cell: a missing value is empty; text that a spreadsheet would run as a formula gets a leading `'`.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell(float("nan")), csv_cell(None), csv_cell(0.5)
    ("'=HYPERLINK(1)", '', '', 0.5)
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def latex_text(text: Any) -> str:
    r"""LaTeX text: every special character written as itself, lines joined.

    >>> latex_text("a_b & 50% {x}")
    'a\\_b \\& 50\\% \\{x\\}'
    """
    return "".join(LATEX_SPECIAL.get(c, c) for c in " ".join(str(text).split()))


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    keys = list(dict.fromkeys(k for r in rows for k in r))
    writer = csv.DictWriter(buffer, fieldnames=keys, lineterminator="\n")
    writer.writerow({k: csv_cell(k) for k in keys})
    writer.writerows({k: csv_cell(r.get(k)) for k in keys} for r in rows)
    return buffer.getvalue()


def render_table(entries: Sequence[Entry], fmt: str) -> str:
    """The leaderboard as `md`, `csv` or `latex` text: one ranked table per dataset, under its name (scores in
    percent with 95 % intervals; CSV: one row per run with its dataset, fractions)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown table format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = table_rows(entries)
    if fmt == "csv":
        return _csv(rows)
    parts = []
    for table, group in tables_of(entries).items():
        names = columns_of(group)[1]
        mine = [r for r in rows if r["dataset"] == table]
        header = ["#", "Model", "Kind", "Score", *names, "Data"]
        escape = md_text if fmt == "md" else latex_text
        # Names are escaped for the format; the numbers are rmeval's own text (digits, brackets, n/a).
        cells = [[str(r["rank"]), escape(r["run"]), escape(r["kind"]), _cell(r, "score"),
                  *(_cell(r, n) for n in names), escape(r["data_group"])] for r in mine]
        if fmt == "md":
            lines = [f"### {md_text(table)}", "", "| " + " | ".join(md_text(h) for h in header) + " |",
                     "|" + "|".join("---:" if i in (0, 3) or 3 < i < len(header) - 1 else "---"
                                    for i in range(len(header))) + "|"]
            lines += ["| " + " | ".join(row) + " |" for row in cells]
        else:
            spec = "rll" + "r" * (1 + len(names)) + "c"
            lines = [f"% {latex_text(table)}: percent, 95 % bootstrap intervals",
                     f"\\subsection*{{{latex_text(table)}}}", f"\\begin{{tabular}}{{{spec}}}", "\\hline",
                     " & ".join(latex_text(h) for h in header) + r" \\", "\\hline"]
            lines += [" & ".join(row) + r" \\" for row in cells]
            lines += ["\\hline", "\\end{tabular}"]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
