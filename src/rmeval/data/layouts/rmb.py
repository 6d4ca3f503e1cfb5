"""RMB as its authors publish it: the repository's `RMB_dataset/` folder (or any folder or `.json` file below it),
every file a JSON array of pairwise rows `{pair_uid, conversation_input, chosen: {llm_name, answer}, reject:
{llm_name, answer}, category_path}` or best-of-N rows `{bon_uid, conversation_input, bon_best: {llm_name, answer},
loser_list: [{llm_name, answer}], category_path}`. There is no hub copy.

Nested answers are lifted to flat fields named by their path (`chosen.answer`, `loser_list`), so the one validator
checks them and its errors name the authors' fields. With `--subsets`, only the files and rows of the categories
selected are read and validated. Blank answers and empty prompt turns are scored, as the authors score them, and
counted in the source record (`blank_texts`) and the run's data warnings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.data.errors import DataError
from rmeval.data.layouts import register_layout
from rmeval.data.layouts.common import Row, check_unique, files_source, find_files, get_field, read_rows
from rmeval.data.schema import ColumnMap, rows_to_examples
from rmeval.types import Example

__all__ = ["BON", "PAIRWISE", "file_category", "read_rmb", "rmb_examples"]

PAIRWISE = ColumnMap(prompt="conversation_input", chosen="chosen.answer", rejected="reject.answer",
                     subset="category_path", id="pair_uid")
BON = ColumnMap(prompt="conversation_input", chosen="bon_best.answer", rejected="loser_list",
                subset="category_path", id="bon_uid")
SETS = ("Pairwise_set", "BoN_set")


def _flat(row: Row, source: str, row_no: int) -> tuple[ColumnMap, Row]:
    """The row's kind (its column map) and the row with its answers lifted out of their objects."""
    if "pair_uid" in row:
        flat = {k: v for k, v in row.items() if k not in ("chosen", "reject")}
        for path in (PAIRWISE.chosen, PAIRWISE.rejected):
            flat[path] = get_field(row, path, source, row_no)
        return PAIRWISE, flat
    if "bon_uid" in row:
        losers = get_field(row, "loser_list", source, row_no)
        if not isinstance(losers, list) or not losers:
            raise DataError(source, "expected a non-empty list of {answer} objects", row=row_no, field="loser_list")
        flat = {k: v for k, v in row.items() if k not in ("bon_best", "loser_list")}
        flat[BON.chosen] = get_field(row, BON.chosen, source, row_no)
        flat[BON.rejected] = [get_field(loser, "answer", source, row_no) if isinstance(loser, dict) else loser
                              for loser in losers]
        return BON, flat
    present = ", ".join(sorted(map(str, row))) or "none"
    raise DataError(source, f"neither a pairwise row (pair_uid) nor a best-of-N row (bon_uid); fields present: "
                            f"{present}", row=row_no)


def rmb_examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec) -> list[tuple[int, Example]]:
    """Validated examples of one file with their row numbers (a file may mix pairwise and best-of-N rows)."""
    kinds: dict[str, list[tuple[int, Row]]] = {}
    maps: dict[str, ColumnMap] = {}
    for row_no, row in rows:
        columns, flat = _flat(row, source, row_no)
        kinds.setdefault(columns.id, []).append((row_no, flat))
        maps[columns.id] = columns
    numbered: list[tuple[int, Example]] = []
    for key, mine in kinds.items():
        numbered += zip((n for n, _ in mine), rows_to_examples(mine, source, spec, maps[key]), strict=True)
    return sorted(numbered, key=lambda item: item[0])


def file_category(file: Path) -> str | None:
    """The category path a file's place says (from its `Pairwise_set` or `BoN_set` folder on, without `.json`).

    >>> file_category(Path("RMB_dataset/BoN_set/Helpfulness/Chat/Discussion.json")), file_category(Path("x.json"))
    ('BoN_set/Helpfulness/Chat/Discussion', None)
    """
    parts = file.with_suffix("").parts
    start = next((i for i, part in enumerate(parts) if part in SETS), None)
    return "/".join(parts[start:]) if start is not None else None


def _selected(rows: list[tuple[int, Row]], wanted: frozenset[str] | None) -> list[tuple[int, Row]]:
    """The rows of the selected categories (a row whose category is not a string is kept: the validator names it)."""
    if wanted is None:
        return rows
    return [(n, r) for n, r in rows if not isinstance(r.get("category_path"), str) or r["category_path"] in wanted]


def _blank(examples: list[Example]) -> dict[str, int]:
    """How many examples have a blank answer, and how many an empty prompt turn."""
    return {"answers": sum(any(not a.strip() for a in (*ex.chosen, *ex.rejected)) for ex in examples),
            "prompt_turns": sum(any(not m.content.strip() for m in ex.prompt) for ex in examples)}


@register_layout("rmb")
def read_rmb(spec: BenchmarkSpec, path: Path | None, revision: str | None, subsets: frozenset[str] | None
             ) -> tuple[list[Example], dict[str, Any]]:
    """RMB's pairs and best-of-N items from its files (those of the selected categories only, given `subsets`)."""
    if path is None:
        raise DataError("rmb", "RMB is published as files (the repository's RMB_dataset/ folder), not on the hub: "
                               "pass --data RMB_dataset")
    if not path.exists():
        raise DataError(str(path), "no such file or folder")
    files = [path] if path.is_file() else find_files(path, (".json",))
    if not files:
        raise DataError(str(path), "no .json file here or below: is it RMB's RMB_dataset folder?")
    if subsets is not None:  # a file whose place names a category not selected is never opened
        files = [f for f in files if file_category(f) in subsets or file_category(f) is None]
    found = [(str(f), n, ex) for f in files for n, ex in rmb_examples(_selected(read_rows(f), subsets), str(f), spec)]
    if not found and subsets is not None:
        raise DataError(str(path), f"--subsets names {', '.join(sorted(subsets))}: no row of these categories here")
    examples = list(check_unique(found, "category_path"))
    blank = _blank(examples)
    notes = ([f"{blank['answers']} rows with an empty or whitespace-only answer and {blank['prompt_turns']} with an "
              "empty prompt turn: scored, as RMB's authors score them"] if any(blank.values()) else [])
    return examples, {**files_source(path, files), "blank_texts": blank, "notes": notes}
