"""The first lines of a run's report, the same from `run` and `report`: the dataset's name, the run's name, and the
rows the data left out (invalid rows skipped, ties and other rows a layout leaves out on purpose)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rmeval.data.naming import dataset_name
from rmeval.types import RunSpec

__all__ = ["excluded_note", "run_title"]


def excluded_note(data: Mapping[str, Any]) -> str:
    """A line counting the rows the data left out (empty when none were)."""
    rows = data.get("excluded_rows")
    invalid = len(rows) if isinstance(rows, list) else 0
    found = data.get("excluded")
    counts: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    by_reason: dict[str, int] = {}
    for reasons in counts.values():
        if isinstance(reasons, Mapping):
            for reason, n in reasons.items():
                if reason != "invalid row" and isinstance(n, int):
                    by_reason[reason] = by_reason.get(reason, 0) + n
    parts = []
    if invalid:
        parts.append(f"{invalid} invalid row{'s' if invalid != 1 else ''} left out (--on-invalid skip; each is in "
                     "result.json's spec.data.excluded_rows)")
    if by_reason:
        parts.append("left out on purpose: " + ", ".join(f"{n} ({reason})" for reason, n in by_reason.items()))
    return "; ".join(parts)


def run_title(spec: RunSpec, what: str) -> str:
    """`<dataset>: <run> (<what>)`, and on a second line the rows the data left out, if any."""
    data = spec.data if isinstance(spec.data, Mapping) else {}
    title = f"{dataset_name(data, spec.benchmark)}: {spec.display_name} ({what})"
    note = excluded_note(data)
    return f"{title}\n{note}" if note else title
