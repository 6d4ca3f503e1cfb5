"""Typed option dataclasses: one definition gives the defaults, the validation of presets and library calls, and the
command-line flags, so no option is ever written twice.

A field declared with `option(...)` carries its help text and, where the flag is not `--field-name`, its flag.
`options_from_mapping` builds an instance from plain values (a preset, keyword arguments), rejecting unknown keys and
wrong types with the source named; `add_arguments` adds one flag per field to an argparse group.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal

__all__ = ["OptionSpec", "Options", "add_arguments", "at_least", "option", "option_specs", "option_values",
           "options_from_mapping"]


def at_least(name: str, value: float | None, low: float, strict: bool = False) -> None:
    """A ValueError naming the flag when `value` (if set) is below `low` (or equal, when `strict`)."""
    if value is not None and (value <= low if strict else value < low):
        raise ValueError(f"--{name.replace('_', '-')} must be {'greater than' if strict else 'at least'} {low:g}, "
                         f"got {value}")


def option(default: Any, help: str, *, flag: str | None = None, metavar: str | None = None,
           together: str | None = None, names: str | None = None) -> Any:
    """A dataclass field that is also a command-line option.

    `together` names a group of options that replace each other as a whole: an explicit value for one of them
    drops a preset's values for all of them (a reference model and a reference-free mode, say). `names` says the
    value names a `model` or a `tokenizer` (a folder, a hub id or a preset), checked before anything loads.
    """
    metadata = {"help": help, "flag": flag, "metavar": metavar, "together": together, "names": names}
    if isinstance(default, (list, dict, set)):
        raise TypeError("option defaults must be immutable (use a tuple)")
    return dataclasses.field(default=default, metadata=metadata)


@dataclass(frozen=True)
class OptionSpec:
    """What one field accepts: its base kind, whether None is allowed, its choices, and its flag."""

    name: str
    kind: type
    optional: bool
    sequence: bool
    choices: tuple[Any, ...] | None
    default: Any
    help: str
    flag: str
    metavar: str | None
    together: str | None
    group: str
    names: str | None = None

    def check(self, value: Any, where: str) -> Any:
        """`value` converted to this option's type, or a ValueError naming `where` and the option."""
        if value is None:
            if self.optional or self.default is None:
                return None
            raise ValueError(f"{where}: {self.name} cannot be null")
        if self.sequence:
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                raise ValueError(f"{where}: {self.name} must be a list, got {type(value).__name__}")
            return tuple(self._one(v, where) for v in value)
        return self._one(value, where)

    def _one(self, value: Any, where: str) -> Any:
        kind = self.kind
        if kind is Path and isinstance(value, (str, Path)):
            value = Path(value)
        elif kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
            raise ValueError(f"{where}: {self.name} must be {kind.__name__}, got {type(value).__name__}")
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{where}: {self.name} must be one of {', '.join(map(str, self.choices))}, "
                             f"got {value!r}")
        return value


def _resolve(hint: Any) -> tuple[type, bool, bool, tuple[Any, ...] | None]:
    """(base kind, optional, sequence, choices) of a field's type."""
    optional = False
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not NoneType]
        optional = len(args) < len(typing.get_args(hint))
        if len(args) != 1:
            raise TypeError(f"unsupported option type {hint!r}")
        hint = args[0]
    sequence = typing.get_origin(hint) is tuple
    if sequence:
        hint = typing.get_args(hint)[0]
    choices = None
    if typing.get_origin(hint) is Literal:
        choices = typing.get_args(hint)
        hint = type(choices[0])
    if hint not in (str, int, float, bool, Path):
        raise TypeError(f"unsupported option type {hint!r}")
    return hint, optional, sequence, choices


def _defining_group(cls: type, name: str) -> str:
    """The `cli_group` of the class in `cls`'s hierarchy that declares field `name` (its flags are grouped there)."""
    for klass in cls.__mro__:
        if name in inspect.get_annotations(klass):
            return str(getattr(klass, "cli_group", cls.__name__))
    return cls.__name__


@cache
def option_specs(cls: Any) -> tuple[OptionSpec, ...]:
    """Every field of an options dataclass, resolved once."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        kind, optional, sequence, choices = _resolve(hints[f.name])
        meta = f.metadata
        out.append(OptionSpec(f.name, kind, optional, sequence, choices, f.default, str(meta.get("help", "")),
                              meta.get("flag") or "--" + f.name.replace("_", "-"), meta.get("metavar"),
                              meta.get("together"), _defining_group(cls, f.name), meta.get("names")))
    return tuple(out)


def options_from_mapping(cls: Any, values: Mapping[str, Any], where: str) -> Any:
    """An instance of the options dataclass `cls` from plain values; unknown keys and wrong types are errors."""
    specs = {s.name: s for s in option_specs(cls)}
    unknown = sorted(set(values) - set(specs))
    if unknown:
        raise ValueError(f"{where}: unknown option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                         f"allowed: {', '.join(sorted(specs))}")
    checked = {k: specs[k].check(v, where) for k, v in values.items()}
    try:
        return cls(**checked)
    except ValueError as e:  # a rule across fields (`__post_init__`): name the source too
        raise ValueError(f"{where}: {e}") from None


class Options:
    """Base of options dataclasses: after construction, every class of the hierarchy that defines `check` checks
    the values (ranges, options that exclude each other), so a bad value stops before anything loads."""

    def __post_init__(self) -> None:
        for klass in reversed(type(self).__mro__):
            check = klass.__dict__.get("check")
            if check is not None:
                check(self)


def option_values(options: Any) -> dict[str, Any]:
    """An options instance as JSON-ready values (what result.json records)."""
    return {k: (str(v) if isinstance(v, Path) else [str(x) for x in v] if isinstance(v, tuple) else v)
            for k, v in dataclasses.asdict(options).items()}


def _default_text(spec: OptionSpec) -> str:
    if spec.default in (None, False, (), "") or spec.kind is bool:
        return ""
    return f" (default: {spec.default})"


def add_arguments(group: Any, specs: tuple[OptionSpec, ...], seen: dict[str, OptionSpec]) -> None:
    """One flag per option into an argparse group; an option already added (shared by several scorers) is checked
    to mean the same and skipped. Flags default to `SUPPRESS`, so the namespace holds only what was given."""
    for spec in specs:
        earlier = seen.get(spec.name)
        if earlier is not None:
            if (earlier.flag, earlier.kind, earlier.sequence) != (spec.flag, spec.kind, spec.sequence):
                raise TypeError(f"option {spec.name} is declared twice with different flags or types")
            continue
        seen[spec.name] = spec
        kwargs: dict[str, Any] = {"dest": spec.name, "default": argparse.SUPPRESS,
                                  "help": spec.help + _default_text(spec)}
        if spec.kind is bool:
            kwargs["action"] = "store_false" if spec.default is True else "store_true"
        else:
            kwargs["type"] = spec.kind
            if spec.sequence:
                kwargs["action"] = "append"
            if spec.choices is not None:
                kwargs["choices"] = spec.choices
            if spec.metavar:
                kwargs["metavar"] = spec.metavar
        group.add_argument(spec.flag, **kwargs)
