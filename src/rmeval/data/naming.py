"""One readable name for a dataset, the same in every command: `run` records it, and `report`, `compare`, the
leaderboard and the default output folder show it.

The name is the side-car's `name`, else the benchmark's, else the data's own: a file's name without its extension,
with its parent folders put before a generic stem (`dataset`, `data`, `train`, `test`, ...: LLMBar's six
`dataset.json` files become `Natural/dataset`, `Neighbor/dataset`, ...), or a hub dataset's name with its
configuration and split.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rmeval.data.files import data_suffix

__all__ = ["GENERIC_STEMS", "dataset_name", "file_dataset_name", "hub_dataset_name"]

GENERIC_STEMS = frozenset({"dataset", "data", "train", "test", "validation", "valid", "dev", "default", "task", "eval",
                           "all", "full", "filtered", "main"})
"""File (and folder) names that say nothing of which data they hold."""
MAX_PARENTS = 3


def _stem(path: Path) -> str:
    suffix = data_suffix(path)
    return path.name[: len(path.name) - len(suffix)] if suffix and path.name.lower().endswith(suffix) else path.stem


def file_dataset_name(path: Path | str) -> str:
    """A data file's name: its stem, after as many parent folders as it takes to be more than a generic word.

    >>> file_dataset_name("/data/LLMBar/Natural/dataset.json"), file_dataset_name("prefs.jsonl.gz")
    ('Natural/dataset', 'prefs')
    >>> file_dataset_name("/x/hh-rlhf/helpful-base/test.jsonl.gz"), file_dataset_name("/x/shp/data/test.json")
    ('helpful-base/test', 'shp/data/test')
    """
    path = Path(path)
    parts = [_stem(path) or path.name]
    folders = [p.name for p in Path(path.absolute()).parents if p.name][:MAX_PARENTS]
    for folder in folders:
        if parts[0].lower() not in GENERIC_STEMS:
            break
        parts.insert(0, folder)
    return "/".join(parts)


def hub_dataset_name(dataset_id: str, config: str | None = None, split: str | None = None) -> str:
    """A hub dataset's name: its id, then its configuration and split (the default split, train, left out).

    >>> hub_dataset_name("Anthropic/hh-rlhf"), hub_dataset_name("org/prefs", "fr", "test")
    ('Anthropic/hh-rlhf', 'org/prefs:fr:test')
    """
    return ":".join([dataset_id, *([config] if config else []), *([split] if split and split != "train" else [])])


def dataset_name(data: Mapping[str, Any], benchmark: str) -> str:
    """The dataset's name for a run's data record (`spec.data`) and benchmark: recorded, else derived as `run`
    derives it (results written before the name was recorded)."""
    recorded = data.get("name")
    if isinstance(recorded, str) and recorded:
        return recorded
    meta = data.get("meta")
    if isinstance(meta, Mapping) and isinstance(meta.get("name"), str) and meta["name"]:
        return str(meta["name"])
    if benchmark != "custom":
        return benchmark
    if data.get("kind") == "hub" and data.get("id"):
        return hub_dataset_name(str(data["id"]), data.get("config"), data.get("split"))
    if data.get("path"):
        return file_dataset_name(str(data["path"]))
    return "custom"
