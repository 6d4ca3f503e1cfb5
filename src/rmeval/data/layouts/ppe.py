"""PPE as lmarena publishes it: six hub datasets (`lmarena-ai/PPE-Human-Preference-V1`, split `test`, and the five
`lmarena-ai/PPE-<set>-Best-of-K`, split `train`), or a local folder holding a copy of any of them, each under its
hub name (`PPE-MATH-Best-of-K/` as `huggingface-cli download` writes it, or `PPE-MATH-Best-of-K.jsonl`).

A human-preference row is a pair oriented by its `winner`; a tied vote is left out and counted. A correctness row
is one example: its correct answers (`scores[i]` true) against its incorrect ones, with its sampled conflict pairs
kept as the example's fact; a row without both kinds of answer is left out and counted.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec
from rmeval.benchmarks.ppe import PPE_HUB, PPE_HUMAN
from rmeval.data.errors import DataError
from rmeval.data.files import read_hub_rows
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
from rmeval.data.schema import ColumnMap, rows_to_examples
from rmeval.types import Example

__all__ = ["correctness_examples", "human_examples", "read_ppe"]

WINNERS = {"model_a": ("response_1", "response_2"), "model_b": ("response_2", "response_1")}
ID = "example id"
Excluded = dict[str, int]


def _ids(rows: list[tuple[int, Row]], source: str, keys: tuple[str, ...]) -> list[tuple[int, Row]]:
    """Rows with a stable id from `keys` (a repeated id gets `#2`, `#3`, ... in row order)."""
    seen: Counter[str] = Counter()
    out = []
    for row_no, row in rows:
        parts = [get_field(row, keys[0], source, row_no), *(row[k] for k in keys[1:] if k in row)]
        base = ":".join(map(str, parts))
        seen[base] += 1
        out.append((row_no, {**row, ID: base if seen[base] == 1 else f"{base}#{seen[base]}"}))
    return out


def human_examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec
                   ) -> tuple[list[tuple[int, Example]], Excluded]:
    """The human-preference pairs (chosen: the winner's response) and the tied votes left out, by winner value."""
    excluded: Excluded = Counter()
    by_winner: dict[str, list[tuple[int, Row]]] = {w: [] for w in WINNERS}
    for row_no, row in _ids(rows, source, ("question_id",)):
        winner = text_of(get_field(row, "winner", source, row_no), source, row_no, "winner")
        if winner.startswith("tie"):
            excluded[winner] += 1
        elif winner in WINNERS:
            by_winner[winner].append((row_no, {**row, "subset": PPE_HUMAN}))
        else:
            raise DataError(source, f"expected model_a, model_b or a tie, got {winner!r}", row=row_no, field="winner")
    numbered: list[tuple[int, Example]] = []
    for winner, mine in by_winner.items():
        chosen, rejected = WINNERS[winner]
        columns = ColumnMap(prompt="prompt", chosen=chosen, rejected=rejected, subset="subset", id=ID,
                            ignored=("winner",))  # read here: it orients the pair
        numbered += zip((n for n, _ in mine), rows_to_examples(mine, source, spec, columns), strict=True)
    return sorted(numbered, key=lambda item: item[0]), dict(excluded)


def _correctness_row(row: Row, source: str, row_no: int, subset: str) -> Row | str:
    """The row as correct answers against incorrect ones with its pairs re-indexed, or why it is left out."""
    scores = get_field(row, "scores", source, row_no)
    if not isinstance(scores, list) or not all(isinstance(s, bool) for s in scores) or not scores:
        raise DataError(source, "expected a non-empty list of booleans", row=row_no, field="scores")
    if len(set(scores)) == 1:
        return "no incorrect answer" if scores[0] else "no correct answer"
    answers = [text_of(get_field(row, f"response_{i + 1}", source, row_no), source, row_no, f"response_{i + 1}",
                       nonempty=True) for i in range(len(scores))]
    correct = [i for i, s in enumerate(scores) if s]
    wrong = [i for i, s in enumerate(scores) if not s]
    pairs = []
    for k, pair in enumerate(row.get("sampled_conflict_pairs") or []):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(i, int) and 0 <= i < len(scores)
                                                                 for i in pair) and scores[pair[0]] != scores[pair[1]]):
            raise DataError(source, f"item {k}: expected [i, j], one correct answer and one incorrect (0-based)",
                            row=row_no, field="sampled_conflict_pairs")
        good, bad = (pair[0], pair[1]) if scores[pair[0]] else (pair[1], pair[0])
        pairs.append([correct.index(good), wrong.index(bad)])
    rest = {k: v for k, v in row.items() if not k.startswith("response_")}  # the answers move, not copied
    return {**rest, "subset": subset, "correct answers": [answers[i] for i in correct],
            "incorrect answers": [answers[i] for i in wrong], "pairs": pairs}


def correctness_examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec, subset: str
                         ) -> tuple[list[tuple[int, Example]], Excluded]:
    """A correctness set's examples and the rows left out (no correct, or no incorrect, answer)."""
    excluded: Excluded = Counter()
    kept = []
    for row_no, row in _ids(rows, source, ("question_id", "model_name")):
        flat = _correctness_row(row, source, row_no, subset)
        if isinstance(flat, str):
            excluded[flat] += 1
        else:
            kept.append((row_no, flat))
    columns = ColumnMap(prompt="prompt", chosen="correct answers", rejected="incorrect answers", subset="subset",
                        id=ID)
    return list(zip((n for n, _ in kept), rows_to_examples(kept, source, spec, columns), strict=True)), dict(excluded)


def _examples(rows: list[tuple[int, Row]], source: str, spec: BenchmarkSpec, subset: str
              ) -> tuple[list[tuple[int, Example]], Excluded]:
    if subset == PPE_HUMAN:
        return human_examples(rows, source, spec)
    return correctness_examples(rows, source, spec, subset)


def _needed(subsets: frozenset[str] | None) -> list[str]:
    """The sets to read: those `--subsets` selects, or all (also when it names none: the selection reports it)."""
    chosen = [name for name in PPE_HUB if subsets is not None and name in subsets]
    return chosen or list(PPE_HUB)


def _local(folder: Path, needed: list[str]) -> dict[str, list[Path]]:
    """Each subset's files in a local copy: a folder or a file named after its hub dataset."""
    out = {}
    for subset, (dataset, _) in PPE_HUB.items():
        if subset not in needed:
            continue
        name = dataset.split("/")[-1]
        files = find_files(folder / name) if (folder / name).is_dir() else sorted(folder.glob(f"{name}.*"))
        if files:
            out[subset] = files
    if not out:
        names = ", ".join(PPE_HUB[n][0].split("/")[-1] for n in needed)
        raise DataError(str(folder), f"no copy of a PPE dataset here: expected folders or files named {names}")
    return out


@register_layout("ppe")
def read_ppe(spec: BenchmarkSpec, path: Path | None, revision: str | None, subsets: frozenset[str] | None
             ) -> tuple[list[Example], dict[str, Any]]:
    """PPE's examples from the hub or a local copy (the selected sets only, given `subsets`); the rows it leaves
    out are in the source record (`excluded`)."""
    found: list[tuple[str, int, Example]] = []
    excluded: dict[str, Excluded] = {}
    needed = _needed(subsets)
    if path is None:
        parts = {}
        for subset in needed:
            dataset, split = PPE_HUB[subset]
            rows, info = read_hub_rows(dataset, split, revision)
            numbered, excluded[subset] = _examples(list(enumerate(rows, start=1)), f"hub:{dataset}", spec, subset)
            found += [(f"hub:{dataset}", n, ex) for n, ex in numbered]
            parts[dataset] = info.get("fingerprint")
        source = hub_source("lmarena-ai/PPE", None, revision, parts)
    else:
        if not path.is_dir():
            raise DataError(str(path), "expected a folder holding copies of PPE's hub datasets")
        local = _local(path, needed)
        for subset, files in local.items():
            for f in files:
                numbered, dropped = _examples(read_rows(f), str(f), spec, subset)
                found += [(str(f), n, ex) for n, ex in numbered]
                excluded[subset] = dict(Counter(excluded.get(subset, {})) + Counter(dropped))
        source = files_source(path, [f for files in local.values() for f in files])
    return list(check_unique(found, ID)), {**source, "excluded": {k: v for k, v in excluded.items() if v}}
