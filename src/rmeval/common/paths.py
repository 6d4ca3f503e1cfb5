"""Where rmeval keeps what outlives a run: converted weights, the reference and score stores, judge answers."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root"]


def cache_root() -> Path:
    """`$RMEVAL_CACHE`, or `~/.cache/rmeval`."""
    return Path(os.environ.get("RMEVAL_CACHE", Path.home() / ".cache" / "rmeval")).expanduser()
