"""Response log-probabilities of a causal LM, gathered for the target tokens only.

The backbone's hidden states are projected through the LM head a chunk of response positions at a time, so the
full-vocabulary log-softmax of a whole batch never exists in memory.

Answers that share a prompt can share one row: `prompt, answer 1, answer 2, ...` with a block mask in which every
answer sees the prompt and itself but not the other answers, and position ids that restart after the prompt. The
prompt's forward pass is then computed once per row instead of once per answer.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["EncodedResponse", "ResponseStats", "check_head", "group_rows", "response_stats", "row_sharing_blocker"]

CHUNK_POSITIONS = 256
"""Response positions projected to the vocabulary at once: 256 x 49k fp32 logits is about 50 MB."""
ROW_TOKENS = 4096
"""The most tokens one row of a shared prompt and its answers holds (see `group_rows`)."""


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

    def signature(self) -> str:
        """Where the response starts and the token ids, as text (the score store's key)."""
        return f"{self.start};" + ",".join(map(str, self.ids))

    @property
    def prompt(self) -> tuple[int, ...]:
        """The tokens before the response (answers with equal prompts can share one forward pass)."""
        return self.ids[: self.start]


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


def group_rows(batch: Sequence[EncodedResponse], share_prompts: bool) -> list[list[int]]:
    """Indices of `batch` grouped into rows: answers with the same prompt together when sharing, else one each.

    A row holds at most `ROW_TOKENS` tokens (or one answer): answers whose prompt was cut away entirely by
    truncation all share the same few prompt tokens, and one row of them all would make attention quadratic in the
    whole benchmark. Rows are filled in order, so grouping a batch made of such rows gives the same rows again.
    """
    if not share_prompts:
        return [[i] for i in range(len(batch))]
    groups: dict[tuple[int, ...], list[list[int]]] = {}
    for i, e in enumerate(batch):
        rows = groups.setdefault(e.prompt, [[]])
        if rows[-1] and row_length([batch[j] for j in rows[-1]]) + e.length - e.start > ROW_TOKENS:
            rows.append([])
        rows[-1].append(i)
    return [row for rows in groups.values() for row in rows]


def row_length(members: Sequence[EncodedResponse]) -> int:
    """Tokens in a row holding one prompt and every member's answer."""
    return members[0].start + sum(e.length - e.start for e in members)


def _layout(batch: Sequence[EncodedResponse], rows: list[list[int]]) -> dict[str, Any]:
    """Token ids, positions, segment ids (-1 pad, 0 prompt, k answer k) and, per answer, where its predictions are."""
    import torch

    width = max(row_length([batch[i] for i in row]) for row in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    positions = torch.zeros((len(rows), width), dtype=torch.long)
    segments = torch.full((len(rows), width), -1, dtype=torch.long)
    # For answer tokens ids[s:e] the predicting states are the prompt's last token, then the answer's own tokens.
    pick_rows: list[Any] = [None] * len(batch)
    pick_cols: list[Any] = [None] * len(batch)
    for r, row in enumerate(rows):
        p = batch[row[0]].start
        ids[r, :p] = torch.tensor(batch[row[0]].prompt, dtype=torch.long)
        positions[r, :p] = torch.arange(p)
        segments[r, :p] = 0
        at = p
        for k, i in enumerate(row, start=1):
            answer = batch[i].ids[p:]
            n = len(answer)
            ids[r, at : at + n] = torch.tensor(answer, dtype=torch.long)
            positions[r, at : at + n] = torch.arange(p, p + n)
            segments[r, at : at + n] = k
            pick_rows[i] = torch.full((n,), r, dtype=torch.long)
            pick_cols[i] = torch.cat([torch.tensor([p - 1]), torch.arange(at, at + n - 1)])
            at += n
    targets = torch.tensor([t for e in batch for t in e.ids[e.start :]], dtype=torch.long)
    return {"ids": ids, "positions": positions, "segments": segments, "targets": targets,
            "pick_rows": torch.cat(pick_rows), "pick_cols": torch.cat(pick_cols)}


def block_mask(segments: Any, dtype: Any, boolean: bool) -> Any:
    """(rows, 1, L, L) mask: causal, and an answer sees only the prompt and itself. Pads see themselves only, so
    they never produce NaN states that a zero attention weight would still multiply into real positions."""
    import torch

    width = segments.shape[1]
    causal = torch.ones((width, width), dtype=torch.bool).tril()
    query, key = segments[:, :, None], segments[:, None, :]
    allowed = causal & (query >= 0) & ((key == query) | (key == 0))
    allowed |= torch.eye(width, dtype=torch.bool) & (query < 0)
    if boolean:
        return allowed[:, None]
    mask = torch.zeros(allowed.shape, dtype=dtype)
    return mask.masked_fill_(~allowed, torch.finfo(dtype).min)[:, None]


def head_logits(model: Any, states: Any) -> Any:
    """LM-head logits in fp32, with the post-processing some model families apply to them (read from config)."""
    import torch

    logits = model.get_output_embeddings()(states).float()
    cfg = model.config
    if getattr(cfg, "logit_scale", None):  # Cohere multiplies
        logits = logits * cfg.logit_scale
    if getattr(cfg, "logits_scaling", None):  # Granite divides
        logits = logits / cfg.logits_scaling
    softcap = getattr(cfg, "final_logit_softcapping", None)
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    return logits


def _backbone(model: Any) -> Any:
    backbone = model.base_model
    if model.get_output_embeddings() is None or backbone is model:
        raise ValueError(f"{type(model).__name__} exposes no backbone and LM head; it is not a causal LM")
    return backbone


def check_head(model: Any) -> None:
    """Fail loudly when the model's own logits differ from backbone + `head_logits` (an unknown post-processing)."""
    import torch

    probe = torch.arange(3, 11, dtype=torch.long)[None].to(model.device) % model.config.vocab_size
    with torch.inference_mode():
        own = model(input_ids=probe).logits.float()
        ours = head_logits(model, _backbone(model)(input_ids=probe).last_hidden_state)
    if not torch.allclose(own, ours, rtol=1e-3, atol=1e-3):
        raise ValueError(f"{type(model).__name__} transforms its logits in a way rmeval does not know; "
                         "its implicit rewards would be wrong")


def row_sharing_blocker(model: Any) -> str | None:
    """Why answers cannot share a prompt's row in this model (None when they can): rows need position ids and
    an attention implementation that takes a custom 4-D mask."""
    if "position_ids" not in inspect.signature(_backbone(model).forward).parameters:
        return f"{type(model).__name__} takes no position ids"
    attention = getattr(model.config, "_attn_implementation", "eager")
    if attention not in ("eager", "sdpa"):
        return f"{attention} attention takes no custom block mask"
    return None


def response_stats(
    model: Any, batch: Sequence[EncodedResponse], share_prompts: bool = False
) -> list[ResponseStats]:
    """Per-answer statistics of log p(response token | everything before it), one forward pass for the batch."""
    import torch

    backbone = _backbone(model)
    device = model.device
    rows = group_rows(batch, share_prompts)
    lay = _layout(batch, rows)
    kwargs: dict[str, Any] = {"input_ids": lay["ids"].to(device)}
    if any(len(row) > 1 for row in rows):
        blocker = row_sharing_blocker(model)
        if blocker:
            raise ValueError(f"answers cannot share a prompt's row: {blocker}; pass --no-share-prompts")
        attention = getattr(model.config, "_attn_implementation", "eager")
        kwargs["attention_mask"] = block_mask(lay["segments"], model.dtype, attention == "sdpa").to(device)
    else:
        kwargs["attention_mask"] = (lay["segments"] >= 0).long().to(device)
    params = inspect.signature(backbone.forward).parameters
    if "position_ids" in params:
        kwargs["position_ids"] = lay["positions"].to(device)
    if "use_cache" in params:
        kwargs["use_cache"] = False
    targets = lay["targets"].to(device)
    with torch.inference_mode():
        hidden = backbone(**kwargs).last_hidden_state
        states = hidden[lay["pick_rows"].to(device), lay["pick_cols"].to(device)]
        logps = torch.empty(len(targets), dtype=torch.float32, device=device)
        for lo in range(0, len(targets), CHUNK_POSITIONS):
            logits = head_logits(model, states[lo : lo + CHUNK_POSITIONS])
            picked = logits.gather(-1, targets[lo : lo + CHUNK_POSITIONS, None]).squeeze(-1)
            logps[lo : lo + CHUNK_POSITIONS] = picked - logits.logsumexp(-1)
    values = logps.double().cpu()
    out = []
    offset = 0
    for e in batch:
        seg = values[offset : offset + e.length - e.start]
        offset += len(seg)
        out.append(ResponseStats(float(seg.sum()), len(seg), float((seg * seg).sum())))
    return out
