"""The reference store: log-probability statistics of a reference model's answers (`common.store`), so a second
policy against the same reference runs no reference forward pass.

A key covers everything the numbers depend on: the reference model's identity (a local folder's config and weight
content, or hub id at its resolved commit), the chat template, dtype, device kind, attention implementation, max
length, and the exact tokens of the conversation with the response's start. A changed model, revision or template
therefore never hits a stale entry; a template that renders to other text changes the tokens as well.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rmeval.common.store import SqliteStore
from rmeval.inference.fast_pass import active_fast_pass
from rmeval.inference.logprobs import EncodedResponse, ResponseStats

__all__ = ["ReferenceCache"]


class ReferenceCache(SqliteStore):
    """From key to (sum, count, sum of squares) of a response's log-probabilities under the reference."""

    KIND = "reference"
    FORMAT = 2
    COLUMNS = "s REAL, n INTEGER, q REAL"

    def __init__(self, path: Path, context: Mapping[str, Any]) -> None:
        super().__init__(path)
        self.context = json.dumps({**context, "format": self.FORMAT}, sort_keys=True)
        self.hits = 0
        self.misses = 0

    def key(self, item: EncodedResponse) -> str:
        """The cache key of one tokenized conversation under this cache's context (and the precision it is being
        computed in: the bf16 pass of a fast-exact run gives other numbers than fp32)."""
        import torch

        tokens = ",".join(map(str, item.ids))
        autocast = torch.is_autocast_enabled("cuda") or torch.is_autocast_enabled("cpu")
        precision = active_fast_pass() or str(autocast)  # "False": plain fp32, as keys were before fast passes
        return hashlib.sha256(f"{self.context}\x00{precision}\x00{item.start}\x00{tokens}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, ResponseStats]:
        """Cached entries among `keys`."""
        found = {k: ResponseStats(s, n, q) for k, (s, n, q) in self.select(keys, "s, n, q").items()}
        unique = len(set(keys))
        self.hits += len(found)
        self.misses += unique - len(found)
        return found

    def put_many(self, items: Iterable[tuple[str, ResponseStats]]) -> None:
        """Store entries (committed per batch, so an interrupted run keeps what it computed)."""
        self.insert((k, v.logp_sum, v.tokens, v.logp_sumsq) for k, v in items)

    def describe(self) -> dict[str, Any]:
        """Where the cache lives and how it served this run."""
        return {"path": str(self.path), "hits": self.hits, "misses": self.misses}
