"""Per-model settings as validated data (presets.json), never as branches on model names.

`rmeval run --model NAME` with a preset's name takes the preset's settings (scorer kind, reference, dtype, template,
max length, attention); an option given on the command line wins over the preset.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rmeval.scorers.runtime import DTYPES

__all__ = [
    "DEFAULT_BENCHMARK",
    "DEFAULT_PRESET",
    "REF_FREE",
    "RUN_SETTINGS",
    "Preset",
    "get_preset",
    "parse_presets",
    "presets",
    "resolve_model_path",
    "run_settings",
]

DEFAULT_PRESET = "smollm2-135m-instruct"
DEFAULT_BENCHMARK = "rewardbench-mini"
"""What `rmeval run` evaluates when no --model is given: a real model and a benchmark that need no download."""
SCORERS = ("classifier", "implicit", "judge")
REF_FREE = ("sum", "avg", "norm")
RUN_SETTINGS = ("scorer", "ref_model", "ref_free", "dtype", "chat_template", "max_length", "attn_implementation")
"""The run options a preset can set (names of `RunConfig` fields)."""
BUILT_IN_DEFAULTS: dict[str, Any] = {"scorer": "classifier", "dtype": "auto"}


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

    def settings(self) -> dict[str, Any]:
        """The run options this preset sets (unset ones left out)."""
        return {k: getattr(self, k) for k in RUN_SETTINGS if getattr(self, k) is not None}


_TYPES: dict[str, tuple[type, ...]] = {
    "description": (str,), "scorer": (str,), "source": (dict,), "ref_model": (str,), "ref_free": (str,),
    "dtype": (str,), "chat_template": (str,), "max_length": (int,), "attn_implementation": (str,),
}


def _check_choice(where: str, key: str, value: object, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise ValueError(f"{where}: {key} must be one of {', '.join(choices)}, got {value!r}")


def _validate(name: str, raw: Any, where: str) -> Preset:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object, got {type(raw).__name__}")
    unknown = set(raw) - set(_TYPES)
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_TYPES)}")
    for key in ("description", "scorer", "source"):
        if key not in raw:
            raise ValueError(f"{where}: missing key {key!r}")
    for key, value in raw.items():
        if value is not None and (not isinstance(value, _TYPES[key]) or isinstance(value, bool)):
            expected = " or ".join(t.__name__ for t in _TYPES[key])
            raise ValueError(f"{where}: {key} must be {expected}, got {type(value).__name__}")
    preset = Preset(name=name, **raw)
    _check_choice(where, "scorer", preset.scorer, SCORERS)
    _check_choice(where, "ref_free", preset.ref_free, REF_FREE)
    _check_choice(where, "dtype", preset.dtype, DTYPES)
    if preset.scorer == "implicit" and (preset.ref_model is None) == (preset.ref_free is None):
        raise ValueError(f"{where}: an implicit preset names exactly one of ref_model and ref_free")
    if preset.scorer != "implicit" and (preset.ref_model or preset.ref_free):
        raise ValueError(f"{where}: ref_model and ref_free belong to implicit presets only")
    if preset.max_length is not None and preset.max_length < 1:
        raise ValueError(f"{where}: max_length must be positive, got {preset.max_length}")
    kind = preset.source.get("kind")
    needs = {"pypi-gguf": {"package", "file"}, "hub": {"id"}}
    if kind not in needs:
        raise ValueError(f"{where}: source kind must be 'pypi-gguf' or 'hub', got {kind!r}")
    missing = needs[kind] - set(preset.source)
    if missing:
        raise ValueError(f"{where}: a {kind} source needs {sorted(missing)}")
    return preset


def parse_presets(text: str, source: str = "presets.json") -> dict[str, Preset]:
    """Validate a presets table (JSON object of name -> settings); errors name the file and the preset."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{source}: not valid JSON ({e})") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: expected an object of presets, got {type(raw).__name__}")
    return {name: _validate(name, value, f"{source}, preset {name!r}") for name, value in raw.items()}


@cache
def presets() -> dict[str, Preset]:
    """Every packaged preset, validated once."""
    return parse_presets((resources.files("rmeval") / "presets.json").read_text(encoding="utf-8"))


def get_preset(name: str) -> Preset | None:
    """The preset called `name`, or None when `name` is a path or hub id."""
    return presets().get(name)


def run_settings(model: str, explicit: Mapping[str, Any]) -> dict[str, Any]:
    """Values of `RUN_SETTINGS` for a run of `model`: explicit options win over the preset's, which win over the
    built-in defaults. A reference given either way (--ref-model or --ref-free) replaces the preset's as a whole.

    >>> run_settings("smollm2-135m-instruct", {"max_length": 512})["max_length"]
    512
    >>> run_settings("smollm2-135m-instruct", {"ref_model": "other"})["ref_free"] is None
    True
    """
    preset = get_preset(model)
    from_preset = preset.settings() if preset else {}
    if explicit.get("ref_model") is not None or explicit.get("ref_free") is not None:
        from_preset = {k: v for k, v in from_preset.items() if k not in ("ref_model", "ref_free")}
    merged = {k: None for k in RUN_SETTINGS}
    merged.update(BUILT_IN_DEFAULTS)
    merged.update(from_preset)
    merged.update({k: v for k, v in explicit.items() if v is not None})
    return merged


def resolve_model_path(model: str) -> str:
    """A loadable folder or hub id: preset names become their weights' local folder (built once, then cached)."""
    preset = get_preset(model)
    if preset is None:
        return model
    if preset.source["kind"] == "hub":
        return preset.source["id"]
    from rmeval.models.gguf import materialize_gguf

    return str(materialize_gguf(preset.source["package"], preset.source["file"]))
