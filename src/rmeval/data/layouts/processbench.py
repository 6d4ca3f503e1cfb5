"""ProcessBench as Qwen publishes it: the hub dataset `Qwen/ProcessBench` (one split per subset), or local copies of
its files `gsm8k.json`, `math.json`, `olympiadbench.json`, `omnimath.json` (a folder holding any of them, as
`huggingface-cli download` writes it, or one file; `.jsonl` and `.parquet` copies are read too), each a list of
`{id, generator, problem, steps, final_answer_correct, label}`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.benchmarks.processbench import PROCESSBENCH_SUBSETS
from rmeval.data.errors import DataError
from rmeval.data.files import SUPPORTED_SUFFIXES, data_suffix, read_hub_rows
from rmeval.data.layouts import register_layout
from rmeval.data.layouts.common import Row, check_unique, files_source, get_field, hub_source, read_rows
from rmeval.data.layouts.solutions import problem_text, solution_example, step_list
from rmeval.types import Example

__all__ = ["processbench_examples", "read_processbench"]

SUBSETS = tuple(name for name, _, _ in PROCESSBENCH_SUBSETS)


def processbench_examples(rows: list[tuple[int, Row]], source: str, subset: str) -> list[tuple[str, int, Example]]:
    """Validated solutions of one subset, with their source and row numbers."""
    out = []
    for row_no, row in rows:
        ex_id = get_field(row, "id", source, row_no)
        if not isinstance(ex_id, (str, int)) or isinstance(ex_id, bool) or str(ex_id) == "":
            raise DataError(source, f"expected a non-empty string, got {ex_id!r}", row=row_no, field="id")
        problem = problem_text(row, "problem", source, row_no)
        steps = step_list(row, "steps", source, row_no)
        label = get_field(row, "label", source, row_no)
        if not isinstance(label, int) or isinstance(label, bool) or not -1 <= label < len(steps):
            raise DataError(source, f"expected -1 (no error) or a step index 0 to {len(steps) - 1}, got {label!r}",
                            row=row_no, field="label")
        facts: dict[str, Any] = {"label": label}
        facts.update({k: row[k] for k in ("generator", "final_answer_correct") if k in row})
        out.append((source, row_no, solution_example(subset, str(ex_id), problem, steps, facts)))
    return out


def _local(path: Path) -> list[tuple[str, Path]]:
    """(subset, file) of a local copy: the file itself (named after its split), or the split files in a folder."""
    def subset_of(f: Path) -> str | None:
        stem = f.name[: len(f.name) - len(data_suffix(f))] if data_suffix(f) else f.stem
        return next((s for s in SUBSETS if stem == s or stem.startswith(f"{s}-")), None)

    if path.is_file():
        subset = subset_of(path)
        if subset is None:
            raise DataError(str(path), f"a ProcessBench file is named after its split ({', '.join(SUBSETS)})")
        return [(subset, path)]
    if not path.is_dir():
        raise DataError(str(path), "no such file or folder")
    found = [(s, f) for f in sorted(p for p in path.rglob("*") if p.is_file() and data_suffix(p) in SUPPORTED_SUFFIXES)
             if (s := subset_of(f)) is not None]
    if not found:
        raise DataError(str(path), f"no ProcessBench split file here ({', '.join(s + '.json' for s in SUBSETS)})")
    return found


@register_layout("processbench")
def read_processbench(spec: BenchmarkSpec, path: Path | None, revision: str | None,
                      subsets: frozenset[str] | None = None) -> tuple[list[Example], dict[str, Any]]:
    """ProcessBench's solutions from the hub or a local copy (only the splits `--subsets` selects, when it does)."""
    found: list[tuple[str, int, Example]] = []
    if path is None:
        parts = {}
        for subset in (s for s in SUBSETS if subsets is None or s in subsets):
            rows, info = read_hub_rows(str(spec.hub_id), subset, revision)
            found += processbench_examples(list(enumerate(rows, start=1)), f"hub:{spec.hub_id}:{subset}", subset)
            parts[subset] = info.get("fingerprint")
        source = hub_source(str(spec.hub_id), None, revision, parts)
    else:
        files = [(s, f) for s, f in _local(path) if subsets is None or s in subsets] or _local(path)
        for subset, f in files:
            found += processbench_examples(read_rows(f), str(f), subset)
        source = files_source(path, [f for _, f in files])
    return list(check_unique(found, "id")), source
