"""Scorer kinds addressed by name. Modules register their factory by decorator and import torch only inside it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rmeval.config import RunConfig
    from rmeval.scorers.base import Scorer

__all__ = ["BUILTIN_MODULES", "Factory", "build_scorer", "register_scorer", "scorer_names"]

Factory = Callable[["RunConfig"], "tuple[Scorer, float]"]
"""Builds a scorer from the run configuration; returns it with its load time in seconds."""

BUILTIN_MODULES = ("rmeval.scorers.classifier", "rmeval.scorers.implicit", "rmeval.scorers.judge")
_FACTORIES: dict[str, Factory] = {}
F = TypeVar("F", bound=Factory)


def register_scorer(name: str) -> Callable[[F], F]:
    """Register a scorer factory under `name` (`--scorer NAME`)."""

    def wrap(factory: F) -> F:
        _FACTORIES[name] = factory
        return factory

    return wrap


def _load_builtins() -> None:
    for module in BUILTIN_MODULES:
        importlib.import_module(module)


def scorer_names() -> list[str]:
    """Every registered scorer kind."""
    _load_builtins()
    return sorted(_FACTORIES)


def build_scorer(config: RunConfig) -> tuple[Scorer, float]:
    """The scorer `config.scorer` names, loaded."""
    _load_builtins()
    if config.scorer not in _FACTORIES:
        raise ValueError(f"unknown scorer {config.scorer!r}; known: {', '.join(sorted(_FACTORIES))}")
    return _FACTORIES[config.scorer](config)
