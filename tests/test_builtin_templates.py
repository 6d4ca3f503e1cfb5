"""Golden strings of the built-in conversation templates that reproduce RewardBench's FastChat formats: the texts
below are what FastChat's `get_prompt` writes for these templates (rewardbench/conversation.py), by hand."""

from __future__ import annotations

import pytest

from conftest import build_tokenizer
from rmeval.data.chat import render, resolve_template
from rmeval.types import Message

ONE = (Message("user", "Hi"),)
TWO = (Message("user", "Hi"), Message("assistant", "Hello!"), Message("user", "2+2?"))

# name: (single turn with answer "4", the same prompt with the generation prompt, two turns with answer "4")
GOLDEN = {
    "tulu": ("<|user|>\nHi\n<|assistant|>\n4\n", "<|user|>\nHi\n<|assistant|>\n",
             "<|user|>\nHi\n<|assistant|>\nHello!\n<|user|>\n2+2?\n<|assistant|>\n4\n"),
    "pku-align": ("BEGINNING OF CONVERSATION: USER: Hi ASSISTANT: 4 ",
                  "BEGINNING OF CONVERSATION: USER: Hi ASSISTANT: ",
                  "BEGINNING OF CONVERSATION: USER: Hi ASSISTANT: Hello! USER: 2+2? ASSISTANT: 4 "),
    "openbmb": ("User: Hi\n\nAssistant: 4\n\n", "User: Hi\n\nAssistant: ",
                "User: Hi\n\nAssistant: Hello!\n\nUser: 2+2?\n\nAssistant: 4\n\n"),
    "oasst-pythia": ("<|prompter|>Hi<|endoftext|><|assistant|>4<|endoftext|>",
                     "<|prompter|>Hi<|endoftext|><|assistant|>",
                     "<|prompter|>Hi<|endoftext|><|assistant|>Hello!<|endoftext|><|prompter|>2+2?<|endoftext|>"
                     "<|assistant|>4<|endoftext|>"),
    "mistral": ("[INST] Hi [/INST] 4</s>", "[INST] Hi [/INST]",
                "[INST] Hi [/INST] Hello!</s>[INST] 2+2? [/INST] 4</s>"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_builtin_template_golden_strings(name: str) -> None:
    tok = build_tokenizer(chat_template=None)
    template = resolve_template(tok, name)
    assert template.source == f"builtin:{name}"
    single, prompt, multi = GOLDEN[name]
    assert render(tok, template, ONE, "4") == single
    assert render(tok, template, ONE) == prompt
    assert render(tok, template, TWO, "4") == multi
    assert single.startswith(prompt)  # the answer's tokens can be located after the prompt (implicit rewards)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_a_system_turn_these_formats_cannot_write_is_an_error(name: str) -> None:
    tok = build_tokenizer(chat_template=None)
    with pytest.raises(ValueError, match=r"chat template builtin:.*has no system turn"):
        render(tok, resolve_template(tok, name), (Message("system", "Be brief."), *ONE), "4")
