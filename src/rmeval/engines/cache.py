"""The judge answer store: one row per answered request, written as each answer arrives (`common.store`).

Keyed by a sha256 of the engine's identity (engine, model, endpoint), the messages and the sampling parameters (each
sample of a vote has its own seed, so its own key). API keys are never part of the identity, so they never reach the
key or the file. A row keeps the answer and the thinking part apart, why generation stopped and the token counts.
Only answers are stored: a failed request is not, so a rerun tries it again, while nothing answered is requested
twice. Format 2 (this one) lives in `judgments.sqlite`; the answers-only store of earlier versions
(`responses.sqlite`) is left alone and no longer read.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from rmeval.common.store import SqliteStore
from rmeval.engines.answer import Answer
from rmeval.engines.base import Chat, GenerationParams

__all__ = ["RESPONSES_FILE", "ResponseCache", "cache_key"]

RESPONSES_FILE = "judgments.sqlite"
_FIELDS = "answer, thinking, closed, finish, stop, prompt_tokens, completion_tokens, thinking_tokens"


def cache_key(identity: Mapping[str, str], prompt: Chat, params: GenerationParams) -> str:
    """The sha256 that names one request.

    >>> from rmeval.types import Message
    >>> k = cache_key({"engine": "openai", "model": "m"}, (Message("user", "hi"),), GenerationParams())
    >>> same = cache_key({"model": "m", "engine": "openai"}, (Message("user", "hi"),), GenerationParams())
    >>> other = cache_key({"engine": "openai", "model": "m"}, (Message("user", "hi"),), GenerationParams().sample(1))
    >>> len(k), k == same, k == other
    (64, True, False)
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
    FORMAT = 2
    COLUMNS = ("engine TEXT, model TEXT, answer TEXT NOT NULL, thinking TEXT, closed INTEGER, finish TEXT, "
               "stop TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, thinking_tokens INTEGER, created REAL")

    def __init__(self, directory: Path) -> None:
        self.directory = directory.expanduser()
        super().__init__(self.directory / RESPONSES_FILE)

    def get_many(self, keys: Sequence[str]) -> dict[str, Answer]:
        """The stored answers of `keys` (missing ones absent), marked as cached."""
        rows = self.select(keys, _FIELDS)
        return {k: Answer(str(r[0]), cached=True, thinking=r[1], closed=bool(r[2]), finish=str(r[3]), stop=r[4],
                          prompt_tokens=r[5], completion_tokens=r[6], thinking_tokens=r[7]) for k, r in rows.items()}

    def get(self, key: str) -> Answer | None:
        """The stored answer, or None."""
        return self.get_many([key]).get(key)

    def put(self, key: str, identity: Mapping[str, str], answer: Answer) -> None:
        """Store one answer (the first answer for a key wins)."""
        if answer.text is None:
            raise ValueError("only answers are stored, not failures")
        self.insert([(key, identity.get("engine", ""), identity.get("model", ""), answer.text, answer.thinking,
                      int(answer.closed), answer.finish, answer.stop, answer.prompt_tokens, answer.completion_tokens,
                      answer.thinking_tokens, time.time())])
