"""Options several scorers share: how a local transformers model is loaded, and how batches are packed.

Each scorer's options dataclass inherits the groups it needs, so a flag such as `--dtype` is declared once and
means the same for every scorer that takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rmeval.common.options import option

__all__ = ["BatchingOptions", "LocalModelOptions", "ModelOptions"]

Dtype = Literal["auto", "float32", "bfloat16", "float16"]


@dataclass(frozen=True)
class LocalModelOptions:
    """Where and how a model runs on this machine."""

    cli_group: ClassVar[str] = "model"

    device: str | None = option(None, "cpu, cuda, cuda:1 ... (default: cuda when present)")
    dtype: Dtype = option("auto", "auto: bf16 on CUDA, fp32 on CPU")
    chat_template: str | None = option(None, "a built-in template (raw, chatml) or a Jinja file; required when the "
                                             "tokenizer has none")
    trust_remote_code: bool = option(False, "run code shipped with the model (off by default)")


@dataclass(frozen=True)
class ModelOptions(LocalModelOptions):
    """A transformers checkpoint scored directly (classifiers, implicit rewards)."""

    revision: str | None = option(None, "hub revision (branch, tag or commit) of the model")
    tokenizer: str | None = option(None, "tokenizer folder or hub id, when it differs from the model's")
    attn_implementation: str | None = option(None, "eager, sdpa, flash_attention_2 ... (default: the model's)")
    max_length: int | None = option(None, "tokens per text (default: the model's own limit)")

    def __post_init__(self) -> None:
        if self.max_length is not None and self.max_length < 1:
            raise ValueError(f"--max-length must be at least 1, got {self.max_length}")


@dataclass(frozen=True)
class BatchingOptions:
    """How texts are packed into batches (scores never depend on it)."""

    cli_group: ClassVar[str] = "batching"

    max_tokens_per_batch: int | None = option(None, "budget of padded tokens per batch (default: 4096 on CPU, "
                                                    "16384 on CUDA, unless --batch-size is given)")
    batch_size: int | None = option(None, "at most this many texts per batch")
