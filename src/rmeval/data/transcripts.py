"""Preference pairs stored as two whole conversations, without a prompt column: the prompt is what they share.

Recognised styles (anything else stops with this list):
- Anthropic HH-RLHF text: `\\n\\nHuman: ...\\n\\nAssistant: ...` turns, the last one the assistant's answer;
- message lists, as in TRL's conversational preference format with an implicit prompt: `[{role, content}, ...]`,
  the last message the assistant's answer.

Both conversations must agree on every turn before their last assistant turn; that common part is the prompt.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["STYLES", "TranscriptError", "parse_hh", "split_pair"]

STYLES = ("Anthropic HH text ('\\n\\nHuman: ...\\n\\nAssistant: ...')", "message lists ([{role, content}, ...])")
_HH_TURN = re.compile(r"\n\n(Human|Assistant):[ \t]?")
_HH_ROLES = {"Human": "user", "Assistant": "assistant"}


class TranscriptError(ValueError):
    """Two conversations that cannot be split into a shared prompt and two answers."""


def parse_hh(text: str) -> list[dict[str, str]] | None:
    """The turns of an HH-RLHF transcript as messages; None when the text is not in that style.

    >>> parse_hh("\\n\\nHuman: Hi there\\n\\nAssistant: Hello!")
    [{'role': 'user', 'content': 'Hi there'}, {'role': 'assistant', 'content': 'Hello!'}]
    >>> parse_hh("Just an answer.") is None
    True
    """
    if not text.startswith("\n\nHuman:"):
        return None
    parts = _HH_TURN.split(text)
    # parts: ['', 'Human', text, 'Assistant', text, ...]
    return [{"role": _HH_ROLES[parts[i]], "content": parts[i + 1].strip()} for i in range(1, len(parts) - 1, 2)]


def _messages(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, str):
        return parse_hh(value)
    if isinstance(value, list) and value and all(isinstance(m, dict) for m in value):
        return value
    return None


def split_pair(chosen: Any, rejected: Any) -> tuple[list[dict[str, Any]], Any, Any]:
    """(prompt messages, chosen answer, rejected answer) of two whole conversations.

    >>> split_pair("\\n\\nHuman: 2+2?\\n\\nAssistant: 4", "\\n\\nHuman: 2+2?\\n\\nAssistant: 5")
    ([{'role': 'user', 'content': '2+2?'}], '4', '5')
    """
    a, b = _messages(chosen), _messages(rejected)
    if a is None or b is None:
        which = "chosen" if a is None else "rejected"
        raise TranscriptError(f"there is no prompt column, and {which} is not a recognised transcript; recognised: "
                              f"{'; '.join(STYLES)} (or give --prompt-column)")
    for name, turns in (("chosen", a), ("rejected", b)):
        if turns[-1].get("role") != "assistant":
            raise TranscriptError(f"the {name} conversation does not end with an assistant turn (its answer)")
    if a[:-1] != b[:-1]:
        same = next((i for i, (x, y) in enumerate(zip(a[:-1], b[:-1], strict=False)) if x != y),
                    min(len(a), len(b)) - 1)
        raise TranscriptError(f"the chosen and rejected conversations differ at turn {same + 1}, before their last "
                              "assistant turn: they do not share a prompt")
    if not a[:-1]:
        raise TranscriptError("the conversations hold only the answer: no prompt turn before it")
    return a[:-1], a[-1].get("content"), b[-1].get("content")
