"""`--scorer implicit`: a causal-LM policy scored by its implicit (DPO) reward.

The factory loads the policy, then either a reference model (behind the on-disk reference cache, loaded only when
the cache misses) or nothing in a reference-free mode. Preset names (presets.json) are accepted for both models.
"""

from __future__ import annotations

import time
from typing import Any

from rmeval.config import RunConfig
from rmeval.data.chat import resolve_template
from rmeval.models.gguf import cache_root
from rmeval.presets import resolve_model_path
from rmeval.scorers.base import PointwiseScorer
from rmeval.scorers.batching import batching_for
from rmeval.scorers.implicit_model import (
    ImplicitModel,
    Reference,
    SharedPromptScorer,
    reference_mode,
    sharing_blocker,
)
from rmeval.scorers.logprobs import EncodedResponse, check_head
from rmeval.scorers.refcache import ReferenceCache, model_identity
from rmeval.scorers.registry import register_scorer
from rmeval.scorers.runtime import pick_device, pick_dtype
from rmeval.scorers.text import TextEncoder, model_max_length

__all__ = ["load_causal_lm", "load_implicit"]


def load_causal_lm(path: str, revision: str | None, config: RunConfig, dtype: Any, device: str) -> Any:
    """An `AutoModelForCausalLM` in eval mode, checked to produce the logits rmeval recomputes."""
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {"revision": revision, "trust_remote_code": config.trust_remote_code, "dtype": dtype}
    if config.attn_implementation:
        kwargs["attn_implementation"] = config.attn_implementation
    model: Any = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    model.to(device).eval()
    check_head(model)
    return model


def _reference(config: RunConfig, tokenizer: Any, encoder: TextEncoder, dtype: Any, device: str,
               share_prompts: bool) -> Reference:
    from transformers import AutoConfig, AutoTokenizer

    name = str(config.ref_model)
    path = resolve_model_path(name)
    kwargs: dict[str, Any] = {"revision": config.ref_revision, "trust_remote_code": config.trust_remote_code}
    if AutoTokenizer.from_pretrained(path, **kwargs).get_vocab() != tokenizer.get_vocab():
        raise ValueError(f"the reference model {name} has another vocabulary than the policy {config.model}; "
                         "implicit rewards compare the log-probabilities of the same tokens")
    commit = getattr(AutoConfig.from_pretrained(path, **kwargs), "_commit_hash", None)
    identity = model_identity(path, config.ref_revision, commit)
    info = {"model": name, "weights": path, "revision": config.ref_revision, "identity": identity}
    cache = None
    if config.use_ref_cache:
        context = {"reference": identity, "template": encoder.template.sha256, "dtype": str(dtype),
                   "device": device.split(":")[0], "attn_implementation": config.attn_implementation or "default",
                   "max_length": encoder.max_length, "add_special_tokens": encoder.add_special_tokens}
        cache = ReferenceCache((config.ref_cache or cache_root() / "refcache") / "reference.sqlite", context)
    return Reference(name, info, lambda: load_causal_lm(path, config.ref_revision, config, dtype, device), cache,
                     share_prompts)


@register_scorer("implicit")
def load_implicit(config: RunConfig) -> tuple[PointwiseScorer[EncodedResponse], float]:
    """Load the policy (and reference); returns the scorer and the load time in seconds."""
    from transformers import AutoTokenizer

    ref_free = reference_mode(config)
    start = time.perf_counter()
    device = pick_device(config.device)
    dtype = pick_dtype(config.dtype, device)
    path = resolve_model_path(config.model)
    tokenizer_path = resolve_model_path(config.tokenizer) if config.tokenizer else path
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_path, revision=config.revision,
                                              trust_remote_code=config.trust_remote_code)
    policy = load_causal_lm(path, config.revision, config, dtype, device)
    template = resolve_template(tokenizer, config.chat_template, config.model)
    encoder = TextEncoder.create(tokenizer, template, config.max_length or model_max_length(policy.config, tokenizer))
    info = {"model": config.model, "weights": path, "revision": config.revision,
            "tokenizer": config.tokenizer or config.model, "trust_remote_code": config.trust_remote_code}
    share = sharing_blocker(config, policy) is None
    reference = None if ref_free else _reference(config, tokenizer, encoder, dtype, device, share)
    model = ImplicitModel(config, policy, encoder, reference, info)
    batching = batching_for(config.max_tokens_per_batch, config.batch_size, device)
    scorer = SharedPromptScorer(model, batching) if share else PointwiseScorer(model, batching)
    return scorer, time.perf_counter() - start
