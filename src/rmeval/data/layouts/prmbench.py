"""PRMBench as its authors publish it: the hub dataset `hitsmy/PRMBench_Preview` (one file,
`prmbench_preview.jsonl`), a copy of that file, or the repository's folder `mr_eval/tasks/prmtest_classified/data/`
(every `.jsonl` directly in it, as the authors' loader reads it; sub-folders such as `debug/` are not part of it).

Each row is one modified solution: `modified_question`, `modified_process` (its steps), `error_steps` (1-based),
`classification` (the category) and `idx`; its key is `<classification>_<idx>`, and a key seen again keeps its
first row, as the authors' loader does (the rows left out are counted in the source's `excluded`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.data.errors import DataError
from rmeval.data.files import read_hub_rows
from rmeval.data.layouts import register_layout
from rmeval.data.layouts.common import Row, files_source, get_field, read_rows, text_of
from rmeval.data.layouts.solutions import problem_text, solution_example, step_list
from rmeval.types import Example

__all__ = ["REPEATED", "prmbench_examples", "read_prmbench"]

REPEATED = "repeated key (the authors keep its first row)"


def _error_steps(row: Row, source: str, row_no: int) -> list[int]:
    value = get_field(row, "error_steps", source, row_no)
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1
                                              for v in value):
        raise DataError(source, f"expected a list of 1-based step numbers, got {value!r}", row=row_no,
                        field="error_steps")
    return list(value)


def prmbench_examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec, seen: set[str],
                      excluded: Counter[tuple[str, str]]) -> list[Example]:
    """Validated solutions of one file; keys already in `seen` are left out and counted in `excluded`."""
    known = set(spec.subset_names())
    out = []
    for row_no, row in rows:
        category = text_of(get_field(row, "classification", source, row_no), source, row_no, "classification",
                           nonempty=True)
        if category not in known:
            raise DataError(source, f"unknown category {category!r}; PRMBench's are {', '.join(sorted(known))}",
                            row=row_no, field="classification")
        idx = get_field(row, "idx", source, row_no)
        if not isinstance(idx, (str, int)) or isinstance(idx, bool) or str(idx) == "":
            raise DataError(source, f"expected a non-empty string, got {idx!r}", row=row_no, field="idx")
        key = f"{category}_{idx}"
        problem = problem_text(row, "modified_question", source, row_no)
        steps = step_list(row, "modified_process", source, row_no, allow_empty=True)  # 3 published rows hold one
        errors = _error_steps(row, source, row_no)
        if key in seen:
            excluded[(category, REPEATED)] += 1
            continue
        seen.add(key)
        out.append(solution_example(category, key, problem, steps, {"error_steps": errors, "idx": str(idx)}))
    return out


def _files(path: Path) -> list[Path]:
    """The file itself, or the `.jsonl` files directly in a folder."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(str(path), "no such file or folder")
    files = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(".jsonl"))
    if not files:
        raise DataError(str(path), "no .jsonl file directly in this folder: give prmbench_preview.jsonl or the "
                                   "repository's mr_eval/tasks/prmtest_classified/data folder")
    return files


@register_layout("prmbench")
def read_prmbench(spec: BenchmarkSpec, path: Path | None, revision: str | None,
                  subsets: frozenset[str] | None = None) -> tuple[list[Example], dict[str, Any]]:
    """PRMBench's solutions from the hub or a local copy; repeated keys are left out and counted. Every row is read
    (the categories share files in the hub's copy), and `load_examples` selects `--subsets` afterwards."""
    seen: set[str] = set()
    excluded: Counter[tuple[str, str]] = Counter()
    if path is None:
        rows, source = read_hub_rows(str(spec.hub_id), "train", revision)
        examples = prmbench_examples(list(enumerate(rows, start=1)), f"hub:{spec.hub_id}", spec, seen, excluded)
    else:
        files = _files(path)
        examples = [ex for f in files for ex in prmbench_examples(read_rows(f), str(f), spec, seen, excluded)]
        source = files_source(path, files)
    by_subset: dict[str, dict[str, int]] = {}
    for (category, reason), n in excluded.items():
        by_subset.setdefault(category, {})[reason] = n
    return examples, {**source, "excluded": by_subset}
