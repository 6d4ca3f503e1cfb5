"""Options of how a local model is run: its precision (one dtype, or bf16 speed with fp32 decisions), how its
inputs are packed into batches, and where every score is kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from rmeval.common.options import Options, at_least, option
from rmeval.models.options import ModelOptions

__all__ = ["BatchingOptions", "PrecisionOptions"]


@dataclass(frozen=True)
class PrecisionOptions(ModelOptions):
    """A model scored candidate by candidate, which can run fast in bf16 and still decide as in fp32."""

    precision: Literal["auto", "fp32", "bf16", "fast-exact"] = option(
        "auto", "fast-exact: bf16 for every answer, fp32 again for every close call, so every decision is "
                "fp32's; fp32 or bf16: one dtype; auto: fast-exact on a CUDA GPU with bf16 unless --dtype, "
                "--quantization or --device-map decide, else --dtype (fp32 on a CPU, where fast-exact gained less "
                "than 1.5x)")

    def check(self) -> None:
        """A precision that agrees with --dtype and --quantization."""
        wanted = {"fp32": "float32", "fast-exact": "float32", "bf16": "bfloat16"}.get(self.precision)
        if wanted and self.dtype not in ("auto", wanted):
            raise ValueError(f"--precision {self.precision} loads the weights in {wanted}, not --dtype {self.dtype}: "
                             "give one of them")
        if self.precision != "auto" and self.quantization:
            raise ValueError(f"--precision {self.precision} does not apply to weights quantized by --quantization "
                             f"{self.quantization}")


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
