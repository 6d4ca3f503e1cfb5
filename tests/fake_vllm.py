"""A stand-in for the `vllm` package with its offline interface, for testing the layer above it without a GPU.

It follows vllm-project/vllm: `LLM(model, *, dtype, trust_remote_code, tensor_parallel_size, ...)`, `LLM.generate`
(prompts, one SamplingParams or one per prompt) and `LLM.chat` (conversations) returning one `RequestOutput` per
prompt in order (`vllm/entrypoints/llm.py`); `RequestOutput.prompt_token_ids` and `.outputs`, each a
`CompletionOutput` with `index`, `text`, `token_ids`, `finish_reason` ("stop" / "length" / "abort") and
`stop_reason` (`vllm/outputs.py`); `SamplingParams(n, temperature, top_p, seed, max_tokens, stop, ...)`, the i-th of
n outputs seeded `seed + i` (`vllm/v1/engine/parallel_sampling.py`); a prompt longer than the model's context raises
ValueError for the whole call. It answers like the loopback server (`loopback_openai.reply_for`): tokens are words.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, ClassVar

from loopback_openai import _response, reply_for

MAX_MODEL_LEN = 2000


class SamplingParams:
    """The fields rmeval sets, kept as given."""

    def __init__(self, n: int = 1, temperature: float = 1.0, top_p: float = 1.0, seed: int | None = None,
                 max_tokens: int | None = 16, stop: list[str] | None = None, **kwargs: Any) -> None:
        self.n, self.temperature, self.top_p, self.seed = n, temperature, top_p, seed
        self.max_tokens, self.stop, self.extra = max_tokens, stop, kwargs


@dataclass
class CompletionOutput:
    index: int
    text: str
    token_ids: list[int]
    cumulative_logprob: float | None = None
    logprobs: Any = None
    finish_reason: str | None = None
    stop_reason: int | str | None = None


@dataclass
class RequestOutput:
    request_id: str
    prompt: str | None
    prompt_token_ids: list[int] | None
    prompt_logprobs: Any
    outputs: list[CompletionOutput]
    finished: bool = True


class _Tokenizer:
    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return list(range(len(text.split(" "))))


class LLM:
    """The offline engine: records how it was built and every call it got (`LLM.created`: every instance)."""

    created: ClassVar[list[LLM]] = []

    def __init__(self, model: str, *, dtype: str = "auto", trust_remote_code: bool = False,
                 tensor_parallel_size: int = 1, **kwargs: Any) -> None:
        self.model, self.dtype, self.trust_remote_code = model, dtype, trust_remote_code
        self.tensor_parallel_size, self.kwargs = tensor_parallel_size, kwargs
        self.calls: list[tuple[str, list[tuple[int, int | None, int | None]]]] = []
        LLM.created.append(self)

    def get_tokenizer(self) -> _Tokenizer:
        return _Tokenizer()

    def _one(self, i: int, text: str, user: str, sp: SamplingParams) -> RequestOutput:
        if len(text.split()) > MAX_MODEL_LEN:
            raise ValueError(f"The decoder prompt (length {len(text.split())}) is longer than the maximum model length")
        outputs = []
        for k in range(sp.n):
            seed = (sp.seed or 0) + k  # vLLM's parallel sampling: child k is seeded seed + k
            answer, thinking = reply_for(self.model, user, seed, sp.temperature)
            body = _response("/v1/chat/completions", self.model, answer, thinking, text, {"max_tokens": sp.max_tokens})
            choice = body["choices"][0]
            content = choice["message"]["content"] or ""
            finish = choice["finish_reason"]
            stop_reason = None
            for s in sp.stop or []:
                if s in content:
                    content, finish, stop_reason = content[:content.index(s)], "stop", s
            outputs.append(CompletionOutput(k, content, list(range(body["usage"]["completion_tokens"])),
                                            finish_reason=finish, stop_reason=stop_reason))
        return RequestOutput(str(i), text, list(range(len(text.split()))), None, outputs)

    def _run(self, kind: str, texts: list[tuple[str, str]], sampling: Any) -> list[RequestOutput]:
        params = sampling if isinstance(sampling, list) else [sampling] * len(texts)
        self.calls.append((kind, [(p.n, p.seed, p.max_tokens) for p in params]))
        return [self._one(i, t, u, p) for i, ((t, u), p) in enumerate(zip(texts, params, strict=True))]

    def generate(self, prompts: list[str], sampling_params: Any = None, use_tqdm: bool = True) -> list[RequestOutput]:
        return self._run("generate", [(p, p) for p in prompts], sampling_params)

    def chat(self, messages: list[list[dict[str, str]]], sampling_params: Any = None, use_tqdm: bool = True,
             chat_template: str | None = None, **kwargs: Any) -> list[RequestOutput]:
        texts = []
        for conversation in messages:
            joined = "\n".join(m["content"] for m in conversation)
            user = next(m["content"] for m in reversed(conversation) if m["role"] == "user")
            texts.append((joined, user))
        return self._run("chat", texts, sampling_params)


def module() -> types.ModuleType:
    """A `vllm` module object holding this fake's interface."""
    fake = types.ModuleType("vllm")
    fake.LLM = LLM  # type: ignore[attr-defined]
    fake.SamplingParams = SamplingParams  # type: ignore[attr-defined]
    fake.CompletionOutput = CompletionOutput  # type: ignore[attr-defined]
    fake.RequestOutput = RequestOutput  # type: ignore[attr-defined]
    return fake


__all__ = ["LLM", "CompletionOutput", "RequestOutput", "SamplingParams", "module"]
