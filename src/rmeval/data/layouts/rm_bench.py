"""RM-Bench as THU-KEG publishes it: `data/total_dataset.json` (rows with a `domain`), the domain files
`data/<domain>_filtered.json` (rows without one: the file's name says it), any one of them, or the hub dataset.

A domain file's own `subset` column (the RewardBench source of the row) stays in the example's meta; the subset
rmeval scores is the domain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.benchmarks.rm_bench import RM_BENCH_DOMAINS, RM_BENCH_STYLES
from rmeval.data.errors import DataError
from rmeval.data.files import data_suffix, read_hub_rows
from rmeval.data.layouts import register_layout
from rmeval.data.layouts.common import Row, check_unique, files_source, read_rows
from rmeval.data.schema import ColumnMap, rows_to_examples
from rmeval.types import Example

__all__ = ["COLUMNS", "TOTAL_FILE", "file_domain", "read_rm_bench", "rm_bench_examples"]

DOMAIN = "domain"
COLUMNS = ColumnMap(prompt="prompt", chosen="chosen", rejected="rejected", subset=DOMAIN, id="id")
TOTAL_FILE = "total_dataset.json"


def file_domain(path: Path) -> str | None:
    """The domain a file's name says (`<domain>_filtered.json` or `<domain>.json`), if it names one.

    >>> file_domain(Path("data/safety-refuse_filtered.json")), file_domain(Path("total_dataset.json"))
    ('safety-refuse', None)
    """
    stem = path.name[: -len(data_suffix(path))] if data_suffix(path) else path.name
    stem = stem.removesuffix("_filtered")
    return stem if stem in RM_BENCH_DOMAINS else None


def _files(path: Path) -> list[Path]:
    """The file itself; in a folder, total_dataset.json, else the domain files (never both: they hold the same rows)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(str(path), "no such file or folder")
    total = [p for p in (path / TOTAL_FILE, path / "data" / TOTAL_FILE) if p.is_file()]
    if total:
        return total[:1]
    domains = [p for d in RM_BENCH_DOMAINS for p in (path / f"{d}_filtered.json", path / "data" / f"{d}_filtered.json")
               if p.is_file()]
    if not domains:
        raise DataError(str(path), f"no {TOTAL_FILE} and no <domain>_filtered.json here or in data/: is it RM-Bench's "
                                   "data folder?")
    return domains


def _with_domains(rows: list[tuple[int, Row]], source: str, domain: str | None) -> list[tuple[int, Row]]:
    """Rows with their domain: their own `domain` (the combined file, the hub), else the file's."""
    out = []
    for row_no, row in rows:
        if DOMAIN in row:
            out.append((row_no, row))
        elif domain is not None:
            out.append((row_no, {**row, DOMAIN: domain}))
        else:
            names = ", ".join(f"{d}_filtered.json" for d in RM_BENCH_DOMAINS)
            raise DataError(source, f"missing column, and no domain in the file's name ({names})", row=row_no,
                            field=DOMAIN)
    return out


def rm_bench_examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec,
                      domain: str | None = None) -> list[tuple[int, Example]]:
    """Validated examples with their row numbers: three answers in each of `chosen` and `rejected`; `domain` is the
    file's, for rows without their own."""
    rows = _with_domains(rows, source, domain)
    examples = rows_to_examples(rows, source, spec, COLUMNS)
    for (row_no, _), ex in zip(rows, examples, strict=True):
        for column, answers in ((COLUMNS.chosen, ex.chosen), (COLUMNS.rejected, ex.rejected)):
            if len(answers) != len(RM_BENCH_STYLES):
                raise DataError(source, f"expected {len(RM_BENCH_STYLES)} answers ({', '.join(RM_BENCH_STYLES)}), "
                                        f"got {len(answers)}", row=row_no, field=column)
    return [(row_no, ex) for (row_no, _), ex in zip(rows, examples, strict=True)]


@register_layout("rm-bench")
def read_rm_bench(spec: BenchmarkSpec, path: Path | None, revision: str | None, subsets: frozenset[str] | None
                  ) -> tuple[list[Example], dict[str, Any]]:
    """RM-Bench's examples from its files or the hub (every file is read: they are small)."""
    if path is None:
        rows, source = read_hub_rows(str(spec.hub_id), str(spec.hub_split), revision)
        numbered = list(enumerate(rows, start=1))
        return [ex for _, ex in rm_bench_examples(numbered, f"hub:{spec.hub_id}", spec)], source
    files = _files(path)
    found = [(str(f), n, ex) for f in files for n, ex in rm_bench_examples(read_rows(f), str(f), spec, file_domain(f))]
    return list(check_unique(found, COLUMNS.id)), files_source(path, files)
