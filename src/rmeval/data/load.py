"""One entry point from `--benchmark` / `--data` options to validated examples and a record of their source."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec, Companion, custom_benchmark, detect_benchmark, get_benchmark, parse_ties_id
from rmeval.data.columns import DEFAULT_COLUMNS, ColumnMap
from rmeval.data.errors import DataError
from rmeval.data.files import SUPPORTED_SUFFIXES, data_suffix, read_file_rows, read_hub_rows, sha256_of
from rmeval.data.layouts import get_layout
from rmeval.data.meta import find_meta, meta_benchmark, read_meta
from rmeval.data.schema import read_rows, rows_to_examples
from rmeval.types import Example

__all__ = ["LoadedData", "benchmark_of_rows", "is_hub_id", "load_companion", "load_examples", "select_examples"]

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


def benchmark_of_rows(rows: Sequence[tuple[int, Mapping[str, Any]]], columns: ColumnMap) -> BenchmarkSpec:
    """The benchmark whose subsets are all of the rows' subsets (benchmarks that declare `detect`), else the open
    custom benchmark, scored as best-of-N when answers come as lists."""
    found = detect_benchmark(str(row.get(columns.subset)) for _, row in rows if columns.subset in row)
    if found is not None and all(columns.subset in row for _, row in rows):
        return found
    lists = any(isinstance(row.get(columns.rejected), list) and row.get(columns.rejected)
                and all(isinstance(v, str) for v in row[columns.rejected]) for _, row in rows)
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
) -> LoadedData:
    """Read and validate a benchmark's examples, then apply `--subsets` and `--limit`.

    `data` is a local file or a hub dataset id (with `split`, default train, and `config`); `meta` a side-car file
    describing custom data (found beside a local file when not given).
    """
    spec = get_benchmark(benchmark) if benchmark else None
    rows: list[tuple[int, Mapping[str, Any]]]
    source: dict[str, Any]
    if spec is not None and spec.layout:
        examples, source = get_layout(spec.layout)(spec, data, revision)
        return _finish(examples, spec, source, str(data or f"hub:{spec.hub_id}"), subsets, limit)
    if data is not None and is_hub_id(data):
        hub_rows, source = read_hub_rows(str(data), split or "train", revision, config)
        source_name = f"hub:{data}"
        rows = list(enumerate(hub_rows, start=1))
    elif data is not None:
        source_name = str(data)
        rows = list(read_file_rows(data, columns.lists))
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
    if spec is None:
        spec = benchmark_of_rows(rows, columns)
    if meta is not None:
        described = read_meta(meta)
        spec, source = meta_benchmark(described, spec.rule), {**source, "meta": described}
    _check_named_columns(rows, columns, source_name)
    examples, skipped = read_rows(rows, source_name, spec, columns)
    if meta is not None:
        _check_meta_subsets(examples, spec, str(meta))
    notes = [f"{skipped} rows left out: their {columns.label!r} label maps to skip"] if skipped else []
    return _finish(examples, spec, source, source_name, subsets, limit, notes)


def _check_named_columns(rows: Sequence[tuple[int, Mapping[str, Any]]], columns: ColumnMap, source: str) -> None:
    """A subset or id column named by its option (not the default, which custom data may lack) is in the data:
    otherwise every row would silently become subset `default`, or its row number."""
    for flag, name, default in (("--subset-column", columns.subset, DEFAULT_COLUMNS.subset),
                                ("--id-column", columns.id, DEFAULT_COLUMNS.id)):
        if name != default and not any(name in row for _, row in rows):
            present = sorted({str(k) for _, row in rows[:100] for k in row})
            raise DataError(source, f"{flag} {name}: no row has a column {name!r} (columns: {', '.join(present)})")


def _check_meta_subsets(examples: Sequence[Example], spec: BenchmarkSpec, meta: str) -> None:
    """Every subset the side-car's sections name is in the data (a misspelt one would score an empty subset)."""
    present = {ex.subset for ex in examples}
    missing = [s for s in spec.subset_names() if s not in present]
    if missing:
        raise DataError(meta, f"names subset(s) {', '.join(map(repr, missing))} that the data does not have "
                              f"(present: {', '.join(sorted(present))})", field="sections")


def _finish(examples: list[Example], spec: BenchmarkSpec, source: dict[str, Any], source_name: str,
            subsets: Sequence[str] | None, limit: int | None, notes: Sequence[str] = ()) -> LoadedData:
    """Check the counts and Ties pairs of validated examples, select `--subsets` / `--limit`, record the source."""
    if not examples:
        raise DataError(source_name, "no example to score: every row was left out")
    warnings = [*notes, *(_check_counts(examples, spec) if not subsets and limit is None else [])]
    warnings += _unpaired_ties(examples, spec)
    for w in warnings:
        log.warning(w)
    selected = select_examples(examples, spec, subsets, limit, source_name)
    source = {**source, "rows": len(examples), "selected": len(selected),
              "subsets_selected": list(subsets) if subsets else None, "limit_per_subset": limit}
    return LoadedData(selected, spec, source, warnings)


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


def load_companion(companion: Companion, source: str | None = None) -> LoadedData:
    """A companion set's examples from a local file (with a subset column) or from the hub (one split per subset,
    `source` or the companion's own hub dataset)."""
    source = source or companion.hub_id
    if source is None:
        raise DataError(companion.part, "this companion set has no default source; give a file")
    path = Path(source)
    if path.is_file():
        examples = rows_to_examples(read_file_rows(path), str(path), companion.spec)
        return LoadedData(examples, companion.spec, {"kind": "file", "path": str(path), "sha256": sha256_of(path)})
    examples = []
    splits: dict[str, Any] = {}
    for subset in companion.spec.subset_names():
        rows, split_info = read_hub_rows(source, subset)
        tagged = [(i, {**r, "subset": subset, "id": r.get("id", i)}) for i, r in enumerate(rows, start=1)]
        examples += rows_to_examples(tagged, f"hub:{source}:{subset}", companion.spec)
        splits[subset] = split_info.get("fingerprint")
    return LoadedData(examples, companion.spec, {"kind": "hub", "id": source, "splits": splits})
