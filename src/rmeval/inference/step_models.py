"""What the step-level kinds share: the model that runs a backbone over a batch and reads each step at its
position.

Two ways of reading, each computed in float32 at the read positions only:
- a head stored beside the backbone (`LinearStack`): two logits whose softmax gives the positive class's
  probability (Qwen2.5-Math-PRM's token classification), or one value through a sigmoid (Skywork's value head);
- a causal LM's next-token logits of a good and a bad token, `softmax([good, bad])[0]` (Math-Shepherd, RLHFlow),
  with only those two rows of the LM head applied.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from rmeval.inference.padding import pad_batch, pad_id_of
from rmeval.inference.steps import StepAnswer, StepEncoding
from rmeval.models.loading import LoadReport, input_device
from rmeval.types import Message

__all__ = ["Layout", "StepReaderModel", "VerdictLM", "lm_pair_reader", "load_verdict_lm", "stored_head_reader",
           "verdict_ids"]

PROBE = StepAnswer((Message("user", "What is 2 + 3?"),), ("2 + 3 = 5.", "The answer is 5."))
"""An answer rendered once into result.json, to show what the model reads."""


class Layout(Protocol):
    """A family's way of laying steps out as tokens (`rmeval.inference.step_layouts`)."""

    max_length: int

    def encode(self, answers: Sequence[StepAnswer]) -> list[StepEncoding]: ...


Reader = Callable[[Any], Any]
"""From the hidden states at the read positions (n x hidden) to one score per position (n)."""


def stored_head_reader(head: Any, kind: Literal["softmax", "sigmoid"], index: int) -> Reader:
    """A head stored beside the backbone: the softmax probability of class `index`, or a sigmoid of output `index`."""
    def read(states: Any) -> Any:
        import torch

        out = head(states)
        return torch.softmax(out, dim=-1)[:, index] if kind == "softmax" else torch.sigmoid(out[:, index])

    return read


def lm_pair_reader(model: Any, good: int, bad: int) -> Reader:
    """A causal LM's probability of the good token against the bad one, from those two rows of its LM head."""
    head = model.get_output_embeddings()
    rows = head.weight[[good, bad]].float()
    bias = head.bias[[good, bad]].float() if getattr(head, "bias", None) is not None else None

    cfg = model.config

    def read(states: Any) -> Any:
        import torch

        logits = torch.nn.functional.linear(states.float(), rows.to(states.device), bias)
        if getattr(cfg, "logit_scale", None):  # what the model's own logits apply (as `logprobs.head_logits`)
            logits = logits * cfg.logit_scale
        if getattr(cfg, "logits_scaling", None):
            logits = logits / cfg.logits_scaling
        if getattr(cfg, "final_logit_softcapping", None):
            logits = torch.tanh(logits / cfg.final_logit_softcapping) * cfg.final_logit_softcapping
        return torch.softmax(logits, dim=-1)[:, 0]

    return read


class StepReaderModel:
    """A backbone, a layout and a reader: a step-level model (`rmeval.scorers.steps_core.StepModel`)."""

    def __init__(self, kind: str, name: str, backbone: Any, tokenizer: Any, layout: Layout, reader: Reader,
                 load: LoadReport, facts: dict[str, Any], fingerprint: Callable[[], dict[str, Any]]) -> None:
        self.kind, self.name, self.backbone, self.tokenizer = kind, name, backbone, tokenizer
        self.layout, self.reader, self.load, self.facts = layout, reader, load, facts
        self._fingerprint = fingerprint
        self.truncated = 0
        self._params = set(inspect.signature(backbone.forward).parameters)

    def encode(self, answers: Sequence[StepAnswer]) -> list[StepEncoding]:
        """The layout's encodings."""
        out = self.layout.encode(answers)
        self.truncated += sum(e.truncated for e in out)
        return out

    def step_scores(self, batch: Sequence[StepEncoding]) -> list[list[float]]:
        """One right-padded forward pass; each step's score read at its position (NaN where it was cut)."""
        import torch

        padded = pad_batch([e.ids for e in batch], pad_id_of(self.tokenizer), "right", input_device(self.backbone),
                           "position_ids" in self._params)
        extra = {"use_cache": False} if "use_cache" in self._params else {}
        rows = [r for r, e in enumerate(batch) for p in e.positions if p >= 0]
        cols = [p for e in batch for p in e.positions if p >= 0]
        with torch.inference_mode():
            hidden = self.backbone(**padded.inputs, **extra).last_hidden_state
            states = hidden[torch.tensor(rows, device=hidden.device), torch.tensor(cols, device=hidden.device)]
            values = self.reader(states).float().cpu().tolist() if rows else []
        bad = next((r for r, v in zip(rows, values, strict=True) if not math.isfinite(v)), None)
        if bad is not None:  # a broken model, not a cut step: stop rather than score it as a miss
            text = self.tokenizer.decode(list(batch[bad].ids))[-300:]
            raise ValueError(f"{self.name}: a step score is NaN or infinite (the model's output is not a score); "
                             f"the text ends: {text!r}")
        out, k = [], 0
        for e in batch:
            scores = []
            for p in e.positions:
                if p < 0:
                    scores.append(math.nan)
                else:
                    scores.append(float(values[k]))
                    k += 1
            out.append(scores)
        return out

    def fingerprint(self) -> dict[str, Any]:
        """What decides a step score besides the tokens."""
        return self._fingerprint()

    def describe(self) -> dict[str, Any]:
        """The kind's part of result.json: the model, how steps are laid out and read, one rendered answer."""
        text = getattr(self.layout, "text", None)
        return {"kind": self.kind, "model": self.name, "dtype": str(self.backbone.dtype).removeprefix("torch."),
                "device": str(input_device(self.backbone)), "backbone": type(self.backbone).__name__,
                **self.facts, "max_length": self.layout.max_length, "truncated": self.truncated,
                "rendered_example": text(PROBE) if callable(text) else None, "load": self.load.describe()}

    def close(self) -> None:
        """Drop the model."""
        self.backbone = None


def verdict_ids(tokenizer: Any, good: str, bad: str, encoding: str) -> tuple[int, int]:
    """The good and bad tokens' ids: `together`, the two tokens of "GOOD BAD" (Math-Shepherd's card encodes them
    so); `alone`, the last token of each tokenized on its own (RLHFlow's)."""
    if encoding == "together":
        ids = tokenizer(f"{good} {bad}", add_special_tokens=False)["input_ids"]
        if len(ids) != 2:
            raise ValueError(f"'{good} {bad}' is {len(ids)} tokens for this tokenizer, not one per verdict: use "
                             "--verdict-encoding alone")
        return int(ids[0]), int(ids[1])
    pair = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in (good, bad)]
    if not all(pair):
        raise ValueError(f"a verdict token ({good!r} or {bad!r}) has no token")
    if pair[0][-1] == pair[1][-1]:
        raise ValueError(f"{good!r} and {bad!r} end in the same token")
    return int(pair[0][-1]), int(pair[1][-1])


@dataclass(frozen=True)
class VerdictLM:
    """A causal LM read at two tokens, with its tokenizer, where it came from and the two tokens' ids."""

    model: Any
    tokenizer: Any
    path: str
    report: LoadReport
    good: int
    bad: int


def load_verdict_lm(name: str, options: Any, device: str) -> VerdictLM:
    """A causal LM (`AutoModelForCausalLM`, no new weights allowed) and its good and bad tokens' ids, found before the
    weights load. `options` carries the loading options and `good_token`, `bad_token`, `verdict_encoding`."""
    from transformers import AutoModelForCausalLM

    from rmeval.common.runtime import quiet_loading
    from rmeval.models.loading import check_new_weights, load_pretrained, load_tokenizer
    from rmeval.presets import resolve_model_path

    quiet_loading()
    path = resolve_model_path(name)
    tokenizer = load_tokenizer(path, options)
    good, bad = verdict_ids(tokenizer, options.good_token, options.bad_token, options.verdict_encoding)
    model, report = load_pretrained(AutoModelForCausalLM, path, options, device)
    check_new_weights(report, name, options.allow_new_head, "language model")
    return VerdictLM(model, tokenizer, path, report, good, bad)
