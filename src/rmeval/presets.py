"""Per-model settings as validated data (presets.json), never as branches on model names."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["DEFAULT_PRESET", "Preset", "get_preset", "presets", "resolve_model_path"]

DEFAULT_PRESET = "smollm2-135m-instruct"
SCORERS = ("classifier", "implicit", "judge")
REF_FREE = ("sum", "avg", "norm")


@dataclass(frozen=True)
class Preset:
    """Settings of one known model: scorer kind, reference, dtype, template, max length, and where weights live."""

    name: str
    description: str
    scorer: str
    source: dict[str, str]
    ref_model: str | None = None
    ref_free: str | None = None
    dtype: str = "auto"
    chat_template: str | None = None
    max_length: int | None = None
    attn_implementation: str | None = None


def _validate(name: str, raw: Any) -> Preset:
    where = f"presets.json, preset {name!r}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object")
    allowed = {f.name for f in fields(Preset)} - {"name"}
    unknown = set(raw) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    for key in ("description", "scorer", "source"):
        if key not in raw:
            raise ValueError(f"{where}: missing key {key!r}")
    preset = Preset(name=name, **raw)
    if preset.scorer not in SCORERS:
        raise ValueError(f"{where}: scorer must be one of {SCORERS}, got {preset.scorer!r}")
    if preset.scorer == "implicit" and (preset.ref_model is None) == (preset.ref_free is None):
        raise ValueError(f"{where}: an implicit preset names exactly one of ref_model and ref_free")
    if preset.ref_free is not None and preset.ref_free not in REF_FREE:
        raise ValueError(f"{where}: ref_free must be one of {REF_FREE}")
    kind = preset.source.get("kind")
    if kind == "pypi-gguf":
        if not {"package", "file"} <= set(preset.source):
            raise ValueError(f"{where}: a pypi-gguf source needs 'package' and 'file'")
    elif kind == "hub":
        if "id" not in preset.source:
            raise ValueError(f"{where}: a hub source needs 'id'")
    else:
        raise ValueError(f"{where}: source kind must be 'pypi-gguf' or 'hub', got {kind!r}")
    if preset.max_length is not None and preset.max_length < 1:
        raise ValueError(f"{where}: max_length must be positive")
    return preset


@cache
def presets() -> dict[str, Preset]:
    """Every preset, validated once."""
    raw = json.loads((resources.files("rmeval") / "presets.json").read_text(encoding="utf-8"))
    return {name: _validate(name, value) for name, value in raw.items()}


def get_preset(name: str) -> Preset | None:
    """The preset called `name`, or None when `name` is a path or hub id."""
    return presets().get(name)


def resolve_model_path(model: str) -> str:
    """A loadable folder or hub id: preset names become their weights' local folder (built once, then cached)."""
    preset = get_preset(model)
    if preset is None:
        return model
    if preset.source["kind"] == "hub":
        return preset.source["id"]
    from rmeval.models.gguf import materialize_gguf

    return str(materialize_gguf(preset.source["package"], preset.source["file"]))
