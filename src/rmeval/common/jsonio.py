"""JSON that strict parsers (browsers, jq, JSON Schema validators) accept, and files written atomically."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["atomic_write_text", "finite", "to_json", "written_beside"]


def finite(value: Any) -> Any:
    """`value` with every NaN or infinite float replaced by None, through dicts, lists and tuples.

    >>> finite({"a": [1.0, float("nan")], "b": float("inf")})
    {'a': [1.0, None], 'b': None}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def to_json(value: Any, indent: int | None = 2) -> str:
    """Strict JSON text of `value` (NaN and infinities as null; anything not JSON-native written with `str`)."""
    return json.dumps(finite(value), indent=indent, ensure_ascii=False, allow_nan=False, default=str)


def written_beside(path: Path, text: str) -> Path:
    """`text` written whole (and synced) to a new temporary file beside `path`, to be moved onto it with
    `os.replace`; nothing is left behind when the write fails (a full disk, say)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new one, never a partial file."""
    tmp = written_beside(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
