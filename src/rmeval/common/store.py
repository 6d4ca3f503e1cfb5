"""rmeval's persistent stores, one concept: a SQLite file in WAL mode under `$RMEVAL_CACHE` that keeps what was
expensive to compute (model scores, reference log-probabilities, judge answers), keyed by a hash of everything the
value depends on, written as soon as it is computed, so a killed run resumes and a second run reuses.

Every store records its kind and format in a `meta` table. A store that is damaged, from an incompatible version of
rmeval, or locked past the wait, is never trusted: opening it raises `StoreUnusable` (callers skip it with a
warning), and a write that cannot get the lock is dropped with a warning (the score is still used, only not kept).
Several processes may share a store at once (WAL: readers never block, writers take turns).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

__all__ = ["STORE_SUFFIX", "SqliteStore", "StoreUnusable", "describe_store"]

log = logging.getLogger("rmeval.store")
STORE_SUFFIX = ".sqlite"
BUSY_SECONDS = 60.0
"""How long a write waits for another process's write to finish before it gives up (and warns)."""


class StoreUnusable(Exception):
    """A store that cannot be trusted (damaged, another format, not a store): the run goes on without it."""


class SqliteStore:
    """A key -> row table in a SQLite file, with the file's kind and format recorded and checked.

    Subclasses set `KIND`, `FORMAT` (bumped whenever what a stored value means changes) and `COLUMNS` (the value
    columns of the `entries` table, after its `key TEXT PRIMARY KEY`).
    """

    KIND: ClassVar[str] = ""
    FORMAT: ClassVar[int] = 1
    COLUMNS: ClassVar[str] = "value BLOB"

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser()
        self._lock = threading.Lock()
        self._warned = False
        opened: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._create()
            if self.path.stat().st_size == 0:  # SQLite would take it for a new, empty store
                raise StoreUnusable(f"{self.path}: not a usable rmeval store (an empty file: a write cut short, or a "
                                    "full disk?); delete it, or `rmeval cache clear`")
            self._db = opened = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None,
                                                check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL with NORMAL sync survives a killed process (what resuming needs) without an fsync per batch.
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._db:
                self._tables(self._db)
            found = dict(self._db.execute("SELECT name, value FROM meta").fetchall())
        except StoreUnusable:
            raise
        except (sqlite3.DatabaseError, OSError) as e:
            if opened is not None:
                opened.close()  # a connection left open would hold the file's lock
            raise StoreUnusable(f"{self.path}: not a usable rmeval store ({e}); delete it, or `rmeval cache clear`") \
                from None
        if found.get("kind") != self.KIND or found.get("format") != str(self.FORMAT):
            self._db.close()
            raise StoreUnusable(f"{self.path}: a {found.get('kind')!r} store of format {found.get('format')}, not a "
                                f"{self.KIND!r} store of format {self.FORMAT} (another rmeval version?); delete it, or "
                                "`rmeval cache clear`")

    def _create(self) -> None:
        """Create the store file whole when it is missing: a new file is built under a temporary name and linked
        into place, so a store file is never seen half-made (an empty file at the store's path is a damaged store,
        not a new one, even while another process creates it)."""
        if self.path.exists():
            return
        tmp = str(self.path.parent / f".{self.path.name}.{uuid.uuid4().hex}")  # SQLite creates it as umask says
        try:
            db = sqlite3.connect(tmp, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                self._tables(db)
            finally:
                db.close()
            try:
                os.link(tmp, self.path)  # fails when another process made it first: theirs is the store
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                if not self.path.exists():
                    os.replace(tmp, self.path)
        finally:
            for leftover in (tmp, f"{tmp}-wal", f"{tmp}-shm"):
                Path(leftover).unlink(missing_ok=True)

    def _tables(self, db: sqlite3.Connection) -> None:
        """The store's two tables, and its kind and format in `meta` (kept when already there)."""
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('kind', ?), ('format', ?)", (self.KIND, str(self.FORMAT)))
        db.execute(f"CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, {self.COLUMNS})")

    def select(self, keys: Sequence[str], columns: str) -> dict[str, tuple[Any, ...]]:
        """The stored rows of `keys` (missing keys absent); a store that fails to answer is treated as empty."""
        found: dict[str, tuple[Any, ...]] = {}
        unique = list(dict.fromkeys(keys))
        try:
            with self._lock:
                for lo in range(0, len(unique), 500):
                    chunk = unique[lo : lo + 500]
                    marks = ",".join("?" * len(chunk))
                    for row in self._db.execute(f"SELECT key, {columns} FROM entries WHERE key IN ({marks})", chunk):
                        found[row[0]] = tuple(row[1:])
        except sqlite3.DatabaseError as e:
            self._warn(f"cannot read it ({e}); computing instead")
            return {}
        return found

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> bool:
        """Store rows `(key, *values)` in one transaction (the first value for a key wins); False when the store
        could not take them (locked past the wait, damaged): the values are then simply not kept."""
        rows = list(rows)
        if not rows:
            return True
        marks = ",".join("?" * len(rows[0]))
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")  # one transaction (one fsync) for the whole batch
                self._db.executemany(f"INSERT OR IGNORE INTO entries VALUES ({marks})", rows)
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as e:  # OperationalError "database is locked" included
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                self._warn(f"cannot write to it ({e}); these values are not kept")
                return False
        return True

    def __bool__(self) -> bool:  # an empty store is still a store (`if store:` must not depend on its size)
        return True

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("%s store %s: %s", self.KIND, self.path, message)

    def describe(self) -> dict[str, Any]:
        """Where the store lives (for result.json)."""
        return {"path": str(self.path)}

    def close(self) -> None:
        """Fold the write-ahead log into the file and close the database (idempotent)."""
        with self._lock:
            # Leave one file at its real size; closed already, or another process in the log: it checkpoints later.
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()


def describe_store(path: Path) -> dict[str, Any] | None:
    """Kind, format, entries and size of an rmeval store file; None when the file is not one."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
            entries = int(db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return None
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())
    return {"path": str(path), "kind": meta.get("kind"), "format": meta.get("format"), "entries": entries,
            "bytes": size}
