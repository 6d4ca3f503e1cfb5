"""Preference data in the layouts its authors publish, recognised by their columns so no flag is needed: LLMBar,
arena-style battles, BIG-bench's HHH task files, Stanford SHP, OpenAI's summarize-from-feedback comparisons,
UltraFeedback-binarized and TRL's preference formats (each module cites the authors' files it follows).

A layout is a column map (which column holds the prompt, the answers, the label) and, where the authors nest their
fields, a `convert` from their row to a flat one; errors name the authors' own fields. Detection looks at the first
row's columns, and only when the user named no column themselves: an explicit `--prompt-column` (or any other column
flag) always wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rmeval.data.columns import DEFAULT_COLUMNS, ColumnMap

__all__ = ["Convert", "Exclude", "Published", "detect_layout", "published_layouts", "register_published"]

Convert = Callable[[Mapping[str, Any], str, int], dict[str, Any]]
"""(the authors' row, source, row number) -> a row in rmeval's columns; a `DataError` names the authors' field."""
Exclude = Callable[[Mapping[str, Any]], "str | None"]
"""Why the layout leaves a (valid) row out, or None: a multi-turn arena battle has no shared prompt."""


@dataclass(frozen=True)
class Published:
    """A published layout: the columns that identify it, how its rows are read, and what it leaves out."""

    name: str
    title: str
    identify: frozenset[str]
    columns: ColumnMap = DEFAULT_COLUMNS
    convert: Convert | None = None
    exclude: Exclude | None = None
    absent: frozenset[str] = frozenset()
    """Columns whose presence means another layout (TRL's implicit prompt: no `prompt` column)."""
    when: Callable[[Mapping[str, Any]], bool] | None = None
    """A test of the first row's values, where columns alone do not tell layouts apart (HH text or TRL messages)."""

    def matches(self, row: Mapping[str, Any]) -> bool:
        """Whether a row has this layout's identifying columns (and none of those that say otherwise)."""
        return (self.identify <= row.keys() and not self.absent & row.keys()
                and (self.when is None or self.when(row)))


_LAYOUTS: list[Published] = []


def register_published(layout: Published) -> Published:
    """Add a layout to those detected (the most specific first: registration order)."""
    _LAYOUTS.append(layout)
    return layout


def published_layouts() -> list[Published]:
    """Every known published layout, in the order they are tried."""
    from rmeval.data.published import nested, pairs  # noqa: F401  (registers them)

    return list(_LAYOUTS)


def detect_layout(rows: Sequence[tuple[int, Mapping[str, Any]]], columns: ColumnMap) -> Published | None:
    """The published layout of `rows` (by the first row's columns), when the user named no column."""
    if replace(columns, lists=(), ignored=()) != DEFAULT_COLUMNS or not rows:
        return None
    first = rows[0][1]
    return next((layout for layout in published_layouts() if layout.matches(first)), None)
