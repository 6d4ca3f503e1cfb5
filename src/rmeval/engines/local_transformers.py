"""Local generation with transformers: batched, left-padded, rendered with the model's own chat template."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.engines.base import Chat, GenerationParams

__all__ = ["VERDICT_END", "TransformersEngine"]

VERDICT_END = "]]"
"""How every verdict ends (`[[A]]`, `[[7]]`): generation stops at it, the judge has decided."""


class TransformersEngine:
    """A causal LM on this machine. Prompts are sorted by length inside each call so a batch pads little."""

    name = "transformers"
    max_concurrency: int | None = 1  # one model in memory; parallel calls would only contend for it

    def __init__(self, model: str, batch_size: int = 8, device: str | None = None, dtype: str = "auto",
                 chat_template: str | None = None, trust_remote_code: bool = False) -> None:
        from rmeval.common.extras import require

        require("torch", "transformers", extra="hf", purpose="a transformers judge")
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from rmeval.common.runtime import model_max_length, pick_device, pick_dtype
        from rmeval.data.chat import resolve_template
        from rmeval.presets import resolve_model_path

        self.model = model
        self.max_batch = batch_size
        self.path = resolve_model_path(model)
        self.device = pick_device(device)
        self.tokenizer = AutoTokenizer.from_pretrained(self.path, trust_remote_code=trust_remote_code)
        self.tokenizer.padding_side = "left"  # generation continues from the last position of every row
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        lm: Any = AutoModelForCausalLM.from_pretrained(self.path, dtype=pick_dtype(dtype, self.device),
                                                       trust_remote_code=trust_remote_code)
        self.lm: Any = lm.to(self.device).eval()
        self.template = resolve_template(self.tokenizer, chat_template, model)
        self.max_length = model_max_length(self.lm.config, self.tokenizer)

    def render(self, prompt: Chat) -> str:
        """The prompt in the model's chat format, ending with the assistant header."""
        from rmeval.data.chat import render

        return render(self.tokenizer, self.template, prompt)

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[str | None]:
        """Greedy (temperature 0) or seeded sampling; answers decoded without special tokens.

        A prompt that leaves no room for `max_new_tokens` in the model's context gets None (a failed request)
        instead of an error that would lose the whole batch.
        """
        import torch

        from rmeval.data.chat import add_special_tokens_for

        texts = [self.render(p) for p in prompts]
        special = add_special_tokens_for(self.tokenizer, texts[0]) if texts else False  # no double BOS
        ids = self.tokenizer(texts, add_special_tokens=special)["input_ids"]
        room = self.max_length - params.max_new_tokens
        fits = sorted((i for i in range(len(texts)) if len(ids[i]) <= room), key=lambda i: len(ids[i]))
        out: list[str | None] = [None] * len(texts)
        if not fits:
            return out
        batch = self.tokenizer.pad({"input_ids": [ids[i] for i in fits]}, return_tensors="pt").to(self.device)
        # Every verdict ends with "]]": a row stops there instead of writing out its max_new_tokens.
        kwargs: dict[str, Any] = {"max_new_tokens": params.max_new_tokens, "pad_token_id": self.tokenizer.pad_token_id,
                                  "stop_strings": [VERDICT_END], "tokenizer": self.tokenizer}
        if params.temperature > 0:
            torch.manual_seed(params.seed)
            kwargs.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        with torch.inference_mode():
            generated = self.lm.generate(**batch, **kwargs)
        new_tokens = generated[:, batch["input_ids"].shape[1]:]
        decoded = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        for rank, i in enumerate(fits):
            out[i] = decoded[rank].strip()
        return out

    def identity(self) -> dict[str, str]:
        """Engine, model, dtype and template: each changes the answers."""
        return {"engine": self.name, "model": self.model, "dtype": str(self.lm.dtype).removeprefix("torch."),
                "chat_template_sha256": self.template.sha256}

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json."""
        return {**self.identity(), "path": self.path, "device": self.device, "batch_size": self.max_batch,
                "chat_template": self.template.source, "max_length": self.max_length}

    def close(self) -> None:
        """Drop the model."""
        del self.lm
