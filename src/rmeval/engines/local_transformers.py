"""Local generation with transformers: batched, left-padded, rendered with the model's own chat template (a raw
prompt is tokenized as it is), with why each row stopped and its token counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.engines.base import Chat, Finish, Generation, GenerationParams, raw_text
from rmeval.engines.thinking import thinking_tokens

__all__ = ["VERDICT_END", "TransformersEngine"]

VERDICT_END = "]]"
"""How rmeval's own verdicts end (`[[A]]`, `[[7]]`): its formats stop a local judge there (`local_stop`)."""


class TransformersEngine:
    """A causal LM on this machine. Prompts are sorted by length inside each call so a batch pads little."""

    name = "transformers"
    max_concurrency: int | None = 1  # one model in memory; parallel calls would only contend for it
    raw_prompts = True

    def __init__(self, model: str, batch_size: int = 8, device: str | None = None, dtype: str = "auto",
                 chat_template: str | None = None, trust_remote_code: bool = False) -> None:
        from rmeval.common.extras import require

        require("torch", "transformers", extra="hf", purpose="a transformers judge")
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from rmeval.common.runtime import model_max_length, pick_device, pick_dtype, quiet_loading
        from rmeval.data.chat import resolve_template
        from rmeval.presets import resolve_model_path

        quiet_loading()
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
        eos = self.lm.generation_config.eos_token_id
        self._eos = set(eos if isinstance(eos, list) else [eos] if eos is not None else [self.tokenizer.eos_token_id])

    def render(self, prompt: Chat) -> str:
        """The prompt in the model's chat format, ending with the assistant header (a raw prompt: as it is)."""
        from rmeval.data.chat import render

        text = raw_text(prompt)
        return text if text is not None else render(self.tokenizer, self.template, prompt)

    def _ids(self, prompts: Sequence[Chat]) -> list[list[int]]:
        from rmeval.data.chat import add_special_tokens_for

        out = []
        for p in prompts:
            text = self.render(p)
            # A chat template writes its own BOS (no second one); a raw prompt gets the tokenizer's special tokens.
            special = add_special_tokens_for(self.tokenizer, text)
            out.append(list(self.tokenizer(text, add_special_tokens=special)["input_ids"]))
        return out

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[Generation | str | None]:
        """Greedy (temperature 0) or seeded sampling; answers decoded without special tokens.

        A prompt that leaves no room for the token budget in the model's context gets None (a failed request)
        instead of an error that would lose the whole batch. A reasoning judge (a thinking budget) writes to the
        end of its turn: the local stop strings of the verdict apply only without one.
        """
        import torch

        ids = self._ids(prompts)
        budget = params.max_tokens
        room = self.max_length - budget
        fits = sorted((i for i in range(len(ids)) if len(ids[i]) <= room), key=lambda i: len(ids[i]))
        out: list[Generation | str | None] = [None] * len(ids)
        if not fits:
            return out
        batch = self.tokenizer.pad({"input_ids": [ids[i] for i in fits]}, return_tensors="pt").to(self.device)
        stops = list(params.stop) + ([] if params.thinking_budget else list(params.local_stop))
        kwargs: dict[str, Any] = {"max_new_tokens": budget, "pad_token_id": self.tokenizer.pad_token_id}
        if stops:
            kwargs.update(stop_strings=stops, tokenizer=self.tokenizer)
        if params.temperature > 0:
            torch.manual_seed(params.seed)
            kwargs.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        with torch.inference_mode():
            generated = self.lm.generate(**batch, **kwargs)
        new_tokens = generated[:, batch["input_ids"].shape[1]:].tolist()
        for rank, i in enumerate(fits):
            out[i] = self._generation(new_tokens[rank], len(ids[i]), budget, stops, params)
        return out

    def _generation(self, row: list[int], prompt_tokens: int, budget: int, stops: list[str],
                    params: GenerationParams) -> Generation:
        """One row's text, why it stopped and its token counts (a finished row is padded to the batch's length)."""
        pad = self.tokenizer.pad_token_id
        end = next((k for k, t in enumerate(row) if t in self._eos or t == pad), len(row))
        text = str(self.tokenizer.decode(row[:end], skip_special_tokens=True))
        stop = next((s for s in stops if text.rstrip().endswith(s)), None)
        finish: Finish
        if stop is not None:
            finish = "stop_string"
        elif end < len(row) and row[end] in self._eos:
            finish, end = "end_of_turn", end + 1
        else:
            finish = "token_budget" if end >= budget else "end_of_turn"
        thought = thinking_tokens(text, params.think, params.think_opened, end,
                                  lambda t: len(self.tokenizer(t, add_special_tokens=False)["input_ids"]))
        return Generation(text.strip(), None, finish, stop, prompt_tokens, end, thought)

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
