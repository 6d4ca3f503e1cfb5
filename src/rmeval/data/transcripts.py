"""Preference pairs stored as two whole conversations, without a prompt column: the prompt is what they share.

Recognised styles (anything else stops with this list):
- Anthropic HH-RLHF text: `Human: ...` / `Assistant: ...` turns, the last one the assistant's answer. The published
  files (github.com/anthropics/hh-rlhf, README.md: each line holds `chosen` and `rejected` transcripts) separate
  turns with a blank line, but not always: a turn after a single newline, or one marker indented, is still a turn,
  so the text is split on its `Human:` / `Assistant:` markers at the start of a line;
- message lists, as in TRL's conversational preference format with an implicit prompt: `[{role, content}, ...]`,
  the last message the assistant's answer;
- two plain texts that start alike, TRL's standard preference format with an implicit prompt
  (`{"chosen": "The sky is blue.", "rejected": "The sky is green."}`, huggingface/trl docs/source/dataset_formats.md):
  the prompt is their longest common prefix, a space before the first difference going with the answers, as TRL's
  `extract_prompt` splits them (trl/data_utils.py).

Both conversations must agree on every turn before their last assistant turn (up to whitespace: HH's rejected
transcripts sometimes repeat the shared turns with a space or newline more or less); that common part, as the chosen
side writes it, is the prompt.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["STYLES", "TranscriptError", "common_prefix", "parse_hh", "split_pair"]

STYLES = ("Anthropic HH text ('\\n\\nHuman: ...\\n\\nAssistant: ...')", "message lists ([{role, content}, ...])",
          "two texts that start with the same prompt (TRL's implicit prompt)")
_HH_TURN = re.compile(r"(?:\A|\n)[ \t]*(Human|Assistant):[ \t]?")
_HH_ROLES = {"Human": "user", "Assistant": "assistant"}


class TranscriptError(ValueError):
    """Two conversations that cannot be split into a shared prompt and two answers."""


def parse_hh(text: str) -> list[dict[str, str]] | None:
    """The turns of an HH-RLHF transcript as messages; None when the text is not in that style.

    >>> parse_hh("\\n\\nHuman: Hi there\\n\\nAssistant: Hello!")
    [{'role': 'user', 'content': 'Hi there'}, {'role': 'assistant', 'content': 'Hello!'}]
    >>> parse_hh("Human: Hi\\nAssistant: Hello!\\n  Human: 2+2?\\nAssistant:")
    [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello!'}, {'role': 'user', 'content': \
'2+2?'}, {'role': 'assistant', 'content': ''}]
    >>> parse_hh("Just an answer.") is None
    True
    """
    body = text.lstrip()
    if not body.startswith("Human:"):
        return None
    parts = _HH_TURN.split(body)
    # parts: ['', 'Human', text, 'Assistant', text, ...]
    return [{"role": _HH_ROLES[parts[i]], "content": parts[i + 1].strip()} for i in range(1, len(parts) - 1, 2)]


def common_prefix(a: str, b: str) -> str:
    """The prompt two texts share, split as TRL's `extract_prompt` splits it: up to their first difference, less a
    space just before it (which goes with the answers).

    >>> common_prefix("The sky is blue.", "The sky is green.")
    'The sky is'
    >>> common_prefix("blue", "green")
    ''
    """
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    if n > 0 and a[n - 1] == " ":
        n -= 1
    return a[:n]


def _messages(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, str):
        return parse_hh(value)
    if isinstance(value, list) and value and all(isinstance(m, dict) for m in value):
        return value
    return None


def _same(x: dict[str, Any], y: dict[str, Any]) -> bool:
    """The same turn, up to whitespace inside its text."""
    if x.get("role") != y.get("role"):
        return False
    cx, cy = x.get("content"), y.get("content")
    if isinstance(cx, str) and isinstance(cy, str):
        return cx.split() == cy.split()
    return bool(cx == cy)


def split_pair(chosen: Any, rejected: Any) -> tuple[list[dict[str, Any]], Any, Any]:
    """(prompt messages, chosen answer, rejected answer) of two whole conversations.

    >>> split_pair("\\n\\nHuman: 2+2?\\n\\nAssistant: 4", "\\n\\nHuman:  2+2?\\nAssistant: 5")
    ([{'role': 'user', 'content': '2+2?'}], '4', '5')
    """
    a, b = _messages(chosen), _messages(rejected)
    if a is None and b is None and isinstance(chosen, str) and isinstance(rejected, str):
        prompt = common_prefix(chosen, rejected)
        if prompt.strip():
            return [{"role": "user", "content": prompt}], chosen[len(prompt):], rejected[len(prompt):]
    if a is None or b is None:
        which = "chosen" if a is None else "rejected"
        raise TranscriptError(f"there is no prompt column, and {which} is not a recognised transcript; recognised: "
                              f"{'; '.join(STYLES)} (or give --prompt-column)")
    for name, turns in (("chosen", a), ("rejected", b)):
        if turns[-1].get("role") != "assistant":
            raise TranscriptError(f"the {name} conversation does not end with an assistant turn (its answer)")
    if len(a) != len(b) or not all(_same(x, y) for x, y in zip(a[:-1], b[:-1], strict=True)):
        same = next((i for i, (x, y) in enumerate(zip(a[:-1], b[:-1], strict=False)) if not _same(x, y)),
                    min(len(a), len(b)) - 1)
        raise TranscriptError(f"the chosen and rejected conversations differ at turn {same + 1}, before their last "
                              "assistant turn: they do not share a prompt")
    if not a[:-1]:
        raise TranscriptError("the conversations hold only the answer: no prompt turn before it")
    return a[:-1], a[-1].get("content"), b[-1].get("content")
