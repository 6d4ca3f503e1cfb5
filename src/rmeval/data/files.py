"""Reading rows from local files (.jsonl, .json, .parquet, .csv, and gzipped .jsonl.gz / .json.gz) and from the
HuggingFace Hub.

Every reader yields `(row_number, row)`; row numbers are 1-based lines for .jsonl and .csv (the header is line 1) and
1-based record positions elsewhere, so an error can point at the row in the user's own editor. Text files may start
with a UTF-8 byte-order mark (spreadsheet exports do). A CSV cell is text; a column declared a list holds JSON.

Files as their authors publish them: a `.json` file that holds JSON Lines (Stanford SHP's `<domain>/test.json`, the
`comparisons/batch*.json` of OpenAI's summarize-from-feedback) is read as JSON Lines; a JSON object holds its rows
under `data` or, in a BIG-bench task file, under `examples`. A `.jsonl` file that holds one JSON document spread over
several lines stops with a hint to rename it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from rmeval.common.extras import require
from rmeval.data.errors import DataError

__all__ = ["SUPPORTED_SUFFIXES", "data_suffix", "read_file_rows", "read_hub_rows", "sha256_of"]

Row = dict[str, Any]
SUPPORTED_SUFFIXES = (".jsonl", ".json", ".parquet", ".csv", ".jsonl.gz", ".json.gz")


def data_suffix(path: Path) -> str:
    """The format suffix of a data file, `.gz` included (`data.jsonl.gz` -> `.jsonl.gz`).

    >>> data_suffix(Path("prefs.JSONL.gz")), data_suffix(Path("a.b.csv"))
    ('.jsonl.gz', '.csv')
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1:
        return "".join(suffixes[-2:])
    return suffixes[-1] if suffixes else ""


def _text(path: Path) -> IO[str]:
    """The file as text, gunzipped when it ends in .gz; a leading byte-order mark is dropped."""
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_file_rows(path: Path, list_columns: Sequence[str] = (),
                   invalid: list[DataError] | None = None) -> Iterator[tuple[int, Row]]:
    """Rows of a local data file, chosen by its extension; a file without a single row is an error.

    `list_columns` are CSV columns whose cells hold JSON lists (message lists, best-of-N answers); elsewhere a list
    is a list already. With `invalid`, a JSON Lines line that is not a JSON object is appended there (and left out)
    instead of stopping the read; a file that cannot be read as a whole always stops.
    """
    if not path.is_file():
        raise DataError(str(path), "no such file" if not path.exists() else "not a file")
    suffix = data_suffix(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(str(path), f"unsupported extension {suffix!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
    if suffix == ".csv":
        rows = _csv(path, tuple(list_columns))
    else:
        kind = suffix.removesuffix(".gz")
        rows = (_jsonl(path, invalid) if kind == ".jsonl" else _json(path, invalid) if kind == ".json"
                else _parquet(path))
    first = next(rows, None)
    if first is None:
        raise DataError(str(path), "holds no rows (an empty file?)")
    yield first
    yield from rows


def _lines(path: Path) -> list[tuple[int, str]]:
    with _text(path) as f:
        try:
            return list(enumerate(f, start=1))
        except UnicodeDecodeError as e:
            raise DataError(str(path), f"not a UTF-8 text file, so not JSON Lines ({e.reason})") from None
        except (OSError, EOFError) as e:  # a damaged gzip stream
            raise DataError(str(path), f"not a readable gzip file ({e})") from None


def _jsonl(path: Path, invalid: list[DataError] | None = None,
           lines: list[tuple[int, str]] | None = None) -> Iterator[tuple[int, Row]]:
    lines = _lines(path) if lines is None else lines
    first = True
    for line_no, line in lines:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            if first:
                _one_document(path, lines)
            error = DataError(str(path), f"not valid JSON ({e.msg} at column {e.colno})", row=line_no)
            if invalid is None:
                raise error from None
            invalid.append(error)
            continue
        finally:
            first = False
        if not isinstance(value, dict):
            error = _not_object(path, line_no, value)
            if (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
                    and all(not text.strip() for _, text in lines[line_no:])):
                error = DataError(str(path), "holds one JSON array on one line, not JSON Lines (one object per "
                                             "line): rename it .json", row=line_no)
            if invalid is None:
                raise error
            invalid.append(error)
            continue
        yield line_no, value


def _one_document(path: Path, lines: list[tuple[int, str]]) -> None:
    """The hint for a `.jsonl` file that holds one JSON document over several lines (a pretty-printed export)."""
    try:
        json.loads("".join(line for _, line in lines))
    except json.JSONDecodeError:
        return
    raise DataError(str(path), "holds one JSON document spread over several lines, not JSON Lines (one object per "
                               "line): rename it .json") from None


def _not_object(path: Path, row: int, value: Any) -> DataError:
    return DataError(str(path), f"expected a JSON object, got {type(value).__name__}", row=row)


def _require_object(path: Path, row: int, value: Any) -> Row:
    if not isinstance(value, dict):
        raise _not_object(path, row, value)
    return value


def _json(path: Path, invalid: list[DataError] | None = None) -> Iterator[tuple[int, Row]]:
    try:
        with _text(path) as f:
            text = f.read()
    except UnicodeDecodeError as e:
        raise DataError(str(path), f"not a UTF-8 text file, so not JSON ({e.reason})") from None
    except (OSError, EOFError) as e:
        raise DataError(str(path), f"not a readable gzip file ({e})") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise DataError(str(path), "nested too deeply to be read as JSON") from None
    except json.JSONDecodeError as e:
        lines = list(enumerate(text.splitlines(keepends=True), start=1))
        if _is_json_lines(lines):  # published as .json, written as JSON Lines (SHP, summarize-from-feedback)
            yield from _jsonl(path, invalid, lines)
            return
        raise DataError(str(path), f"not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    value = _rows_of(path, value)
    for i, item in enumerate(value, start=1):
        yield i, _require_object(path, i, item)


def _is_json_lines(lines: list[tuple[int, str]]) -> bool:
    """Whether a text's first two non-blank lines are each a JSON object: JSON Lines under a .json name."""
    found = 0
    for _, line in lines:
        if not line.strip():
            continue
        try:
            if not isinstance(json.loads(line), dict):
                return False
        except json.JSONDecodeError:
            return False
        found += 1
        if found == 2:
            return True
    return False


def _rows_of(path: Path, value: Any) -> list[Any]:
    """The rows of a JSON document: an array, or an object holding them under `data` (or a BIG-bench task file's
    `examples`)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in ("data", "examples"):
            if isinstance(value.get(key), list):
                rows: list[Any] = value[key]
                return rows
        keys = ", ".join(sorted(map(str, value))[:12]) or "none"
        raise DataError(str(path), f"expected a JSON array of row objects (or an object with a 'data' array); this "
                                   f"object has no such array, its keys: {keys}")
    raise DataError(str(path), f"expected a JSON array of row objects (or an object with a 'data' array), got "
                               f"{type(value).__name__}")


def _parquet(path: Path) -> Iterator[tuple[int, Row]]:
    require("pyarrow", extra="hf", purpose="reading Parquet files")
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as e:  # pyarrow raises several types for a file that is not parquet
        raise DataError(str(path), f"not a readable Parquet file ({e})") from None
    yield from enumerate(table.to_pylist(), start=1)


def _csv(path: Path, list_columns: tuple[str, ...]) -> Iterator[tuple[int, Row]]:
    try:
        with _text(path) as f:
            rows = list(csv.DictReader(f))
    except (UnicodeDecodeError, csv.Error) as e:
        raise DataError(str(path), f"not a readable CSV file ({e})") from None
    for i, row in enumerate(rows, start=2):
        if None in row:
            raise DataError(str(path), "more cells than header columns", row=i)
        yield i, {k: _list_cell(path, i, k, v) if k in list_columns else v for k, v in row.items()}


def _list_cell(path: Path, row: int, column: str, cell: str | None) -> Any:
    """A CSV cell of a column declared to hold lists: JSON text of a list."""
    try:
        value = json.loads(cell or "")
    except json.JSONDecodeError as e:
        raise DataError(str(path), f"declared a list column, but the cell is not JSON ({e.msg})", row=row,
                        field=column) from None
    if not isinstance(value, list):
        raise DataError(str(path), f"declared a list column, but the cell holds a {type(value).__name__}", row=row,
                        field=column)
    return value


def read_hub_rows(dataset_id: str, split: str, revision: str | None = None,
                  config: str | None = None) -> tuple[list[Row], dict[str, Any]]:
    """Rows of a HuggingFace Hub dataset split (of configuration `config`), with a description of what was read."""
    require("datasets", extra="hf", purpose="reading a dataset from the HuggingFace Hub")
    import datasets

    what = f"split {split!r}" + (f" of configuration {config!r}" if config else "")
    try:
        ds = datasets.load_dataset(dataset_id, config, split=split, revision=revision)
    except Exception as e:
        raise DataError(
            f"hub:{dataset_id}",
            f"could not load {what} ({type(e).__name__}: {e}); offline, pass --data PATH to a local copy",
        ) from None
    if len(ds) == 0:
        raise DataError(f"hub:{dataset_id}", f"{what} holds no rows")
    info = {"kind": "hub", "id": dataset_id, "config": config, "split": split, "revision": revision,
            "fingerprint": ds._fingerprint}
    return [dict(r) for r in ds], info
