"""What the step-level layouts share: a solution's problem and steps validated into one example.

A step-level example is one solution: the problem as its prompt, its steps joined by blank lines as its one
answer (what lengths and analyses read), and the steps themselves in `meta["steps"]` (one list per answer), which
a step-level scorer reads as they were published instead of splitting the text again. The label is the example's
fact (ProcessBench's `label`, PRMBench's `error_steps`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rmeval.data.errors import DataError
from rmeval.data.layouts.common import get_field
from rmeval.types import Example, Message

__all__ = ["STEP_JOINER", "problem_text", "solution_example", "step_list"]

STEP_JOINER = "\n\n"
"""How a solution's steps are joined into the answer's text."""


def _unicode(value: str, source: str, row: int, field: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate (JSON can escape one): no tokenizer can take it
        raise DataError(source, f"not valid Unicode: a lone surrogate at character {e.start}", row=row,
                        field=field) from None
    return value


def problem_text(row: Mapping[str, Any], field: str, source: str, row_no: int) -> str:
    """The problem statement: a non-empty string."""
    value = get_field(row, field, source, row_no)
    if not isinstance(value, str) or not value.strip():
        raise DataError(source, "expected a non-empty string" if isinstance(value, str) or value is None
                        else f"expected a string, got {type(value).__name__}", row=row_no, field=field)
    return _unicode(value, source, row_no, field)


def step_list(row: Mapping[str, Any], field: str, source: str, row_no: int, allow_empty: bool = False) -> list[str]:
    """A non-empty list of steps, each a string (empty ones only where the authors' own data holds some)."""
    value = get_field(row, field, source, row_no)
    if not isinstance(value, list) or not value:
        raise DataError(source, "expected a non-empty list of steps (strings)", row=row_no, field=field)
    for i, step in enumerate(value):
        if not isinstance(step, str):
            raise DataError(source, f"expected a string, got {type(step).__name__}", row=row_no, field=f"{field}[{i}]")
        if not allow_empty and not step.strip():
            raise DataError(source, "empty step", row=row_no, field=f"{field}[{i}]")
        _unicode(step, source, row_no, f"{field}[{i}]")
    return list(value)


def solution_example(subset: str, ex_id: str, problem: str, steps: list[str], facts: Mapping[str, Any]) -> Example:
    """One solution as an example: the problem, the joined steps as its answer, the steps and facts in `meta`."""
    text = STEP_JOINER.join(steps)
    if not text.strip():
        text = "(no text)"  # only a solution of empty steps: its answer must not be empty for the features
    return Example(subset, ex_id, (Message("user", problem),), (text,), (), {"steps": [list(steps)], **facts})
