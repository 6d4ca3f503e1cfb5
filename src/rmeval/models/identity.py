"""What a model is, for the stores: a hub checkpoint at its resolved commit, or a local folder by the sha256 of its
config and weight files' content (so a copied or re-saved folder with the same weights is the same model, and an
edited one is not). A file's hash is computed once and remembered by its path, size and modification time.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from rmeval.common.paths import cache_root
from rmeval.common.store import SqliteStore, StoreUnusable

__all__ = ["WEIGHT_SUFFIXES", "code_identity", "file_sha256", "model_identity"]

log = logging.getLogger(__name__)
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".ckpt")
CONFIG_FILES = ("config.json",)


class FileHashes(SqliteStore):
    """sha256 of files already hashed, by path, size and modification time."""

    KIND = "file-hashes"
    COLUMNS = "sha256 TEXT"


_memo: FileHashes | None = None


def _hashes() -> FileHashes | None:
    global _memo
    if _memo is None:
        try:
            _memo = FileHashes(cache_root() / "hashes.sqlite")
        except StoreUnusable as e:
            log.warning("%s; weight files will be hashed again", e)
            return None
    return _memo


def file_sha256(path: Path) -> str:
    """The sha256 of a file's content, remembered across runs."""
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    memo = _hashes()
    found = memo.select([key], "sha256").get(key) if memo is not None else None
    if found is not None:
        return str(found[0])
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            h.update(block)
    digest = h.hexdigest()
    if memo is not None:
        memo.insert([(key, digest)])
    return digest


def model_identity(model: str, revision: str | None, commit: str | None = None) -> str:
    """`local:<sha256 of config and weights>` for a folder, else `hub:id@commit` (the resolved commit when known,
    so a moving branch such as `main` cannot serve stale numbers).

    >>> model_identity("org/model", "v2")
    'hub:org/model@v2'
    >>> model_identity("org/model", None, commit="abc123")
    'hub:org/model@abc123'
    """
    path = Path(model)
    if path.is_dir():
        h = hashlib.sha256()
        for f in sorted(path.iterdir()):
            if f.is_file() and (f.name in CONFIG_FILES or f.suffix in WEIGHT_SUFFIXES):
                h.update(f"{f.name}:{file_sha256(f)}\n".encode())
        return f"local:{h.hexdigest()}"
    return f"hub:{model}@{commit or revision or 'main'}"


def code_identity(model: str) -> str | None:
    """For a local folder, the sha256 of the Python files a model with remote code runs (None for a hub id, whose
    commit already names its code)."""
    path = Path(model)
    if not path.is_dir():
        return None
    h = hashlib.sha256()
    for f in sorted(path.glob("*.py")):
        h.update(f"{f.name}:{file_sha256(f)}\n".encode())
    return h.hexdigest()
