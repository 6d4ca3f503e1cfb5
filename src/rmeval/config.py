"""The run configuration: every option of `rmeval run`, in one typed place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmeval.data.columns import ColumnMap
from rmeval.data.schema import OnInvalid

__all__ = ["RunConfig", "default_name", "model_slug"]


@dataclass(frozen=True)
class RunConfig:
    """Options of one evaluation run (the CLI parses into this; library users build it directly).

    `options` is the scorer kind's options dataclass (None: its defaults); `ensemble` the other judges voting with
    `model`; `companions` the companion sets to score beside the benchmark, as (part, source) with source None for
    the companion's own default (Prior Sets: the hub). `preset` and `from_preset` record what a preset set. `shard`
    (I, N) scores only the I-th of N token-balanced shares of the examples (`rmeval merge` joins the parts).
    `on_invalid` is what an invalid row does: stop the run, or be left out and recorded (`skip`).
    """

    model: str
    scorer: str = "classifier"
    options: Any = None
    ensemble: tuple[str, ...] = ()
    preset: str | None = None
    from_preset: dict[str, Any] = field(default_factory=dict)
    benchmark: str | None = None
    data: Path | None = None
    data_split: str | None = None
    data_config: str | None = None
    subset_meta: Path | None = None
    columns: ColumnMap = field(default_factory=ColumnMap)
    on_invalid: OnInvalid = "stop"
    subsets: tuple[str, ...] = ()
    limit: int | None = None
    companions: tuple[tuple[str, str | None], ...] = ()
    output_dir: Path | None = None
    shard: tuple[int, int] | None = None
    overwrite: bool = False
    name: str | None = None
    seed: int = 0
    progress: bool = True

    @property
    def display_name(self) -> str:
        """`name`, else the run's default: the preset, or the model's last path part (a hub id as it is); an
        ensemble joins its judges with `+`."""
        return self.name or "+".join(default_name(m, self.preset if i == 0 else None)
                                     for i, m in enumerate((self.model, *self.ensemble)))


def default_name(model: str, preset: str | None = None) -> str:
    """A readable name for a model: its preset, the last part of a local path, or the hub id (or `ENGINE/MODEL`).

    >>> default_name("org/reward-7b"), default_name("/data/ckpts/run-3/final"), default_name("./my-rm/")
    ('org/reward-7b', 'final', 'my-rm')
    """
    if preset:
        return preset
    path = Path(model).expanduser()
    if path.is_absolute() or model.startswith((".", "~")) or path.exists():
        return path.resolve().name or model
    return model


def model_slug(model: str) -> str:
    """A folder-safe name for a model id or path, never `.` or `..`: `org/name` -> `org__name`.

    >>> model_slug("org/name"), model_slug(".."), model_slug("a b/c")
    ('org__name', 'model', 'a_b__c')
    """
    path = Path(model)
    text = path.name if path.is_absolute() or model.startswith((".", "~")) else model
    slug = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in text.replace("/", "__"))
    return slug.strip(".") or "model"
