"""The leaderboard's front page: every table (a benchmark, or a custom dataset by its name) side by side for each
model (when there are several), then per table its runs grouped by the data they scored, each group ranked, charted
and explained; the flags a page shows are explained on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rmeval.site.entries import KINDS, Entry
from rmeval.site.formats import columns_of
from rmeval.site.groups import DataGroup, groups_of, models_across, tables_of
from rmeval.site.html import esc, header_text, page, value_cell
from rmeval.site.labels import run_labels
from rmeval.site.svg import bar_chart

__all__ = ["FLAGS", "index_html", "status_flags"]

FLAGS = {
    "!": ("mismatch", "the metrics recomputed from samples.jsonl differ from those result.json stored"),
    "partial": ("warning", "some of the benchmark's subsets were not scored"),
    "skipped": ("warning", "invalid rows of the data were left out (--on-invalid skip); the run's page counts them"),
}
"""Each flag a row can carry: its class and what it means (explained under every table that shows it)."""


def _values(e: Entry, kind: str) -> tuple[dict[str, float], Mapping[str, list[float] | None]]:
    if kind == "sections":
        return e.sections, e.sections_ci
    return {k: v["accuracy"] for k, v in e.subsets.items()}, {k: v.get("ci") for k, v in e.subsets.items()}


def status_flags(e: Entry) -> list[str]:
    """The flags of an entry (keys of `FLAGS`)."""
    return [flag for flag, on in (("!", e.verified is False), ("partial", not e.complete),
                                  ("skipped", e.invalid_rows > 0)) if on]


def _status(e: Entry) -> str:
    return "".join(f' <span class="{FLAGS[f][0]}" title="{esc(FLAGS[f][1])}">{esc(f)}</span>'
                   for f in status_flags(e))


def _flags_legend(entries: Sequence[Entry]) -> str:
    """What each flag shown among `entries` means, in words on the page (not only in a tooltip)."""
    shown = [f for f in FLAGS if any(f in status_flags(e) for e in entries)]
    if not shown:
        return ""
    items = "".join(f'<li><span class="{FLAGS[f][0]}">{esc(f)}</span> {esc(FLAGS[f][1])}</li>' for f in shown)
    return f'<ul class="flags">{items}</ul>'


def _row(rank: int, e: Entry, label: str, group: str, group_index: int, kind: str, names: list[str]) -> str:
    values, intervals = _values(e, kind)
    cells = [
        f'<td role="cell" class="num" data-value="{rank}">{rank}</td>',
        f'<td role="cell" class="model" data-value="{esc(label.lower())}"><a href="models/{esc(e.slug)}.html">'
        f"{esc(label)}</a>{_status(e)}</td>",
        f'<td role="cell" data-value="{esc(e.kind)}">{esc(e.kind)}</td>',
        value_cell(e.score, e.score_ci),
        *(value_cell(values.get(n, float("nan")), intervals.get(n)) for n in names),
        f'<td role="cell" data-value="{esc(group)}"><span class="badge{" odd" if group_index % 2 else ""}" '
        f'title="data {esc(e.data_id)}, conventions {esc(e.conventions_id)}">{esc(group)}</span></td>',
    ]
    return (f'<tr role="row" data-kind="{esc(e.kind)}" data-model="{esc(label.lower())}" data-group="{esc(group)}">'
            + "".join(cells) + "</tr>")


def _header(label: str, numeric: bool, extra: str = "") -> str:
    classes = " ".join(c for c in ("num" if numeric else "", extra) if c)
    attributes = f'data-type="{"number" if numeric else "text"}"' + (f' class="{classes}"' if classes else "")
    return f'<th scope="col" role="columnheader" {attributes}><button type="button">{header_text(label)}</button></th>'


def _table(headers: Sequence[str], rows: Sequence[str], groups: str = "", cls: str = "leaderboard") -> str:
    """A sortable table in a scrolling box (a wide table scrolls; it never squeezes a header mid-word)."""
    return (f'<div class="table-wrap"><table class="{cls}" role="table"><thead role="rowgroup">{groups}'
            f'<tr role="row">{"".join(headers)}</tr></thead><tbody role="rowgroup">{"".join(rows)}</tbody></table>'
            "</div>")


def _legend(groups: Sequence[DataGroup]) -> str:
    items = [f'<li><span class="badge">{esc(letter)}</span> {len(members)} entr{"y" if len(members) == 1 else "ies"}'
             f": {esc(members[0].data_description or members[0].data_label)}; data fingerprint "
             f"<code>{esc(key[0])}</code>, conventions <code>{esc(key[1])}</code></li>"
             for letter, key, members in groups]
    note = ("All entries scored the same examples under the same conventions." if len(groups) == 1 else
            "Entries with different letters scored different data or under different conventions: compare "
            "their numbers with care.")
    return f'<p class="{"muted" if len(groups) == 1 else "warning"}">{esc(note)}</p><ul>{"".join(items)}</ul>'


def _group(table: str, group: DataGroup, index: int) -> str:
    letter, _, members = group
    kind, names = columns_of(members)
    labels = run_labels(members)
    headers = [_header("#", True), _header("Model", False), _header("Kind", False), _header("Score", True),
               *(_header(n, True) for n in names), _header("Data", False)]
    rows = [_row(i, e, labels[e.slug], letter, index, kind, names) for i, e in enumerate(members, 1)]
    chart = bar_chart([(labels[e.slug], e.score, e.score_ci) for e in members],
                      f"{table}, data {letter}: score (%) with 95 % intervals")
    return (f'<h3 class="group">Data {esc(letter)}: {esc(members[0].data_description or members[0].data_label)} '
            f'<span class="muted">({len(members)} run{"s" if len(members) != 1 else ""})</span></h3>'
            f"{_table(headers, rows)}{_flags_legend(members)}{chart}")


def _table_section(table: str, ranked: Sequence[Entry]) -> str:
    groups = groups_of(ranked)
    description = ranked[0].description if ranked and ranked[0].benchmark != "custom" else ""
    if ranked and ranked[0].benchmark == "custom":
        description = f"Custom dataset {table}: " + (ranked[0].description or "subsets from the data")
    body = "".join(_group(table, g, i) for i, g in enumerate(groups))
    return (f'<section data-benchmark="{esc(table)}"><h2>{esc(table)}</h2>'
            + (f'<p class="muted">{esc(description)}</p>' if description else "")
            + f"{body}<h3>Data markers</h3>{_legend(groups)}</section>")


def _overview(tables: Mapping[str, Sequence[Entry]]) -> str:
    """One row per model, a named column group per table (its score and its own sections), tables by name."""
    columns = {b: columns_of(groups_of(entries)[0][2]) for b, entries in tables.items()}
    spans = "".join(f'<th scope="colgroup" colspan="{1 + len(names)}" class="group-head group-start">'
                    f"{header_text(b)}</th>" for b, (_, names) in columns.items())
    groups = f'<tr role="row"><td colspan="3"></td>{spans}</tr>'
    headers = [_header("#", True), _header("Model", False), _header("Kind", False)]
    for _, names in columns.values():
        headers += [_header("Score", True, "group-start"), *(_header(n, True) for n in names)]
    rows: list[str] = []
    shown: list[Entry] = []
    for rank, (model, kind, runs) in enumerate(models_across(tables), 1):
        status = "".join(_status(e) for e in runs.values()) if any(status_flags(e) for e in runs.values()) else ""
        shown += runs.values()
        cells = [f'<td role="cell" class="num" data-value="{rank}">{rank}</td>',
                 f'<td role="cell" class="model" data-value="{esc(model.lower())}">{esc(model)}{status}</td>',
                 f'<td role="cell" data-value="{esc(kind)}">{esc(kind)}</td>']
        for b, (column_kind, names) in columns.items():
            e = runs.get(b)
            if e is None:
                cells += ['<td role="cell" class="num group-start" data-value="">&ndash;</td>',
                          *['<td role="cell" class="num" data-value="">&ndash;</td>'] * len(names)]
                continue
            values, intervals = _values(e, column_kind)
            cells += [value_cell(e.score, e.score_ci, f"models/{e.slug}.html", "group-start"),
                      *(value_cell(values.get(n, float("nan")), intervals.get(n)) for n in names)]
        rows.append(f'<tr role="row" data-kind="{esc(kind)}" data-model="{esc(model.lower())}">{"".join(cells)}</tr>')
    note = ("Each column group is a benchmark or a custom dataset (by its name); it shows a model's run on the data "
            "most of its runs scored (its data A). A score opens that run's page; runs of one model with other "
            "options are rows of their own, named by the options they differ in.")
    return (f'<section class="overview"><h2>All datasets</h2><p class="muted">{esc(note)}</p>'
            f'{_table(headers, rows, groups, "leaderboard overview")}{_flags_legend(shown)}</section>')


def index_html(entries: Sequence[Entry], subtitle: str) -> str:
    """The front page for every entry: the overview across tables, then one section per table."""
    kinds = list(dict.fromkeys([*KINDS, *(e.kind for e in entries)]))
    options = '<option value="">all</option>' + "".join(f'<option value="{esc(k)}">{esc(k)}</option>' for k in kinds)
    controls = (f'<div class="controls"><label>Kind <select id="kind-filter">{options}</select></label>'
                '<label>Model <input id="model-filter" type="search" placeholder="part of a name"></label>'
                '<span id="shown" class="muted" aria-live="polite"></span></div>')
    intro = (f'<header><h1>Reward model leaderboard</h1><p class="muted">{esc(subtitle)}</p>'
             "<p>Scores and sections in percent with their 95 % bootstrap intervals (examples resampled within "
             "each subset). Runs are grouped by the data they scored and ranked within each group. Click a column "
             "to sort; a model's name opens its page.</p></header>")
    tables = tables_of(entries)
    overview = _overview(tables) if len(tables) > 1 else ""
    sections = "".join(_table_section(b, group) for b, group in tables.items())
    return page("rmeval leaderboard", f"{intro}<main>{controls}{overview}{sections}</main>")
