"""Splitting an answer into steps by a named rule, for step-level scorers on outcome data (RewardBench's math-prm,
RewardBench 2's Math, RM-Bench's math, any preference file); step-level benchmarks publish their steps.

- `blank-lines`: paragraphs separated by one or more blank lines (Qwen2.5-Math-PRM's recommended separation);
- `lines`: every non-empty line (Skywork-o1-Open-PRM's example splits on a newline);
- `numbered`: a step starts at each line that begins with a number and `.` or `)` (`1. `, `2) `);
- `step-n`: a step starts at each line that begins with `Step N` and `:` or `.` (case ignored).

Each step is stripped of surrounding whitespace, and `numbered` and `step-n` drop the marker they split at (the
model's own layout numbers its steps, if it does); text before the first marker is a step of its own. An answer the
rule finds no step boundary in is one step.
"""

from __future__ import annotations

import re

__all__ = ["SPLIT_RULES", "split_steps", "strip_step_number"]

_MARKERS = {
    "numbered": re.compile(r"^[ \t]*\d+[.)][ \t]*", re.MULTILINE),
    "step-n": re.compile(r"^[ \t]*step[ \t]*\d+[ \t]*[:.][ \t]*", re.MULTILINE | re.IGNORECASE),
}
SPLIT_RULES: tuple[str, ...] = ("blank-lines", "lines", "numbered", "step-n")
_PREFIX = re.compile(r"^\s*(step\s*\d+\s*[:.]\s*|\d+\.\s*)", re.IGNORECASE)


def split_steps(text: str, rule: str) -> list[str]:
    """The steps of `text` under `rule` (never empty: a text without boundaries is one step).

    >>> split_steps("First.\\n\\nSecond,\\nstill second.\\n\\n\\nThird.", "blank-lines")
    ['First.', 'Second,\\nstill second.', 'Third.']
    >>> split_steps("We count.\\n1. Add 2.\\n2) Double it.", "numbered")
    ['We count.', 'Add 2.', 'Double it.']
    >>> split_steps("Step 1: x = 2\\nstep 2. y = 3", "step-n"), split_steps("no steps here", "step-n")
    (['x = 2', 'y = 3'], ['no steps here'])
    """
    if rule == "blank-lines":
        parts = re.split(r"\n[ \t]*\n", text)
    elif rule == "lines":
        parts = text.split("\n")
    elif rule in _MARKERS:
        parts = _MARKERS[rule].split(text)
    else:
        raise ValueError(f"unknown step rule {rule!r}; known: {', '.join(SPLIT_RULES)}")
    steps = [p.strip() for p in parts if p.strip()]
    return steps or [text.strip() or text]


def strip_step_number(step: str) -> str:
    """A step without a leading `Step N:` / `Step N.` / `N.` (what PRMBench's harness removes from its published
    steps before most models read them: `mr_eval/utils/model_utils.py::remove_step_prefix`).

    >>> strip_step_number("3. Then x = 2."), strip_step_number("Step 4: done"), strip_step_number("2x = 4")
    ('Then x = 2.', 'done', '2x = 4')
    """
    return _PREFIX.sub("", step.strip(), count=1)
