"""Turning raw rows into validated `Example`s: column mapping, type checks, multi-turn prompts, best-of-N lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rmeval.benchmarks import BenchmarkSpec, parse_ties_id
from rmeval.data.errors import DataError
from rmeval.types import Example, Message

__all__ = ["ColumnMap", "rows_to_examples"]

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class ColumnMap:
    """Which column holds each field (`--prompt-column` and friends)."""

    prompt: str = "prompt"
    chosen: str = "chosen"
    rejected: str = "rejected"
    subset: str = "subset"
    id: str = "id"

    def fields(self) -> dict[str, str]:
        """Field name -> column name."""
        return {"prompt": self.prompt, "chosen": self.chosen, "rejected": self.rejected,
                "subset": self.subset, "id": self.id}


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

    def prompt(self, column: str) -> tuple[Message, ...]:
        value = self.get(column)
        if isinstance(value, str):
            return (Message("user", self.text(column, value)),)
        if isinstance(value, list):
            msgs = self.messages(column, value)
            if msgs[-1].role != "user":
                raise self.fail(column, f"a prompt must end on a user turn, not {msgs[-1].role!r}")
            return msgs
        raise self.fail(column, f"expected a string or a list of messages, got {type(value).__name__}")

    def answers(self, column: str, prompt: tuple[Message, ...]) -> tuple[str, ...]:
        """A string, a list of strings (best-of-N), or a conversation that ends in one assistant turn."""
        value = self.get(column)
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


def rows_to_examples(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str,
    benchmark: BenchmarkSpec,
    columns: ColumnMap = ColumnMap(),
) -> list[Example]:
    """Validate every row and build the examples; the first invalid row stops with a `DataError`.

    On an open (custom) benchmark the subset and id columns may be absent: every row is then in subset `default`
    and its id is its row number.
    """
    known = set(benchmark.subset_names())
    seen: dict[tuple[str, str], int] = {}
    out: list[Example] = []
    for row_no, row in rows:
        r = _RowReader(source, row_no, row)
        optional = not benchmark.closed
        subset: Any = row.get(columns.subset, "default") if optional else r.get(columns.subset)
        subset = r.text(columns.subset, subset)
        if benchmark.closed and subset not in known:
            raise r.fail(columns.subset, f"unknown subset {subset!r} for benchmark {benchmark.name!r}")
        ex_id: Any = row.get(columns.id, row_no) if optional else r.get(columns.id)
        if isinstance(ex_id, bool) or not isinstance(ex_id, (int, str)) or (isinstance(ex_id, str) and not ex_id):
            raise r.fail(columns.id, f"expected an integer or a non-empty string, got {ex_id!r}")
        key = (subset, str(ex_id))
        if key in seen:
            raise r.fail(columns.id, f"duplicate (subset, id) = ({subset!r}, {ex_id!r}); first seen at row {seen[key]}")
        seen[key] = row_no
        prompt = r.prompt(columns.prompt)
        chosen = r.answers(columns.chosen, prompt)
        rejected = r.answers(columns.rejected, prompt)
        r.check_shape(benchmark, subset, ex_id, columns, chosen, rejected)
        meta = {k: v for k, v in row.items() if k not in columns.fields().values()}
        out.append(Example(subset, ex_id, prompt, chosen, rejected, meta))
    return out
