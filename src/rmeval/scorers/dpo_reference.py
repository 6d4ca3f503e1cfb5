"""The reference implementation's DPO tokenization (`--scorer implicit --inputs reference`), id for id.

allenai/reward-bench@05a9005e, rewardbench/dpo.py (`DPOInference.tokenize_row`, L48-153, and
`build_tokenized_answer`, L155-199) with scripts/run_dpo.py (L150-154):

- the prompt is the conversation rendered *without* the generation prompt (rewardbench/utils.py L838-843 and
  L937-940), and the answer is the full conversation with every occurrence of that text removed, so the assistant
  header and what the template writes after the answer are answer tokens;
- prompt and prompt + answer are tokenized without special tokens; the answer's ids are those of the whole text
  after the prompt's, one token earlier where the last prompt token merged with the answer;
- BOS is prepended to the prompt (EOS where the tokenizer has no BOS: Qwen) and EOS appended to the answer, whatever
  the template wrote;
- a pair longer than 2,048 tokens (the prompt and the pair's *longer* answer) keeps the prompt's last 128 tokens,
  then each answer's first 2,048 - 128.

The pair coupling is reproduced by taking, for each prompt, the longest answer among the candidates of that prompt
in the run: the pair's own longer answer whenever a prompt belongs to one example (README says when it does not).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.inference.encoding import TextEncoder
from rmeval.inference.logprobs import EncodedResponse
from rmeval.types import Candidate, Message

__all__ = ["MAX_LENGTH", "MAX_PROMPT_LENGTH", "encode_reference_dpo", "split_reference"]

MAX_LENGTH = 2048
MAX_PROMPT_LENGTH = 128
"""DPOInference's `max_length` and `max_prompt_length` (dpo.py L44-45), with `truncation_mode = "keep_end"`."""


def _prompt_text(encoder: TextEncoder, prompt: tuple[Message, ...]) -> str:
    text = encoder.tokenizer.apply_chat_template([m.as_dict() for m in prompt], chat_template=encoder.template.text,
                                                 tokenize=False, add_generation_prompt=False)
    return str(text)


def split_reference(encoder: TextEncoder, candidate: Candidate, prompt: str) -> tuple[list[int], list[int]]:
    """The prompt's ids (BOS first) and the answer's ids (EOS last) of one candidate, before truncation."""
    tok: Any = encoder.tokenizer
    answer = encoder.render(candidate).replace(prompt, "")
    prompt_ids = list(tok(prompt, add_special_tokens=False)["input_ids"])
    full = list(tok(prompt + answer, add_special_tokens=False)["input_ids"])
    start = len(prompt_ids) - (prompt_ids != full[: len(prompt_ids)])
    bos = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
    return [int(bos), *full[:start]], [*full[start:], int(tok.eos_token_id)]


def encode_reference_dpo(encoder: TextEncoder, candidates: Sequence[Candidate]) -> list[EncodedResponse]:
    """Every candidate's ids as the reference's DPO script builds them, truncated by the longest answer to its
    prompt."""
    prompts: dict[tuple[Message, ...], str] = {}
    parts = []
    for c in candidates:
        text = prompts.get(c.prompt)
        if text is None:
            text = prompts[c.prompt] = _prompt_text(encoder, c.prompt)
        parts.append(split_reference(encoder, c, text))
    longest: dict[tuple[Message, ...], int] = {}
    for c, (_, answer) in zip(candidates, parts, strict=True):
        longest[c.prompt] = max(longest.get(c.prompt, 0), len(answer))
    out = []
    for c, (prompt_ids, answer) in zip(candidates, parts, strict=True):
        longer = longest[c.prompt]
        cut = False
        if len(prompt_ids) + longer > MAX_LENGTH:
            prompt_ids, cut = prompt_ids[-MAX_PROMPT_LENGTH:], True
        if len(prompt_ids) + longer > MAX_LENGTH:
            answer = answer[: MAX_LENGTH - MAX_PROMPT_LENGTH]
        out.append(EncodedResponse((*prompt_ids, *answer), len(prompt_ids), cut))
    return out
