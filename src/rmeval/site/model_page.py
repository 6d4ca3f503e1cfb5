"""A model's page: its numbers with intervals, per-subset table, charts, findings and the full run spec."""

from __future__ import annotations

import math
from typing import Any

from rmeval.analysis.length import FLAG_THRESHOLD
from rmeval.common.jsonio import to_json
from rmeval.site.entries import Entry
from rmeval.site.html import ci_text, esc, page, pct, table, value_cell
from rmeval.site.svg import bar_chart, histograms, line_chart

__all__ = ["model_html"]


def _status(e: Entry) -> str:
    if e.verified is None:
        return ('<p class="warning">This rmeval does not know the benchmark of this run: the numbers are those '
                "result.json stored, not recomputed.</p>")
    if not e.verified:
        return ('<p class="mismatch">The metrics recomputed from samples.jsonl differ from those in result.json; '
                "run <code>rmeval report</code> on the folder for details.</p>")
    return '<p class="muted">Every number below was recomputed from the per-example scores in samples.jsonl.</p>'


def _summary(e: Entry) -> str:
    rows = [[f"<td>{esc('Score')}</td>", value_cell(e.score, e.score_ci)]]
    rows += [[f"<td>{esc(name)}</td>", value_cell(e.sections[name], e.sections_ci.get(name))]
             for name in e.section_order if name in e.sections]
    return table(["", "% (95 % interval)"], rows, [False, True])


def _subset_rows(e: Entry) -> list[list[str]]:
    baselines = e.length.get("baselines", {}) if e.length else {}
    flagged = set(e.length.get("flagged", [])) if e.length else set()
    rows = []
    for name, s in e.subsets.items():
        base = baselines.get(name, {})
        flag = ' <span class="flag" title="a length-only baseline scores above ' \
               f'{100 * FLAG_THRESHOLD:.0f} %">length</span>' if name in flagged else ""
        rows.append([f"<td>{esc(name)}{flag}</td>", f'<td class="num">{esc(s["n"])}</td>',
                     value_cell(s["accuracy"]), f'<td class="num">{esc(ci_text(s.get("ci")))}</td>',
                     f'<td class="num">{esc(s["ties"])}</td>', value_cell(base.get("longer", math.nan)),
                     value_cell(base.get("shorter", math.nan))])
    return rows


def _edge(x: Any, unbounded: str) -> str:
    """A bin edge as text; JSON stores the infinite outer edges as null."""
    return unbounded if x is None else f"{x:.0f}"


def _charts(e: Entry) -> str:
    parts = []
    if e.sections:
        parts.append(bar_chart([(n, e.sections[n], e.sections_ci.get(n)) for n in e.section_order
                                if n in e.sections], "Sections (%), with 95 % intervals"))
    parts.append(bar_chart([(n, s["accuracy"], s.get("ci")) for n, s in e.subsets.items()],
                           "Subsets (%), with 95 % intervals"))
    margins = e.charts.get("margins") or {}
    if margins.get("counts"):
        parts.append(histograms(margins["counts"], margins["lo"], margins["hi"],
                                "Margins: worst chosen minus best rejected reward (right of the line is right)"))
    bins = e.length.get("bins", []) if e.length else []
    if bins:
        points = [(f"[{_edge(b['lo'], '-inf')}, {_edge(b['hi'], 'inf')})", float(b["accuracy"]), int(b["n"]))
                  for b in bins]
        parts.append(line_chart(points, "Accuracy by chosen-minus-rejected length (characters)"))
    return "".join(parts)


def _findings(e: Entry) -> str:
    out = []
    c = e.length.get("correlation", {}) if e.length else {}
    if c:
        out.append(f"<p>Reward vs answer length over {esc(int(c.get('n') or 0))} answers: Pearson "
                   f"{esc(_signed(c.get('pearson')))}, Spearman {esc(_signed(c.get('spearman')))}. The top-scored "
                   f"answer is the longest one in {esc(pct(c.get('prefers_longer'), 1))} % of "
                   f"{esc(int(c.get('prefers_longer_n') or 0))} examples.</p>")
    rows = e.refusals.get("rows", []) if e.refusals else []
    if rows and any(r.decided for r in rows):
        body = [[f"<td>{esc(r.subset)}</td>", f"<td>{esc(r.expected)}</td>", f'<td class="num">{esc(r.n)}</td>',
                 value_cell(r.prefers_refusal), value_cell(r.wrong_behaviour)] for r in rows]
        totals = e.refusals.get("totals", {})
        out.append("<h3>Refusals (Safety)</h3>" + table(
            ["subset", "expects", "n", "prefers a refusal %", "wrong behaviour %"], body,
            [False, False, True, True, True]))
        out.append(f"<p>Over-refusal (prefers a refusal where it should comply): "
                   f"{esc(pct(totals.get('over_refusal'), 1))} %; prefers a refusal where it should refuse: "
                   f"{esc(pct(totals.get('refusal_where_expected'), 1))} %.</p>")
    return "".join(out)


def _signed(x: Any) -> str:
    return f"{x:+.3f}" if isinstance(x, (int, float)) and math.isfinite(x) else "n/a"


def model_html(e: Entry) -> str:
    """The whole page of one entry (every text escaped; the run spec shown as JSON text)."""
    subsets = table(["subset", "n", "accuracy %", "95 % interval", "ties", "longer wins %", "shorter wins %"],
                    _subset_rows(e), [False, True, True, True, True, True, True])
    timing = ", ".join(f"{k} {v}" for k, v in e.timing.items())
    body = (
        f'<p><a href="../index.html">&larr; leaderboard</a></p><h1>{esc(e.model)}</h1>'
        f"<p>{esc(e.kind)} on {esc(e.benchmark)}; data: {esc(e.data_label)} (fingerprint <code>{esc(e.data_id)}"
        f"</code>, conventions <code>{esc(e.conventions_id)}</code>)</p>{_status(e)}"
        f"<h2>Summary</h2>{_summary(e)}<h2>Subsets</h2>{subsets}"
        f"<h2>Charts</h2>{_charts(e)}<h2>Findings</h2>{_findings(e)}"
        f"<h2>Run</h2><p class=\"muted\">{esc(timing)}</p><pre>{esc(to_json(e.spec))}</pre>"
    )
    return page(f"{e.model}: rmeval", body, root="../")
