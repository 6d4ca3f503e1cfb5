"""A run's page (one per model and benchmark): its numbers with intervals, nested sections, facets, rows left out,
a judge's counters, the per-subset table, charts, findings, links to the model's other benchmarks, and the full
run spec folded away."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rmeval.analysis.length import FLAG_THRESHOLD
from rmeval.common.jsonio import to_json
from rmeval.report.header import excluded_note
from rmeval.site.entries import Entry, is_path
from rmeval.site.html import ci_text, esc, page, pct, table, value_cell
from rmeval.site.svg import bar_chart, histograms, line_chart

__all__ = ["model_html"]


def _status(e: Entry) -> str:
    return _verified(e) + _left_out(e)


def _left_out(e: Entry) -> str:
    """The rows the data left out, counted (each invalid one is in result.json's spec.data.excluded_rows)."""
    note = excluded_note(e.spec.get("data", {}) if isinstance(e.spec.get("data"), dict) else {})
    return f'<p class="warning">{esc(note)}.</p>' if note else ""


def _verified(e: Entry) -> str:
    if e.verified is None:
        return ('<p class="warning">This rmeval does not know the benchmark of this run: the numbers are those '
                "result.json stored, not recomputed.</p>")
    if not e.verified:
        return ('<p class="mismatch">The metrics recomputed from samples.jsonl differ from those in result.json; '
                "run <code>rmeval report</code> on the folder for details.</p>")
    return '<p class="muted">Every number below was recomputed from the per-example scores in samples.jsonl.</p>'


def _summary(e: Entry) -> str:
    rows = [[f"<td>{esc('Score')}</td>", value_cell(e.score, e.score_ci)]]
    for name in e.section_order:
        if name not in e.sections:
            continue
        rows.append([f"<td>{esc(name)}</td>", value_cell(e.sections[name], e.sections_ci.get(name))])
        rows += [[f'<td class="part">{esc(part)}</td>', value_cell(e.parts[part], e.parts_ci.get(part))]
                 for part in e.section_parts.get(name, []) if part in e.parts]
    return table(["", "% (95 % interval)"], rows, [False, True])


def _facets(e: Entry) -> str:
    """The rule's facets by section (RM-Bench's Easy / Normal / Hard, PPE's Best-of-K), with intervals."""
    if not e.facets:
        return ""
    names = [n for n in e.section_order if any(n in f["sections"] for f in e.facets.values())]
    rows = []
    for facet, f in e.facets.items():
        ci = f.get("ci") or {}
        rows.append([f"<td>{esc(facet)}</td>", value_cell(f["score"], ci.get("score")),
                     *(value_cell(f["sections"].get(n, math.nan), ci.get("sections", {}).get(n)) for n in names)])
    return "<h2>Facets</h2>" + table(["facet", "score %", *names], rows, [False, True, *([True] * len(names))])


def _extras(e: Entry) -> str:
    """Rows the benchmark left out of its accuracy, and a judge's counters, per subset."""
    out = []
    audit = (e.spec.get("data") or {}).get("audit")
    if isinstance(audit, dict):  # `rmeval report DIR --exclude AUDIT --output-dir`: a recomputed run of its own
        out.append(f"<p>Recomputed without {esc(audit.get('pairs_excluded'))} pairs flagged by the audit "
                   f"<code>{esc(audit.get('file'))}</code> (sha256 {esc(str(audit.get('sha256', ''))[:12])}).</p>")
    if e.excluded:
        rows = [[f"<td>{esc(subset)}</td>", f"<td>{esc(', '.join(f'{k}: {v}' for k, v in reasons.items()))}</td>"]
                for subset, reasons in e.excluded.items()]
        out.append("<h2>Rows left out</h2>" + table(["subset", "reason: rows"], rows))
    if e.counts:
        keys = list(dict.fromkeys(k for row in e.counts.values() for k in row))
        rows = [[f"<td>{esc(subset)}</td>", *(f'<td class="num">{esc(row.get(k, 0))}</td>' for k in keys)]
                for subset, row in e.counts.items()]
        out.append("<h2>Judge counters</h2>" + table(["subset", *keys], rows, [False, *([True] * len(keys))]))
    return "".join(out)


def _siblings(e: Entry, others: Sequence[Entry]) -> str:
    """Links to the pages of the same model (display name and kind) on other benchmarks or data."""
    mine = [o for o in others if o.model == e.model and o.kind == e.kind and o.slug != e.slug]
    if not mine:
        return ""
    links = ", ".join(f'<a href="{esc(o.slug)}.html">{esc(o.dataset)}</a> ({esc(o.data_description or o.data_label)})'
                      for o in mine)
    return f"<p>Also: {links}</p>"


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
    if len(e.subsets) <= MAX_CHART_ROWS:
        parts.append(bar_chart([(n, s["accuracy"], s.get("ci")) for n, s in e.subsets.items()],
                               "Subsets (%), with 95 % intervals"))
    else:
        parts.append(f'<p class="muted">{len(e.subsets)} subsets: too many for one chart, see the table.</p>')
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


STEP_COLUMNS = (("n", "n"), ("exact", "exact"), ("early", "too early"), ("late", "too late"), ("missed", "missed"),
                ("no_error_agreed", "no error, agreed"), ("false_alarm", "false alarm"), ("failed", "unscored"))


def _steps(e: Entry) -> str:
    """Where the model first objects against the labelled first error, per subset, and the offsets' histogram."""
    if not e.steps:
        return ""
    rows = [[f"<td>{esc(name)}</td>", *(f'<td class="num">{esc(v.get(key, 0))}</td>' for key, _ in STEP_COLUMNS)]
            for name, v in e.steps.items()]
    heads = ["subset", *(label for _, label in STEP_COLUMNS)]
    html = ("<h2>First objections</h2><p>Where the model first objects in a solution, against the first error the "
            "label names (erroneous solutions: exact, too early, too late, missed; solutions without an error: "
            "agreed or a false alarm).</p>" + table(heads, rows, [False, *([True] * len(STEP_COLUMNS))]))
    counts = {name: v["histogram"] for name, v in e.steps.items() if any(v.get("histogram", []))}
    if counts:
        reach = (len(next(iter(counts.values()))) - 1) // 2
        html += histograms(counts, -reach - 0.5, reach + 0.5,
                           f"Offset of the first objection from the first error, in steps (outer bins: "
                           f"{reach} or more; left of the line: too early)")
    return html


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


MAX_CHART_ROWS = 60
"""Charts with more rows than this (M-RewardBench's 529 subsets) are left to the tables."""


def model_html(e: Entry, others: Sequence[Entry] = ()) -> str:
    """The whole page of one entry (every text escaped; the run spec shown as JSON text, folded)."""
    subsets = table(["subset", "n", "accuracy %", "95 % interval", "ties", "longer wins %", "shorter wins %"],
                    _subset_rows(e), [False, True, True, True, True, True, True])
    timing = ", ".join(f"{k} {v}" for k, v in e.timing.items())
    shown = e.model_id and e.model_id != e.model and not is_path(e.model_id)  # a local path stays in the run spec
    model = f" (model {esc(e.model_id)})" if shown else ""
    description = f'<p class="muted">{esc(e.description)}</p>' if e.description else ""
    benchmark = f" (benchmark {esc(e.benchmark)})" if e.benchmark not in ("custom", e.dataset) else ""
    body = (
        f'<p><a href="../index.html">&larr; leaderboard</a></p><h1>{esc(e.model)}</h1>'
        f"<p>{esc(e.kind)}{model} on {esc(e.dataset)}{benchmark}; data: {esc(e.data_description or e.data_label)} "
        f"(fingerprint "
        f"<code>{esc(e.data_id)}</code>, conventions <code>{esc(e.conventions_id)}</code>)</p>{description}"
        f"{_siblings(e, others)}{_status(e)}"
        f"<h2>Summary</h2>{_summary(e)}{_facets(e)}{_extras(e)}<h2>Subsets</h2>{subsets}{_steps(e)}"
        f"<h2>Charts</h2>{_charts(e)}<h2>Findings</h2>{_findings(e)}"
        f'<h2>Run</h2><p class="muted">{esc(timing)}</p>'
        f'<details class="spec"><summary>Run spec (result.json)</summary><pre>{esc(to_json(e.spec))}</pre></details>'
    )
    return page(f"{e.model} on {e.dataset}: rmeval", body, root="../")
