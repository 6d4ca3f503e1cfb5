"""Better-PairRM's input as the reference implementation builds it (`--inputs reference`), id for id.

allenai/reward-bench@05a9005e, rewardbench/models/betterpairrm.py L13-108: the conversation is rendered by a Jinja
template indented inside a Python string, so every line after the first starts with four spaces (one user turn
renders `USER: q\\n    \\n    ASSISTANT: `); the conversation is tokenized, cut to its last 2,030 tokens and decoded
back to text, each answer likewise to its first 670 tokens; then the conversation becomes
`[CLS] <|source|> [SEP]` followed by `[CLS] text [SEP]` (its last 2,027 tokens), and each answer
`[CLS] <|candidateN|>text [SEP]` within half of what the conversation leaves of 2,030 + 2 x 670 tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.types import Message

__all__ = ["REFERENCE_SEPARATOR", "better_pairrm_reference", "reference_source_text"]

REFERENCE_SEPARATOR = "\n    \n    "
"""What the indented template writes between turns, and before the generation prompt."""
NAMES = {"user": "USER", "assistant": "ASSISTANT", "system": "SYSTEM MESSAGE"}


def reference_source_text(prompt: Sequence[Message]) -> str:
    """The conversation as the reference's indented template renders it.

    >>> reference_source_text([Message("user", " Hi ")])
    'USER: Hi\\n    \\n    ASSISTANT: '
    """
    turns = [f"{NAMES[m.role]}: {m.content.strip()}" for m in prompt]
    return REFERENCE_SEPARATOR.join(turns) + REFERENCE_SEPARATOR + "ASSISTANT: "


def _roundtrip(tokenizer: Any, text: str, limit: int, keep_end: bool) -> str:
    ids = list(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])
    cut = ids[-limit:] if keep_end else ids[:limit]
    return str(tokenizer.decode(cut, skip_special_tokens=True))


def _framed(tokenizer: Any, text: str, limit: int, keep_end: bool) -> list[int]:
    """`tokenizer.encode(text, max_length=limit, truncation=True)` on the given side: special tokens kept."""
    ids = list(tokenizer(text, verbose=False)["input_ids"])
    if len(ids) <= limit:
        return ids
    room = limit - 2
    body = ids[1:-1]
    return [ids[0], *(body[-room:] if keep_end else body[:room]), ids[-1]]


def better_pairrm_reference(tokenizer: Any, markers: Sequence[str], prompt: Sequence[Message], first: str,
                            second: str, source_max: int, candidate_max: int) -> tuple[list[int], bool]:
    """The token ids of one ordered pair, and whether any part was cut."""
    source = _roundtrip(tokenizer, reference_source_text(prompt), source_max, keep_end=True)
    answers = [_roundtrip(tokenizer, a, candidate_max, keep_end=False) for a in (first, second)]
    head = list(tokenizer(markers[0], verbose=False)["input_ids"])
    body = _framed(tokenizer, source, source_max - len(head), keep_end=True)
    ids = head + body
    room = (source_max + 2 * candidate_max - len(ids)) // 2
    full = [list(tokenizer(m + a, verbose=False)["input_ids"]) for m, a in zip(markers[1:], answers, strict=True)]
    parts = [_framed(tokenizer, m + a, room, keep_end=False) for m, a in zip(markers[1:], answers, strict=True)]
    cut = len(body) < len(tokenizer(source, verbose=False)["input_ids"]) or any(
        len(p) < len(f) for p, f in zip(parts, full, strict=True))
    return ids + parts[0] + parts[1], cut
