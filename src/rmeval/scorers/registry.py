"""Scorer kinds addressed by name. Each kind is one module: it registers its factory with its options dataclass,
and imports torch only inside the factory.

Third-party packages add kinds through the `rmeval.scorers` entry point group: the entry point names a module that
registers on import, or a `ScorerEntry` object.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from rmeval.common.options import options_from_mapping
from rmeval.common.plugins import load_plugins

if TYPE_CHECKING:
    from rmeval.protocol import Scorer

__all__ = ["BUILTIN_MODULES", "ENTRY_POINT_GROUP", "Factory", "ScorerEntry", "build_scorer", "register_scorer",
           "scorer_entries", "scorer_entry", "scorer_names"]

Factory = Callable[[Sequence[str], Any, int], "Scorer"]
"""Builds a loaded scorer from its model name(s), its options instance and the run's seed."""

BUILTIN_MODULES = ("rmeval.scorers.classifier", "rmeval.scorers.implicit", "rmeval.scorers.judge",
                   "rmeval.scorers.value_head", "rmeval.scorers.remote_code", "rmeval.scorers.pair_ranker",
                   "rmeval.scorers.verdict", "rmeval.scorers.prm_head", "rmeval.scorers.prm_tag",
                   "rmeval.scorers.prm_chat", "rmeval.scorers.prm_value")
ENTRY_POINT_GROUP = "rmeval.scorers"


@dataclass(frozen=True)
class ScorerEntry:
    """A scorer kind: its factory, the dataclass of its options, a one-line summary, whether it takes several
    models at once (a judge ensemble), and what its model names are: `hf` transformers checkpoints (folders, hub
    ids, presets: checked before anything loads), `engine` judge names (`ENGINE/MODEL`), or `any` (labels)."""

    name: str
    factory: Factory
    options: type
    summary: str
    ensemble: bool = False
    models: str = "hf"


_ENTRIES: dict[str, ScorerEntry] = {}
_FAILED: dict[str, str] = {}
_loaded = False
F = TypeVar("F", bound=Factory)


def register_scorer(name: str, options: type, summary: str, *, ensemble: bool = False,
                    models: str = "hf") -> Callable[[F], F]:
    """Register a scorer factory under `name` (`--scorer NAME`) with its options dataclass."""
    if models not in ("hf", "engine", "any"):
        raise ValueError(f"models must be hf, engine or any, got {models!r}")

    def wrap(factory: F) -> F:
        _ENTRIES[name] = ScorerEntry(name, factory, options, summary, ensemble, models)
        return factory

    return wrap


def _load() -> None:
    """Import the built-in kinds and every installed plugin, once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_MODULES:
        importlib.import_module(module)
    loaded, failed = load_plugins(ENTRY_POINT_GROUP)
    _FAILED.update(failed)  # a kind whose plugin failed is reported missing, with why
    for obj in loaded.values():
        if isinstance(obj, ScorerEntry):
            _ENTRIES[obj.name] = obj


def scorer_entries() -> dict[str, ScorerEntry]:
    """Every registered scorer kind, built-in and installed, by name."""
    _load()
    return dict(sorted(_ENTRIES.items()))


def scorer_names() -> list[str]:
    """Every registered scorer kind."""
    return list(scorer_entries())


def scorer_entry(name: str) -> ScorerEntry:
    """The kind called `name`; a clear error lists the known ones (and a plugin that failed to load)."""
    entries = scorer_entries()
    if name in entries:
        return entries[name]
    why = f" (its plugin failed to load: {_FAILED[name]})" if name in _FAILED else ""
    raise ValueError(f"unknown scorer {name!r}{why}; known: {', '.join(entries)}")


def build_scorer(name: str, model: str | Sequence[str], options: Any = None, *, seed: int = 0,
                 **values: Any) -> Scorer:
    """A loaded scorer of kind `name` for `model` (several models: a judge ensemble).

    Options come as an instance of the kind's options dataclass, or as keyword values checked against it.
    """
    entry = scorer_entry(name)
    models = (model,) if isinstance(model, str) else tuple(model)
    if not models:
        raise ValueError("no model given")
    if len(models) > 1 and not entry.ensemble:
        raise ValueError(f"several models make an ensemble: --scorer {name} takes one model")
    if options is None:
        options = options_from_mapping(entry.options, values, f"--scorer {name}")
    elif values:
        raise TypeError("give options as an instance or as keyword values, not both")
    elif not isinstance(options, entry.options):
        raise TypeError(f"--scorer {name} takes {entry.options.__name__}, got {type(options).__name__}")
    return entry.factory(models, options, seed)

