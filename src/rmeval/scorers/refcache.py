"""On-disk cache of reference-model log-probabilities, so a second policy against the same reference runs no
reference forward pass.

A key covers everything the numbers depend on: the reference model's identity (a local folder's config and weight
files, or hub id at its resolved commit), the chat template, dtype, device kind, attention implementation, max
length, and the exact tokens of the conversation with the response's start. A changed model, revision or template
therefore never hits a stale entry; a template that renders to other text changes the tokens as well.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rmeval.scorers.logprobs import EncodedResponse, ResponseStats

__all__ = ["FORMAT", "ReferenceCache", "model_identity"]

FORMAT = 1
"""Bumped whenever what a cached number means changes, so old entries stop matching."""
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")


def model_identity(model: str, revision: str | None, commit: str | None = None) -> str:
    """A stable identity: a local folder's config and weight files (names, sizes, modification times), or
    `hub:id@commit` (the resolved commit when known, so a moving branch such as `main` cannot serve stale numbers).

    >>> model_identity("org/model", "v2")
    'hub:org/model@v2'
    >>> model_identity("org/model", None, commit="abc123")
    'hub:org/model@abc123'
    """
    path = Path(model)
    if path.is_dir():
        h = hashlib.sha256()
        config = path / "config.json"
        if config.is_file():
            h.update(config.read_bytes())
        for f in sorted(path.iterdir()):
            if f.suffix in WEIGHT_SUFFIXES:
                stat = f.stat()
                h.update(f"{f.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return f"local:{h.hexdigest()}"
    return f"hub:{model}@{commit or revision or 'main'}"


class ReferenceCache:
    """A sqlite table from key to (sum, count, sum of squares) of a response's log-probabilities."""

    def __init__(self, path: Path, context: Mapping[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.context = json.dumps({**context, "format": FORMAT}, sort_keys=True)
        self.db = sqlite3.connect(path, timeout=60)
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS ref (key TEXT PRIMARY KEY, s REAL, n INTEGER, q REAL)")
        self.hits = 0
        self.misses = 0

    def key(self, item: EncodedResponse) -> str:
        """The cache key of one tokenized conversation under this cache's context."""
        tokens = ",".join(map(str, item.ids))
        return hashlib.sha256(f"{self.context}\x00{item.start}\x00{tokens}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, ResponseStats]:
        """Cached entries among `keys`."""
        found: dict[str, ResponseStats] = {}
        unique = list(dict.fromkeys(keys))
        for lo in range(0, len(unique), 500):
            chunk = unique[lo : lo + 500]
            marks = ",".join("?" * len(chunk))
            for k, s, n, q in self.db.execute(f"SELECT key, s, n, q FROM ref WHERE key IN ({marks})", chunk):
                found[k] = ResponseStats(s, n, q)
        self.hits += len(found)
        self.misses += len(unique) - len(found)
        return found

    def put_many(self, items: Iterable[tuple[str, ResponseStats]]) -> None:
        """Store entries (committed per batch, so an interrupted run keeps what it computed)."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO ref VALUES (?, ?, ?, ?)",
                                [(k, v.logp_sum, v.tokens, v.logp_sumsq) for k, v in items])

    def close(self) -> None:
        """Close the database (idempotent)."""
        self.db.close()

    def describe(self) -> dict[str, Any]:
        """Where the cache lives and how it served this run."""
        return {"path": str(self.path), "hits": self.hits, "misses": self.misses}
