"""One entry point from `--benchmark` / `--data` options to validated examples and a record of their source."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec, custom_benchmark, detect_benchmark, get_benchmark, parse_ties_id
from rmeval.data.columns import DEFAULT_COLUMNS, ColumnMap
from rmeval.data.errors import DataError
from rmeval.data.files import SUPPORTED_SUFFIXES, data_suffix, read_file_rows, read_hub_rows, sha256_of
from rmeval.data.layouts import get_layout
from rmeval.data.meta import find_meta, meta_benchmark, read_meta
from rmeval.data.naming import dataset_name
from rmeval.data.published import detect_layout
from rmeval.data.schema import SKIP_HINT, OnInvalid, Validated, columns_for, convert_rows, validate_rows
from rmeval.types import Example

__all__ = ["LoadedData", "benchmark_of_rows", "is_hub_id", "load_examples", "select_examples"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedData:
    """Validated examples, the benchmark that scores them, and where they came from."""

    examples: list[Example]
    benchmark: BenchmarkSpec
    source: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


_HUB_ID = re.compile(r"[\w.-]+/[\w.-]+")


def is_hub_id(data: Path) -> bool:
    """Whether `--data` names a hub dataset (`org/name`, no such local file, no data file extension)."""
    return not data.exists() and bool(_HUB_ID.fullmatch(str(data))) and data_suffix(data) not in SUPPORTED_SUFFIXES


def benchmark_of_rows(rows: Sequence[tuple[int, Mapping[str, Any] | DataError]], columns: ColumnMap) -> BenchmarkSpec:
    """The benchmark whose subsets are all of the rows' subsets (benchmarks that declare `detect`), else the open
    custom benchmark, scored as best-of-N when answers come as lists."""
    readable = [row for _, row in rows if not isinstance(row, DataError)]
    found = detect_benchmark(str(row.get(columns.subset)) for row in readable if columns.subset in row)
    if found is not None and all(columns.subset in row for row in readable):
        return found
    lists = any(isinstance(row.get(columns.rejected), list) and row.get(columns.rejected)
                and all(isinstance(v, str) for v in row[columns.rejected]) for row in readable)
    return custom_benchmark("best_of_n" if lists else "pair")


def load_examples(
    benchmark: str | None = None,
    data: Path | None = None,
    columns: ColumnMap = DEFAULT_COLUMNS,
    subsets: Sequence[str] | None = None,
    limit: int | None = None,
    revision: str | None = None,
    *,
    split: str | None = None,
    config: str | None = None,
    meta: Path | None = None,
    on_invalid: OnInvalid = "stop",
) -> LoadedData:
    """Read and validate a benchmark's examples, then apply `--subsets` and `--limit`.

    `data` is a local file or a hub dataset id (with `split`, default train, and `config`); `meta` a side-car file
    describing custom data (found beside a local file when not given). A published layout (LLMBar, HH-RLHF, ...) is
    recognised by its columns when `columns` names none. `on_invalid="skip"` leaves invalid rows out and records
    each in the source (`excluded_rows`) instead of stopping at the first.
    """
    spec = get_benchmark(benchmark) if benchmark else None
    rows: list[tuple[int, Mapping[str, Any] | DataError]]
    source: dict[str, Any]
    if spec is not None and spec.layout:
        wanted = frozenset(spec.expand(subsets)) if subsets else None
        examples, source = get_layout(spec.layout)(spec, data, revision, wanted)
        notes = source.pop("notes", ())
        return _finish(examples, spec, source, str(data or f"hub:{spec.hub_id}"), subsets, limit, notes)
    if data is not None and is_hub_id(data):
        hub_rows, source = read_hub_rows(str(data), split or "train", revision, config)
        source_name = f"hub:{data}"
        rows = list(enumerate(hub_rows, start=1))
    elif data is not None:
        source_name = str(data)
        rows = _file_rows(data, columns, on_invalid)
        source = {"kind": "file", "path": str(data), "sha256": sha256_of(data)}
    elif spec is not None and spec.packaged_file:
        ref = resources.files("rmeval.benchmarks") / "data" / spec.packaged_file
        with resources.as_file(ref) as path:
            source_name = f"rmeval:{spec.packaged_file}"
            rows = list(read_file_rows(path))
            source = {"kind": "packaged", "path": spec.packaged_file, "sha256": sha256_of(path)}
    elif spec is not None and spec.hub_id:
        hub_rows, source = read_hub_rows(spec.hub_id, spec.hub_split or "train", revision)
        source_name = f"hub:{spec.hub_id}"
        rows = list(enumerate(hub_rows, start=1))
    else:
        raise DataError(str(benchmark), "this benchmark has no default data; pass --data PATH")
    meta = meta or (find_meta(data) if data is not None and data.is_file() else None)
    if meta is not None and spec is not None:
        raise DataError(str(meta), f"a side-car file describes this data, and so does --benchmark {spec.name}: give "
                                   "one of them")
    layout = detect_layout([(n, r) for n, r in rows if not isinstance(r, DataError)], columns) if spec is None else None
    columns = columns_for(layout, columns)
    rows = convert_rows(layout, rows, source_name)
    if spec is None:
        spec = benchmark_of_rows(rows, columns)
    if layout is not None and spec.name == "custom":  # a RewardBench file is RewardBench, whatever its columns
        source["layout"] = layout.name
    if meta is not None:
        described = read_meta(meta)
        spec, source = meta_benchmark(described, spec.rule), {**source, "meta": described}
    read = validate_rows(rows, source_name, spec, columns, on_invalid=on_invalid, subsets=subsets, limit=limit,
                         layout=layout)
    source = {**source, **_excluded(read, on_invalid)}
    return _finish(read.examples, spec, source, source_name, subsets, limit, _notes(read, columns), len(rows),
                   selected=True)


Rows = list[tuple[int, Mapping[str, Any] | DataError]]


def _file_rows(data: Path, columns: ColumnMap, on_invalid: OnInvalid) -> Rows:
    """A file's rows; skipping invalid rows, a line that is not a JSON object is one of them."""
    if on_invalid == "stop":
        try:
            return list(read_file_rows(data, columns.lists))
        except DataError as e:
            if e.row is None:
                raise
            raise DataError(e.source, f"{e.message} ({SKIP_HINT})", row=e.row, field=e.field) from None
    lines: list[DataError] = []
    rows: Rows = [*read_file_rows(data, columns.lists, lines)]
    rows += [(e.row or 0, e) for e in lines]
    return sorted(rows, key=lambda item: item[0])


def _excluded(read: Validated, on_invalid: OnInvalid) -> dict[str, Any]:
    """What the source records of the rows left out: per subset and reason, and each invalid row."""
    out: dict[str, Any] = {"on_invalid": on_invalid} if on_invalid != "stop" else {}
    if read.excluded():
        out["excluded"] = read.excluded()
    if read.invalid:
        out["excluded_rows"] = [{k: v for k, v in row.items() if v is not None} for row in read.invalid]
    return out


def _notes(read: Validated, columns: ColumnMap) -> list[str]:
    """The warnings of a read: rows a label or the layout left out, empty turns kept, invalid rows left out."""
    notes = []
    by_label = sum(n for (_, reason), n in read.left_out.items() if reason.startswith(f"{columns.label} is "))
    if by_label:
        notes.append(f"{by_label} rows left out: their {columns.label!r} label maps to skip")
    others: Counter[str] = Counter()
    for (_, reason), n in read.left_out.items():
        if not reason.startswith(f"{columns.label} is "):
            others[reason] += n
    notes += [f"{n} rows left out: {reason}" for reason, n in others.items()]
    if read.empty_turns:
        notes.append(f"{read.empty_turns} prompts hold an empty turn, kept as they are (a reward model scores them)")
    if read.invalid:
        first = read.invalid[0]
        where = ", ".join(x for x in (f"row {first['row']}" if first.get("row") else "",
                                      f"field {first['field']!r}" if first.get("field") else "") if x)
        notes.append(f"{len(read.invalid)} invalid rows left out (--on-invalid skip), each recorded in result.json "
                     f"(spec.data.excluded_rows); the first: {where}: {first['reason']}")
    return notes


def _finish(examples: list[Example], spec: BenchmarkSpec, source: dict[str, Any], source_name: str,
            subsets: Sequence[str] | None, limit: int | None, notes: Sequence[str] = (),
            rows: int | None = None, selected: bool = False) -> LoadedData:
    """Check the counts and Ties pairs of validated examples, select `--subsets` / `--limit` (unless the read
    `selected` them already), record the source and the dataset's name."""
    if not examples:
        raise DataError(source_name, "no example to score: every row was left out")
    warnings = [*notes, *(_check_counts(examples, spec) if not subsets and limit is None else [])]
    warnings += _unpaired_ties(examples, spec)
    for w in warnings:
        log.warning(w)
    chosen = examples if selected else select_examples(examples, spec, subsets, limit, source_name)
    source = {**source, "rows": len(examples) if rows is None else rows, "selected": len(chosen),
              "subsets_selected": list(subsets) if subsets else None, "limit_per_subset": limit}
    source["name"] = dataset_name({k: v for k, v in source.items() if k != "name"}, spec.name)
    return LoadedData(chosen, spec, source, warnings)


def select_examples(
    examples: Sequence[Example],
    spec: BenchmarkSpec,
    subsets: Sequence[str] | None,
    limit: int | None,
    source: str = "data",
) -> list[Example]:
    """Keep the named subsets (each must exist; a section's name stands for its subsets) and at most `limit`
    examples of each, in data order."""
    present = {ex.subset for ex in examples}
    subsets = spec.expand(subsets, present) if subsets else subsets
    if subsets:
        unknown = [s for s in subsets if s not in present]
        if unknown:
            raise DataError(source, f"--subsets names {', '.join(unknown)}, absent from the data "
                                    f"(present: {', '.join(sorted(present))})")
    if limit is not None and limit < 1:
        raise ValueError("--limit must be at least 1")
    wanted = set(subsets) if subsets else present
    taken: dict[str, int] = {}
    out = []
    for ex in examples:
        if ex.subset in wanted and (limit is None or taken.get(ex.subset, 0) < limit):
            taken[ex.subset] = taken.get(ex.subset, 0) + 1
            out.append(ex)
    return out


def _unpaired_ties(examples: Sequence[Example], spec: BenchmarkSpec) -> list[str]:
    """Ties prompts present in only one variant: scored, but left out of the composite's margin terms."""
    variants: dict[tuple[str, str], list[str]] = {}
    for ex in examples:
        parsed = parse_ties_id(ex.id) if spec.rule_of(ex.subset) == "ties" else None
        if parsed is not None:
            variants.setdefault((ex.subset, parsed[1]), []).append(parsed[0])
    return [
        f"subset {subset}: prompt {pid} has only its {found[0]!r} variant; the Ties margin terms leave it out"
        for (subset, pid), found in variants.items()
        if len(found) == 1
    ]


def _check_counts(examples: Sequence[Example], spec: BenchmarkSpec) -> list[str]:
    """Warnings for subsets whose row count differs from the benchmark's published count."""
    counts: dict[str, int] = {}
    for ex in examples:
        counts[ex.subset] = counts.get(ex.subset, 0) + 1
    return [
        f"subset {s.name}: {counts.get(s.name, 0)} rows, the benchmark publishes {s.rows}"
        for s in spec.subsets
        if s.rows is not None and counts.get(s.name, 0) != s.rows
    ]
