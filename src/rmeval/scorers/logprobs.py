"""Response log-probabilities of a causal LM, gathered for the target tokens only.

The backbone's hidden states are projected through the LM head a chunk of response positions at a time, so the
full-vocabulary log-softmax of a whole batch never exists in memory.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["EncodedResponse", "ResponseStats", "response_stats"]

CHUNK_POSITIONS = 512
"""Response positions projected to the vocabulary at once: 512 x 49k fp32 logits is about 100 MB."""


@dataclass(frozen=True)
class EncodedResponse:
    """Token ids of prompt + response; tokens from `start` on are the response's."""

    ids: tuple[int, ...]
    start: int
    truncated: bool

    @property
    def length(self) -> int:
        """Number of real tokens."""
        return len(self.ids)


@dataclass(frozen=True)
class ResponseStats:
    """Sufficient statistics of a response's per-token log-probabilities (sum, count, sum of squares)."""

    logp_sum: float
    tokens: int
    logp_sumsq: float

    def reward(self, mode: str) -> float:
        """Reference-free reward: `sum`, `avg` (sum / tokens) or `norm` (minus the L2 norm of the log-probs)."""
        if mode == "sum":
            return self.logp_sum
        if mode == "avg":
            return self.logp_sum / self.tokens
        if mode == "norm":
            return -math.sqrt(self.logp_sumsq)
        raise ValueError(f"unknown reference-free mode {mode!r}")


def _backbone_and_head(model: Any) -> tuple[Any, Any]:
    head = model.get_output_embeddings()
    backbone = getattr(model, model.base_model_prefix, None)
    if head is None or backbone is None:
        raise ValueError(f"{type(model).__name__} exposes no backbone and LM head; it is not a causal LM")
    return backbone, head


def response_stats(model: Any, batch: Sequence[EncodedResponse], pad_id: int) -> list[ResponseStats]:
    """Per-sequence statistics of log p(response token | everything before it), one forward pass."""
    import torch

    backbone, head = _backbone_and_head(model)
    device = head.weight.device
    width = max(e.length for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, e in enumerate(batch):
        ids[row, : e.length] = torch.tensor(e.ids, dtype=torch.long)
        mask[row, : e.length] = 1
    kwargs: dict[str, Any] = {"input_ids": ids.to(device), "attention_mask": mask.to(device)}
    if "use_cache" in inspect.signature(backbone.forward).parameters:
        kwargs["use_cache"] = False
    softcap = getattr(model.config, "final_logit_softcapping", None)
    with torch.inference_mode():
        hidden = backbone(**kwargs).last_hidden_state
        # Position p predicts token p + 1: gather the hidden states before each response token.
        rows = torch.cat([torch.full((e.length - e.start,), r, dtype=torch.long) for r, e in enumerate(batch)])
        cols = torch.cat([torch.arange(e.start - 1, e.length - 1, dtype=torch.long) for e in batch])
        targets = torch.cat([torch.tensor(e.ids[e.start:], dtype=torch.long) for e in batch]).to(device)
        states = hidden[rows.to(device), cols.to(device)]
        logps = torch.empty(len(targets), dtype=torch.float32, device=device)
        for lo in range(0, len(targets), CHUNK_POSITIONS):
            logits = head(states[lo : lo + CHUNK_POSITIONS]).float()
            if softcap:
                logits = torch.tanh(logits / softcap) * softcap
            logps[lo : lo + CHUNK_POSITIONS] = (
                logits.log_softmax(-1).gather(-1, targets[lo : lo + CHUNK_POSITIONS, None]).squeeze(-1)
            )
    out = []
    offset = 0
    values = logps.double().cpu()
    for e in batch:
        n = e.length - e.start
        seg = values[offset : offset + n]
        offset += n
        out.append(ResponseStats(float(seg.sum()), n, float((seg * seg).sum())))
    return out
