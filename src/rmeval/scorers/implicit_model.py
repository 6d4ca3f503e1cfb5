"""Implicit (DPO) rewards as a pointwise model: the response's log-probability under the policy minus under a
reference model.

Without a reference, a reference-free mode scores the policy alone (`sum`, `avg`, `norm`; SCORING.md). Both models
see the same token ids (the policy's tokenizer and template) and go through the pointwise adapter's length-sorted,
token-budget batching; answers that share a prompt can share its forward pass (see `logprobs`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from rmeval.inference.encoding import PROBE, TextEncoder
from rmeval.inference.fast_pass import join_fast_pass
from rmeval.inference.logprobs import (
    EncodedResponse,
    ResponseStats,
    response_stats,
    row_sharing_blocker,
)
from rmeval.inference.refcache import ReferenceCache
from rmeval.inference.responses import encode_responses
from rmeval.types import Candidate

__all__ = ["ImplicitModel", "Reference", "sharing_blocker"]


def sharing_blocker(share_prompts: bool, policy: Any) -> str | None:
    """Why this run scores one row per answer instead of one row per prompt (None: it shares prompts)."""
    return row_sharing_blocker(policy) if share_prompts else "--no-share-prompts"


class Reference:
    """The reference model's log-probabilities: from the cache when present, else computed and stored.

    The model is loaded only when some entry is missing, so a run fully served by the cache never loads it.
    """

    def __init__(self, name: str, info: dict[str, Any], load: Callable[[], Any], cache: ReferenceCache | None,
                 share_prompts: bool) -> None:
        self.name = name
        self.info = info
        self._load = load
        self._model: Any = None
        self.cache = cache
        self.share_prompts = share_prompts
        self.load_seconds = 0.0
        self.computed = 0

    @property
    def model(self) -> Any:
        """The loaded reference model (loaded on first use)."""
        if self._model is None:
            start = time.perf_counter()
            self._model = self._load()
            self.load_seconds = time.perf_counter() - start
            join_fast_pass(self._model)  # loaded during a fast-exact run's bf16 pass: computed in bf16 as well
            # Sharing is only a layout: a reference that cannot take it scores the same answers one row each.
            self.share_prompts = self.share_prompts and row_sharing_blocker(self._model) is None
        return self._model

    def stats(self, batch: Sequence[EncodedResponse]) -> list[ResponseStats]:
        """Statistics of every item of `batch` under the reference."""
        keys = [self.cache.key(e) for e in batch] if self.cache else []
        found = self.cache.get_many(keys) if self.cache else {}
        missing = [i for i in range(len(batch)) if not self.cache or keys[i] not in found]
        computed: dict[int, ResponseStats] = {}
        if missing:
            values = response_stats(self.model, [batch[i] for i in missing], self.share_prompts)
            computed = dict(zip(missing, values, strict=True))
            self.computed += len(missing)
            if self.cache:
                self.cache.put_many((keys[i], v) for i, v in computed.items())
        return [computed[i] if i in computed else found[keys[i]] for i in range(len(batch))]

    def close(self) -> None:
        """Drop the model and close the cache."""
        self._model = None
        if self.cache is not None:
            self.cache.close()

    def describe(self) -> dict[str, Any]:
        """The reference's part of result.json."""
        return {**self.info, "loaded": self._model is not None, "load_seconds": round(self.load_seconds, 3),
                "forward_items": self.computed, "share_prompts": self.share_prompts,
                "cache": self.cache.describe() if self.cache else None}


class ImplicitModel:
    """A causal LM policy (and optionally its reference) as a pointwise model."""

    def __init__(self, policy: Any, encoder: TextEncoder, reference: Reference | None, ref_free: str | None,
                 share_prompts: bool, info: dict[str, Any]) -> None:
        if (reference is None) == (ref_free is None):
            raise ValueError("an implicit reward has either a reference model or a reference-free mode")
        self.policy = policy
        blocker = sharing_blocker(share_prompts, policy)
        self.share_prompts = blocker is None
        self.sharing_note = "one row per prompt and its answers" if blocker is None else f"off: {blocker}"
        self.encoder = encoder
        self.reference = reference
        self.ref_free = ref_free
        self.info = info
        self.truncated = 0

    def encode(self, candidates: Sequence[Candidate]) -> list[EncodedResponse]:
        """Render and tokenize each conversation and locate its response tokens."""
        out = encode_responses(self.encoder, candidates)
        self.truncated += sum(e.truncated for e in out)
        return out

    def rewards(self, batch: Sequence[EncodedResponse]) -> list[float]:
        """Policy minus reference log-probability sums, or the reference-free reward."""
        policy = response_stats(self.policy, batch, self.share_prompts)
        if self.reference is None:
            return [s.reward(str(self.ref_free)) for s in policy]
        ref = self.reference.stats(batch)
        return [p.logp_sum - r.logp_sum for p, r in zip(policy, ref, strict=True)]

    def describe(self) -> dict[str, Any]:
        """The implicit scorer's part of result.json: policy, reference or reference-free mode, text handling."""
        info: dict[str, Any] = {
            "kind": "implicit",
            **self.info,
            "dtype": str(self.policy.dtype).removeprefix("torch."),
            "device": str(self.policy.device),
            "attn_implementation": getattr(self.policy.config, "_attn_implementation", None),
            "reward": ("sum log p_policy(response) - sum log p_reference(response)" if self.reference
                       else f"reference-free {self.ref_free}"),
            "reference": self.reference.describe() if self.reference else None,
            "ref_free": self.ref_free,
            "response_tokens": "every token after the prompt rendered with the generation prompt; a token that "
                               "merges across the boundary counts as the response's",
            "share_prompts": self.sharing_note,
            "truncated": self.truncated,
        }
        info.update(self.encoder.describe(PROBE))  # a fixed probe: comparable across runs and subsets
        return info

    def fingerprint(self) -> dict[str, Any]:
        """What decides a reward besides the tokens: the policy, the reference or the reference-free mode, dtype,
        device kind, attention."""
        return {"kind": "implicit", "policy": self.info["identity"],
                "reference": self.reference.info["identity"] if self.reference else None, "ref_free": self.ref_free,
                "dtype": str(self.policy.dtype), "device": self.policy.device.type,
                "attn_implementation": getattr(self.policy.config, "_attn_implementation", None),
                "template": self.encoder.template.sha256, "max_length": self.encoder.max_length,
                "quantization": self.info.get("quantization")}

    def close(self) -> None:
        """Drop the models and close the reference cache."""
        if self.reference is not None:
            self.reference.close()
        self.policy = None
