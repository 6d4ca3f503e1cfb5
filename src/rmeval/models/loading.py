"""Loading a transformers checkpoint for scoring, the same way for every model kind: dtype, revision, remote code,
attention implementation, a device map over several devices, bitsandbytes quantization; and the load report that
decides whether the model is what it claims to be.

transformers initialises any weight the checkpoint lacks at random and says so in one log line. A reward head that
is newly initialised (a causal LM or a bare encoder loaded as a classifier) gives random rewards that look like a
result, so here it stops the run, unless `--allow-new-head` (tests only). Weights the checkpoint holds but the model
never uses are recorded: a head left behind is worth knowing about.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rmeval.common.extras import require
from rmeval.common.runtime import pick_dtype, quiet_loading
from rmeval.models.options import ModelOptions, parse_max_memory

__all__ = ["LoadReport", "Loaded", "check_new_weights", "input_device", "load_checkpoint", "load_pretrained",
           "load_tokenizer", "quantization_config"]

SHOWN = 20
"""Names listed per kind of weight in result.json (the count is always exact)."""


@dataclass(frozen=True)
class LoadReport:
    """What loading found: weights newly initialised, checkpoint weights left unused, and where the model lives."""

    model_class: str
    newly_initialised: tuple[str, ...]
    unused: tuple[str, ...]
    dtype: str
    device_map: dict[str, str] | None
    quantization: str | None

    def without(self, used: Iterable[str]) -> LoadReport:
        """The report once rmeval itself reads `used` (a value head beside the backbone)."""
        taken = set(used)
        return LoadReport(self.model_class, self.newly_initialised, tuple(k for k in self.unused if k not in taken),
                          self.dtype, self.device_map, self.quantization)

    def describe(self) -> dict[str, Any]:
        """The part of result.json that says what was loaded."""
        return {"class": self.model_class, "dtype": self.dtype, "device_map": self.device_map,
                "quantization": self.quantization,
                "newly_initialised": {"count": len(self.newly_initialised),
                                      "names": list(self.newly_initialised[:SHOWN])},
                "unused_weights": {"count": len(self.unused), "names": list(self.unused[:SHOWN])}}


def check_new_weights(report: LoadReport, name: str, allow: bool, what: str = "reward head") -> None:
    """Stop when loading initialised weights at random (unless `allow`: `--allow-new-head`, for tests)."""
    if not report.newly_initialised or allow:
        return
    shown = ", ".join(report.newly_initialised[:4]) + (" ..." if len(report.newly_initialised) > 4 else "")
    raise ValueError(f"{name}: {len(report.newly_initialised)} weights of its {what} are not in the checkpoint and "
                     f"would be newly initialised ({shown}), so its rewards would be random. Use the scorer kind "
                     "that matches the checkpoint (rmeval models lists them) or pass --allow-new-head (tests only)")


def quantization_config(kind: str | None, dtype: Any) -> Any:
    """bitsandbytes settings for `--quantization 8bit|4bit` (None: full precision); CUDA and the package first."""
    if kind is None:
        return None
    import torch

    if not torch.cuda.is_available():
        raise ValueError(f"--quantization {kind} needs a CUDA GPU (bitsandbytes); none is visible here: drop the "
                         "option to load the model unquantized")
    require("bitsandbytes", extra="quant", purpose=f"--quantization {kind}")
    import transformers

    settings: Any = transformers.BitsAndBytesConfig
    if kind == "8bit":
        return settings(load_in_8bit=True)
    if kind == "4bit":
        return settings(load_in_4bit=True, bnb_4bit_compute_dtype=dtype)
    raise ValueError(f"--quantization must be 8bit or 4bit, got {kind!r}")


def input_device(model: Any) -> Any:
    """Where a model's inputs go: its input embeddings' device (a model spread by a device map starts there)."""
    embeddings = model.get_input_embeddings() if hasattr(model, "get_input_embeddings") else None
    weight = getattr(embeddings, "weight", None)
    return weight.device if weight is not None else model.device


def load_tokenizer(path: str, options: ModelOptions) -> Any:
    """The tokenizer of `path`, or of `--tokenizer` (a folder, hub id or preset) when given."""
    from transformers import AutoTokenizer

    from rmeval.presets import resolve_model_path

    source = resolve_model_path(options.tokenizer) if options.tokenizer else path
    return AutoTokenizer.from_pretrained(source, revision=options.revision,
                                         trust_remote_code=options.trust_remote_code)


def _placement(model: Any) -> dict[str, str]:
    """Where a device map put the model's modules (accelerate's map; all on one device when it made none)."""
    placed = getattr(model, "hf_device_map", None)
    if isinstance(placed, dict) and placed:
        return {str(k): str(v) for k, v in placed.items()}
    return {"": ",".join(sorted({str(p.device) for p in model.parameters()}))}


def load_pretrained(auto_class: Any, path: str, options: ModelOptions, device: str, *,
                    key_mapping: dict[str, str] | None = None, **kwargs: Any) -> tuple[Any, LoadReport]:
    """`auto_class.from_pretrained(path)` in eval mode, placed by `--device-map` (else on `device`), with its
    load report. Extra keyword arguments go to `from_pretrained` (a config, `num_labels` ...)."""
    dtype = pick_dtype(options.dtype, device)
    load: dict[str, Any] = {"revision": options.revision, "trust_remote_code": options.trust_remote_code,
                            "dtype": dtype, "output_loading_info": True, **kwargs}
    if options.attn_implementation:
        load["attn_implementation"] = options.attn_implementation
    if key_mapping:
        load["key_mapping"] = key_mapping
    quantized = quantization_config(options.quantization, dtype)
    if quantized is not None:
        load["quantization_config"] = quantized
        load["device_map"] = options.device_map or {"": device}  # bitsandbytes places weights while loading
    elif options.device_map:
        load["device_map"] = options.device_map
    if options.max_memory:
        load["max_memory"] = parse_max_memory(options.max_memory)
    # transformers logs its own load report; rmeval records it (result.json) and stops on new weights instead. A
    # quieter load report makes transformers check a tensor-parallel plan rmeval never uses, and warn about it.
    loggers = [logging.getLogger(f"transformers.{n}") for n in ("modeling_utils", "distributed.tensor_parallel")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        model, info = auto_class.from_pretrained(path, **load)
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
    if "device_map" not in load:
        model.to(device)
    model.eval()
    report = LoadReport(
        type(model).__name__, tuple(sorted(info.get("missing_keys", ()))),
        tuple(sorted(info.get("unexpected_keys", ()))), str(model.dtype).removeprefix("torch."),
        _placement(model) if "device_map" in load else None, options.quantization)
    return model, report


@dataclass(frozen=True)
class Loaded:
    """A checkpoint loaded for scoring: the folder or hub id its weights came from, its tokenizer, the model and
    what loading found."""

    path: str
    tokenizer: Any
    model: Any
    report: LoadReport


def load_checkpoint(auto_class: Any, name: str, options: ModelOptions, device: str, what: str = "reward head",
                    **kwargs: Any) -> Loaded:
    """`name` (a folder, hub id or preset) loaded by `auto_class` with its tokenizer, stopped when loading would
    initialise weights of its `what` at random (`check_new_weights`)."""
    from rmeval.presets import resolve_model_path

    quiet_loading()
    path = resolve_model_path(name)
    tokenizer = load_tokenizer(path, options)
    model, report = load_pretrained(auto_class, path, options, device, **kwargs)
    check_new_weights(report, name, options.allow_new_head, what)
    return Loaded(path, tokenizer, model, report)
