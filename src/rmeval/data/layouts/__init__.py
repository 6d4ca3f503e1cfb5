"""Data layouts: readers of a benchmark's data in the form its authors publish it (a file, a folder of files, hub
configurations), so a user never converts anything. A benchmark spec names its layout (`BenchmarkSpec.layout`);
`load_examples` hands the `--data` path (or None: the hub) to the layout's reader.

A reader returns validated examples and a record of its source (file hashes, or hub ids and fingerprints); invalid
input is a `DataError` naming the file, the row and the field, as everywhere else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rmeval.benchmarks import BenchmarkSpec
from rmeval.types import Example

__all__ = ["LAYOUT_MODULES", "Layout", "get_layout", "register_layout"]

Layout = Callable[[BenchmarkSpec, "Path | None", "str | None", "frozenset[str] | None"],
                  "tuple[list[Example], dict[str, Any]]"]
"""(spec, the --data path or None for the hub, the hub revision, the subsets `--subsets` selects or None for all) ->
(examples, source record). A reader may leave out, unread and unvalidated, the files and rows of subsets not
selected (an invalid file elsewhere in a folder then never stops the run); `load_examples` selects afterwards.
`notes` in the source record (a list of lines) are the run's data warnings."""

LAYOUT_MODULES: tuple[str, ...] = tuple(f"rmeval.data.layouts.{m}" for m in
                                       ("rm_bench", "judgebench", "rmb", "ppe", "m_rewardbench",
                                        "processbench", "prmbench"))
"""Modules of the built-in layouts, imported when a layout is first looked up."""
_LAYOUTS: dict[str, Layout] = {}
F = TypeVar("F", bound=Layout)


def register_layout(name: str) -> Callable[[F], F]:
    """Register a layout reader under `name`."""

    def wrap(reader: F) -> F:
        _LAYOUTS[name] = reader
        return reader

    return wrap


def get_layout(name: str) -> Layout:
    """The reader of layout `name`."""
    for module in LAYOUT_MODULES:
        importlib.import_module(module)
    if name not in _LAYOUTS:
        raise ValueError(f"unknown data layout {name!r}; known: {', '.join(sorted(_LAYOUTS)) or 'none'}")
    return _LAYOUTS[name]
