"""A result folder as a place several runs may reach for: who owns it, who is writing it, and a write that fails
whole.

- `run_identity`: what makes two runs the same run (benchmark, data, scorer kind, model, options). A folder that
  holds another run's result is never replaced without `--overwrite`; the same run, rerun, replaces its own.
- `FolderLock`: an exclusive lock file in the folder, held from the check of what the folder holds until the result
  is written, so a second run (or merge) into the same folder stops with one line instead of replacing the first's.
- `WriteFailed`: the two files could not be written (a full disk, a file size limit, permissions); the folder
  still holds its previous result, or nothing, and the message names the folder and what to free.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from rmeval.common.errors import RunFailure, UsageError
from rmeval.results.files import RESULT_FILE

__all__ = ["LOCK_FILE", "FolderBusy", "FolderLock", "WriteFailed", "check_owner", "run_identity", "write_failure"]

LOCK_FILE = ".rmeval.lock"


class FolderBusy(UsageError):
    """Another rmeval process is writing into the folder."""


class WriteFailed(RunFailure):
    """result.json and samples.jsonl could not be written; the folder holds its previous result, or nothing."""


def run_identity(spec: dict[str, Any]) -> dict[str, Any]:
    """What makes two runs the same run: benchmark, data, scorer kind, model and options (of a result.json's
    `spec`, or of the one a run plans to write)."""
    data, scorer = spec.get("data", {}), spec.get("scorer", {})
    where = {k: data.get(k) for k in ("sha256", "id", "split", "config", "subsets_selected", "limit_per_subset")}
    return {"benchmark": spec.get("benchmark"), "data": where, "scorer": scorer.get("scorer", scorer.get("kind")),
            "model": scorer.get("model"), "options": scorer.get("options")}


def check_owner(out_dir: Path, planned: dict[str, Any], overwrite: bool, what: str = "--output-dir") -> None:
    """Refuse to replace the result of a different run in `out_dir` without `overwrite` (an unreadable result.json
    counts as another run's). `planned` is the `run_identity` of what is about to be written; options are compared
    only when both sides record them."""
    existing = out_dir / RESULT_FILE
    if not existing.is_file() or overwrite:
        return
    try:
        stored: dict[str, Any] | None = run_identity(json.loads(existing.read_text(encoding="utf-8")).get("spec", {}))
    except (OSError, ValueError, AttributeError):
        stored = None
    both = stored is not None and stored["options"] is not None and planned["options"] is not None
    mine = {**planned, "options": planned["options"] if both else None}
    theirs = None if stored is None else {**stored, "options": stored["options"] if both else None}
    if theirs != mine:
        raise UsageError(f"{out_dir} holds the result of another run ({_difference(theirs, mine)}); pass --overwrite "
                         f"to replace it, or {what} for a new folder")


def _difference(stored: dict[str, Any] | None, mine: dict[str, Any]) -> str:
    """What differs between the folder's run and this one: data, model or options (the first few of each)."""
    if stored is None:
        return "its result.json cannot be read"
    parts = []
    if stored["benchmark"] != mine["benchmark"]:
        parts.append(f"benchmark {stored['benchmark']} there, {mine['benchmark']} here")
    if stored["data"] != mine["data"]:
        keys = [k for k in mine["data"] if stored["data"].get(k) != mine["data"].get(k)]
        parts.append("its data differs: " + ", ".join(f"{k} {_short(stored['data'].get(k))} there, "
                                                       f"{_short(mine['data'].get(k))} here" for k in keys))
    for key in ("scorer", "model"):
        if stored[key] != mine[key]:
            parts.append(f"{key} {stored[key]} there, {mine[key]} here")
    if stored["options"] != mine["options"] and isinstance(stored["options"], dict) and isinstance(mine["options"],
                                                                                                    dict):
        keys = sorted(k for k in {*stored["options"], *mine["options"]}
                      if stored["options"].get(k) != mine["options"].get(k))
        shown = ", ".join(f"{k} {stored['options'].get(k)!r} there, {mine['options'].get(k)!r} here" for k in keys[:3])
        parts.append(f"its options differ: {shown}" + (f" and {len(keys) - 3} more" if len(keys) > 3 else ""))
    return "; ".join(parts) or "another run"


def _short(value: Any) -> str:
    """A recorded value for a message: hashes cut to 12 digits."""
    text = str(value)
    return text[:12] if isinstance(value, str) and len(text) == 64 else text


class FolderLock:
    """An exclusive lock on a result folder (`.rmeval.lock` in it, removed on release); `acquire` raises
    `FolderBusy` at once when another process holds it. Without `fcntl` (not POSIX) it locks nothing."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        """Take the lock (the folder must exist)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise FolderBusy(f"{self.path.parent} is being written by another rmeval run{holder}; wait for it to "
                                 "finish, or choose another --output-dir") from None
            try:  # the file we locked may have been released and removed meanwhile: lock the one now there
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Remove the lock file and let go (idempotent)."""
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)  # while still held: a waiting process then locks a fresh file
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()


def _holder(fd: int) -> str:
    """' (process N)' from the lock file of the process holding it, when it wrote its id."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {text})" if text.isdigit() else ""


_WHAT_TO_FREE = {
    errno.ENOSPC: "free {size} or more on the disk that holds it",
    errno.EDQUOT: "free {size} or more of your disk quota",
    errno.EFBIG: "a file size limit (ulimit -f) is below the {size} to write: raise it",
    errno.EACCES: "make it writable",
    errno.EPERM: "make it writable",
    errno.EROFS: "it is on a read-only file system",
}


def write_failure(out_dir: Path, error: OSError, size: int, kept: str) -> WriteFailed:
    """The one line a failed write ends in: the folder, why, what to free, and what the folder and the stores
    still hold (`kept`)."""
    mib = f"{max(size, 1) / 2**20:.1f} MiB"
    hint = _WHAT_TO_FREE.get(error.errno or 0, "free space there or make it writable").format(size=mib)
    reason = error.strerror or str(error)
    return WriteFailed(f"could not write the results to {out_dir} ({reason}): {hint}, or choose another "
                       f"--output-dir, then rerun. {kept}")
