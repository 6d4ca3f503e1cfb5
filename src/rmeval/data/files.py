"""Reading rows from local files (.jsonl, .json, .parquet, .csv) and from the HuggingFace Hub.

Every reader yields `(row_number, row)`; row numbers are 1-based lines for .jsonl and .csv (the header is line 1) and
1-based record positions elsewhere, so an error can point at the row in the user's own editor.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rmeval.common.extras import require
from rmeval.data.errors import DataError

__all__ = ["SUPPORTED_SUFFIXES", "read_file_rows", "read_hub_rows", "sha256_of"]

Row = dict[str, Any]
SUPPORTED_SUFFIXES = (".jsonl", ".json", ".parquet", ".csv")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_file_rows(path: Path) -> Iterator[tuple[int, Row]]:
    """Rows of a local data file, chosen by its extension."""
    if not path.is_file():
        raise DataError(str(path), "no such file")
    suffix = path.suffix.lower()
    readers = {".jsonl": _jsonl, ".json": _json, ".parquet": _parquet, ".csv": _csv}
    if suffix not in readers:
        raise DataError(str(path), f"unsupported extension {suffix!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
    return readers[suffix](path)


def _require_object(path: Path, row: int, value: Any) -> Row:
    if not isinstance(value, dict):
        raise DataError(str(path), f"expected a JSON object, got {type(value).__name__}", row=row)
    return value


def _jsonl(path: Path) -> Iterator[tuple[int, Row]]:
    with path.open(encoding="utf-8") as f:
        try:
            lines = list(enumerate(f, start=1))
        except UnicodeDecodeError as e:
            raise DataError(str(path), f"not a UTF-8 text file, so not JSON Lines ({e.reason})") from None
    for line_no, line in lines:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(str(path), f"not valid JSON ({e.msg} at column {e.colno})", row=line_no) from None
        yield line_no, _require_object(path, line_no, value)


def _json(path: Path) -> Iterator[tuple[int, Row]]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise DataError(str(path), f"not a UTF-8 text file, so not JSON ({e.reason})") from None
    except json.JSONDecodeError as e:
        raise DataError(str(path), f"not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        value = value["data"]
    if not isinstance(value, list):
        raise DataError(str(path), "expected a JSON array of row objects (or an object with a 'data' array)")
    for i, item in enumerate(value, start=1):
        yield i, _require_object(path, i, item)


def _parquet(path: Path) -> Iterator[tuple[int, Row]]:
    require("pyarrow", extra="hf", purpose="reading Parquet files")
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as e:  # pyarrow raises several types for a file that is not parquet
        raise DataError(str(path), f"not a readable Parquet file ({e})") from None
    yield from enumerate(table.to_pylist(), start=1)


def _csv(path: Path) -> Iterator[tuple[int, Row]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (UnicodeDecodeError, csv.Error) as e:
        raise DataError(str(path), f"not a readable CSV file ({e})") from None
    for i, row in enumerate(rows, start=2):
        if None in row:
            raise DataError(str(path), "more cells than header columns", row=i)
        yield i, {k: _maybe_messages(v) for k, v in row.items()}


def _maybe_messages(cell: str | None) -> Any:
    """CSV cannot hold lists: a cell holding a JSON list (messages, or best-of-N answers) is decoded."""
    if cell is None or not cell.startswith("["):
        return cell
    try:
        value = json.loads(cell)
    except json.JSONDecodeError:
        return cell
    return value if isinstance(value, list) else cell


def read_hub_rows(dataset_id: str, split: str, revision: str | None = None) -> tuple[list[Row], dict[str, Any]]:
    """Rows of a HuggingFace Hub dataset split, with a description of what was read."""
    require("datasets", extra="hf", purpose="reading a dataset from the HuggingFace Hub")
    import datasets

    try:
        ds = datasets.load_dataset(dataset_id, split=split, revision=revision)
    except Exception as e:
        raise DataError(
            f"hub:{dataset_id}",
            f"could not load split {split!r} ({type(e).__name__}: {e}); offline, pass --data PATH to a local copy",
        ) from None
    info = {"kind": "hub", "id": dataset_id, "split": split, "revision": revision, "fingerprint": ds._fingerprint}
    return [dict(r) for r in ds], info
