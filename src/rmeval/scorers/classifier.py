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
from typing import Any, ClassVar

from rmeval.common.extras import require
from rmeval.inference.assemble import decoded, place, pointwise_scorer
from rmeval.inference.encoding import PROBE, EncodedText, TextEncoder
from rmeval.inference.fingerprint import model_fingerprint
from rmeval.inference.guards import RewardGuard
from rmeval.inference.options import BatchingOptions, PrecisionOptions
from rmeval.inference.padding import pad_batch, pad_id_of
from rmeval.inference.pointwise import PointwiseScorer
from rmeval.models.loading import LoadReport, input_device, load_checkpoint
from rmeval.models.options import HeadOptions
from rmeval.scorers.registry import register_scorer
from rmeval.types import Candidate

__all__ = ["ClassifierModel", "ClassifierOptions", "load_classifier"]


@dataclass(frozen=True)
class ClassifierOptions(PrecisionOptions, BatchingOptions, HeadOptions):
    """Options of `--scorer classifier`."""

    cli_group: ClassVar[str] = "classifier (--scorer classifier)"


class ClassifierModel:
    """A loaded `AutoModelForSequenceClassification` with its tokenizer and template: a pointwise model."""

    def __init__(self, name: str, options: ClassifierOptions, model: Any, tokenizer: Any,
                 encoder: TextEncoder, load: LoadReport | None = None, weights: str | None = None) -> None:
        self.name = name
        self.weights = weights or name
        self.load = load
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

        device = input_device(self.model)
        padded = pad_batch([e.ids for e in batch], pad_id_of(self.tokenizer), self.options.padding_side, device,
                           self._takes_positions)
        self._per_position = None
        with torch.inference_mode():
            out = self.model(**padded.inputs)
        per_position = self._per_position
        if per_position is not None and per_position.dim() == 3:
            last = padded.last.to(per_position.device)
            logits = per_position[torch.arange(len(batch), device=per_position.device), last]
        else:
            logits = out.logits
        return [float(v) for v in logits[:, self.index].float().cpu().tolist()]

    def fingerprint(self) -> dict[str, Any]:
        """What decides a reward besides the tokens: the checkpoint, its dtype and device kind, the head read."""
        return model_fingerprint("classifier", self.weights, self.options, self.model, self.encoder,
                                 score_index=self.index,
                                 pooling="first token" if self.pooled_internally else "last real token",
                                 padding_side=self.options.padding_side)

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
        if self.load is not None:
            info["load"] = self.load.describe()
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
    from transformers import AutoModelForSequenceClassification

    (name,) = models
    where = place(options)
    loaded = load_checkpoint(AutoModelForSequenceClassification, name, where.options, where.device)
    tokenizer, model = loaded.tokenizer, loaded.model
    encoder = TextEncoder.for_model(tokenizer, model.config, where.options, name)
    classifier = ClassifierModel(name, where.options, model, tokenizer, encoder, loaded.report, loaded.path)
    return pointwise_scorer(classifier, where, seed, RewardGuard(name, decoded(tokenizer)))
