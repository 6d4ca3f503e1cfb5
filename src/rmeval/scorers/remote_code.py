"""`--scorer remote-code`: a reward model that runs its own code from its repository (the ArmoRM, Eurus-RM and
InternLM2-reward families), read where its card says: a named field of what `forward` returns (`score`, `rewards`,
`end_scores`, `logits` ...), or a scoring method on the model (`get_score(tokenizer, messages)`).

The model's code decides its pooling, so batches are right-padded with an attention mask, as its own examples do.
Running a repository's code is the user's decision: this kind refuses to load without `--trust-remote-code`, and no
preset ever turns it on.
"""

from __future__ import annotations

import inspect
import json
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
from rmeval.models.heads import output_column
from rmeval.models.identity import code_identity
from rmeval.models.loading import LoadReport, input_device, load_checkpoint
from rmeval.models.options import HeadOptions, ModelOptions
from rmeval.presets import resolve_model_path
from rmeval.scorers.registry import register_scorer
from rmeval.types import Candidate

__all__ = ["AUTO_CLASSES", "RemoteCodeModel", "RemoteCodeOptions", "load_remote_code", "read_output"]

AUTO_CLASSES = {"sequence-classification": "AutoModelForSequenceClassification", "base": "AutoModel",
                "causal-lm": "AutoModelForCausalLM"}


@dataclass(frozen=True)
class RemoteCodeOptions(ModelOptions, BatchingOptions, HeadOptions):
    """Options of `--scorer remote-code`."""

    cli_group: ClassVar[str] = "remote code (--scorer remote-code)"
    preset_requires: ClassVar[tuple[str, ...]] = ("dtype", "max_length", "chat_template", "auto_class")

    auto_class: Literal["sequence-classification", "base", "causal-lm"] = option(
        "sequence-classification", "the transformers Auto class that loads the model's own code")
    output_field: str = option("logits", "where forward's output holds the reward: a field (score, rewards, "
                                         "end_scores ...), a position (0), or '' for a returned tensor")
    score_method: str | None = option(None, "a method of the model that scores one conversation, called as "
                                            "model.METHOD(tokenizer, messages) (InternLM2-reward: get_score)")


def read_output(output: Any, field: str, where: str) -> Any:
    """The tensor at `field` of a forward pass's output (a ModelOutput, dict, tuple or tensor).

    >>> read_output({"score": 1.5}, "score", "m"), read_output((7, 8), "1", "m"), read_output(3, "", "m")
    (1.5, 8, 3)
    """
    if field == "":
        return output
    if field.isdigit():
        if isinstance(output, (tuple, list)) and int(field) < len(output):
            return output[int(field)]
        if hasattr(output, "to_tuple") and int(field) < len(output.to_tuple()):
            return output.to_tuple()[int(field)]
    elif isinstance(output, dict) and field in output:
        return output[field]
    elif not isinstance(output, dict) and getattr(output, field, None) is not None:
        return getattr(output, field)
    fields = list(output) if isinstance(output, dict) else [k for k in dir(output) if not k.startswith("_")][:12]
    raise ValueError(f"{where}: its forward returns {type(output).__name__} with no {field!r} (it has "
                     f"{', '.join(map(str, fields)) or 'no named fields'}): pass --output-field")


@dataclass(frozen=True)
class Conversation:
    """One candidate as messages, for a model that renders and scores it itself; `length` orders the batches."""

    messages: tuple[tuple[str, str], ...]
    length: int

    def signature(self) -> str:
        """The messages as JSON (the score store's key)."""
        return json.dumps(self.messages, ensure_ascii=False)


class RemoteCodeModel:
    """A model running its own code, as a pointwise model: its forward output's field, or its scoring method."""

    def __init__(self, name: str, options: RemoteCodeOptions, model: Any, tokenizer: Any,
                 encoder: TextEncoder | None, load: LoadReport) -> None:
        self.name, self.options, self.model, self.tokenizer, self.encoder, self.load = (
            name, options, model, tokenizer, encoder, load)
        self.method = getattr(model, options.score_method) if options.score_method else None
        if options.score_method and not callable(self.method):
            raise ValueError(f"{name} has no method {options.score_method!r}: check --score-method")
        self.index: int | None = None
        self.truncated = 0
        self._takes_positions = "position_ids" in inspect.signature(model.forward).parameters

    def encode(self, candidates: Sequence[Candidate]) -> list[Any]:
        """Token ids (forward path), or the messages themselves (method path)."""
        if self.encoder is None:
            return [Conversation((*((m.role, m.content) for m in c.prompt), ("assistant", c.response)),
                                 sum(len(m.content) for m in c.prompt) + len(c.response)) for c in candidates]
        out = [EncodedText(tuple(ids), cut) for ids, cut in self.encoder.encode([self.encoder.render(c)
                                                                                for c in candidates])]
        self.truncated += sum(e.truncated for e in out)
        return out

    def rewards(self, batch: Sequence[Any]) -> list[float]:
        """The model's own scores for one batch."""
        import torch

        with torch.inference_mode():
            if self.method is not None:
                return [float(self.method(self.tokenizer, [{"role": r, "content": t} for r, t in e.messages]))
                        for e in batch]
            padded = pad_batch([e.ids for e in batch], pad_id_of(self.tokenizer), self.options.padding_side,
                               input_device(self.model), self._takes_positions and self.options.padding_side == "left")
            values = read_output(self.model(**padded.inputs), self.options.output_field, self.name)
        values = torch.as_tensor(values).float()
        values = values.reshape(len(batch), -1)
        if self.index is None:
            self.index = output_column(values.shape[1], self.options.score_index, self.name)
        return [float(v) for v in values[:, self.index].cpu().tolist()]

    def fingerprint(self) -> dict[str, Any]:
        """What decides a reward besides the encoding: the checkpoint and its code, where the reward is read."""
        cfg = self.options
        weights = resolve_model_path(self.name)
        return model_fingerprint("remote-code", weights, cfg, self.model, self.encoder, code=code_identity(weights),
                                 auto_class=cfg.auto_class, output_field=cfg.output_field,
                                 score_method=cfg.score_method, score_index=cfg.score_index,
                                 padding_side=cfg.padding_side)

    def describe(self) -> dict[str, Any]:
        """The remote-code scorer's part of result.json, with the code it ran."""
        cfg = self.options
        info: dict[str, Any] = {
            "kind": "remote-code", "model": self.name, "revision": cfg.revision,
            "tokenizer": cfg.tokenizer or self.name,
            "dtype": str(self.model.dtype).removeprefix("torch."), "device": str(input_device(self.model)),
            "trust_remote_code": True, "auto_class": AUTO_CLASSES[cfg.auto_class],
            "code": dict(getattr(self.model.config, "auto_map", None) or {}),
            "reward": (f"model.{cfg.score_method}(tokenizer, messages)" if cfg.score_method
                       else f"forward(...).{cfg.output_field or '(the returned tensor)'}[:, score_index]"),
            "score_index": self.index, "pooling": "the model's own", "padding_side": cfg.padding_side,
            "truncated": self.truncated, "load": self.load.describe(),
        }
        if self.encoder is not None:
            info.update(self.encoder.describe(PROBE))
        else:
            info["chat_template"] = f"the model's own, inside {cfg.score_method}"
        return info

    def close(self) -> None:
        """Drop the model."""
        self.model = None
        self.method = None


@register_scorer("remote-code", RemoteCodeOptions, "a model running its own code (--trust-remote-code): a field "
                                                   "of its output or a scoring method")
def load_remote_code(models: Sequence[str], options: RemoteCodeOptions, seed: int) -> PointwiseScorer[Any]:
    """Refuse without --trust-remote-code; else load with the model's Auto class and read its output."""
    (name,) = models
    if not options.trust_remote_code:
        raise ValueError(f"--scorer remote-code runs the Python code shipped with {name}: add --trust-remote-code "
                         "to allow it (rmeval never turns it on by itself; read the model's code first)")
    require("torch", "transformers", extra="hf", purpose="--scorer remote-code")
    import transformers

    where = place(options)
    loaded = load_checkpoint(getattr(transformers, AUTO_CLASSES[options.auto_class]), name, options, where.device)
    tokenizer, model = loaded.tokenizer, loaded.model
    encoder = None if options.score_method else TextEncoder.for_model(tokenizer, model.config, options, name)
    remote = RemoteCodeModel(name, options, model, tokenizer, encoder, loaded.report)
    show = (lambda e: e.messages[-1][1]) if encoder is None else decoded(tokenizer)
    one_at_a_time = 1 if options.score_method else None  # a scoring method takes one conversation per call
    return pointwise_scorer(remote, where, seed, RewardGuard(name, show), batch_size=one_at_a_time)
