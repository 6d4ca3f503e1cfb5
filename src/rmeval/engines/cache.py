"""The judge answer store: one row per answered request, written as each answer arrives (`common.store`).

Keyed by a sha256 of the engine's identity (engine, model, endpoint), the messages and the sampling parameters. API
keys are never part of the identity, so they never reach the key or the file. Only answers are stored: a failed
request is not, so a rerun tries it again, while nothing answered is requested twice.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path

from rmeval.common.store import SqliteStore
from rmeval.engines.base import Chat, GenerationParams

__all__ = ["RESPONSES_FILE", "ResponseCache", "cache_key"]

RESPONSES_FILE = "responses.sqlite"


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


class ResponseCache(SqliteStore):
    """Judge answers by request key; thread-safe; each `put` commits at once, so a killed run loses nothing."""

    KIND = "judge"
    COLUMNS = "engine TEXT, model TEXT, response TEXT NOT NULL, created REAL"

    def __init__(self, directory: Path) -> None:
        self.directory = directory.expanduser()
        super().__init__(self.directory / RESPONSES_FILE)

    def get(self, key: str) -> str | None:
        """The stored answer, or None."""
        row = self.select([key], "response").get(key)
        return None if row is None else str(row[0])

    def put(self, key: str, identity: Mapping[str, str], response: str) -> None:
        """Store one answer (the first answer for a key wins)."""
        self.insert([(key, identity.get("engine", ""), identity.get("model", ""), response, time.time())])
