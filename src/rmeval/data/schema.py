"""Turning raw rows into validated `Example`s: column mapping, type checks, multi-turn prompts, best-of-N lists,
pairs given as two answers and a label, conversations without a prompt column (`transcripts`), and the published
layouts that need no flag (`published`).

A row that cannot be scored stops the read (`on_invalid="stop"`, the default), or is left out and recorded with
its file, row, field and reason (`"skip"`); what a layout or a label leaves out on purpose (a tie) is counted apart.
With a selection (`subsets`, `limit`), only the rows it takes are validated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from rmeval.benchmarks import BenchmarkSpec
from rmeval.data.columns import DEFAULT_COLUMNS, ColumnMap
from rmeval.data.errors import DataError
from rmeval.data.published import Published
from rmeval.data.rows import RowReader
from rmeval.data.transcripts import TranscriptError, split_pair
from rmeval.types import Example

__all__ = ["ON_INVALID", "SKIP_HINT", "ColumnMap", "OnInvalid", "Validated", "columns_for", "convert_rows",
           "raw_subset", "rows_to_examples", "validate_rows"]

OnInvalid = Literal["stop", "skip"]
ON_INVALID: tuple[OnInvalid, ...] = ("stop", "skip")
SKIP_HINT = "--on-invalid skip scores the valid rows and records this one"
Rows = Iterable[tuple[int, "Mapping[str, Any] | DataError"]]
"""(row number, row), or the error that kept a row from being read (a line that is not JSON, a field a layout could
not convert): reported only when the row is selected."""


@dataclass
class Validated:
    """What a read gave: the examples, the invalid rows left out (file, row, field, reason, subset), the rows left out
    on purpose per (subset, reason), and how many kept prompts hold an empty turn."""

    examples: list[Example] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)
    left_out: Counter[tuple[str, str]] = field(default_factory=Counter)
    empty_turns: int = 0

    def excluded(self) -> dict[str, dict[str, int]]:
        """Rows left out per subset and reason (`spec.data.excluded`): on purpose, and invalid."""
        out: dict[str, dict[str, int]] = {}
        for (subset, reason), n in self.left_out.items():
            out.setdefault(subset, {})[reason] = n
        for row in self.invalid:
            counts = out.setdefault(row["subset"], {})
            counts["invalid row"] = counts.get("invalid row", 0) + 1
        return out


def _pair(r: RowReader, columns: ColumnMap) -> tuple[Any, Any] | None:
    """The raw chosen and rejected values of a row: its chosen / rejected columns, or its two answer columns ordered
    by its label; None when the label says to skip the row."""
    if columns.label is None:
        return r.get(columns.chosen), r.get(columns.rejected)
    first, second = (r.get(c) for c in columns.answers)
    label = r.get(columns.label)
    pick = columns.pick(label)
    if pick is None:
        known = (", ".join(f"{v}={p}" for v, p in columns.label_map)
                 or "1, 2, a, b, model_a, model_b or the column names")
        raise r.fail(columns.label, f"label {label!r} names neither answer; understood: {known} (add it to "
                                    "--label-map, as VALUE=first, VALUE=second or VALUE=skip)")
    if pick == "skip":
        return None
    return (first, second) if pick == "first" else (second, first)


def _example(r: RowReader, benchmark: BenchmarkSpec, columns: ColumnMap, subset: str, ex_id: int | str,
             chosen: Any, rejected: Any) -> Example:
    answer_columns = columns.answers if columns.label else (columns.chosen, columns.rejected)
    if columns.prompt in r.row:
        prompt = r.prompt(columns.prompt, r.row[columns.prompt])
    else:
        try:
            turns, chosen, rejected = split_pair(chosen, rejected)
        except TranscriptError as e:
            raise r.fail(columns.prompt, str(e)) from None
        prompt = r.prompt(columns.prompt, turns)
    good, bad = r.answers(answer_columns[0], chosen, prompt), r.answers(answer_columns[1], rejected, prompt)
    r.check_shape(benchmark, subset, ex_id, columns, good, bad)
    meta = {k: v for k, v in r.row.items() if k not in columns.fields().values()}
    return Example(subset, ex_id, prompt, good, bad, meta)


def raw_subset(row: Mapping[str, Any] | DataError, columns: ColumnMap, closed: bool) -> str:
    """The subset a row names (before validation), for selecting and counting: `default` on open data without one."""
    if isinstance(row, DataError):
        return "default"
    value = row.get(columns.subset, None if closed else "default")
    if value is None and columns.subset not in row:
        return "default"
    return value if isinstance(value, str) else str(value)


class _Reader:
    """Validates rows one at a time, remembering the (subset, id) keys seen."""

    def __init__(self, source: str, benchmark: BenchmarkSpec, columns: ColumnMap, layout: Published | None) -> None:
        self.source, self.benchmark, self.columns, self.layout = source, benchmark, columns, layout
        self.known = set(benchmark.subset_names())
        self.seen: dict[tuple[str, str], int] = {}

    def read(self, row_no: int, row: Mapping[str, Any], out: Validated) -> Example | str:
        """The row's example; or the reason it is left out on purpose (a layout's, or a label that says skip)."""
        columns, benchmark = self.columns, self.benchmark
        r = RowReader(self.source, row_no, row, benchmark.blank_texts)
        optional = not benchmark.closed or benchmark.name == "custom"  # custom data: with or without a side-car
        subset: Any = row.get(columns.subset, "default") if optional else r.get(columns.subset)
        subset = r.text(columns.subset, subset)
        if benchmark.closed and subset not in self.known:
            raise r.fail(columns.subset, f"unknown subset {subset!r} for benchmark {benchmark.name!r}")
        ex_id: Any = row.get(columns.id, row_no) if optional else r.get(columns.id)
        if isinstance(ex_id, bool) or not isinstance(ex_id, (int, str)) or (isinstance(ex_id, str) and not ex_id):
            raise r.fail(columns.id, f"expected an integer or a non-empty string, got {ex_id!r}")
        key = (subset, str(ex_id))
        if key in self.seen:
            raise r.fail(columns.id, f"duplicate (subset, id) = ({subset!r}, {ex_id!r}); first seen at row "
                                     f"{self.seen[key]}")
        self.seen[key] = row_no
        reason = self.layout.exclude(row) if self.layout is not None and self.layout.exclude else None
        if reason is not None:
            return reason
        pair = _pair(r, columns)
        if pair is None:
            return f"{columns.label} is {str(row.get(str(columns.label))).strip()}"
        example = _example(r, benchmark, columns, subset, ex_id, *pair)
        out.empty_turns += r.empty_turns > 0
        return example


def _unused_label(rows: Sequence[tuple[int, Mapping[str, Any] | DataError]], source: str, columns: ColumnMap) -> None:
    """A label-like column whose values say which answer is better, that rmeval would ignore: a file-level stop."""
    first = next(((n, row) for n, row in rows if not isinstance(row, DataError)), None)
    if first is None:
        return
    unused = columns.unused_label(first[1])
    if unused is not None:
        raise DataError(source, f"looks like a preference label, which rmeval would ignore (it reads "
                                f"{columns.chosen!r} and {columns.rejected!r}); to use it: --label-column {unused} "
                                f"--answer-columns A,B [--label-map ...]; to ignore it: --ignore-column {unused}",
                        row=first[0], field=unused)


def _selection(rows: Sequence[tuple[int, Mapping[str, Any] | DataError]], source: str, benchmark: BenchmarkSpec,
               columns: ColumnMap, subsets: Sequence[str] | None) -> set[str] | None:
    """The subsets `--subsets` names (a section's name stands for its subsets); each must be in the data."""
    if not subsets:
        return None
    present = {raw_subset(row, columns, benchmark.closed) for _, row in rows}
    wanted = benchmark.expand(subsets, present)
    unknown = [s for s in wanted if s not in present]
    if unknown:
        raise DataError(source, f"--subsets names {', '.join(unknown)}, absent from the data "
                                f"(present: {', '.join(sorted(present))})")
    return set(wanted)


def validate_rows(
    rows: Rows,
    source: str,
    benchmark: BenchmarkSpec,
    columns: ColumnMap = DEFAULT_COLUMNS,
    *,
    on_invalid: OnInvalid = "stop",
    subsets: Sequence[str] | None = None,
    limit: int | None = None,
    layout: Published | None = None,
) -> Validated:
    """Validate the selected rows (every row, or `subsets` and at most `limit` valid examples of each, in data
    order) into examples. On an open (custom) benchmark the subset and id columns may be absent: every row is then
    in subset `default` and its id is its row number. `layout` says which rows it leaves out (rows it nests are
    converted first, by `convert_rows`)."""
    if limit is not None and limit < 1:
        raise ValueError("--limit must be at least 1")
    listed = list(rows)
    _unused_label(listed, source, columns)
    wanted = _selection(listed, source, benchmark, columns, subsets)
    reader, out, taken = _Reader(source, benchmark, columns, layout), Validated(), Counter[str]()
    for row_no, row in listed:
        subset = raw_subset(row, columns, benchmark.closed)
        if (wanted is not None and subset not in wanted) or (limit is not None and taken[subset] >= limit):
            continue
        try:
            if isinstance(row, DataError):
                raise row
            got = reader.read(row_no, row, out)
        except DataError as e:
            if on_invalid == "stop":
                raise DataError(e.source, f"{e.message} ({SKIP_HINT})", row=e.row, field=e.field) from None
            out.invalid.append({"file": e.source, "row": e.row, "field": e.field, "reason": e.message,
                                "subset": subset})
            continue
        if isinstance(got, str):
            out.left_out[(subset, got)] += 1
            continue
        taken[subset] += 1
        out.examples.append(got)
    return out


def convert_rows(layout: Published | None, rows: Iterable[tuple[int, Mapping[str, Any] | DataError]], source: str
                 ) -> list[tuple[int, Mapping[str, Any] | DataError]]:
    """The rows in rmeval's columns: a nesting layout's `convert` applied to each (a row it cannot convert becomes
    its error, reported if the row is selected)."""
    if layout is None or layout.convert is None:
        return list(rows)
    out: list[tuple[int, Mapping[str, Any] | DataError]] = []
    for row_no, row in rows:
        if isinstance(row, DataError):
            out.append((row_no, row))
            continue
        try:
            out.append((row_no, layout.convert(row, source, row_no)))
        except DataError as e:
            out.append((row_no, e))
    return out


def rows_to_examples(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str,
    benchmark: BenchmarkSpec,
    columns: ColumnMap = DEFAULT_COLUMNS,
) -> list[Example]:
    """Every row's example (data whose every row is read; the first invalid row stops, its error as it is)."""
    reader, out = _Reader(source, benchmark, columns, None), Validated()
    listed = list(rows)
    _unused_label(listed, source, columns)
    examples = []
    for row_no, row in listed:
        got = reader.read(row_no, row, out)
        if isinstance(got, str):  # benchmark layouts map no label to skip: one example per row
            raise DataError(source, f"left out ({got})", row=row_no)
        examples.append(got)
    return examples


def columns_for(layout: Published | None, columns: ColumnMap) -> ColumnMap:
    """The column map to read with: a detected layout's, keeping the user's list and ignored columns."""
    return columns if layout is None else replace(layout.columns, lists=columns.lists, ignored=columns.ignored)
