"""JudgeBench as ScalerLab publishes it: `data/dataset=judgebench,response_model=<model>.jsonl` (one row per pair:
`{pair_id, source, question, response_A, response_B, label}`), any file in that format, or the hub (split `gpt` or
`claude`). A pair's subset is its source's group (`judgebench_group`: the authors' prefixes, else `other sources`).

The label says which response is correct; the validator reads that one as chosen, so errors name `response_A` or
`response_B` as the authors do. The label is kept as the example's fact: a tied reward goes to B (`scoring.rules`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.benchmarks.judgebench import JUDGEBENCH_FILES, judgebench_group
from rmeval.data.errors import DataError
from rmeval.data.files import read_hub_rows
from rmeval.data.layouts import register_layout
from rmeval.data.layouts.common import Row, check_unique, files_source, get_field, read_rows, text_of
from rmeval.data.schema import ColumnMap, rows_to_examples
from rmeval.types import Example

__all__ = ["LABELS", "judgebench_examples", "read_judgebench"]

LABELS = {"A>B": ("response_A", "response_B"), "B>A": ("response_B", "response_A")}
"""Each label's (chosen column, rejected column)."""
GROUP = "source group"


def judgebench_examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec) -> list[tuple[int, Example]]:
    """Validated examples with their row numbers, in row order."""
    by_label: dict[str, list[tuple[int, Row]]] = {label: [] for label in LABELS}
    for row_no, row in rows:
        label = text_of(get_field(row, "label", source, row_no), source, row_no, "label")
        if label not in LABELS:
            raise DataError(source, f"expected A>B or B>A, got {label!r}", row=row_no, field="label")
        group = judgebench_group(text_of(get_field(row, "source", source, row_no), source, row_no, "source"))
        by_label[label].append((row_no, {**row, GROUP: group}))
    numbered: list[tuple[int, Example]] = []
    for label, mine in by_label.items():
        chosen, rejected = LABELS[label]
        # The label is read here (it orients the pair) and kept as the example's fact, not ignored.
        columns = ColumnMap(prompt="question", chosen=chosen, rejected=rejected, subset=GROUP, id="pair_id",
                            ignored=("label",))
        numbered += zip((n for n, _ in mine), rows_to_examples(mine, source, spec, columns), strict=True)
    return sorted(numbered, key=lambda item: item[0])


def _file(spec: BenchmarkSpec, path: Path) -> Path:
    """The file itself, or the authors' file of the spec's response model in a folder (or in its data/)."""
    if path.is_file():
        return path
    name = JUDGEBENCH_FILES[str(spec.hub_split)]
    for candidate in (path / name, path / "data" / name):
        if candidate.is_file():
            return candidate
    raise DataError(str(path), f"no {name} here or in data/: give JudgeBench's data folder or one of its files")


@register_layout("judgebench")
def read_judgebench(spec: BenchmarkSpec, path: Path | None, revision: str | None, subsets: frozenset[str] | None
                    ) -> tuple[list[Example], dict[str, Any]]:
    """JudgeBench's pairs from its file (any file in its format) or the hub."""
    if path is None:
        rows, info = read_hub_rows(str(spec.hub_id), str(spec.hub_split), revision)
        found = [(f"hub:{spec.hub_id}", n, ex) for n, ex in
                 judgebench_examples(list(enumerate(rows, start=1)), f"hub:{spec.hub_id}", spec)]
        return list(check_unique(found, "pair_id")), info
    file = _file(spec, path)
    found = [(str(file), n, ex) for n, ex in judgebench_examples(read_rows(file), str(file), spec)]
    return list(check_unique(found, "pair_id")), files_source(file, [file])
