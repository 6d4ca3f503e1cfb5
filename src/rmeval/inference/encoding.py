"""From candidates to token ids: chat rendering, special tokens, and truncation that keeps the response's end.

How a text becomes token ids is a convention (`InputConvention`): which special tokens the tokenizer adds, a token
appended after the text, and which side a too-long text loses. `--inputs model` follows the model's own code and
card; `--inputs reference` the reference implementation's (allenai/reward-bench), whose classifier scripts append
EOS to a text without a chat template and whose model wrappers add the tokenizer's BOS to a template that already
wrote one (README, "Two conventions").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rmeval.common.runtime import model_max_length
from rmeval.data.chat import ChatTemplate, add_special_tokens_for, render, resolve_template
from rmeval.types import Candidate, Message

__all__ = ["ENCODE_CHUNK", "EOS_APPENDING", "PROBE", "EncodedText", "InputConvention", "TextEncoder",
           "reference_convention", "special_frame", "truncate_left"]

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


def special_frame(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special tokens the tokenizer puts before and after a text (`[CLS]` and `[SEP]` for DeBERTa, BOS for
    Llama)."""
    bare = list(tokenizer("a", add_special_tokens=False)["input_ids"])
    framed = list(tokenizer("a")["input_ids"])
    at = next((i for i in range(len(framed) - len(bare) + 1) if framed[i : i + len(bare)] == bare), None)
    if at is None:
        raise ValueError("the tokenizer frames a text in a way rmeval cannot split into head and tail tokens")
    return framed[:at], framed[at + len(bare):]


@dataclass(frozen=True)
class InputConvention:
    """How rendered text becomes the ids a model reads.

    `special_tokens`: `auto` adds the tokenizer's special tokens unless the template already wrote its BOS (no
    double BOS); `always` adds them whatever the template wrote, as `tokenizer(text)` does. `append`: a special token
    of the tokenizer (`eos_token`, `cls_token`) put after every text, inside the length limit (as a tokenizer whose
    `add_eos_token` is on does). `truncation_side`: `left` drops the prompt's start (the response's end is always
    kept), `right` the text's end, as a tokenizer's default truncation does. Special tokens survive truncation.
    """

    special_tokens: Literal["auto", "always"] = "auto"
    append: str | None = None
    truncation_side: Literal["left", "right"] = "left"

    def describe(self) -> dict[str, Any]:
        """The convention as result.json records it."""
        return {"special_tokens": self.special_tokens, "append_token": self.append,
                "truncation_side": self.truncation_side}


EOS_APPENDING = ("LlamaTokenizer", "CodeLlamaTokenizer", "GemmaTokenizer", "GPTNeoXTokenizer")
"""Tokenizer classes (slow or fast) that honour `add_eos_token = True` in transformers 4.57.6, the version the
reference pins (its pyproject.toml at 05a9005e): their post-processor then appends EOS; other classes ignore it."""


def reference_convention(tokenizer: Any, convention: InputConvention, inputs: str) -> InputConvention:
    """The convention with the reference's generic rule applied under `--inputs reference`: where the tokenizer has
    no chat template, its classifier scripts set `tokenizer.add_eos_token = True` (scripts/run_rm.py L242-244 and
    scripts/run_v2.py, allenai/reward-bench@05a9005e), which appends EOS for the classes in `EOS_APPENDING`."""
    if inputs != "reference" or convention.append is not None or getattr(tokenizer, "chat_template", None):
        return convention
    if type(tokenizer).__name__.removesuffix("Fast") not in EOS_APPENDING:
        return convention
    return InputConvention(convention.special_tokens, "eos_token", convention.truncation_side)


@dataclass
class TextEncoder:
    """Renders candidates with a chat template and tokenizes them the way the model expects."""

    tokenizer: Any
    template: ChatTemplate
    max_length: int
    add_special_tokens: bool = True
    convention: InputConvention = field(default_factory=InputConvention)
    tail: int = 0
    append_id: int | None = None

    @classmethod
    def create(cls, tokenizer: Any, template: ChatTemplate, max_length: int,
               convention: InputConvention | None = None) -> TextEncoder:
        """Decide the special-token rule once, from a rendered probe conversation (one template, one rule)."""
        convention = convention or InputConvention()
        rendered = render(tokenizer, template, PROBE.prompt, PROBE.response)
        special = convention.special_tokens == "always" or add_special_tokens_for(tokenizer, rendered)
        tail = len(special_frame(tokenizer)[1]) if special else 0
        append_id = None
        if convention.append:
            append_id = getattr(tokenizer, convention.append + "_id", None)
            if append_id is None:
                raise ValueError(f"--append-token {convention.append}: the tokenizer has none")
        return cls(tokenizer, template, max_length, special, convention, tail,
                   None if append_id is None else int(append_id))

    @classmethod
    def for_model(cls, tokenizer: Any, config: Any, options: Any, name: str, reserve: int = 0,
                  convention: InputConvention | None = None) -> TextEncoder:
        """The encoder of a loaded model: `--chat-template` or the tokenizer's own template (never a guess),
        `--max-length` or the model's own limit (less `reserve` tokens the kind appends to every text), and the
        input convention."""
        template = resolve_template(tokenizer, options.chat_template, name)
        limit = options.max_length or model_max_length(config, tokenizer)
        return cls.create(tokenizer, template, limit - reserve, convention)

    def render(self, candidate: Candidate) -> str:
        """The candidate's full conversation as text."""
        return render(self.tokenizer, self.template, candidate.prompt, candidate.response)

    def head_tokens(self, ids: Sequence[int]) -> int:
        """1 when the sequence starts with BOS or CLS, which truncation must keep."""
        heads = {getattr(self.tokenizer, a, None) for a in ("bos_token_id", "cls_token_id")} - {None}
        return 1 if ids and ids[0] in heads else 0

    def fit(self, ids: list[int]) -> tuple[list[int], bool]:
        """`ids` with the appended token, cut to `max_length` on the convention's side (the tokenizer's own special
        tokens at either end are kept); and whether anything was cut."""
        extra = [] if self.append_id is None else [self.append_id]
        if len(ids) + len(extra) <= self.max_length:
            return ids + extra, False
        head = self.head_tokens(ids)
        tail = ids[len(ids) - self.tail:] if self.tail else []
        body = ids[head : len(ids) - self.tail]
        room = max(self.max_length - head - len(tail) - len(extra), 0)
        body = body[len(body) - room:] if self.convention.truncation_side == "left" else body[:room]
        return ids[:head] + body + tail + extra, True

    def encode(self, texts: Sequence[str]) -> list[tuple[list[int], bool]]:
        """Token ids of each text and whether it was truncated."""
        out: list[tuple[list[int], bool]] = []
        for lo in range(0, len(texts), ENCODE_CHUNK):
            # verbose=False: texts longer than the model's limit are expected here; they are truncated just below.
            chunk = self.tokenizer(list(texts[lo : lo + ENCODE_CHUNK]), add_special_tokens=self.add_special_tokens,
                                   verbose=False)["input_ids"]
            out.extend(self.fit(list(ids)) for ids in chunk)
        return out

    def describe(self, example: Candidate) -> dict[str, Any]:
        """Template source, one rendered example and the special-token rule, for result.json."""
        return {
            "chat_template": self.template.source,
            "chat_template_sha256": self.template.sha256,
            "rendered_example": self.render(example),
            "add_special_tokens": self.add_special_tokens,
            "max_length": self.max_length,
            "input_convention": self.convention.describe(),
        }
