"""From candidates to token ids: chat rendering, special tokens, and truncation that keeps the response's end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rmeval.common.runtime import model_max_length
from rmeval.data.chat import ChatTemplate, add_special_tokens_for, render, resolve_template
from rmeval.types import Candidate, Message

__all__ = ["ENCODE_CHUNK", "PROBE", "EncodedText", "TextEncoder", "truncate_left"]

ENCODE_CHUNK = 256
"""Texts tokenized per call: a fast tokenizer keeps offsets and token strings for every text of a call, so one call
over a whole benchmark's untruncated texts would hold hundreds of MB at once."""

PROBE = Candidate((Message("user", "Hello."),), "Hello! How can I help?")
"""A conversation rendered once to learn whether the template writes BOS itself."""


def truncate_left(ids: list[int], max_length: int, keep_head: int) -> list[int]:
    """Drop tokens after the first `keep_head` ones (BOS/CLS) until `max_length` remain.

    The prompt's start goes first and the response's end is always kept.

    >>> truncate_left([0, 1, 2, 3, 4, 5], 4, keep_head=1)
    [0, 3, 4, 5]
    """
    if len(ids) <= max_length:
        return ids
    return ids[:keep_head] + ids[len(ids) - (max_length - keep_head):]


@dataclass(frozen=True)
class EncodedText:
    """Token ids of one rendered candidate."""

    ids: tuple[int, ...]
    truncated: bool

    @property
    def length(self) -> int:
        """Number of real tokens."""
        return len(self.ids)

    def signature(self) -> str:
        """The token ids as text (the score store's key)."""
        return ",".join(map(str, self.ids))


@dataclass
class TextEncoder:
    """Renders candidates with a chat template and tokenizes them the way the model expects."""

    tokenizer: Any
    template: ChatTemplate
    max_length: int
    add_special_tokens: bool = True

    @classmethod
    def create(cls, tokenizer: Any, template: ChatTemplate, max_length: int) -> TextEncoder:
        """Decide the special-token rule once, from a rendered probe conversation (one template, one rule)."""
        rendered = render(tokenizer, template, PROBE.prompt, PROBE.response)
        return cls(tokenizer, template, max_length, add_special_tokens_for(tokenizer, rendered))

    @classmethod
    def for_model(cls, tokenizer: Any, config: Any, options: Any, name: str, reserve: int = 0) -> TextEncoder:
        """The encoder of a loaded model: `--chat-template` or the tokenizer's own template (never a guess), and
        `--max-length` or the model's own limit, less `reserve` tokens the kind appends to every text."""
        template = resolve_template(tokenizer, options.chat_template, name)
        limit = options.max_length or model_max_length(config, tokenizer)
        return cls.create(tokenizer, template, limit - reserve)

    def render(self, candidate: Candidate) -> str:
        """The candidate's full conversation as text."""
        return render(self.tokenizer, self.template, candidate.prompt, candidate.response)

    def head_tokens(self, ids: Sequence[int]) -> int:
        """1 when the sequence starts with BOS or CLS, which truncation must keep."""
        heads = {getattr(self.tokenizer, a, None) for a in ("bos_token_id", "cls_token_id")} - {None}
        return 1 if ids and ids[0] in heads else 0

    def encode(self, texts: Sequence[str]) -> list[tuple[list[int], bool]]:
        """Token ids of each text and whether it was truncated."""
        out = []
        for lo in range(0, len(texts), ENCODE_CHUNK):
            # verbose=False: texts longer than the model's limit are expected here; they are truncated just below.
            chunk = self.tokenizer(list(texts[lo : lo + ENCODE_CHUNK]), add_special_tokens=self.add_special_tokens,
                                   verbose=False)["input_ids"]
            for ids in chunk:
                ids = list(ids)
                cut = truncate_left(ids, self.max_length, self.head_tokens(ids))
                out.append((cut, len(cut) < len(ids)))
        return out

    def describe(self, example: Candidate) -> dict[str, Any]:
        """Template source, one rendered example and the special-token rule, for result.json."""
        return {
            "chat_template": self.template.source,
            "chat_template_sha256": self.template.sha256,
            "rendered_example": self.render(example),
            "add_special_tokens": self.add_special_tokens,
            "max_length": self.max_length,
        }
