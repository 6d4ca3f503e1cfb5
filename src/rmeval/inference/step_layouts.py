"""How each family of process reward models lays an answer's steps out as tokens, and where it reads each step.

Four layouts, each its authors' (the presets cite the code):
- `SeparatorChat` (Qwen2.5-Math-PRM): the chat template over the conversation and an assistant turn holding every
  step followed by a separator token (`<extra_0>`); a step is read at its separator;
- `TaggedText` (Math-Shepherd): plain text, the problem then the steps, each written by a format that ends in a
  tag (`Step {n}: {step} ки`); a step is read at its tag's (last) token;
- `ChatTurns` (RLHFlow): each step a user turn (the first with the problem), each answered by the assistant with
  the good token; a step is read at the last token before that answer, where the judgment is predicted;
- `StepPieces` (Skywork-o1-Open-PRM): the problem line, then each step tokenized on its own and followed by the
  separator token; a step is read at its separator (its last token).

A text longer than the model's limit loses its start (the problem first, never the last steps); a step whose read
position falls in the cut part has no score (NaN) and the encoding is counted as truncated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rmeval.data.chat import ChatTemplate, add_special_tokens_for, render
from rmeval.inference.steps import StepAnswer, StepEncoding
from rmeval.types import Message

__all__ = ["ChatTurns", "SeparatorChat", "StepPieces", "TaggedText", "fit", "problem_of", "single_token"]


def problem_of(prompt: Sequence[Message]) -> str:
    """The problem a plain-text layout shows: the conversation's last user message."""
    return next((m.content for m in reversed(prompt) if m.role == "user"), "")


def single_token(tokenizer: Any, text: str, what: str) -> int:
    """The id of `text` when the tokenizer reads it as one token (a separator, a tag, a verdict token)."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) != 1:
        raise ValueError(f"{what} {text!r} is {len(ids)} tokens for this tokenizer; it must be one token")
    return int(ids[0])


def fit(ids: Sequence[int], positions: Sequence[int], max_length: int, keep_head: int) -> StepEncoding:
    """An encoding within `max_length`: the tokens after the first `keep_head` (BOS) go first; positions follow."""
    if len(ids) <= max_length:
        return StepEncoding(tuple(ids), tuple(positions))
    drop = len(ids) - max_length
    kept = tuple(ids[:keep_head]) + tuple(ids[keep_head + drop:])
    moved = tuple(-1 if p < 0 or keep_head <= p < keep_head + drop else (p if p < keep_head else p - drop)
                  for p in positions)
    return StepEncoding(kept, moved, True)


def _occurrences(ids: Sequence[int], token: int, steps: int) -> list[int]:
    """The last `steps` positions of `token` (the steps' own; an earlier one is in the problem), -1 for steps
    whose token is not there."""
    found = [i for i, t in enumerate(ids) if t == token][-steps:]
    return [-1] * (steps - len(found)) + found


def _head(tokenizer: Any, ids: Sequence[int]) -> int:
    return 1 if ids and ids[0] == getattr(tokenizer, "bos_token_id", None) else 0


@dataclass
class SeparatorChat:
    """Steps joined in one assistant turn, each followed by `separator` (a token of its own), read at it."""

    tokenizer: Any
    template: ChatTemplate
    separator: str
    max_length: int
    system_prompt: str | None = None

    def __post_init__(self) -> None:
        self.separator_id = single_token(self.tokenizer, self.separator, "the step separator")

    def text(self, answer: StepAnswer) -> str:
        """The rendered conversation."""
        prompt = answer.prompt
        if self.system_prompt and not any(m.role == "system" for m in prompt):
            prompt = (Message("system", self.system_prompt), *prompt)
        return render(self.tokenizer, self.template, prompt, "".join(s + self.separator for s in answer.steps))

    def encode(self, answers: Sequence[StepAnswer]) -> list[StepEncoding]:
        """Token ids, and each step's separator."""
        out = []
        for a in answers:
            text = self.text(a)
            ids = self.tokenizer(text, add_special_tokens=add_special_tokens_for(self.tokenizer, text))["input_ids"]
            out.append(fit(ids, _occurrences(ids, self.separator_id, len(a.steps)), self.max_length,
                           _head(self.tokenizer, ids)))
        return out


@dataclass
class TaggedText:
    """`problem_format` filled with the problem and the steps, each written by `step_format` (with its tag)."""

    tokenizer: Any
    tag: str
    max_length: int
    step_format: str = "Step {n}: {step} {tag}"
    step_joiner: str = "\n"
    problem_format: str = "{problem} {steps}"

    def __post_init__(self) -> None:
        ids = self.tokenizer(self.tag, add_special_tokens=False)["input_ids"]
        if not ids:
            raise ValueError(f"the step tag {self.tag!r} has no token")
        self.tag_id = int(ids[-1])  # its last token: where the next token, the judgment, is predicted

    def text(self, answer: StepAnswer) -> str:
        """The text the model reads."""
        steps = self.step_joiner.join(self.step_format.format(n=n, step=s, tag=self.tag)
                                      for n, s in enumerate(answer.steps, start=1))
        return self.problem_format.format(problem=problem_of(answer.prompt), steps=steps)

    def encode(self, answers: Sequence[StepAnswer]) -> list[StepEncoding]:
        """Token ids (with the tokenizer's special tokens, as the authors encode), and each step's tag."""
        out = []
        for a in answers:
            ids = self.tokenizer(self.text(a))["input_ids"]
            out.append(fit(ids, _occurrences(ids, self.tag_id, len(a.steps)), self.max_length,
                           _head(self.tokenizer, ids)))
        return out


@dataclass
class ChatTurns:
    """A user turn per step (the first: `first_format` with the problem), each answered with `good`."""

    tokenizer: Any
    template: ChatTemplate
    good: str
    max_length: int
    first_format: str = "{problem} {step}"

    def turns(self, answer: StepAnswer) -> list[Message]:
        """The whole conversation, the earlier turns of the prompt first."""
        earlier = list(answer.prompt[:-1]) if answer.prompt and answer.prompt[-1].role == "user" else []
        out = list(earlier)
        for k, step in enumerate(answer.steps):
            text = self.first_format.format(problem=problem_of(answer.prompt), step=step) if k == 0 else step
            out += [Message("user", text), Message("assistant", self.good)]
        return out

    def text(self, answer: StepAnswer) -> str:
        """The rendered conversation."""
        turns = self.turns(answer)
        return render(self.tokenizer, self.template, tuple(turns[:-1]), turns[-1].content)

    def encode(self, answers: Sequence[StepAnswer]) -> list[StepEncoding]:
        """Token ids of the whole conversation; each step read where its judgment is predicted."""
        if not getattr(self.tokenizer, "is_fast", False):
            raise ValueError("a chat layout per step needs a fast tokenizer (token offsets)")
        out = []
        for a in answers:
            turns = self.turns(a)
            full = self.text(a)
            enc = self.tokenizer(full, add_special_tokens=add_special_tokens_for(self.tokenizer, full),
                                 return_offsets_mapping=True)
            ends = {end: i for i, (start, end) in enumerate(enc["offset_mapping"]) if end > start}
            first = len(turns) - 2 * len(a.steps)
            positions = []
            for k in range(len(a.steps)):
                prefix = render(self.tokenizer, self.template, tuple(turns[:first + 2 * k + 1]))
                if not full.startswith(prefix) or len(prefix) not in ends:
                    raise ValueError("the chat template does not render the judgment's prompt as a prefix of the "
                                     "whole conversation at a token boundary; this layout cannot read it")
                positions.append(ends[len(prefix)])
            ids = list(enc["input_ids"])
            out.append(fit(ids, positions, self.max_length, _head(self.tokenizer, ids)))
        return out


@dataclass
class StepPieces:
    """The problem line (`problem_format`, `{bos}` the tokenizer's BOS text), then each step's own tokens and the
    separator token after it."""

    tokenizer: Any
    separator: str
    max_length: int
    problem_format: str = "{bos}{problem}\n"

    def __post_init__(self) -> None:
        ids = self.tokenizer(self.separator, add_special_tokens=False)["input_ids"]
        if not ids:
            raise ValueError(f"the step separator {self.separator!r} has no token")
        self.separator_id = int(ids[-1])

    def text(self, answer: StepAnswer) -> str:
        """What the model reads, as text (the separator shown after each step)."""
        bos = getattr(self.tokenizer, "bos_token", None) or ""
        head = self.problem_format.format(bos=bos, problem=problem_of(answer.prompt))
        return head + "".join(s + self.separator for s in answer.steps)

    def _ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else []

    def encode(self, answers: Sequence[StepAnswer]) -> list[StepEncoding]:
        """Token ids and each step's separator, placed by construction."""
        bos = getattr(self.tokenizer, "bos_token", None) or ""
        out = []
        for a in answers:
            ids = self._ids(self.problem_format.format(bos=bos, problem=problem_of(a.prompt)))
            positions = []
            for step in a.steps:
                ids += [*self._ids(step), self.separator_id]
                positions.append(len(ids) - 1)
            out.append(fit(ids, positions, self.max_length, _head(self.tokenizer, ids)))
        return out
