"""Device and dtype are chosen here and nowhere else; so is a model's own length limit."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["DTYPES", "model_max_length", "pick_device", "pick_dtype", "quiet_loading", "versions"]

DTYPES = ("auto", "float32", "bfloat16", "float16")


def pick_device(option: str | None) -> str:
    """`--device`, or CUDA when present (in a data-parallel run, this process's own GPU), else CPU."""
    import torch

    if option and option != "auto":
        return option
    if not torch.cuda.is_available():
        return "cpu"
    return f"cuda:{os.environ['LOCAL_RANK']}" if int(os.environ.get("WORLD_SIZE", "1")) > 1 else "cuda"


def pick_dtype(option: str, device: str) -> Any:
    """`--dtype`; auto means bf16 on CUDA (fp16 overflows on some models) and fp32 on CPU (exact, stable)."""
    import torch

    if option not in DTYPES:
        raise ValueError(f"--dtype must be one of {', '.join(DTYPES)}, got {option!r}")
    if option == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return getattr(torch, option)


def model_max_length(model_config: Any, tokenizer: Any) -> int:
    """The model's own context limit: its position table, capped by the tokenizer's declared maximum."""
    limits = [getattr(model_config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    sane = [int(x) for x in limits if isinstance(x, int) and 0 < x < 1_000_000]
    if not sane:
        raise ValueError("the model declares no maximum length; pass --max-length")
    return min(sane)


def quiet_loading() -> None:
    """Hide transformers' per-load progress bars: rmeval shows one bar for the whole scoring instead."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def versions() -> dict[str, str]:
    """Versions of the libraries that decide the numbers (those installed: a lean install has no torch)."""
    import importlib.metadata

    from rmeval import __version__

    out = {"rmeval": __version__}
    for name in ("torch", "transformers"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out
