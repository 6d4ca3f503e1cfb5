"""The leaderboard table for papers and scripts: Markdown, CSV, LaTeX (and the rows behind them, as JSON)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any

from rmeval.site.entries import Entry
from rmeval.site.groups import groups_of, ranked

__all__ = ["FORMATS", "columns_of", "group_labels", "render_table", "table_rows"]

FORMATS = ("md", "csv", "latex")


def group_labels(entries: Sequence[Entry]) -> dict[tuple[str, str], str]:
    """A letter per (data, conventions) fingerprint pair, as the site letters them: A for the data most entries
    scored, then B, C, ... (Z, AA, ...)."""
    return {key: label for label, key, _ in groups_of(entries)}


def columns_of(entries: Sequence[Entry]) -> tuple[str, list[str]]:
    """('sections' or 'subsets', names): the benchmark's sections; its subsets when it has fewer than two sections
    (RewardBench 2's one section is its score, open benchmarks have none)."""
    sections = list(dict.fromkeys(n for e in entries for n in (e.section_order or list(e.sections))))
    if len(sections) > 1:
        return "sections", sections
    return "subsets", list(dict.fromkeys(n for e in entries for n in e.subsets))


def by_benchmark(entries: Sequence[Entry]) -> dict[str, list[Entry]]:
    """Entries grouped per benchmark (first appearance order), each group ranked."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.benchmark, []).append(e)
    return {k: ranked(v) for k, v in groups.items()}


def _interval(ci: Sequence[Any] | None) -> tuple[float, float]:
    if ci is None or len(ci) != 2:
        return math.nan, math.nan
    return float(ci[0]), float(ci[1])


def table_rows(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """One flat dict per entry: benchmark, rank, model, kind, score and columns (fractions, with intervals)."""
    rows = []
    for benchmark, group in by_benchmark(entries).items():
        labels = group_labels(group)
        kind, names = columns_of(group)
        for rank, e in enumerate(group, start=1):
            values = e.sections if kind == "sections" else {k: v["accuracy"] for k, v in e.subsets.items()}
            intervals = e.sections_ci if kind == "sections" else {k: v.get("ci") for k, v in e.subsets.items()}
            lo, hi = _interval(e.score_ci)
            row: dict[str, Any] = {"benchmark": benchmark, "rank": rank, "model": e.model, "kind": e.kind,
                                   "score": e.score, "score_lo": lo, "score_hi": hi}
            for n in names:
                lo, hi = _interval(intervals.get(n))
                row.update({n: values.get(n, math.nan), f"{n}_lo": lo, f"{n}_hi": hi})
            row.update({"data_group": labels[e.group_key], "data_fingerprint": e.data_id,
                        "conventions_fingerprint": e.conventions_id, "verified": e.verified})
            rows.append(row)
    return rows


def _pct(x: Any) -> str:
    return f"{100 * x:.2f}" if isinstance(x, (int, float)) and math.isfinite(x) else "n/a"


def _cell(row: dict[str, Any], name: str) -> str:
    lo, hi = row[f"{name}_lo"], row[f"{name}_hi"]
    interval = f" [{_pct(lo)}, {_pct(hi)}]" if math.isfinite(lo) and math.isfinite(hi) else ""
    return _pct(row[name]) + interval


def _md_text(text: str) -> str:
    """Markdown table text: pipes, backslashes, HTML and emphasis characters escaped, newlines removed."""
    out = " ".join(str(text).split())
    for ch in "\\|`*_[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out


LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "<": r"\textless{}", ">": r"\textgreater{}"}


def _latex_text(text: str) -> str:
    return "".join(LATEX_SPECIAL.get(c, c) for c in " ".join(str(text).split()))


def render_table(entries: Sequence[Entry], fmt: str) -> str:
    """The leaderboard table as `md`, `csv` or `latex` text (scores in percent with 95 % intervals)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown table format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = table_rows(entries)
    if fmt == "csv":
        buffer = io.StringIO()
        keys = list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.DictWriter(buffer, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    parts = []
    for benchmark, group in by_benchmark(entries).items():
        names = columns_of(group)[1]
        mine = [r for r in rows if r["benchmark"] == benchmark]
        header = ["#", "Model", "Kind", "Score", *names, "Data"]
        cells = [[str(r["rank"]), r["model"], r["kind"], _cell(r, "score"), *(_cell(r, n) for n in names),
                  r["data_group"]] for r in mine]
        if fmt == "md":
            lines = [f"### {_md_text(benchmark)}", "", "| " + " | ".join(_md_text(h) for h in header) + " |",
                     "|" + "|".join("---:" if i in (0, 3) or 3 < i < len(header) - 1 else "---"
                                    for i in range(len(header))) + "|"]
            lines += ["| " + " | ".join(_md_text(c) for c in row) + " |" for row in cells]
        else:
            spec = "rll" + "r" * (1 + len(names)) + "c"
            lines = [f"% {_latex_text(benchmark)}: percent, 95 % bootstrap intervals", f"\\begin{{tabular}}{{{spec}}}",
                     "\\hline", " & ".join(_latex_text(h) for h in header) + r" \\", "\\hline"]
            lines += [" & ".join(_latex_text(c) for c in row) + r" \\" for row in cells]
            lines += ["\\hline", "\\end{tabular}"]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
