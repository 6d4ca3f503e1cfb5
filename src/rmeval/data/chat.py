"""Chat rendering: which template, how a conversation becomes text, and how that text becomes token ids.

Rules (PITFALLS.md): the tokenizer's own template unless the user names another; no silent fallback when there is
none; tokenize rendered text without adding special tokens when the template already wrote BOS (no double BOS).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rmeval.types import Message

__all__ = ["BUILTIN_TEMPLATES", "ChatTemplate", "add_special_tokens_for", "check_template", "render",
           "resolve_template"]

BUILTIN_TEMPLATES = ("raw", "chatml", "tulu", "pku-align", "openbmb", "oasst-pythia", "mistral", "raw-concat",
                     "ziya-fastchat", "safe-rlhf", "hh", "mistral-card", "ziya")
"""Jinja files in `rmeval/templates`. tulu, pku-align, openbmb, oasst-pythia, mistral, raw-concat and ziya-fastchat
reproduce the FastChat conversations the reference renders for tokenizers without a template (fschat 0.2.36's tulu,
oasst_pythia, mistral and raw; pku-align, openbmb and Ziya registered in rewardbench/chattemplates.py); safe-rlhf,
hh, mistral-card and ziya write what the models' own code and cards write (beaver's safe-rlhf prompt, UltraRM's
Human/Assistant lines, Eurus-RM's [INST] sample without </s>, Ziya's card)."""


@dataclass(frozen=True)
class ChatTemplate:
    """A Jinja chat template and where it came from (recorded in result.json)."""

    text: str
    source: str

    @property
    def sha256(self) -> str:
        """Hash of the template text, part of every cache key that depends on rendering."""
        return hashlib.sha256(self.text.encode()).hexdigest()


def check_template(option: str) -> None:
    """`--chat-template`: a built-in name, or a file that holds a Jinja template that parses (the error names the
    file and the line)."""
    if option in BUILTIN_TEMPLATES:
        return
    path = Path(option)
    if not path.is_file():
        raise ValueError(f"--chat-template {option!r} is neither a built-in ({', '.join(BUILTIN_TEMPLATES)}) nor "
                         "a file")
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    try:
        ImmutableSandboxedEnvironment().parse(path.read_text(encoding="utf-8"))
    except TemplateSyntaxError as e:
        raise ValueError(f"--chat-template {path}, line {e.lineno}: not a valid Jinja template ({e.message})") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"--chat-template {path}: not a UTF-8 text file ({e.reason})") from None


def resolve_template(tokenizer: Any, option: str | None, model_name: str = "the model") -> ChatTemplate:
    """The template to use: `option` (a built-in name or a Jinja file) wins; else the tokenizer's; else an error."""
    if option:
        if option in BUILTIN_TEMPLATES:
            text = (resources.files("rmeval") / "templates" / f"{option}.jinja").read_text(encoding="utf-8")
            return ChatTemplate(text, f"builtin:{option}")
        path = Path(option)
        if not path.is_file():
            raise ValueError(
                f"--chat-template {option!r} is neither a built-in ({', '.join(BUILTIN_TEMPLATES)}) nor a file"
            )
        text = path.read_text(encoding="utf-8")
        return ChatTemplate(text, f"file:{path} (sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]})")
    own = getattr(tokenizer, "chat_template", None)
    if isinstance(own, dict):
        own = own.get("default")
    if not own:
        raise ValueError(
            f"the tokenizer of {model_name} has no chat template; pass --chat-template with a built-in name "
            f"({', '.join(BUILTIN_TEMPLATES)}) or a Jinja file. rmeval never guesses one."
        )
    return ChatTemplate(str(own), "tokenizer")


def render(
    tokenizer: Any,
    template: ChatTemplate,
    prompt: tuple[Message, ...],
    response: str | None = None,
) -> str:
    """The conversation as text; without `response`, the prompt followed by the assistant's generation header."""
    messages = [m.as_dict() for m in prompt]
    if response is not None:
        messages.append({"role": "assistant", "content": response})
    try:
        text = tokenizer.apply_chat_template(
            messages, chat_template=template.text, tokenize=False, add_generation_prompt=response is None
        )
    except Exception as e:  # jinja's TemplateError (raise_exception in a template): the user's data or template
        if type(e).__module__.startswith("jinja2"):
            raise ValueError(f"chat template {template.source}: {e}") from None
        raise
    if not isinstance(text, str):
        raise TypeError(f"apply_chat_template returned {type(text).__name__}, expected text")
    return text


def add_special_tokens_for(tokenizer: Any, rendered: str) -> bool:
    """Whether tokenizing `rendered` should add the tokenizer's special tokens.

    No when the template already wrote the leading special token (BOS, or CLS for encoders): adding it again gives
    a double BOS. Yes otherwise, so that encoders still get the [CLS] ... [SEP] frame they were trained with.
    """
    for attr in ("bos_token", "cls_token"):
        token = getattr(tokenizer, attr, None)
        if token and rendered.startswith(str(token)):
            return False
    return True
