"""On-disk cache of reference-model log-probabilities, so a second policy against the same reference runs no
reference forward pass.

A key covers everything the numbers depend on: the reference model's identity (hub id and revision, or a
fingerprint of a local folder's config and weight files), the chat template, dtype, max length, the special-token
rule and the rendered text. A changed model, revision or template therefore never hits a stale entry.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rmeval.scorers.logprobs import ResponseStats

__all__ = ["ReferenceCache", "model_identity"]

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")


def model_identity(model: str, revision: str | None) -> str:
    """A stable identity: a local folder's config + weight files' names and sizes, or hub id @ revision."""
    path = Path(model)
    if path.is_dir():
        h = hashlib.sha256()
        config = path / "config.json"
        if config.is_file():
            h.update(config.read_bytes())
        for f in sorted(path.iterdir()):
            if f.suffix in WEIGHT_SUFFIXES:
                h.update(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}".encode())
        return f"local:{h.hexdigest()}"
    return f"hub:{model}@{revision or 'main'}"


class ReferenceCache:
    """A sqlite table from key to (sum, count, sum of squares) of a response's log-probabilities."""

    def __init__(self, path: Path, context: Mapping[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.context = json.dumps(dict(context), sort_keys=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS ref (key TEXT PRIMARY KEY, s REAL, n INTEGER, q REAL)")
        self.hits = 0
        self.misses = 0

    def key(self, text: str) -> str:
        """The cache key of one rendered text under this cache's context."""
        return hashlib.sha256(f"{self.context}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, ResponseStats]:
        """Cached entries among `keys`."""
        found: dict[str, ResponseStats] = {}
        for lo in range(0, len(keys), 500):
            chunk = keys[lo : lo + 500]
            marks = ",".join("?" * len(chunk))
            for k, s, n, q in self.db.execute(f"SELECT key, s, n, q FROM ref WHERE key IN ({marks})", chunk):
                found[k] = ResponseStats(s, n, q)
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    def put_many(self, items: Iterable[tuple[str, ResponseStats]]) -> None:
        """Store entries (committed at once, so an interrupted run keeps what it computed)."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO ref VALUES (?, ?, ?, ?)",
                                [(k, v.logp_sum, v.tokens, v.logp_sumsq) for k, v in items])

    def describe(self) -> dict[str, Any]:
        """Where the cache lives and how it served this run."""
        return {"path": str(self.path), "hits": self.hits, "misses": self.misses}
