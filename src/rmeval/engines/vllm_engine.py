"""vLLM offline inference (the optional `vllm` extra), imported only when a `vllm/MODEL` judge is built.

The whole run goes to vLLM at once (it schedules its own batches). The K samples of a vote are one request with
`SamplingParams(n=K, seed=s)`, whose i-th output vLLM seeds `s + i` (`v1/engine/parallel_sampling.py`,
`ParentRequest._get_child_sampling_params`), so sample i is the same whether drawn alone or among others, and the
cache keys each one. Every `CompletionOutput` gives its `finish_reason` ("stop", "length", "abort"), `stop_reason`
(the stop string; a token id or None for the end of the turn) and `token_ids`; `RequestOutput.prompt_token_ids` the
prompt's length. Chats go through `LLM.chat` (the model's chat template, or `--chat-template`), raw prompts through
`LLM.generate`. Facts from vllm-project/vllm: `vllm/outputs.py` (CompletionOutput, RequestOutput),
`vllm/sampling_params.py` (SamplingParams), `vllm/entrypoints/llm.py` (LLM.generate, LLM.chat: one SamplingParams
per prompt, outputs in prompt order).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rmeval.engines.base import Chat, Finish, Generation, GenerationParams, raw_text
from rmeval.engines.thinking import thinking_tokens

__all__ = ["VLLMEngine", "generation_of"]


def generation_of(output: Any, prompt_tokens: int | None, params: GenerationParams, count: Any) -> Generation | None:
    """One `CompletionOutput` as a Generation (None for an aborted one); `count` tokenizes a text."""
    reason = getattr(output, "finish_reason", None)
    if reason == "abort":
        return None
    stop_reason = getattr(output, "stop_reason", None)
    finish: Finish
    if reason == "length":
        finish = "token_budget"
    elif reason == "stop":
        finish = "stop_string" if isinstance(stop_reason, str) else "end_of_turn"
    else:
        finish = "unknown"
    text = str(output.text)
    generated = len(output.token_ids) if getattr(output, "token_ids", None) is not None else None
    thought = None if generated is None else thinking_tokens(text, params.think, params.think_opened, generated,
                                                            count)
    return Generation(text.strip(), None, finish, stop_reason if isinstance(stop_reason, str) else None,
                      prompt_tokens, generated, thought)


class VLLMEngine:
    """A vLLM `LLM` in this process; the wrapper hands it every request of a run in one call."""

    name = "vllm"
    max_batch = 4096
    max_concurrency: int | None = 1
    raw_prompts = True

    def __init__(self, model: str, dtype: str = "auto", trust_remote_code: bool = False,
                 chat_template: str | None = None, tensor_parallel_size: int = 1) -> None:
        try:
            from vllm import LLM
        except ImportError as err:
            raise ImportError("the vllm engine needs the optional extra: pip install 'rmeval[vllm]'") from err
        from rmeval.presets import resolve_model_path

        self.model = model
        self.dtype = dtype
        self.tensor_parallel_size = tensor_parallel_size
        self.path = resolve_model_path(model)
        self._chat_template = Path(chat_template).read_text(encoding="utf-8") if chat_template else None
        self.llm = LLM(model=self.path, dtype=dtype, trust_remote_code=trust_remote_code,
                       tensor_parallel_size=tensor_parallel_size)

    def _sampling(self, params: GenerationParams, n: int) -> Any:
        from vllm import SamplingParams

        # Only a format's own stop strings: vLLM serves reasoning models, whose thoughts may hold a verdict's end
        # (`local_stop` is for the small models of the transformers engine).
        return SamplingParams(n=n, max_tokens=params.max_tokens, temperature=params.temperature, top_p=params.top_p,
                              seed=params.seed, stop=list(params.stop) or None)

    def _count(self, text: str) -> int:
        return len(self.llm.get_tokenizer().encode(text, add_special_tokens=False))

    def _call(self, prompts: list[Chat], sampling: list[Any]) -> list[Any]:
        """One LLM.chat (chats) or LLM.generate (raw texts) call, outputs in prompt order."""
        texts = [raw_text(p) for p in prompts]
        if all(t is not None for t in texts):
            return list(self.llm.generate([str(t) for t in texts], sampling_params=sampling, use_tqdm=False))
        if any(t is not None for t in texts):
            raise ValueError("a vLLM call holds chats or raw prompts, not both")
        conversations = [[m.as_dict() for m in p] for p in prompts]
        return list(self.llm.chat(conversations, sampling_params=sampling, chat_template=self._chat_template,
                                  use_tqdm=False))

    def _outputs(self, prompts: list[Chat], sampling: list[Any]) -> list[Any | None]:
        """The call's outputs; when vLLM refuses the batch (a prompt longer than the model's context raises for the
        whole call), each prompt alone, a refused one failing alone."""
        try:
            return list(self._call(prompts, sampling))
        except ValueError:
            out: list[Any | None] = []
            for p, s in zip(prompts, sampling, strict=True):
                try:
                    out += self._call([p], [s])
                except ValueError:
                    out.append(None)
            return out

    def generate_samples(self, requests: Sequence[tuple[Chat, GenerationParams, int]]
                         ) -> list[list[Generation | None] | None]:
        """For each (prompt, params, n), n samples from one vLLM request; raw prompts and chats in their own call."""
        out: list[list[Generation | None] | None] = [None] * len(requests)
        for raw in (False, True):
            idx = [i for i, (p, _, _) in enumerate(requests) if (raw_text(p) is not None) == raw]
            if not idx:
                continue
            outputs = self._outputs([requests[i][0] for i in idx],
                                    [self._sampling(requests[i][1], requests[i][2]) for i in idx])
            for i, ro in zip(idx, outputs, strict=True):
                if ro is None:
                    continue
                _, params, n = requests[i]
                tokens = getattr(ro, "prompt_token_ids", None)
                length = len(tokens) if tokens is not None else None
                samples = [generation_of(o, length, params, self._count) for o in list(ro.outputs)[:n]]
                out[i] = samples + [None] * (n - len(samples))
        return out

    def generate(self, prompts: Sequence[Chat], params: GenerationParams) -> list[Generation | str | None]:
        """One sample of every prompt."""
        return [None if s is None else s[0] for s in self.generate_samples([(p, params, 1) for p in prompts])]

    def identity(self) -> dict[str, str]:
        """Engine, model, dtype (and the chat template given, by its hash)."""
        out = {"engine": self.name, "model": self.model, "dtype": self.dtype}
        if self._chat_template is not None:
            out["chat_template_sha256"] = hashlib.sha256(self._chat_template.encode()).hexdigest()
        return out

    def describe(self) -> dict[str, Any]:
        """Engine settings for result.json."""
        return {**self.identity(), "path": self.path, "tensor_parallel_size": self.tensor_parallel_size}

    def close(self) -> None:
        """Drop the model."""
        del self.llm
