"""Options several scorers share: how a local transformers model is loaded, and how batches are packed.

Each scorer's options dataclass inherits the groups it needs, so a flag such as `--dtype` is declared once and
means the same for every scorer that takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from rmeval.common.options import Options, option

__all__ = ["BatchingOptions", "LocalModelOptions", "ModelOptions", "at_least"]

Dtype = Literal["auto", "float32", "bfloat16", "float16"]


def at_least(name: str, value: float | None, low: float, strict: bool = False) -> None:
    """A ValueError naming the flag when `value` (if set) is below `low` (or equal, when `strict`)."""
    if value is not None and (value <= low if strict else value < low):
        raise ValueError(f"--{name.replace('_', '-')} must be {'greater than' if strict else 'at least'} {low:g}, "
                         f"got {value}")


@dataclass(frozen=True)
class LocalModelOptions(Options):
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
    tokenizer: str | None = option(None, "tokenizer folder or hub id, when it differs from the model's",
                                   names="tokenizer")
    attn_implementation: str | None = option(None, "eager, sdpa, flash_attention_2 ... (default: the model's)")
    max_length: int | None = option(None, "tokens per text (default: the model's own limit)")
    allow_longer: bool = option(False, "allow --max-length above the model's own limit (its positions beyond are "
                                       "untrained: scores may be meaningless)")

    def check(self) -> None:
        """A positive length."""
        at_least("max_length", self.max_length, 1)


@dataclass(frozen=True)
class BatchingOptions(Options):
    """How texts are packed into batches (scores never depend on it), and where every score is kept."""

    cli_group: ClassVar[str] = "batching and the score store"

    max_tokens_per_batch: int | None = option(None, "budget of padded tokens per batch (default: 4096 on CPU, "
                                                    "16384 on CUDA, unless --batch-size is given)")
    batch_size: int | None = option(None, "at most this many texts per batch")
    score_cache: Path | None = option(None, "the score store's folder (default $RMEVAL_CACHE/scores): every score is "
                                            "kept as its batch finishes, so a rerun computes only what is missing")
    use_score_cache: bool = option(True, "neither read nor write the score store", flag="--no-score-cache")

    def check(self) -> None:
        """Positive sizes."""
        at_least("max_tokens_per_batch", self.max_tokens_per_batch, 1)
        at_least("batch_size", self.batch_size, 1)
