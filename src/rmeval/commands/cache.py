"""`rmeval cache info|clear`: what rmeval keeps between runs (`$RMEVAL_CACHE`, default ~/.cache/rmeval), and
removing it.

The stores: `scores` (every score of the classifier and implicit scorers), `reference` (reference-model
log-probabilities), `judge` (judge answers), `file-hashes` (weight-file hashes behind model identities); beside them,
`models` (weights converted once from GGUF). Removing a store only costs recomputing what it held.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from rmeval.common.paths import cache_root
from rmeval.common.store import describe_store

__all__ = ["add_parser", "find_stores", "main"]

KINDS = ("scores", "reference", "judge", "file-hashes")


def add_parser(sub: Any) -> None:
    """Register `cache`."""
    p = sub.add_parser("cache", help="show or clear what rmeval keeps between runs",
                       description="Show the stores rmeval keeps between runs (scores, reference log-probabilities, "
                                   "judge answers) with their size, or remove them.")
    p.add_argument("action", choices=("info", "clear"))
    p.add_argument("kinds", nargs="*", metavar="KIND", help=f"with clear: {', '.join(KINDS)} or models")
    p.add_argument("--all", action="store_true", help="with clear: every store and the converted models")
    p.add_argument("--cache", type=Path, help="the cache folder (default: $RMEVAL_CACHE or ~/.cache/rmeval)")
    p.set_defaults(handler=main)


def find_stores(root: Path) -> list[dict[str, Any]]:
    """Every rmeval store file below `root` (custom `--score-cache` folders elsewhere are not seen)."""
    found = []
    for path in sorted({*root.rglob("*.sqlite"), *root.rglob("*.sqlite3")}):
        if "models" in path.relative_to(root).parts:
            continue
        described = describe_store(path)
        if described is not None:
            found.append(described)
    return found


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def main(args: argparse.Namespace) -> int:
    """Print the stores, or remove the ones asked for."""
    root = (args.cache or cache_root()).expanduser()
    stores = find_stores(root) if root.is_dir() else []
    models = root / "models"
    if args.action == "info":
        print(f"rmeval's cache: {root}")
        for s in stores:
            print(f"  {s['kind']:<12} {s['entries']:>9} entries  {_mb(s['bytes']):>10}  {s['path']}")
        print(f"  {'models':<12} {'':>9}          {_mb(_size(models)):>10}  {models}")
        if not stores:
            print("  (no store yet)")
        return 0
    unknown = sorted(set(args.kinds) - {*KINDS, "models"})
    if unknown:
        raise ValueError(f"unknown cache kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}, models")
    if not args.kinds and not args.all:
        raise ValueError("say what to clear: one or more of " + ", ".join(KINDS) + ", models; or --all")
    wanted = set(KINDS) | {"models"} if args.all else set(args.kinds)
    for s in stores:
        if s["kind"] in wanted:
            for path in (Path(s["path"]), Path(f"{s['path']}-wal"), Path(f"{s['path']}-shm")):
                path.unlink(missing_ok=True)
            print(f"removed the {s['kind']} store {s['path']} ({s['entries']} entries, {_mb(s['bytes'])})")
    if "models" in wanted and models.exists():
        size = _size(models)
        if models.is_symlink():  # a cache that borrows another's models: remove the link, never what it points to
            models.unlink()
        else:
            shutil.rmtree(models)
        print(f"removed the converted models in {models} ({_mb(size)})")
    return 0
