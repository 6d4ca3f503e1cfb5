"""How the leaderboard groups runs: a table per benchmark and per custom dataset, a description of the data a run
scored, the runs of one table grouped by data (fingerprint and conventions) and ranked within each group, and one
row per model across tables."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rmeval.site.entries import Entry

__all__ = ["DataGroup", "data_description", "groups_of", "models_across", "ranked", "tables_of"]

DataGroup = tuple[str, tuple[str, str], list["Entry"]]
"""(letter, (data fingerprint, conventions fingerprint), entries ranked best first)."""


def data_description(data: Mapping[str, Any]) -> str:
    """A short description of the data a run scored (source and selection), for a data group's heading and legend.

    >>> data_description({"kind": "hub", "id": "allenai/reward-bench", "split": "filtered", "limit_per_subset": 5})
    'allenai/reward-bench (filtered), 5 per subset'
    >>> data_description({"kind": "folder", "path": "/data/RMB_dataset", "sha256": "ab" * 32})
    'RMB_dataset (folder abababab)'
    >>> dataset_name({"kind": "file", "path": "v1.jsonl", "audit": {"pairs_excluded": 3, "sha256": "cd" * 32}})
    'v1.jsonl (file), without 3 pairs flagged by audit cdcdcdcd'
    """
    kind = data.get("kind")
    if kind == "hub":
        split = f" ({data['split']})" if data.get("split") else ""
        name = f"{data.get('id')}{split}"
    elif data.get("path"):
        digest = f" {str(data['sha256'])[:8]}" if data.get("sha256") else ""
        name = f"{Path(str(data['path'])).name} ({kind or 'file'}{digest})"
    else:
        name = "unrecorded source"
    selection = []
    if data.get("subsets_selected"):
        selection.append("subsets " + ", ".join(map(str, data["subsets_selected"])))
    if data.get("limit_per_subset"):
        selection.append(f"{data['limit_per_subset']} per subset")
    audit = data.get("audit")
    if isinstance(audit, Mapping):  # `rmeval report --exclude AUDIT --output-dir`: fewer pairs than the data holds
        selection.append(f"without {audit.get('pairs_excluded', '?')} pairs flagged by audit "
                         f"{str(audit.get('sha256', ''))[:8]}")
    return ", ".join([name, *selection])


def ranked(entries: Sequence[Entry]) -> list[Entry]:
    """Best score first (a NaN score last), then by model name."""
    return sorted(entries, key=lambda e: (-e.score if math.isfinite(e.score) else math.inf, e.model))


def letter(i: int) -> str:
    """A, B, ..., Z, AA, AB, ...

    >>> letter(0), letter(25), letter(26)
    ('A', 'Z', 'AA')
    """
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def groups_of(entries: Sequence[Entry]) -> list[DataGroup]:
    """The entries of one benchmark grouped by the data they scored and the conventions they used: the largest
    group first (letter A: the data most runs scored), then in order of first appearance among the ranked entries;
    each group ranked."""
    order: dict[tuple[str, str], list[Entry]] = {}
    for e in ranked(entries):
        order.setdefault(e.group_key, []).append(e)
    by_size = sorted(order.items(), key=lambda item: -len(item[1]))  # stable: ties keep their first appearance
    return [(letter(i), key, members) for i, (key, members) in enumerate(by_size)]


def tables_of(entries: Sequence[Entry]) -> dict[str, list[Entry]]:
    """Entries grouped per table, each ranked: a benchmark's runs in one table, and each custom dataset's in its
    own under the dataset's name; tables ordered by name."""
    tables: dict[str, list[Entry]] = {}
    for e in entries:
        tables.setdefault(e.table, []).append(e)
    return {k: ranked(tables[k]) for k in sorted(tables, key=lambda name: (name.lower(), name))}


def models_across(tables: Mapping[str, Sequence[Entry]]) -> list[tuple[str, str, dict[str, Entry]]]:
    """One row per model (its display name, told apart from runs of the same name in one table with other options,
    and kind)
    with its run on each table: the run on the data most of that table's runs scored (its largest group), the best
    of them if there are several. Models on more tables first, then by their mean score."""
    from rmeval.site.labels import variant_labels

    # Told apart within a table: a model run with other options on another benchmark is still one row.
    variants = {slug: label for entries in tables.values() for slug, label in variant_labels(entries).items()}
    rows: dict[tuple[str, str], dict[str, Entry]] = {}
    for table, entries in tables.items():
        main = groups_of(entries)[0][2] if entries else []
        for e in main:  # ranked: the first run of a model is its best
            rows.setdefault((variants[e.slug], e.kind), {}).setdefault(table, e)

    def key(item: tuple[tuple[str, str], dict[str, Entry]]) -> tuple[int, float, str]:
        scores = [e.score for e in item[1].values() if math.isfinite(e.score)]
        return -len(item[1]), -(sum(scores) / len(scores)) if scores else math.inf, item[0][0]

    return [(model, kind, runs) for (model, kind), runs in sorted(rows.items(), key=key)]
