"""The leaderboard's front page: one sortable, filterable table per benchmark, and what its data markers mean."""

from __future__ import annotations

from collections.abc import Sequence

from rmeval.site.entries import KINDS, Entry
from rmeval.site.formats import by_benchmark, columns_of, group_labels
from rmeval.site.html import esc, page, value_cell

__all__ = ["index_html"]


def _row(rank: int, e: Entry, group: str, group_index: int, kind: str, names: list[str]) -> str:
    values = e.sections if kind == "sections" else {k: v["accuracy"] for k, v in e.subsets.items()}
    intervals = e.sections_ci if kind == "sections" else {k: v.get("ci") for k, v in e.subsets.items()}
    status = "" if e.verified is not False else ' <span class="mismatch" title="recomputed metrics differ">!</span>'
    partial = "" if e.complete else ' <span class="warning" title="some subsets were not scored">partial</span>'
    cells = [
        f'<td role="cell" class="num" data-value="{rank}">{rank}</td>',
        f'<td role="cell" data-value="{esc(e.model.lower())}"><a href="models/{esc(e.slug)}.html">{esc(e.model)}</a>'
        f"{status}{partial}</td>",
        f'<td role="cell" data-value="{esc(e.kind)}">{esc(e.kind)}</td>',
        value_cell(e.score, e.score_ci),
        *(value_cell(values.get(n, float("nan")), intervals.get(n)) for n in names),
        f'<td role="cell" data-value="{esc(group)}"><span class="badge{" odd" if group_index % 2 else ""}" '
        f'title="data {esc(e.data_id)}, conventions {esc(e.conventions_id)}">{esc(group)}</span></td>',
    ]
    return (f'<tr role="row" data-kind="{esc(e.kind)}" data-model="{esc(e.model.lower())}" data-group="{esc(group)}">'
            + "".join(cells) + "</tr>")


def _header(label: str, numeric: bool) -> str:
    attributes = 'data-type="number" class="num"' if numeric else 'data-type="text"'
    return f'<th scope="col" role="columnheader" {attributes}><button type="button">{esc(label)}</button></th>'


def _legend(entries: Sequence[Entry], labels: dict[tuple[str, str], str]) -> str:
    items = []
    for key, letter in labels.items():
        members = [e for e in entries if e.group_key == key]
        items.append(f"<li><span class=\"badge\">{esc(letter)}</span> {len(members)} entr"
                     f"{'y' if len(members) == 1 else 'ies'}: {esc(members[0].data_label)}; data fingerprint "
                     f"<code>{esc(key[0])}</code>, conventions <code>{esc(key[1])}</code></li>")
    note = ("All entries scored the same examples under the same conventions." if len(labels) == 1 else
            "Entries with different letters scored different data or under different conventions: compare "
            "their numbers with care.")
    return f'<p class="{"muted" if len(labels) == 1 else "warning"}">{esc(note)}</p><ul>{"".join(items)}</ul>'


def _benchmark_section(benchmark: str, ranked: Sequence[Entry]) -> str:
    labels = group_labels(ranked)
    order = list(labels)
    kind, names = columns_of(ranked)
    headers = [_header("#", True), _header("Model", False), _header("Kind", False), _header("Score", True),
               *(_header(n, True) for n in names), _header("Data", False)]
    rows = [_row(i, e, labels[e.group_key], order.index(e.group_key), kind, names) for i, e in enumerate(ranked, 1)]
    return (f'<section data-benchmark="{esc(benchmark)}"><h2>{esc(benchmark)}</h2>'
            f'<table class="leaderboard" role="table"><thead role="rowgroup"><tr role="row">{"".join(headers)}</tr>'
            f'</thead><tbody role="rowgroup">{"".join(rows)}</tbody></table>'
            f"<h3>Data markers</h3>{_legend(ranked, labels)}</section>")


def index_html(entries: Sequence[Entry], subtitle: str) -> str:
    """The front page for every entry, one table per benchmark."""
    kinds = list(dict.fromkeys([*KINDS, *(e.kind for e in entries)]))
    options = '<option value="">all</option>' + "".join(f'<option value="{esc(k)}">{esc(k)}</option>' for k in kinds)
    controls = (f'<div class="controls"><label>Kind <select id="kind-filter">{options}</select></label>'
                '<label>Model <input id="model-filter" type="search" placeholder="part of a name"></label>'
                '<span id="shown" class="muted" aria-live="polite"></span></div>')
    intro = (f'<header><h1>Reward model leaderboard</h1><p class="muted">{esc(subtitle)}</p>'
             "<p>Scores and sections in percent with their 95 % bootstrap intervals (examples resampled within "
             "each subset). Click a column to sort; a model's name opens its page.</p></header>")
    sections = "".join(_benchmark_section(b, group) for b, group in by_benchmark(entries).items())
    return page("rmeval leaderboard", f"{intro}<main>{controls}{sections}</main>")
