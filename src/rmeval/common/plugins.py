"""Third-party additions through Python entry points (`rmeval.scorers`, `rmeval.engines`, `rmeval.benchmarks`):
each entry point names a module that registers what it defines when imported, or (scorers) the object to register.
A plugin that fails to import is reported once and left out; the built-in parts keep working.
"""

from __future__ import annotations

import importlib.metadata
import logging
from typing import Any

__all__ = ["load_plugins"]

log = logging.getLogger("rmeval.plugins")


def load_plugins(group: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Import every entry point of `group`: (what each loaded, by entry point name; why each failed)."""
    loaded: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for ep in importlib.metadata.entry_points(group=group):
        try:
            loaded[ep.name] = ep.load()
        except Exception as e:  # a broken plugin must not break rmeval
            failed[ep.name] = f"{type(e).__name__}: {e}"
            log.warning("plugin %s (%s, group %s) failed to load: %s", ep.name, ep.value, group, failed[ep.name])
    return loaded, failed
