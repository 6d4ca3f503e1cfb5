"""The prompt of a verdict-probability model: the built-in formats (rmeval's judge prompt, SteamSHP's, the
pair-preference model's) or a file, with the conversation and the two answers filled in."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from rmeval.data.chat import ChatTemplate, render
from rmeval.inference.pairwise import OrderedPair
from rmeval.scorers.judge.templates import JudgeTemplate, builtin_template, render_conversation
from rmeval.types import Message

__all__ = ["CONTEXT_TEMPLATES", "VERDICT_PROMPTS", "VerdictPrompt", "context_template"]

VERDICT_PROMPTS = ("judge", "steamshp", "pair-pm")
"""Built-in prompts: rmeval's pairwise judge prompt, SteamSHP's and the pair-preference model's formats."""
CONTEXT_TEMPLATES = ("pair-pm-context",)


def _text(folder: str, name: str) -> str:
    return (resources.files("rmeval") / "templates" / folder / name).read_text(encoding="utf-8")


class VerdictPrompt:
    """The prompt of a verdict model: a built-in or a file; `{history}` is every earlier turn's text joined by
    spaces (SteamSHP's post), `{context}` the conversation rendered with the context template."""

    def __init__(self, spec: str, context: ChatTemplate | None, judge: JudgeTemplate | None = None) -> None:
        self.judge = judge or (builtin_template("pairwise") if spec == "judge" else None)
        if judge is not None and judge.mode != "pairwise":
            raise ValueError(f"{judge.source}: a verdict is read after a pairwise prompt, not a {judge.mode} one")
        if spec in VERDICT_PROMPTS[1:] and judge is None:
            self.text, self.source = _text("verdict", f"{spec}.txt"), f"builtin:{spec}"
        elif self.judge is not None:
            self.text, self.source = "", self.judge.source
        elif Path(spec).is_file():
            self.text, self.source = Path(spec).read_text(encoding="utf-8"), f"file:{spec}"
        else:
            raise ValueError(f"--verdict-prompt {spec!r} is neither a built-in ({', '.join(VERDICT_PROMPTS)}) nor a "
                             "file")
        if self.judge is None and not all(w in self.text for w in ("{answer_a}", "{answer_b}")):
            raise ValueError(f"{self.source}: a verdict prompt needs {{answer_a}} and {{answer_b}}")
        if "{context}" in self.text and context is None:
            raise ValueError(f"{self.source} uses {{context}}: pass --context-template")
        self.context = context

    def messages(self, tokenizer: Any, pair: OrderedPair) -> tuple[Message, ...]:
        """The messages showing `pair.first` as answer A and `pair.second` as answer B."""
        if self.judge is not None:
            return self.judge.render(pair.prompt, [pair.first, pair.second])
        values = {"{answer_a}": pair.first, "{answer_b}": pair.second,
                  "{conversation}": render_conversation(pair.prompt),
                  "{question}": next((m.content for m in reversed(pair.prompt) if m.role == "user"), ""),
                  "{history}": " ".join(m.content for m in pair.prompt)}
        if self.context is not None and "{context}" in self.text:
            values["{context}"] = render(tokenizer, self.context, pair.prompt, None)
        out, at = [], 0
        while at < len(self.text):  # one pass: an answer containing "{answer_b}" is never filled in again
            hit = next((k for k in values if self.text.startswith(k, at)), None)
            out.append(values[hit] if hit else self.text[at])
            at += len(hit) if hit else 1
        return (Message("user", "".join(out)),)


def context_template(option_value: str | None) -> ChatTemplate | None:
    """The template of `{context}`: a built-in name or a Jinja file."""
    if option_value is None:
        return None
    if option_value in CONTEXT_TEMPLATES:
        return ChatTemplate(_text("verdict", f"{option_value}.jinja"), f"builtin:{option_value}")
    path = Path(option_value)
    if not path.is_file():
        raise ValueError(f"--context-template {option_value!r} is neither a built-in ({', '.join(CONTEXT_TEMPLATES)}) "
                         "nor a file")
    return ChatTemplate(path.read_text(encoding="utf-8"), f"file:{path}")
