"""One row's fields checked and read: texts, message lists, prompts and answers. Every error carries the source, the
row number and the column, so a user can find it in their own editor.

What real data holds and a reward model can score is not an error: an empty turn inside a prompt (HH-RLHF has
`Assistant:` turns with no text) is kept and counted, so the run can say how many it met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rmeval.benchmarks import BenchmarkSpec, parse_ties_id
from rmeval.data.columns import ColumnMap
from rmeval.data.errors import DataError
from rmeval.types import Message

__all__ = ["ROLES", "RowReader"]

ROLES = ("system", "user", "assistant")


class RowReader:
    """Validates one row; every error carries the source, the row number and the column. `empty_turns` counts the
    empty turns kept inside the row's prompt. With `blank`, an answer or a prompt turn may be empty or only
    whitespace (a benchmark whose authors score such texts: RMB)."""

    def __init__(self, source: str, row_no: int, row: Mapping[str, Any], blank: bool = False) -> None:
        self.source, self.row_no, self.row, self.blank = source, row_no, row, blank
        self.empty_turns = 0

    def fail(self, column: str | None, message: str) -> DataError:
        """The error of this row (and `column`)."""
        return DataError(self.source, message, row=self.row_no, field=column)

    def get(self, column: str) -> Any:
        """The row's value of `column`; a missing column lists those present."""
        if column not in self.row:
            present = ", ".join(sorted(map(str, self.row))) or "none"
            raise self.fail(column, f"missing column (columns present: {present})")
        return self.row[column]

    def text(self, column: str, value: Any, empty: bool = False) -> str:
        """A string that is valid Unicode and, unless `empty`, not blank."""
        if not isinstance(value, str):
            raise self.fail(column, f"expected a string, got {type(value).__name__}")
        if not empty and not value.strip():
            raise self.fail(column, "empty text")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:  # a lone surrogate (JSON can escape one): no tokenizer can take it
            raise self.fail(column, f"not valid Unicode: a lone surrogate {value[e.start]!r} at character "
                                    f"{e.start}") from None
        return value

    def messages(self, column: str, value: Sequence[Any], in_prompt: bool = False) -> tuple[Message, ...]:
        """`{role, content}` messages; inside a prompt an empty turn is kept (and counted), elsewhere an error."""
        out = []
        for i, m in enumerate(value):
            if not isinstance(m, Mapping) or "role" not in m or "content" not in m:
                raise self.fail(column, f"item {i}: expected a {{role, content}} message")
            if m["role"] not in ROLES:
                raise self.fail(column, f"item {i}: role must be one of {', '.join(ROLES)}, got {m['role']!r}")
            content = self.text(f"{column}[{i}].content", m["content"], empty=in_prompt or self.blank)
            self.empty_turns += not content.strip()
            out.append(Message(m["role"], content))
        if not out:
            raise self.fail(column, "empty message list")
        if in_prompt and not self.blank and all(not m.content.strip() for m in out):
            raise self.fail(column, "empty prompt: every turn of it is empty")
        return tuple(out)

    def prompt(self, column: str, value: Any) -> tuple[Message, ...]:
        """A string (one user turn) or messages ending on a user turn."""
        if isinstance(value, str):
            return (Message("user", self.text(column, value, empty=self.blank)),)
        if isinstance(value, list):
            msgs = self.messages(column, value, in_prompt=True)
            if msgs[-1].role != "user":
                raise self.fail(column, f"a prompt must end on a user turn, not {msgs[-1].role!r}")
            return msgs
        raise self.fail(column, f"expected a string or a list of messages, got {type(value).__name__}")

    def answers(self, column: str, value: Any, prompt: tuple[Message, ...]) -> tuple[str, ...]:
        """A string, a list of strings (best-of-N), or a conversation that ends in one assistant turn."""
        if isinstance(value, str):
            return (self.text(column, value, empty=self.blank),)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(self.text(f"{column}[{i}]", v, empty=self.blank) for i, v in enumerate(value))
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            head, counted = (len(prompt) if len(value) > len(prompt) else 0), self.empty_turns
            before = self.messages(column, value[:head], in_prompt=True) if head else ()
            self.empty_turns = counted  # the prompt's own turns, repeated: counted once, in the prompt
            msgs = before + self.messages(column, value[head:])
            if msgs[: len(prompt)] == prompt:
                msgs = msgs[len(prompt):]
            if len(msgs) != 1 or msgs[0].role != "assistant":
                raise self.fail(column, "a message-list answer must be the prompt followed by one assistant turn")
            return (msgs[0].content,)
        if isinstance(value, list) and not value:
            raise self.fail(column, "empty list of answers")
        raise self.fail(column, f"expected a string, a list of strings or a list of messages, got "
                                f"{type(value).__name__}")

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
