"""Turning raw rows into validated `Example`s: column mapping, type checks, multi-turn prompts, best-of-N lists,
pairs given as two answers and a label, and conversations without a prompt column (`transcripts`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rmeval.benchmarks import BenchmarkSpec, parse_ties_id
from rmeval.data.columns import DEFAULT_COLUMNS, ColumnMap
from rmeval.data.errors import DataError
from rmeval.data.transcripts import TranscriptError, split_pair
from rmeval.types import Example, Message

__all__ = ["ColumnMap", "read_rows", "rows_to_examples"]

ROLES = ("system", "user", "assistant")


class _RowReader:
    """Validates one row; every error carries the source, the row number and the column."""

    def __init__(self, source: str, row_no: int, row: Mapping[str, Any]) -> None:
        self.source, self.row_no, self.row = source, row_no, row

    def fail(self, column: str | None, message: str) -> DataError:
        return DataError(self.source, message, row=self.row_no, field=column)

    def get(self, column: str) -> Any:
        if column not in self.row:
            present = ", ".join(sorted(map(str, self.row))) or "none"
            raise self.fail(column, f"missing column (columns present: {present})")
        return self.row[column]

    def text(self, column: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(column, f"expected a string, got {type(value).__name__}")
        if not value.strip():
            raise self.fail(column, "empty text")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:  # a lone surrogate (JSON can escape one): no tokenizer can take it
            raise self.fail(column, f"not valid Unicode: a lone surrogate {value[e.start]!r} at character "
                                    f"{e.start}") from None
        return value

    def messages(self, column: str, value: Sequence[Any]) -> tuple[Message, ...]:
        out = []
        for i, m in enumerate(value):
            if not isinstance(m, Mapping) or "role" not in m or "content" not in m:
                raise self.fail(column, f"item {i}: expected a {{role, content}} message")
            if m["role"] not in ROLES:
                raise self.fail(column, f"item {i}: role must be one of {', '.join(ROLES)}, got {m['role']!r}")
            out.append(Message(m["role"], self.text(f"{column}[{i}].content", m["content"])))
        if not out:
            raise self.fail(column, "empty message list")
        return tuple(out)

    def prompt(self, column: str, value: Any) -> tuple[Message, ...]:
        if isinstance(value, str):
            return (Message("user", self.text(column, value)),)
        if isinstance(value, list):
            msgs = self.messages(column, value)
            if msgs[-1].role != "user":
                raise self.fail(column, f"a prompt must end on a user turn, not {msgs[-1].role!r}")
            return msgs
        raise self.fail(column, f"expected a string or a list of messages, got {type(value).__name__}")

    def answers(self, column: str, value: Any, prompt: tuple[Message, ...]) -> tuple[str, ...]:
        """A string, a list of strings (best-of-N), or a conversation that ends in one assistant turn."""
        if isinstance(value, str):
            return (self.text(column, value),)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(self.text(f"{column}[{i}]", v) for i, v in enumerate(value))
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            msgs = self.messages(column, value)
            if msgs[: len(prompt)] == prompt:
                msgs = msgs[len(prompt):]
            if len(msgs) != 1 or msgs[0].role != "assistant":
                raise self.fail(column, "a message-list answer must be the prompt followed by one assistant turn")
            return (msgs[0].content,)
        if isinstance(value, list) and not value:
            raise self.fail(column, "empty list of answers")
        raise self.fail(column, f"expected a string, a list of strings or a list of messages, got {_kind(value)}")


    def check_shape(self, benchmark: BenchmarkSpec, subset: str, ex_id: int | str, columns: ColumnMap,
                    chosen: tuple[str, ...], rejected: tuple[str, ...]) -> None:
        """The answer counts the subset's rule needs, and agreement with a `num_correct` column when present."""
        rule = benchmark.rule_of(subset)
        if rule == "pair" and (len(chosen) != 1 or len(rejected) != 1):
            raise self.fail(columns.chosen if len(chosen) != 1 else columns.rejected,
                            f"benchmark {benchmark.name!r} scores pairs: expected one answer, got a list")
        if rule == "best_of_n" and len(chosen) != 1:
            raise self.fail(columns.chosen, f"best-of-N needs exactly one chosen answer, got {len(chosen)}")
        if rule == "ties" and parse_ties_id(ex_id) is None:
            raise self.fail(columns.id, f"a Ties id must be ref:<prompt id> or tied:<prompt id>, got {ex_id!r}")
        declared = self.row.get("num_correct")
        if isinstance(declared, int) and not isinstance(declared, bool) and declared != len(chosen):
            raise self.fail("num_correct",
                            f"says {declared} correct answers but {columns.chosen!r} holds {len(chosen)}")


def _kind(value: Any) -> str:
    return type(value).__name__


def _pair(r: _RowReader, columns: ColumnMap) -> tuple[Any, Any] | None:
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


def _prompt_and_answers(r: _RowReader, columns: ColumnMap, chosen: Any, rejected: Any
                        ) -> tuple[tuple[Message, ...], tuple[str, ...], tuple[str, ...]]:
    answer_columns = columns.answers if columns.label else (columns.chosen, columns.rejected)
    if columns.prompt in r.row:
        prompt = r.prompt(columns.prompt, r.row[columns.prompt])
    else:
        try:
            turns, chosen, rejected = split_pair(chosen, rejected)
        except TranscriptError as e:
            raise r.fail(columns.prompt, str(e)) from None
        prompt = r.prompt(columns.prompt, turns)
    return (prompt, r.answers(answer_columns[0], chosen, prompt), r.answers(answer_columns[1], rejected, prompt))


def read_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str,
    benchmark: BenchmarkSpec,
    columns: ColumnMap = DEFAULT_COLUMNS,
) -> tuple[list[Example], int]:
    """Validate every row and build the examples, with how many rows a label said to skip; the first invalid row
    stops with a `DataError`.

    On an open (custom) benchmark the subset and id columns may be absent: every row is then in subset `default`
    and its id is its row number.
    """
    known = set(benchmark.subset_names())
    seen: dict[tuple[str, str], int] = {}
    out: list[Example] = []
    skipped = 0
    for row_no, row in rows:
        r = _RowReader(source, row_no, row)
        unused = columns.unused_label(row) if not out and not skipped else None
        if unused is not None:
            raise r.fail(unused, f"looks like a preference label, which rmeval would ignore (it reads "
                                 f"{columns.chosen!r} and {columns.rejected!r}); to use it: --label-column {unused} "
                                 f"--answer-columns A,B [--label-map ...]; to ignore it: --ignore-column {unused}")
        optional = not benchmark.closed
        subset: Any = row.get(columns.subset, "default") if optional else r.get(columns.subset)
        subset = r.text(columns.subset, subset)
        if benchmark.closed and subset not in known:
            raise r.fail(columns.subset, f"unknown subset {subset!r} for benchmark {benchmark.name!r}")
        ex_id: Any = row.get(columns.id, row_no) if optional else r.get(columns.id)
        if isinstance(ex_id, bool) or not isinstance(ex_id, (int, str)) or (isinstance(ex_id, str) and not ex_id):
            raise r.fail(columns.id, f"expected an integer or a non-empty string, got {ex_id!r}")
        if isinstance(ex_id, str):
            r.text(columns.id, ex_id)  # a lone surrogate would fail when samples.jsonl is written, after the work
        key = (subset, str(ex_id))
        if key in seen:
            raise r.fail(columns.id, f"duplicate (subset, id) = ({subset!r}, {ex_id!r}); first seen at row {seen[key]}")
        seen[key] = row_no
        pair = _pair(r, columns)
        if pair is None:
            skipped += 1
            continue
        prompt, chosen, rejected = _prompt_and_answers(r, columns, *pair)
        r.check_shape(benchmark, subset, ex_id, columns, chosen, rejected)
        meta = {k: v for k, v in row.items() if k not in columns.fields().values()}
        out.append(Example(subset, ex_id, prompt, chosen, rejected, meta))
    return out, skipped


def rows_to_examples(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str,
    benchmark: BenchmarkSpec,
    columns: ColumnMap = DEFAULT_COLUMNS,
) -> list[Example]:
    """`read_rows`' examples (data whose every row is read)."""
    return read_rows(rows, source, benchmark, columns)[0]
