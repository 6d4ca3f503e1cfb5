"""Telling runs apart that carry the same name: the options in which runs of one model differ, and, where that is
not enough (the same model and options run twice), the time each run was made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rmeval.site.entries import Entry

__all__ = ["MAX_SHOWN", "options_of", "run_labels", "variant_labels"]

MAX_SHOWN = 3
"""Differing options shown in a label (the rest are counted)."""


def options_of(e: Entry) -> dict[str, Any]:
    """The scorer options a run recorded (with the models it named)."""
    scorer = e.spec.get("scorer", {}) if isinstance(e.spec, Mapping) else {}
    options = scorer.get("options") if isinstance(scorer, Mapping) else None
    return dict(options) if isinstance(options, Mapping) else {}


def _value(v: Any) -> str:
    text = str(v)
    return text if len(text) <= 24 else text[:23] + "\u2026"


def variant_labels(entries: Sequence[Entry]) -> dict[str, str]:
    """Each entry's name (by page slug), with the options it differs in from other runs of the same name: `tiny-rm`
    twice becomes `tiny-rm (max_length=128)` and `tiny-rm (max_length=512)`."""
    by_name: dict[str, list[Entry]] = {}
    for e in entries:
        by_name.setdefault(e.model, []).append(e)
    out = {}
    for name, runs in by_name.items():
        options = [options_of(e) for e in runs]
        keys = sorted({k for o in options for k in o})
        differ = [k for k in keys if len({repr(o.get(k)) for o in options}) > 1]
        for e, o in zip(runs, options, strict=True):
            if not differ:
                out[e.slug] = name
                continue
            shown = ", ".join(f"{k}={_value(o.get(k))}" for k in differ[:MAX_SHOWN])
            more = f", +{len(differ) - MAX_SHOWN} more" if len(differ) > MAX_SHOWN else ""
            out[e.slug] = f"{name} ({shown}{more})"
    return out


def run_labels(entries: Sequence[Entry]) -> dict[str, str]:
    """Labels for the runs of one table: names told apart by their options, then by when they ran."""
    labels = variant_labels(entries)
    count: dict[str, int] = {}
    for label in labels.values():
        count[label] = count.get(label, 0) + 1
    for e in entries:
        if count[labels[e.slug]] > 1:
            when = (e.created or "time unrecorded").replace("T", " ")[:16]
            labels[e.slug] = f"{labels[e.slug]} [{when}]"
    return labels
