"""Chat rendering: template choice, golden strings of the built-in templates, the special-token rule."""

from __future__ import annotations

import pytest

from conftest import build_tokenizer
from rmeval.data.chat import add_special_tokens_for, render, resolve_template
from rmeval.types import Message

CONVERSATION = (Message("system", "Be brief."), Message("user", "Hi"), Message("assistant", "Hello!"),
                Message("user", "2+2?"))


def test_builtin_chatml_golden_string() -> None:
    tok = build_tokenizer(chat_template=None)
    template = resolve_template(tok, "chatml")
    assert template.source == "builtin:chatml"
    assert render(tok, template, CONVERSATION, "4") == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
        "<|im_start|>assistant\n4<|im_end|>\n"
    )
    assert render(tok, template, CONVERSATION).endswith("2+2?<|im_end|>\n<|im_start|>assistant\n")


def test_builtin_raw_golden_string() -> None:
    tok = build_tokenizer(chat_template=None)
    template = resolve_template(tok, "raw")
    assert render(tok, template, (Message("user", "Q?"),), "A.") == "Q?\n\nA."
    assert render(tok, template, (Message("user", "Q?"),)) == "Q?\n\n"


def test_tokenizer_template_is_used_and_none_is_never_guessed() -> None:
    own = resolve_template(build_tokenizer(), None, "tiny")
    assert own.source == "tokenizer"
    with pytest.raises(ValueError, match="the tokenizer of tiny has no chat template"):
        resolve_template(build_tokenizer(chat_template=None), None, "tiny")


def test_explicit_template_wins_over_the_tokenizers() -> None:
    assert resolve_template(build_tokenizer(), "raw").source == "builtin:raw"


def test_special_tokens_added_only_when_the_template_wrote_no_bos() -> None:
    tok = build_tokenizer()
    assert add_special_tokens_for(tok, "<s><|im_start|>user\nHi") is False
    assert add_special_tokens_for(tok, "<|im_start|>user\nHi") is True
