"""vLLM offline inference (the optional `vllm` extra), imported only when a `vllm/MODEL` judge is built."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmeval.engines.base import Chat, GenerationParams

__all__ = ["VLLMEngine"]


class VLLMEngine:
    """A vLLM `LLM` in this process; vLLM schedules its own batches: the wrapper hands it many prompts."""

    name = "vllm"
    max_batch = 4096
    max_concurrency: int | None = 1

    def __init__(self, model: str, dtype: str = "auto", trust_remote_code: bool = False,
                 chat_template: str | None = None) -> None:
        try:
            from vllm import LLM
        except ImportError as err:
            raise ImportError("the vllm engine needs the optional extra: pip install 'rmeval[vllm]'") from err
        from rmeval.presets import resolve_model_path

        self.model = model
        self.dtype = dtype
        self.path = resolve_model_path(model)
        self._chat_template = None
        if chat_template:
            from pathlib import Path

            self._chat_template = Path(chat_template).read_text(encoding="utf-8")
        self.llm = LLM(model=self.path, dtype=dtype, trust_remote_code=trust_remote_code)

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[str | None]:
        """All prompts in one `LLM.chat` call, answers in prompt order."""
        from vllm import SamplingParams

        sampling = SamplingParams(max_tokens=params.max_new_tokens, temperature=params.temperature,
                                  top_p=params.top_p, seed=params.seed)
        conversations = [[m.as_dict() for m in p] for p in prompts]
        outputs = self.llm.chat(conversations, sampling, chat_template=self._chat_template, use_tqdm=False)
        return [o.outputs[0].text.strip() if o.outputs else None for o in outputs]

    def identity(self) -> dict[str, str]:
        """Engine, model and dtype."""
        return {"engine": self.name, "model": self.model, "dtype": self.dtype}

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json."""
        return {**self.identity(), "path": self.path}

    def close(self) -> None:
        """Drop the model."""
        del self.llm
