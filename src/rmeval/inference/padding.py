"""Token ids of a batch laid out as one padded tensor, and where each sequence's last real token is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PaddedBatch", "pad_batch", "pad_id_of"]


def pad_id_of(tokenizer: Any) -> int:
    """The id padding uses: the tokenizer's pad token, else EOS, else 0 (padding is masked, so any id works)."""
    for attr in ("pad_token_id", "eos_token_id"):
        value = getattr(tokenizer, attr, None)
        if value is not None:
            return int(value)
    return 0


@dataclass(frozen=True)
class PaddedBatch:
    """`inputs` for the model's forward pass; `last` the position of each row's last real token."""

    inputs: dict[str, Any]
    mask: Any
    last: Any


def pad_batch(seqs: Sequence[Sequence[int]], pad_id: int, side: str, device: Any,
              positions: bool) -> PaddedBatch:
    """Pad `seqs` on `side` into `input_ids` and `attention_mask` on `device` (with `position_ids` that count
    real tokens only, so that left padding does not shift them, when `positions`)."""
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), int(pad_id), dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for row, seq in enumerate(seqs):
        span = slice(width - len(seq), width) if side == "left" else slice(0, len(seq))
        ids[row, span] = torch.tensor(list(seq), dtype=torch.long)
        mask[row, span] = 1
    inputs: dict[str, Any] = {"input_ids": ids.to(device), "attention_mask": mask.to(device)}
    if positions:
        inputs["position_ids"] = (mask.cumsum(-1) - 1).clamp(min=0).to(device)
    last = (mask * torch.arange(width)).argmax(-1).to(device)
    return PaddedBatch(inputs, mask, last)
