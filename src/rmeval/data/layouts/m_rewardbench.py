"""M-RewardBench as its authors publish it: one hub configuration per language (split `test`), RewardBench v1's
columns in each with the subset in `source` (the older split `filtered`: in `subset`); or a local copy holding one
file (`<language>.jsonl`, `.json`, `.parquet`) or one folder (`<language>/`, as a hub download writes it) per
language. Only the languages present, and those `--subsets` selects, are read.

A row's subset becomes `<language>/<subset>`, the subset names of the benchmark spec; its own `source` or `subset`
stays in the example's meta. In a language folder of a hub download, the `test` files are read (else the older
`filtered` ones), never `raw`, which holds the rows the authors filtered out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.benchmarks.m_rewardbench import M_REWARDBENCH_LANGUAGES
from rmeval.benchmarks.rewardbench import REWARDBENCH
from rmeval.data.errors import DataError
from rmeval.data.files import SUPPORTED_SUFFIXES, read_hub_rows
from rmeval.data.layouts import register_layout
from rmeval.data.layouts.common import (
    Row,
    check_unique,
    files_source,
    find_files,
    hub_source,
    read_rows,
    text_of,
)
from rmeval.data.schema import ColumnMap, rows_to_examples
from rmeval.types import Example

__all__ = ["language_examples", "language_files", "read_m_rewardbench", "subset_field"]

V1_SUBSETS = frozenset(REWARDBENCH.subset_names())
SUBSET = "language/subset"
COLUMNS = ColumnMap(subset=SUBSET)


def subset_field(row: Row) -> str:
    """The field that names a row's RewardBench subset: `subset` in the older schema, else `source` (the current).

    >>> subset_field({"subset": "hep-go", "source": "x"}), subset_field({"source": "hep-go"})
    ('subset', 'source')
    """
    return "subset" if "subset" in row else "source"


def language_examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec, language: str
                      ) -> list[tuple[int, Example]]:
    """One language's validated examples with their row numbers."""
    renamed = []
    for row_no, row in rows:
        field = subset_field(row)
        if field not in row:
            present = ", ".join(sorted(map(str, row))) or "none"
            raise DataError(source, f"missing field: the subset is in 'source' (the current dataset) or 'subset' (its "
                                    f"older split 'filtered'); fields present: {present}", row=row_no, field=field)
        subset = text_of(row[field], source, row_no, field)
        if subset not in V1_SUBSETS:
            raise DataError(source, f"unknown subset {subset!r}: M-RewardBench keeps RewardBench v1's subsets",
                            row=row_no, field=field)
        renamed.append((row_no, {**row, SUBSET: f"{language}/{subset}"}))
    return list(zip((n for n, _ in renamed), rows_to_examples(renamed, source, spec, COLUMNS), strict=True))


def language_files(folder: Path) -> list[Path]:
    """The data files of one language's folder: its `test` files (the current split), else its `filtered` ones (the
    older), else every data file but `raw` ones (unfiltered rows)."""
    files = find_files(folder)
    for split in ("test", "filtered"):
        mine = [f for f in files if f.name.startswith(split)]
        if mine:
            return mine
    return [f for f in files if not f.name.startswith("raw")]


def _local(folder: Path, languages: tuple[str, ...]) -> dict[str, list[Path]]:
    out = {}
    for language in languages:
        if (folder / language).is_dir():
            files = language_files(folder / language)
        else:
            files = [p for p in (folder / f"{language}{s}" for s in SUPPORTED_SUFFIXES) if p.is_file()]
        if files:
            out[language] = files
    if not out:
        raise DataError(str(folder), "no language here: expected files or folders named by language code "
                                     f"({', '.join(languages[:3])}, ...)")
    return out


def _languages(subsets: frozenset[str] | None) -> tuple[str, ...]:
    """The languages to read: those `--subsets` selects, or all (also when it names none: the selection says so)."""
    chosen = tuple(lang for lang in M_REWARDBENCH_LANGUAGES
                   if subsets is not None and any(s.startswith(f"{lang}/") for s in subsets))
    return chosen or M_REWARDBENCH_LANGUAGES


@register_layout("m-rewardbench")
def read_m_rewardbench(spec: BenchmarkSpec, path: Path | None, revision: str | None, subsets: frozenset[str] | None
                       ) -> tuple[list[Example], dict[str, Any]]:
    """The examples of every language (or of those selected), from the hub or a local copy."""
    languages = _languages(subsets)
    found: list[tuple[str, int, Example]] = []
    if path is None:
        parts = {}
        for language in languages:
            rows, info = read_hub_rows(str(spec.hub_id), str(spec.hub_split), revision, config=language)
            source = f"hub:{spec.hub_id}:{language}"
            found += [(source, n, ex) for n, ex in language_examples(list(enumerate(rows, start=1)), source, spec,
                                                                     language)]
            parts[language] = info.get("fingerprint")
        return list(check_unique(found, "id")), hub_source(str(spec.hub_id), spec.hub_split, revision, parts)
    if path.is_file():
        language = path.stem
        if language not in M_REWARDBENCH_LANGUAGES:
            raise DataError(str(path), f"a file of one language must be named by its code ({language!r} is none of "
                                       f"{', '.join(M_REWARDBENCH_LANGUAGES)})")
        local = {language: [path]}
    elif path.is_dir() and path.name in M_REWARDBENCH_LANGUAGES:  # one language's folder of a hub download
        local = {path.name: language_files(path)}
    elif path.is_dir():
        local = _local(path, languages)
    else:
        raise DataError(str(path), "no such file or folder")
    for language, files in local.items():
        for f in files:
            found += [(str(f), n, ex) for n, ex in language_examples(read_rows(f), str(f), spec, language)]
    return list(check_unique(found, "id")), files_source(path, [f for files in local.values() for f in files])
