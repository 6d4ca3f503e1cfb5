"""The score store: every reward a pointwise model computes, kept as soon as its batch finishes (`common.store`).

A key is the sha256 of the scorer's fingerprint (what makes a score: the model's identity, dtype, device kind, head,
reference or reference-free mode, template, maximum length; see each model's `fingerprint`) and of the encoded
tokens of one candidate. It never depends on the batch, the order, the number of processes or the data file, so a
run killed at any point, rerun, computes only what is missing, and another dataset that shares answers reuses them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rmeval.common.paths import cache_root
from rmeval.common.store import SqliteStore, StoreUnusable

__all__ = ["SCORES_FILE", "ScoreStore", "open_score_store"]

log = logging.getLogger(__name__)
SCORES_FILE = "scores.sqlite"


class ScoreStore(SqliteStore):
    """From (fingerprint, encoding) to the reward."""

    KIND = "scores"
    COLUMNS = "value REAL"

    def __init__(self, path: Path, fingerprint: Mapping[str, Any]) -> None:
        super().__init__(path)
        self.context = hashlib.sha256(json.dumps(dict(fingerprint), sort_keys=True, default=str).encode()).hexdigest()
        self.hits = 0
        self.written = 0

    def key(self, signature: str) -> str:
        """The key of one encoded candidate (its `signature`) under this scorer's fingerprint."""
        return hashlib.sha256(f"{self.context}\x00{signature}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, float]:
        """Stored rewards among `keys` (a stored NaN, kept by SQLite as NULL, comes back as NaN)."""
        found = {k: math.nan if v is None else float(v) for k, (v,) in self.select(keys, "value").items()}
        self.hits += len(found)
        return found

    def put_many(self, items: Iterable[tuple[str, float]]) -> None:
        """Keep rewards (one transaction per batch)."""
        rows = list(items)
        if self.insert(rows):
            self.written += len(rows)

    def describe(self) -> dict[str, Any]:
        """Where the store lives, its fingerprint, and how it served this run."""
        return {"path": str(self.path), "fingerprint": self.context[:16], "from_store": self.hits,
                "written": self.written}


def open_score_store(folder: Path | None, enabled: bool,
                     fingerprint: Callable[[], Mapping[str, Any] | None]) -> ScoreStore | None:
    """The store of a scorer (`--score-cache DIR`, default `$RMEVAL_CACHE/scores`); None when turned off, when
    the model has no fingerprint, or when the file cannot be trusted (with a warning). The fingerprint (which may
    hash weight files) is only taken when the store is on."""
    if not enabled:
        return None
    described = fingerprint()
    if described is None:
        return None
    try:
        return ScoreStore((folder or cache_root() / "scores") / SCORES_FILE, described)
    except StoreUnusable as e:
        log.warning("%s; scoring without the score store", e)
        return None
