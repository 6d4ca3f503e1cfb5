"""The run configuration: every option of `rmeval run`, in one typed place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmeval.data.schema import ColumnMap

__all__ = ["RunConfig", "model_slug"]


@dataclass(frozen=True)
class RunConfig:
    """Options of one evaluation run (the CLI parses into this; library users build it directly).

    `options` is the scorer kind's options dataclass (None: its defaults); `ensemble` the other judges voting with
    `model`; `companions` the companion sets to score beside the benchmark, as (part, source) with source None for
    the companion's own default (Prior Sets: the hub). `preset` and `from_preset` record what a preset set.
    """

    model: str
    scorer: str = "classifier"
    options: Any = None
    ensemble: tuple[str, ...] = ()
    preset: str | None = None
    from_preset: dict[str, Any] = field(default_factory=dict)
    benchmark: str | None = None
    data: Path | None = None
    columns: ColumnMap = field(default_factory=ColumnMap)
    subsets: tuple[str, ...] = ()
    limit: int | None = None
    companions: tuple[tuple[str, str | None], ...] = ()
    output_dir: Path | None = None
    seed: int = 0
    progress: bool = True


def model_slug(model: str) -> str:
    """A folder-safe name for a model id or path: `org/name` -> `org__name`."""
    path = Path(model)
    text = path.name if path.is_absolute() or model.startswith((".", "~")) else model
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text.replace("/", "__")) or "model"
