"""What the layout readers share: the files of a published folder, their hashes, the record of several hub datasets
read for one run, nested fields of a row, and the checks that hold across the files of one benchmark.

Rows are validated into examples by `rows_to_examples` (the one validator), with a column map naming the authors'
own fields, so an error names the file, the row and the field as the authors wrote it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from rmeval.data.errors import DataError
from rmeval.data.files import SUPPORTED_SUFFIXES, read_file_rows, sha256_of
from rmeval.types import Example

__all__ = ["Row", "check_unique", "files_source", "find_files", "get_field", "hub_source", "read_rows", "text_of"]

Row = dict[str, Any]


def find_files(folder: Path, suffixes: Sequence[str] = SUPPORTED_SUFFIXES) -> list[Path]:
    """The data files anywhere under `folder`, sorted by their path (a stable order, whatever the file system)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def read_rows(path: Path) -> list[tuple[int, Row]]:
    """(row number, row) of one data file, as `rmeval.data.files` reads it."""
    return list(read_file_rows(path))


def files_source(root: Path, files: Sequence[Path]) -> dict[str, Any]:
    """The source record of local files: each file's sha256, and one sha256 over all of them (the data's identity)."""
    hashes = {str(f.relative_to(root) if f != root else f.name): sha256_of(f) for f in files}
    digest = hashlib.sha256("".join(f"{k}\x1f{v}\n" for k, v in sorted(hashes.items())).encode()).hexdigest()
    return {"kind": "file" if root.is_file() else "folder", "path": str(root), "sha256": digest, "files": hashes}


def hub_source(dataset_id: str, split: str | None, revision: str | None, parts: Mapping[str, Any]) -> dict[str, Any]:
    """The source record of several hub datasets or configurations read for one run: one fingerprint over all."""
    digest = hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()
    return {"kind": "hub", "id": dataset_id, "split": split, "revision": revision, "fingerprint": digest,
            "parts": dict(parts)}


def get_field(row: Mapping[str, Any], path: str, source: str, row_no: int) -> Any:
    """The value at a dotted path of a row (`chosen.answer`); a missing key or a non-object on the way is a
    `DataError` naming the path."""
    value: Any = row
    walked: list[str] = []
    for key in path.split("."):
        walked.append(key)
        if not isinstance(value, Mapping):
            raise DataError(source, f"expected an object, got {type(value).__name__}", row=row_no,
                            field=".".join(walked[:-1]))
        if key not in value:
            present = ", ".join(sorted(map(str, value))) or "none"
            raise DataError(source, f"missing field (fields present: {present})", row=row_no, field=".".join(walked))
        value = value[key]
    return value


def text_of(value: Any, source: str, row_no: int, field: str, nonempty: bool = False) -> str:
    """A field that must be a string, checked before rows reach the validator: where a layout picks rows by its
    value, or moves it under another name (PPE's answers) and must name the authors' field itself."""
    if not isinstance(value, str):
        raise DataError(source, f"expected a string, got {type(value).__name__}", row=row_no, field=field)
    if nonempty and not value.strip():
        raise DataError(source, "empty text", row=row_no, field=field)
    return value


def check_unique(examples: Iterable[tuple[str, int, Example]], id_field: str) -> Iterator[Example]:
    """The examples of several files (or of one file validated in several passes), each `(source, row, example)`;
    a `(subset, id)` seen twice is a `DataError` at its second row."""
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for source, row_no, example in examples:
        first = seen.setdefault(example.key, (source, row_no))
        if first != (source, row_no):
            raise DataError(source, f"duplicate (subset, id) = {example.key}; first seen in {first[0]}, row "
                                    f"{first[1]}", row=row_no, field=id_field)
        yield example
