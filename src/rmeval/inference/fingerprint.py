"""What decides a loaded model's scores besides its input tokens: the score store's key for every local kind."""

from __future__ import annotations

from typing import Any

from rmeval.inference.encoding import TextEncoder
from rmeval.models.identity import model_identity
from rmeval.models.loading import input_device
from rmeval.models.options import ModelOptions

__all__ = ["model_fingerprint"]


def model_fingerprint(kind: str, weights: str, options: ModelOptions, model: Any, encoder: TextEncoder | None,
                      **extra: Any) -> dict[str, Any]:
    """What decides a loaded model's rewards besides the tokens (the score store's key): the weights' identity,
    dtype, device kind, attention, quantization, template and length, plus what the kind reads (`extra`)."""
    config = model.config
    return {"kind": kind, "model": model_identity(weights, options.revision, getattr(config, "_commit_hash", None)),
            "dtype": str(model.dtype), "device": input_device(model).type,
            "attn_implementation": getattr(config, "_attn_implementation", None),
            "quantization": options.quantization,
            "template": encoder.template.sha256 if encoder else None,
            "max_length": encoder.max_length if encoder else None, **extra}
