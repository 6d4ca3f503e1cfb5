"""M-RewardBench as its authors publish it: one hub configuration per language (split `filtered`), RewardBench v1's
columns in each; or a local copy holding one file (`<language>.jsonl`, `.json`, `.parquet`) or one folder
(`<language>/`, as a hub download writes it) per language. Only the languages present are read.

A row's subset becomes `<language>/<subset>`, the subset names of the benchmark spec.
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
    get_field,
    hub_source,
    read_rows,
    text_of,
)
from rmeval.data.schema import rows_to_examples
from rmeval.types import Example

__all__ = ["language_examples", "read_m_rewardbench"]

V1_SUBSETS = frozenset(REWARDBENCH.subset_names())


def language_examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec, language: str
                      ) -> list[tuple[int, Example]]:
    """One language's validated examples with their row numbers."""
    renamed = []
    for row_no, row in rows:
        subset = text_of(get_field(row, "subset", source, row_no), source, row_no, "subset")
        if subset not in V1_SUBSETS:
            raise DataError(source, f"unknown subset {subset!r}: M-RewardBench keeps RewardBench v1's subsets",
                            row=row_no, field="subset")
        renamed.append((row_no, {**row, "subset": f"{language}/{subset}"}))
    return list(zip((n for n, _ in renamed), rows_to_examples(renamed, source, spec), strict=True))


def _local(folder: Path) -> dict[str, list[Path]]:
    out = {}
    for language in M_REWARDBENCH_LANGUAGES:
        if (folder / language).is_dir():
            files = find_files(folder / language)
        else:
            files = [p for p in (folder / f"{language}{s}" for s in SUPPORTED_SUFFIXES) if p.is_file()]
        if files:
            out[language] = files
    if not out:
        raise DataError(str(folder), "no language here: expected files or folders named by language code "
                                     f"({', '.join(M_REWARDBENCH_LANGUAGES[:3])}, ...)")
    return out


@register_layout("m-rewardbench")
def read_m_rewardbench(spec: BenchmarkSpec, path: Path | None, revision: str | None
                       ) -> tuple[list[Example], dict[str, Any]]:
    """Every language's examples, from the hub or a local copy."""
    found: list[tuple[str, int, Example]] = []
    if path is None:
        parts = {}
        for language in M_REWARDBENCH_LANGUAGES:
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
    elif path.is_dir():
        local = _local(path)
    else:
        raise DataError(str(path), "no such file or folder")
    for language, files in local.items():
        for f in files:
            found += [(str(f), n, ex) for n, ex in language_examples(read_rows(f), str(f), spec, language)]
    return list(check_unique(found, "id")), files_source(path, [f for files in local.values() for f in files])
