"""Sequence-classifier reward models: a transformer with a scalar head.

rmeval reads the reward at the last real token itself rather than trusting the model's own pooling, which finds that
token through `pad_token_id` and goes wrong when pad == eos and the text contains eos (PITFALLS.md). Decoder
classifiers in transformers compute per-position logits in their `score` head: a forward hook reads them there.
Encoder classifiers (BERT-like) pool the first token internally: their pooled logits are used as they are.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rmeval.common.extras import require
from rmeval.common.options import option
from rmeval.common.runtime import model_max_length, pick_device, pick_dtype, quiet_loading
from rmeval.data.chat import resolve_template
from rmeval.scorers.base import PointwiseScorer
from rmeval.scorers.batching import batching_for
from rmeval.scorers.identity import model_identity
from rmeval.scorers.options import BatchingOptions, ModelOptions
from rmeval.scorers.parallel import process_share
from rmeval.scorers.registry import register_scorer
from rmeval.scorers.scorestore import open_score_store
from rmeval.scorers.text import PROBE, TextEncoder
from rmeval.types import Candidate

__all__ = ["ClassifierModel", "ClassifierOptions", "EncodedText", "load_classifier"]


@dataclass(frozen=True)
class ClassifierOptions(ModelOptions, BatchingOptions):
    """Options of `--scorer classifier`."""

    cli_group: ClassVar[str] = "classifier (--scorer classifier)"

    score_index: int | None = option(None, "which logit is the reward, for multi-logit heads")
    padding_side: Literal["right", "left"] = option("right", "padding side of batches (scores do not depend on it)")


@dataclass(frozen=True)
class EncodedText:
    """Token ids of one rendered candidate."""

    ids: tuple[int, ...]
    truncated: bool

    @property
    def length(self) -> int:
        """Number of real tokens."""
        return len(self.ids)

    def signature(self) -> str:
        """The token ids as text (the score store's key)."""
        return ",".join(map(str, self.ids))


class ClassifierModel:
    """A loaded `AutoModelForSequenceClassification` with its tokenizer and template: a pointwise model."""

    def __init__(self, name: str, options: ClassifierOptions, model: Any, tokenizer: Any,
                 encoder: TextEncoder) -> None:
        self.name = name
        self.options = config = options
        self.model = model
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.truncated = 0
        self.num_labels = int(model.config.num_labels)
        if self.num_labels > 1 and config.score_index is None:
            raise ValueError(
                f"{name} has a {self.num_labels}-logit head: pass --score-index to pick the reward"
            )
        if config.score_index is not None and not 0 <= config.score_index < self.num_labels:
            raise ValueError(f"--score-index {config.score_index} is out of range for {self.num_labels} logits")
        self.index = config.score_index or 0
        self._per_position: Any = None
        head: Any = getattr(model, "score", None)
        self._hook = head.register_forward_hook(self._capture) if hasattr(head, "register_forward_hook") else None
        self._takes_positions = "position_ids" in inspect.signature(model.forward).parameters
        self.pooled_internally = head is None
        if self.pooled_internally and config.padding_side == "left":
            raise ValueError("this classifier pools its first token internally and needs right padding")

    def _capture(self, _module: Any, _inputs: Any, output: Any) -> None:
        self._per_position = output

    def encode(self, candidates: Sequence[Candidate]) -> list[EncodedText]:
        """Render each candidate with the chat template and tokenize it (left-truncating the prompt if needed)."""
        texts = [self.encoder.render(c) for c in candidates]
        out = [EncodedText(tuple(ids), cut) for ids, cut in self.encoder.encode(texts)]
        self.truncated += sum(e.truncated for e in out)
        return out

    def rewards(self, batch: Sequence[EncodedText]) -> list[float]:
        """One forward pass; the reward is the head's logit at each sequence's last real token."""
        import torch

        pad_id = self.tokenizer.pad_token_id
        if pad_id is None:
            pad_id = self.tokenizer.eos_token_id if self.tokenizer.eos_token_id is not None else 0
        width = max(e.length for e in batch)
        ids = torch.full((len(batch), width), int(pad_id), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, e in enumerate(batch):
            span = slice(width - e.length, width) if self.options.padding_side == "left" else slice(0, e.length)
            ids[row, span] = torch.tensor(e.ids, dtype=torch.long)
            mask[row, span] = 1
        device = self.model.device
        inputs: dict[str, Any] = {"input_ids": ids.to(device), "attention_mask": mask.to(device)}
        if self._takes_positions:
            # Positions count real tokens only, so left padding does not shift them.
            inputs["position_ids"] = (mask.cumsum(-1) - 1).clamp(min=0).to(device)
        self._per_position = None
        with torch.inference_mode():
            out = self.model(**inputs)
        per_position = self._per_position
        if per_position is not None and per_position.dim() == 3:
            last = (mask * torch.arange(width)).argmax(-1).to(device)
            logits = per_position[torch.arange(len(batch), device=device), last]
        else:
            logits = out.logits
        return [float(v) for v in logits[:, self.index].float().cpu().tolist()]

    def fingerprint(self) -> dict[str, Any]:
        """What decides a reward besides the tokens: the checkpoint, its dtype and device kind, the head read."""
        config = self.model.config
        return {"kind": "classifier", "model": model_identity(self.name, self.options.revision,
                                                              getattr(config, "_commit_hash", None)),
                "dtype": str(self.model.dtype), "device": self.model.device.type,
                "attn_implementation": getattr(config, "_attn_implementation", None), "score_index": self.index,
                "pooling": "first token" if self.pooled_internally else "last real token",
                "template": self.encoder.template.sha256, "max_length": self.encoder.max_length}

    def describe(self) -> dict[str, Any]:
        """The classifier's part of result.json."""
        cfg = self.options
        info: dict[str, Any] = {
            "kind": "classifier",
            "model": self.name,
            "revision": cfg.revision,
            "tokenizer": cfg.tokenizer or self.name,
            "dtype": str(self.model.dtype).removeprefix("torch."),
            "device": str(self.model.device),
            "attn_implementation": getattr(self.model.config, "_attn_implementation", cfg.attn_implementation),
            "trust_remote_code": cfg.trust_remote_code,
            "num_labels": self.num_labels,
            "score_index": self.index,
            "pooling": "model's own (first token)" if self.pooled_internally else "last real token",
            "padding_side": cfg.padding_side,
            "truncated": self.truncated,
        }
        info.update(self.encoder.describe(PROBE))
        return info


    def close(self) -> None:
        """Remove the hook and drop the model."""
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        self.model = None


@register_scorer("classifier", ClassifierOptions, "a transformer with a scalar head (sequence classification)")
def load_classifier(models: Sequence[str], options: ClassifierOptions, seed: int) -> PointwiseScorer[EncodedText]:
    """Load the model and tokenizer into a pointwise scorer."""
    require("torch", "transformers", extra="hf", purpose="--scorer classifier")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    (name,) = models
    quiet_loading()
    device = pick_device(options.device)
    dtype = pick_dtype(options.dtype, device)
    kwargs: dict[str, Any] = {"revision": options.revision, "trust_remote_code": options.trust_remote_code}
    tokenizer = AutoTokenizer.from_pretrained(options.tokenizer or name, **kwargs)
    if options.attn_implementation:
        kwargs["attn_implementation"] = options.attn_implementation
    model = AutoModelForSequenceClassification.from_pretrained(name, dtype=dtype, **kwargs)
    model.to(device).eval()
    template = resolve_template(tokenizer, options.chat_template, name)
    max_length = options.max_length or model_max_length(model.config, tokenizer)
    classifier = ClassifierModel(name, options, model, tokenizer, TextEncoder.create(tokenizer, template, max_length))
    store = open_score_store(options.score_cache, options.use_score_cache, classifier.fingerprint)
    return PointwiseScorer(classifier, batching_for(options.max_tokens_per_batch, options.batch_size, device), store,
                           process_share())
