"""Which columns hold what: the mapping of a dataset's own column names (`--prompt-column` and friends), pairs given
as two answers and a which-is-better label, and the columns rmeval must not silently ignore.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["DEFAULT_COLUMNS", "LABEL_LIKE", "PREFERENCE_VALUES", "ColumnMap", "Pick", "parse_label_map"]

Pick = Literal["first", "second", "skip"]
LABEL_LIKE = frozenset({"label", "labels", "winner", "preference", "preferred", "pref", "choice", "better",
                        "human_preference", "chosen_label", "gold_label"})
"""Column names that hold which answer is better; one left unused would mean the data is read wrongly."""
_DEFAULT_VALUES = {"1": "first", "2": "second", "a": "first", "b": "second", "model_a": "first",
                   "model_b": "second", "response_a": "first", "response_b": "second"}


def parse_label_map(text: str) -> tuple[tuple[str, Pick], ...]:
    """`VALUE=first|second|skip,...` (the `--label-map` option) as pairs.

    >>> parse_label_map("1=first, 2=second, tie=skip")
    (('1', 'first'), ('2', 'second'), ('tie', 'skip'))
    """
    out: list[tuple[str, Pick]] = []
    for item in (x.strip() for x in text.split(",") if x.strip()):
        value, sep, pick = item.rpartition("=")
        if not sep or not value.strip() or pick.strip() not in ("first", "second", "skip"):
            raise ValueError(f"--label-map: {item!r} is not VALUE=first, VALUE=second or VALUE=skip")
        out.append((value.strip(), pick.strip()))  # type: ignore[arg-type]
    if not out:
        raise ValueError("--label-map is empty; expected VALUE=first|second|skip, ...")
    return tuple(out)


@dataclass(frozen=True)
class ColumnMap:
    """Which column holds each field, and how a pair given as two answers plus a label becomes chosen / rejected.

    With `label`, the answers are read from `answers` (two columns) and the label's value says which is chosen:
    `label_map` pairs values with `first`, `second` or `skip` (rows left out, counted); without a map, 1 / 2, a / b,
    model_a / model_b and the two column names themselves are understood. `lists` are CSV columns that hold JSON
    lists; `ignored` are columns that look like labels but are meant to be ignored.
    """

    prompt: str = "prompt"
    chosen: str = "chosen"
    rejected: str = "rejected"
    subset: str = "subset"
    id: str = "id"
    answers: tuple[str, str] = ("output_1", "output_2")
    label: str | None = None
    label_map: tuple[tuple[str, Pick], ...] = ()
    lists: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    def fields(self) -> dict[str, str]:
        """Field name -> column name (of the fields every row is read from)."""
        out = {"prompt": self.prompt, "chosen": self.chosen, "rejected": self.rejected, "subset": self.subset,
               "id": self.id}
        if self.label is not None:
            out.update(answer_1=self.answers[0], answer_2=self.answers[1], label=self.label)
        return out

    def pick(self, value: Any) -> Pick | None:
        """Which answer a label value names (None: a value the map does not know)."""
        text = str(value).strip()
        mapping: Mapping[str, str] = dict(self.label_map) if self.label_map else {
            **_DEFAULT_VALUES, self.answers[0]: "first", self.answers[1]: "second"}
        found = mapping.get(text) if self.label_map else mapping.get(text, mapping.get(text.lower()))
        return found  # type: ignore[return-value]

    def unused_label(self, row: Mapping[str, Any]) -> str | None:
        """A column of `row` that looks like a preference label, with a value that names a better answer (1 / 2,
        a / b, chosen, a tie ...), but is not read (nor declared ignored). A label of something else (XSTest's
        `safe` / `unsafe` prompts) is no preference label.

        >>> ColumnMap().unused_label({"label": 2}), ColumnMap().unused_label({"label": "unsafe"})
        ('label', None)
        """
        if self.label is not None:
            return None
        return next((c for c in row if str(c).lower() in LABEL_LIKE and c not in self.ignored
                     and c not in self.fields().values() and _preference_value(row[c], self)), None)


PREFERENCE_VALUES = frozenset({"0", "1", "2", "a", "b", "model_a", "model_b", "response_a", "response_b", "tie",
                               "chosen", "rejected", "first", "second", "true", "false", "left", "right"})
"""Values of a label column that say which answer is better."""


def _preference_value(value: Any, columns: ColumnMap) -> bool:
    if isinstance(value, bool):
        return True
    text = str(value).strip().lower()
    return text in PREFERENCE_VALUES or text.startswith("tie") or text in {c.lower() for c in columns.answers}


DEFAULT_COLUMNS = ColumnMap()
