"""Build the static leaderboard site from result folders: index, a page per model, assets, a JSON table."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from rmeval import __version__
from rmeval.common.jsonio import atomic_write_text, to_json
from rmeval.site.entries import Entry, find_run_dirs, load_entry
from rmeval.site.formats import table_rows
from rmeval.site.index_page import index_html
from rmeval.site.model_page import model_html

__all__ = ["ASSETS", "SiteBuild", "build_site", "load_entries"]

ASSETS = ("leaderboard.css", "leaderboard.js")


@dataclass(frozen=True)
class SiteBuild:
    """What a build wrote."""

    out_dir: Path
    entries: list[Entry]
    pages: int

    @property
    def index(self) -> Path:
        """The front page."""
        return self.out_dir / "index.html"


PARALLEL_FROM = 8
"""Folders from which reading spreads over the CPU cores (each folder is parsed and analysed on its own)."""


def load_entries(paths: Iterable[Path], workers: int | None = None) -> list[Entry]:
    """Every result folder under `paths`, read as a leaderboard entry, in the order found."""
    folders = find_run_dirs(paths)
    if not folders:
        raise FileNotFoundError("no result folders given")
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers < 2 or len(folders) < PARALLEL_FROM:
        return [load_entry(f) for f in folders]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(load_entry, folders, chunksize=max(1, len(folders) // (4 * workers))))


def _copy_assets(out_dir: Path) -> None:
    assets = out_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        with resources.as_file(resources.files("rmeval.site") / "static" / name) as source:
            shutil.copyfile(source, assets / name)


def build_site(entries: Sequence[Entry], out_dir: Path) -> SiteBuild:
    """Write the site for `entries` into `out_dir` (pages of earlier builds are replaced)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    models = out_dir / "models"
    if models.is_dir():
        for old in models.glob("*.html"):
            old.unlink()
    models.mkdir(exist_ok=True)
    _copy_assets(out_dir)
    for e in entries:
        (models / f"{e.slug}.html").write_text(model_html(e, entries), encoding="utf-8")
    built = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = f"{len(entries)} result folder{'s' if len(entries) != 1 else ''}, built {built} by rmeval {__version__}"
    atomic_write_text(out_dir / "index.html", index_html(entries, subtitle))
    atomic_write_text(out_dir / "leaderboard.json", to_json({"built": built, "rmeval": __version__,
                                                             "entries": table_rows(entries)}) + "\n")
    return SiteBuild(out_dir, list(entries), len(entries) + 1)
