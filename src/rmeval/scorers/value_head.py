"""`--scorer value-head`: a reward head stored beside a causal or base LM in the checkpoint, read by rmeval itself.

The families on the leaderboards store the same thing under different names: Starling-RM-34B keeps a Llama under
`transformer.` and `v_head.weight`; UltraRM a Llama under `model.` and `regression_head.weight`; beaver
`score_head.weight`; GRM a two-layer `v_head.summary` with a ReLU between; Athene `v_head.weight`, read at the CLS
token appended to the text. No code from the model's repository runs: the backbone is the transformers class of
its config (`AutoModel`), the head a stack of linear layers read from the checkpoint (`checkpoint.LinearStack`).

    reward = sign * head(h)[score_index]

with `h` the backbone's last hidden state at the text's last real token, whatever the padding side.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rmeval.common.extras import require
from rmeval.common.options import option
from rmeval.inference.assemble import decoded, place, pointwise_scorer
from rmeval.inference.encoding import PROBE, EncodedText, TextEncoder
from rmeval.inference.fingerprint import model_fingerprint
from rmeval.inference.guards import RewardGuard
from rmeval.inference.options import BatchingOptions
from rmeval.inference.padding import pad_batch, pad_id_of
from rmeval.inference.pointwise import PointwiseScorer
from rmeval.models.checkpoint import LinearStack
from rmeval.models.heads import load_with_stored_head, output_column
from rmeval.models.loading import LoadReport, input_device
from rmeval.models.options import HeadOptions, ModelOptions, StoredHeadOptions
from rmeval.presets import resolve_model_path
from rmeval.scorers.registry import register_scorer
from rmeval.types import Candidate

__all__ = ["DEFAULT_HEAD", "ValueHeadModel", "ValueHeadOptions", "load_value_head"]

DEFAULT_HEAD = "v_head"


@dataclass(frozen=True)
class ValueHeadOptions(ModelOptions, BatchingOptions, HeadOptions, StoredHeadOptions):
    """Options of `--scorer value-head`."""

    cli_group: ClassVar[str] = "value head (--scorer value-head)"
    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "chat_template", "head")

    sign: Literal[1, -1] = option(1, "-1 for a cost model, whose lower output is the better answer")
    append_token: Literal["cls_token", "eos_token"] | None = option(
        None, "a special token of the tokenizer appended to every text, where the head reads (Athene: cls_token)")


class ValueHeadModel:
    """A backbone and the value head read beside it: a pointwise model."""

    def __init__(self, name: str, options: ValueHeadOptions, backbone: Any, head: LinearStack, tokenizer: Any,
                 encoder: TextEncoder, load: LoadReport) -> None:
        hidden = int(getattr(backbone.config, "hidden_size", head.in_features))
        if head.in_features != hidden:
            raise ValueError(f"{name}: head {head.prefix!r} takes {head.in_features} inputs but the backbone's "
                             f"hidden size is {hidden}")
        self.name, self.options, self.backbone = name, options, backbone
        self.tokenizer, self.encoder = tokenizer, encoder
        self.head = head
        self.load = load
        self.index = output_column(head.out_features, options.score_index, name)
        self.append_id: int | None = None
        if options.append_token:
            token_id = getattr(tokenizer, options.append_token + "_id", None)
            if token_id is None:
                raise ValueError(f"--append-token {options.append_token}: the tokenizer of {name} has none")
            self.append_id = int(token_id)
        self.truncated = 0
        self._params = set(inspect.signature(backbone.forward).parameters)

    def encode(self, candidates: Sequence[Candidate]) -> list[EncodedText]:
        """Render and tokenize (the prompt's start is cut when too long); append the read token if any."""
        extra = [] if self.append_id is None else [self.append_id]
        out = [EncodedText((*ids, *extra), cut) for ids, cut in self.encoder.encode([self.encoder.render(c)
                                                                                    for c in candidates])]
        self.truncated += sum(e.truncated for e in out)
        return out

    def rewards(self, batch: Sequence[EncodedText]) -> list[float]:
        """Backbone forward pass, then the head at each text's last real token."""
        import torch

        padded = pad_batch([e.ids for e in batch], pad_id_of(self.tokenizer), self.options.padding_side,
                           input_device(self.backbone), "position_ids" in self._params)
        extra = {"use_cache": False} if "use_cache" in self._params else {}
        with torch.inference_mode():
            hidden = self.backbone(**padded.inputs, **extra).last_hidden_state
            rows = torch.arange(len(batch), device=hidden.device)
            states = hidden[rows, padded.last.to(hidden.device)]
            if self.head.layers[0][0].device != states.device:
                self.head = self.head.to(states.device)
            values = self.head(states)[:, self.index] * self.options.sign
        return [float(v) for v in values.cpu().tolist()]

    def fingerprint(self) -> dict[str, Any]:
        """What decides a reward besides the tokens: the checkpoint, how the backbone was read, the head."""
        cfg = self.options
        return model_fingerprint("value-head", resolve_model_path(self.name), cfg, self.backbone, self.encoder,
                                 head=self.head.describe(), score_index=self.index, sign=cfg.sign,
                                 backbone_prefix=cfg.backbone_prefix, append_token=cfg.append_token,
                                 padding_side=cfg.padding_side)

    def describe(self) -> dict[str, Any]:
        """The value-head scorer's part of result.json."""
        cfg = self.options
        info: dict[str, Any] = {
            "kind": "value-head", "model": self.name, "revision": cfg.revision, "tokenizer": cfg.tokenizer or self.name,
            "dtype": str(self.backbone.dtype).removeprefix("torch."), "device": str(input_device(self.backbone)),
            "attn_implementation": getattr(self.backbone.config, "_attn_implementation", cfg.attn_implementation),
            "trust_remote_code": cfg.trust_remote_code, "backbone": type(self.backbone).__name__,
            "backbone_prefix": cfg.backbone_prefix, "head": self.head.describe(), "score_index": self.index,
            "sign": cfg.sign, "reward": "sign * head(last hidden state at the last real token)[score_index]",
            "append_token": cfg.append_token, "padding_side": cfg.padding_side, "truncated": self.truncated,
            "load": self.load.describe(),
        }
        info.update(self.encoder.describe(PROBE))
        return info

    def close(self) -> None:
        """Drop the model."""
        self.backbone = None


@register_scorer("value-head", ValueHeadOptions, "a value head stored beside a causal or base LM (v_head, "
                                                 "regression_head ...), read without remote code")
def load_value_head(models: Sequence[str], options: ValueHeadOptions, seed: int) -> PointwiseScorer[EncodedText]:
    """Read the head from the checkpoint (a clear error when it has none), then load the backbone."""
    require("torch", "transformers", "safetensors", extra="hf", purpose="--scorer value-head")
    (name,) = models
    where = place(options)
    backbone, head, tokenizer, report = load_with_stored_head(name, options, DEFAULT_HEAD, where.device, "backbone")
    encoder = TextEncoder.for_model(tokenizer, backbone.config, options, name, 1 if options.append_token else 0)
    model = ValueHeadModel(name, options, backbone, head, tokenizer, encoder, report)
    return pointwise_scorer(model, where, seed, RewardGuard(name, decoded(tokenizer)))
