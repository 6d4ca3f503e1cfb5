"""Device and dtype are chosen here and nowhere else."""

from __future__ import annotations

from typing import Any

__all__ = ["DTYPES", "pick_device", "pick_dtype", "quiet_loading", "versions"]

DTYPES = ("auto", "float32", "bfloat16", "float16")


def pick_device(option: str | None) -> str:
    """`--device`, or CUDA when present, else CPU."""
    import torch

    if option and option != "auto":
        return option
    return "cuda" if torch.cuda.is_available() else "cpu"


def pick_dtype(option: str, device: str) -> Any:
    """`--dtype`; auto means bf16 on CUDA (fp16 overflows on some models) and fp32 on CPU (exact, stable)."""
    import torch

    if option not in DTYPES:
        raise ValueError(f"--dtype must be one of {', '.join(DTYPES)}, got {option!r}")
    if option == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return getattr(torch, option)


def quiet_loading() -> None:
    """Hide transformers' per-load progress bars: rmeval shows one bar for the whole scoring instead."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def versions() -> dict[str, str]:
    """Versions of the libraries that decide the numbers."""
    import torch
    import transformers

    from rmeval import __version__

    return {"rmeval": __version__, "torch": torch.__version__, "transformers": transformers.__version__}
