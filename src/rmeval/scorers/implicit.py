"""`--scorer implicit`: a causal-LM policy scored by its implicit (DPO) reward.

The factory loads the policy, then either a reference model (behind the on-disk reference cache, loaded only when
the cache misses) or nothing in a reference-free mode. Preset names (presets.json) are accepted for both models.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Literal

from rmeval.common.extras import require
from rmeval.common.options import option
from rmeval.common.paths import cache_root
from rmeval.common.runtime import pick_dtype
from rmeval.common.store import StoreUnusable
from rmeval.inference.assemble import place, pointwise_scorer
from rmeval.inference.encoding import TextEncoder
from rmeval.inference.guards import RewardGuard
from rmeval.inference.logprobs import EncodedResponse, check_head
from rmeval.inference.options import BatchingOptions, PrecisionOptions
from rmeval.inference.pointwise import PointwiseScorer, SharedPromptScorer
from rmeval.inference.refcache import ReferenceCache
from rmeval.models.identity import model_identity
from rmeval.models.loading import LoadReport, check_new_weights, load_checkpoint, load_pretrained
from rmeval.models.options import ModelOptions
from rmeval.presets import resolve_model_path
from rmeval.scorers.implicit_model import ImplicitModel, Reference, sharing_blocker
from rmeval.scorers.registry import register_scorer

__all__ = ["DEFAULT_REF_FREE", "ImplicitOptions", "load_causal_lm", "load_implicit", "reference_mode"]

log = logging.getLogger(__name__)
DEFAULT_REF_FREE = "avg"
"""The reference-free mode without --ref-free (the reference implementation's default for ref-free runs)."""


@dataclass(frozen=True)
class ImplicitOptions(PrecisionOptions, BatchingOptions):
    """Options of `--scorer implicit`."""

    cli_group: ClassVar[str] = "implicit reward (--scorer implicit)"

    ref_model: str | None = option(None, "reference model (folder, hub id or preset): the reward is the answer's "
                                         "log-probability under the policy minus under this model",
                                   together="reference", names="model")
    ref_revision: str | None = option(None, "hub revision of the reference model")
    ref_free: Literal["sum", "avg", "norm"] | None = option(
        None, "no reference: sum of log-probabilities, avg (the default without --ref-model) or norm (minus their "
              "L2 norm)", together="reference")
    ref_cache: Path | None = option(None, "reference log-probability cache (default $RMEVAL_CACHE/refcache)")
    use_ref_cache: bool = option(True, "neither read nor write the reference cache", flag="--no-ref-cache")
    share_prompts: bool = option(True, "one row per answer instead of running a prompt once for all its answers",
                                 flag="--no-share-prompts")

    def check(self) -> None:
        """A reward is relative to a reference model or reference-free, never both."""
        reference_mode(self)

    def check_preset(self, where: str) -> None:
        """A preset of an implicit reward names its reference, or its reference-free mode: never neither."""
        if (self.ref_model is None) == (self.ref_free is None):
            raise ValueError(f"{where}: an implicit preset names exactly one of ref_model and ref_free")


def reference_mode(options: ImplicitOptions) -> str | None:
    """The reference-free mode of a run, or None when it has a reference model; never both, never a guess."""
    if options.ref_model and options.ref_free:
        raise ValueError("--ref-model and --ref-free exclude each other: a reward is either relative to a "
                         "reference model or reference-free")
    if options.ref_model:
        return None
    return options.ref_free or DEFAULT_REF_FREE


def load_causal_lm(path: str, revision: str | None, options: ModelOptions, device: str) -> tuple[Any, LoadReport]:
    """An `AutoModelForCausalLM` in eval mode with its load report, checked to have a trained LM head and to
    produce the logits rmeval recomputes."""
    from transformers import AutoModelForCausalLM

    model, report = load_pretrained(AutoModelForCausalLM, path, replace(options, revision=revision), device)
    check_new_weights(report, path, options.allow_new_head, "language-model head")
    check_head(model)
    return model, report


def _reference(policy_name: str, options: ImplicitOptions, tokenizer: Any, encoder: TextEncoder, dtype: Any,
               device: str, share_prompts: bool) -> Reference:
    from transformers import AutoConfig, AutoTokenizer

    name = str(options.ref_model)
    path = resolve_model_path(name)
    kwargs: dict[str, Any] = {"revision": options.ref_revision, "trust_remote_code": options.trust_remote_code}
    if AutoTokenizer.from_pretrained(path, **kwargs).get_vocab() != tokenizer.get_vocab():
        raise ValueError(f"the reference model {name} has another vocabulary than the policy {policy_name}; "
                         "implicit rewards compare the log-probabilities of the same tokens")
    commit = getattr(AutoConfig.from_pretrained(path, **kwargs), "_commit_hash", None)
    identity = model_identity(path, options.ref_revision, commit)
    info = {"model": name, "weights": path, "revision": options.ref_revision, "identity": identity}
    cache = None
    if options.use_ref_cache:
        context = {"reference": identity, "template": encoder.template.sha256, "dtype": str(dtype),
                   "device": device.split(":")[0], "attn_implementation": options.attn_implementation or "default",
                   "max_length": encoder.max_length, "add_special_tokens": encoder.add_special_tokens,
                   "quantization": options.quantization or "none"}
        try:
            cache = ReferenceCache((options.ref_cache or cache_root() / "refcache") / "reference.sqlite", context)
        except StoreUnusable as e:
            log.warning("%s; the reference is scored without its store", e)
    return Reference(name, info, lambda: load_causal_lm(path, options.ref_revision, options, device)[0], cache,
                     share_prompts)


@register_scorer("implicit", ImplicitOptions, "the implicit reward of a DPO-trained causal LM (against its reference, "
                                              "or reference-free)")
def load_implicit(models: Sequence[str], options: ImplicitOptions, seed: int) -> PointwiseScorer[EncodedResponse]:
    """Load the policy (and the reference, lazily) into a pointwise scorer."""
    require("torch", "transformers", extra="hf", purpose="--scorer implicit")
    from transformers import AutoModelForCausalLM

    (name,) = models
    ref_free = reference_mode(options)
    where = place(options)
    options, device = where.options, where.device
    loaded = load_checkpoint(AutoModelForCausalLM, name, options, device, "language-model head")
    tokenizer, policy, path = loaded.tokenizer, loaded.model, loaded.path
    check_head(policy)
    encoder = TextEncoder.for_model(tokenizer, policy.config, options, name)
    info = {"model": name, "weights": path, "revision": options.revision, "tokenizer": options.tokenizer or name,
            "trust_remote_code": options.trust_remote_code, "load": loaded.report.describe(),
            "quantization": options.quantization,
            "identity": model_identity(path, options.revision, getattr(policy.config, "_commit_hash", None))}
    share = sharing_blocker(options.share_prompts, policy) is None
    dtype = pick_dtype(options.dtype, device)
    reference = None if ref_free else _reference(name, options, tokenizer, encoder, dtype, device, share)
    model = ImplicitModel(policy, encoder, reference, ref_free, options.share_prompts, info)
    guard = RewardGuard(name, lambda e: tokenizer.decode(e.ids[e.start:]))
    return pointwise_scorer(model, where, seed, guard, layout=SharedPromptScorer if share else PointwiseScorer)
