"""Where the response starts: tokenizing a conversation so that the answer's tokens are known exactly.

The prompt is the chat-templated conversation with the generation prompt (the assistant header belongs to the
prompt); the response is every token after it, including what the template writes after the answer (end-of-turn).
The whole conversation is tokenized at once, so a token that merges the end of the prompt with the start of the
answer exists as the model sees it; such a token counts as the response's, because it carries answer text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.data.chat import render
from rmeval.inference.encoding import ENCODE_CHUNK, TextEncoder, truncate_left
from rmeval.inference.logprobs import EncodedResponse
from rmeval.types import Candidate, Message

__all__ = ["encode_responses", "response_start"]


def response_start(
    boundary: int, offsets: Sequence[tuple[int, int]] | None, ids: Sequence[int], prompt_ids: Sequence[int]
) -> int:
    """Index of the first response token.

    With character offsets (fast tokenizers): the first token that ends after the prompt's last character.
    Without them: the first position where the conversation's tokens differ from the prompt's own tokens.

    >>> response_start(4, [(0, 2), (2, 4), (4, 6)], [7, 8, 9], [])
    2
    >>> response_start(4, [(0, 2), (2, 5), (5, 6)], [7, 8, 9], [])
    1
    >>> response_start(4, None, [7, 8, 9], [7, 5])
    1
    """
    if offsets is not None:
        # Special tokens added at the start have empty (0, 0) offsets and stay in the prompt.
        return next((i for i, (_, end) in enumerate(offsets) if end > boundary), len(ids))
    same = 0
    for a, b in zip(ids, prompt_ids, strict=False):
        if a != b:
            break
        same += 1
    return same


def _prompt_texts(encoder: TextEncoder, candidates: Sequence[Candidate], fulls: Sequence[str]) -> list[str]:
    """Each candidate's prompt rendered with the generation prompt (once per distinct prompt), checked to be the
    start of its full conversation."""
    rendered: dict[tuple[Message, ...], str] = {}
    out = []
    for candidate, full in zip(candidates, fulls, strict=True):
        text = rendered.get(candidate.prompt)
        if text is None:
            text = rendered[candidate.prompt] = render(encoder.tokenizer, encoder.template, candidate.prompt, None)
        if not full.startswith(text):
            raise ValueError(
                f"chat template {encoder.template.source}: the conversation with an answer does not start with the "
                "prompt rendered with its generation prompt, so the answer's tokens cannot be located; use a "
                f"template that renders the prompt the same way (prompt ends {text[-60:]!r}, conversation has "
                f"{full[: len(text)][-60:]!r})"
            )
        out.append(text)
    return out


def encode_responses(encoder: TextEncoder, candidates: Sequence[Candidate]) -> list[EncodedResponse]:
    """Render, tokenize and locate the response of each candidate; a too-long text loses the start of its prompt."""
    out: list[EncodedResponse] = []
    for lo in range(0, len(candidates), ENCODE_CHUNK):  # bounded tokenizer memory, as in TextEncoder.encode
        out += _encode_chunk(encoder, candidates[lo : lo + ENCODE_CHUNK])
    return out


def _encode_chunk(encoder: TextEncoder, candidates: Sequence[Candidate]) -> list[EncodedResponse]:
    tok: Any = encoder.tokenizer
    fulls = [encoder.render(c) for c in candidates]
    prompts = _prompt_texts(encoder, candidates, fulls)
    fast = bool(getattr(tok, "is_fast", False))
    # verbose=False: texts longer than the model's limit are expected here; they are truncated below.
    enc = tok(fulls, add_special_tokens=encoder.add_special_tokens, return_offsets_mapping=fast, verbose=False)
    prompt_ids = None if fast else tok(prompts, add_special_tokens=encoder.add_special_tokens)["input_ids"]
    out = []
    for n, ids in enumerate(enc["input_ids"]):
        ids = list(ids)
        offsets = [tuple(o) for o in enc["offset_mapping"][n]] if fast else None
        start = response_start(len(prompts[n]), offsets, ids, prompt_ids[n] if prompt_ids else [])
        if start >= len(ids):
            raise ValueError(f"the answer {candidates[n].response[:60]!r} renders to no tokens after its prompt")
        head = encoder.head_tokens(ids)
        cut = truncate_left(ids, encoder.max_length, head)
        removed = len(ids) - len(cut)
        # When even the response does not fit, its first tokens go too; the first kept token needs a predecessor.
        out.append(EncodedResponse(tuple(cut), max(start - removed, head, 1), removed > 0))
    return out
