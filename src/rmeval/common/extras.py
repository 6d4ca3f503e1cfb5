"""Optional dependencies: `pip install rmeval` reads, reports, compares and ranks result folders with numpy alone;
scoring transformers models needs the `hf` extra, HTTP judges the `api` extra, plots the `plot` extra.

`require` turns a missing module into one clear line that names the extra to install, before any work starts.
"""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["MissingExtra", "require"]


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message says which extra brings it."""


def _installed(module: str) -> bool:
    """Whether `module` can be imported, found without importing it (torch takes seconds to import)."""
    if module in sys.modules:
        return sys.modules[module] is not None  # None: import blocked on purpose
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(*modules: str, extra: str, purpose: str) -> None:
    """Raise `MissingExtra` unless every one of `modules` can be imported.

    >>> require("json", extra="none", purpose="reading JSON")
    >>> try:
    ...     require("no_such_module_here", extra="hf", purpose="scoring models")
    ... except MissingExtra as e:
    ...     print(e)
    scoring models needs no_such_module_here, which is not installed: pip install 'rmeval[hf]'
    """
    missing = [m for m in modules if not _installed(m)]
    if missing:
        raise MissingExtra(f"{purpose} needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not "
                           f"installed: pip install 'rmeval[{extra}]'")
