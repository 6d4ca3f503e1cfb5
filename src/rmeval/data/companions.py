"""Companion sets scored beside a benchmark (RewardBench's Prior Sets): from the hub (`allenai/preference-test-sets`,
one split per subset), from a local file with a subset column, or from the sets' original files as their authors
publish them.

From the original files, each file's layout names its Prior Sets subset: Anthropic HH-RLHF's helpful test splits
are `anthropic_helpful`, BIG-bench's HHH task files `anthropic_hhh`, Stanford SHP's test files `shp`, OpenAI's
summarize-from-feedback comparisons `summarize`. `allenai/preference-test-sets` (its README.md at the hub) built its
splits from those sets: HH's test set, SHP "taking 1 sample per prompt with a score ratio above 1.5 and a total
number of Reddit votes above 10", and summarize "downsampled from 86.1k to 9k" validation comparisons. rmeval
applies SHP's filter as stated (votes read as score_A + score_B, the first pair of each post kept), takes every
`valid1` / `valid2` comparison of summarize and every helpful test row of HH: the exact rows of the hub's splits
(6,192, 221, 1,741 and 9,000) come from a notebook not read here, so counts from the original files differ
(unverified beyond the README's words). HH's harmless split is not one of the four sets the Prior Sets score
averages, and is left out with a note.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rmeval.benchmarks import Companion
from rmeval.data.columns import DEFAULT_COLUMNS
from rmeval.data.errors import DataError
from rmeval.data.files import SUPPORTED_SUFFIXES, data_suffix, read_file_rows, read_hub_rows, sha256_of
from rmeval.data.layouts.common import files_source
from rmeval.data.load import LoadedData
from rmeval.data.published import detect_layout
from rmeval.data.schema import OnInvalid, columns_for, convert_rows, rows_to_examples, validate_rows

__all__ = ["load_companion", "original_sets", "original_subset"]

log = logging.getLogger(__name__)

LAYOUT_SUBSETS = {"big-bench": "anthropic_hhh", "shp": "shp", "summarize-from-feedback": "summarize"}
"""The Prior Sets subset of each original layout (HH-RLHF's depends on its folder)."""


def original_subset(layout: str, path: Path) -> str | None:
    """The Prior Sets subset an original file holds (None: none of the four)."""
    if layout == "hh-rlhf":
        parts = [p.lower() for p in path.parts]
        return "anthropic_helpful" if any(p.startswith("helpful") for p in parts) else None
    return LAYOUT_SUBSETS.get(layout)


def _keep(subset: str, row: Mapping[str, Any]) -> bool:
    """The rows of an original file that preference-test-sets describes taking (see the module docstring)."""
    if subset == "summarize":
        return row.get("split") in ("valid1", "valid2")
    if subset == "shp":
        ratio, votes = row.get("score_ratio"), [row.get("score_A"), row.get("score_B")]
        numbers = isinstance(ratio, (int, float)) and all(isinstance(v, (int, float)) for v in votes)
        return numbers and ratio > 1.5 and sum(votes) > 10  # type: ignore[arg-type, operator]
    return True


def _candidates(path: Path) -> list[Path]:
    """The files to read under a folder: data files that are not training or validation splits by their name."""
    if path.is_file():
        return [path]
    return sorted(f for f in path.rglob("*") if f.is_file() and data_suffix(f) in SUPPORTED_SUFFIXES
                  and not f.name.lower().startswith(TRAINING_NAMES))


TRAINING_NAMES = ("train", "valid", "dev")
"""File names of splits the Prior Sets do not use (HH's and SHP's train.*, SHP's validation.json)."""


def _tagged(rows: list[tuple[int, Any]], subset: str, name: str, seen_posts: set[Any]) -> list[tuple[int, Any]]:
    """The rows the Prior Sets take from one original file, each given its subset and an id (its file and row)."""
    out = []
    for row_no, row in rows:
        if isinstance(row, Mapping):
            if not _keep(subset, row) or (subset == "shp" and row.get("post_id") in seen_posts):
                continue
            if subset == "shp":  # one pair per post: its first
                seen_posts.add(row.get("post_id"))
            row = {**row, "subset": subset, "id": f"{name}:{row_no}"}
        out.append((row_no, row))
    return out


def original_sets(path: Path, companion: Companion, on_invalid: OnInvalid = "stop") -> LoadedData:
    """The Prior Sets from their original files (a folder holding them, or one file): see the module docstring."""
    examples, subsets, invalid, notes = [], {}, [], []
    seen_posts: set[Any] = set()
    files = _candidates(path)
    for file in files:
        name = str(file.relative_to(path)) if file != path else file.name
        try:
            rows: list[tuple[int, Any]] = list(read_file_rows(file))
        except DataError as e:
            if path.is_file():
                raise
            notes.append(f"{name}: not read ({e.message})")
            continue
        layout = detect_layout(rows, DEFAULT_COLUMNS)
        subset = original_subset(layout.name, file if file == path else path.name / Path(name)) if layout else None
        if layout is None or subset is None:
            what = layout.title if layout is not None else "no known layout"
            notes.append(f"{name} ({what}) is none of the Prior Sets' four original sets: left out")
            continue
        kept = _tagged(convert_rows(layout, rows, str(file)), subset, name, seen_posts)
        read = validate_rows(kept, str(file), companion.spec, columns_for(layout, DEFAULT_COLUMNS),
                             on_invalid=on_invalid, layout=layout)
        examples += read.examples
        invalid += read.invalid
        subsets[name] = subset
    for note in notes:
        log.warning(note)
    if not examples:
        raise DataError(str(path), "holds none of the Prior Sets' original files (HH-RLHF's helpful test splits, "
                                   "BIG-bench's HHH task files, SHP's test files, summarize-from-feedback's "
                                   "comparisons)")
    source = {**files_source(path, [f for f in files if (str(f.relative_to(path)) if f != path else f.name)
                                    in subsets]), "layout": "original files", "subsets": subsets}
    if invalid:
        source["excluded_rows"] = invalid
    return LoadedData(examples, companion.spec, source, notes)


def _has_subset_column(path: Path) -> bool:
    """Whether a file is in preference-test-sets' own layout (a subset column), not an original one."""
    first = next(iter(read_file_rows(path)), None)
    return first is not None and "subset" in first[1]


def load_companion(companion: Companion, source: str | None = None, on_invalid: OnInvalid = "stop") -> LoadedData:
    """A companion set's examples: from a local file with a subset column, from the original files of its sets (a
    folder, or one of them), or from the hub (one split per subset, `source` or the companion's own dataset)."""
    source = source or companion.hub_id
    if source is None:
        raise DataError(companion.part, "this companion set has no default source; give a file")
    path = Path(source)
    if path.is_file() and _has_subset_column(path):
        examples = rows_to_examples(read_file_rows(path), str(path), companion.spec)
        return LoadedData(examples, companion.spec, {"kind": "file", "path": str(path), "sha256": sha256_of(path)})
    if path.exists():
        if path.is_file() and data_suffix(path) not in SUPPORTED_SUFFIXES:
            raise DataError(str(path), "not a data file")
        return original_sets(path, companion, on_invalid)
    examples = []
    splits: dict[str, Any] = {}
    for subset in companion.spec.subset_names():
        rows, split_info = read_hub_rows(source, subset)
        tagged = [(i, {**r, "subset": subset, "id": r.get("id", i)}) for i, r in enumerate(rows, start=1)]
        examples += rows_to_examples(tagged, f"hub:{source}:{subset}", companion.spec)
        splits[subset] = split_info.get("fingerprint")
    return LoadedData(examples, companion.spec, {"kind": "hub", "id": source, "splits": splits})
