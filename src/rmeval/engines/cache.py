"""The on-disk response cache: one sqlite file, one row per answered request, written as each answer arrives.

Keyed by a sha256 of the engine's identity (engine, model, endpoint), the messages and the sampling
parameters. API keys are never part of the identity, so they never reach the key or the file. Only answers are
stored: a failed request is not cached, so a rerun tries it again, while nothing answered is requested twice.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rmeval.engines.base import Chat, GenerationParams

__all__ = ["ResponseCache", "cache_key"]


def cache_key(identity: Mapping[str, str], prompt: Chat, params: GenerationParams) -> str:
    """The sha256 that names one request.

    >>> from rmeval.types import Message
    >>> k = cache_key({"engine": "openai", "model": "m"}, (Message("user", "hi"),), GenerationParams())
    >>> same = cache_key({"model": "m", "engine": "openai"}, (Message("user", "hi"),), GenerationParams())
    >>> len(k), k == same
    (64, True)
    """
    material = {
        "identity": dict(identity),
        "messages": [m.as_dict() for m in prompt],
        "params": params.as_dict(),
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResponseCache:
    """A thread-safe sqlite store of answers; each `put` commits at once: a killed run loses nothing."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.expanduser()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "responses.sqlite3"
        self._lock = threading.Lock()
        # Autocommit (isolation_level=None) makes each insert durable on its own; WAL lets two runs share it.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, engine TEXT, model TEXT, "
            "response TEXT NOT NULL, created REAL)"
        )

    def get(self, key: str) -> str | None:
        """The stored answer, or None."""
        with self._lock:
            row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, identity: Mapping[str, str], response: str) -> None:
        """Store one answer (the first answer for a key wins)."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO responses VALUES (?, ?, ?, ?, ?)",
                (key, identity.get("engine", ""), identity.get("model", ""), response, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def describe(self) -> dict[str, Any]:
        """Where the cache lives (for result.json)."""
        return {"path": str(self.path)}

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
