"""Small ProcessBench and PRMBench data sets in their authors' published layouts, each solution with the step
scores a test model gives it, and the metrics those scores earn, computed by hand in the comments.

Every text is written here for the tests (arithmetic word problems); none is copied from the real data. Field
names, files and folders follow the authors' hub card and repository (`rmeval.benchmarks.processbench`,
`rmeval.benchmarks.prmbench`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import write_jsonl
from rmeval.types import SampleRecord

Row = dict[str, Any]


def _steps(n: int, topic: str) -> list[str]:
    return [f"Step about {topic}: we add {k} and {k + 1} to get {2 * k + 1}." for k in range(1, n + 1)]


# ProcessBench, threshold 0.5 (a step is erroneous below it):
#   gsm8k-0  label -1, [0.9, 0.8]       -> -1: right (a solution with no error)
#   gsm8k-1  label  0, [0.2, 0.9]       ->  0: right (an error at the first step)
#   gsm8k-2  label  1, [0.9, 0.7, 0.3]  ->  2: wrong (objects too late)
#   gsm8k-3  label  2, [0.9, 0.4, 0.1]  ->  1: wrong (objects too early)
#   gsm8k-4  label -1, [0.9, 0.3]       ->  1: wrong (a false alarm)
#   gsm8k: erroneous 1/3, correct 1/2, F1 = 2 (1/3)(1/2) / (1/3 + 1/2) = 0.4
#   math-0   label -1, [0.6] right; math-1 label 0, [0.1] right: erroneous 1, correct 1, F1 1
#   score (average F1) = (0.4 + 1) / 2 = 0.7; facets erroneous (1/3 + 1) / 2, correct (1/2 + 1) / 2
PROCESSBENCH_CASES: dict[str, list[tuple[int, list[float]]]] = {
    "gsm8k": [(-1, [0.9, 0.8]), (0, [0.2, 0.9]), (1, [0.9, 0.7, 0.3]), (2, [0.9, 0.4, 0.1]), (-1, [0.9, 0.3])],
    "math": [(-1, [0.6]), (0, [0.1])],
}
PROCESSBENCH_F1 = {"gsm8k": 0.4, "math": 1.0}
PROCESSBENCH_SCORE = 0.7


def processbench_rows(subset: str) -> list[Row]:
    """One split's rows, as `Qwen/ProcessBench` publishes them."""
    return [{"id": f"{subset}-{i}", "generator": "Tiny-Generator", "problem": f"Problem {i} of {subset}: add up.",
             "steps": _steps(len(scores), subset), "final_answer_correct": label == -1, "label": label}
            for i, (label, scores) in enumerate(PROCESSBENCH_CASES[subset])]


def write_processbench(folder: Path) -> Path:
    """The hub's files (`gsm8k.json`, `math.json`: JSON arrays) in a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for subset in PROCESSBENCH_CASES:
        (folder / f"{subset}.json").write_text(json.dumps(processbench_rows(subset), indent=1), encoding="utf-8")
    return folder


# PRMBench, threshold 0.5 (a step is valid above it; valid steps are the positives):
#   circular A   errors [3, 4], [0.9, 0.8, 0.2, 0.6]  -> TP 2, FP 1 (step 4), TN 1, FN 0
#   circular B   errors [2],    [0.4, 0.3, 0.9]       -> TP 1, FP 0, TN 1, FN 1 (step 1)
#     circular: TP 3 FP 1 TN 2 FN 1: F1 = 0.75, negative F1 = 2/3, PRMScore = 0.708333...
#   redundency C errors [2],    [0.7, 0.5]            -> TP 1, TN 1 (0.5 is not above 0.5): PRMScore 1
#   deception E  errors [1],    [0.9, 0.1, 0.1]       -> TP 0, FP 1, TN 0, FN 2: precision 0 and recall 0, so
#     F1 is the authors' -1, and so is the negative F1: PRMScore -1
#   multi_solutions D errors [], [0.9, 0.2, 0.8]      -> TP 2, FN 1: F1 = 0.8 (F1 alone for this category)
#   Simplicity = (1 + 0.708333) / 2; Sensitivity = (-1 + 0.8) / 2 = -0.1
#   overall: TP 6 FP 2 TN 3 FN 4: F1 = 2 (3/4)(3/5) / (3/4 + 3/5) = 2/3, negative F1 = 2 (3/7)(3/5) / (3/7 + 3/5)
#     = 1/2, PRMScore = 0.5 (2/3) + 0.5 (1/2) = 0.583333...
PRMBENCH_CASES: list[tuple[str, str, list[int], list[float]]] = [
    ("circular", "prm_test_p1_0", [3, 4], [0.9, 0.8, 0.2, 0.6]),
    ("circular", "prm_test_p1_1", [2], [0.4, 0.3, 0.9]),
    ("redundency", "prm_test_p1_0", [2], [0.7, 0.5]),
    ("deception", "prm_test_p1_2", [1], [0.9, 0.1, 0.1]),
    ("multi_solutions", "prm_test_p1_3", [], [0.9, 0.2, 0.8]),
]
PRMBENCH_VALUES = {"circular": 0.5 * 0.75 + 0.5 * 2 / 3, "redundency": 1.0, "deception": -1.0,
                   "multi_solutions": 0.8}
PRMBENCH_SECTIONS = {"Simplicity": (1.0 + 0.5 * 0.75 + 0.5 * 2 / 3) / 2, "Sensitivity": -0.1}
PRMBENCH_SCORE = 0.5 * 2 / 3 + 0.5 * 0.5


def prmbench_rows() -> list[Row]:
    """PRMBench rows (`docs/data_format.md`), the last one a repeated key the authors' loader drops."""
    rows = []
    for category, idx, errors, scores in PRMBENCH_CASES:
        original = _steps(len(scores), "the original")
        rows.append({"original_question": f"Question {idx}: add up.", "modified_question": f"Question {idx}: add up.",
                     "original_process": original, "modified_process": _steps(len(scores), category),
                     "modified_steps": errors, "error_steps": errors, "reason": "written for the tests",
                     "idx": idx, "question": f"Question {idx}: add up.", "classification": category})
    rows.append({**rows[-1], "modified_process": ["a repeated row, left out"]})
    return rows


def write_prmbench_folder(folder: Path) -> Path:
    """The repository's data folder: one file per category, and a `debug/` folder its loader never reads."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = prmbench_rows()
    for category in dict.fromkeys(r["classification"] for r in rows):
        write_jsonl(folder / f"prm_test_p1_4o_{category}.jsonl", [r for r in rows if r["classification"] == category])
    (folder / "debug").mkdir()
    write_jsonl(folder / "debug" / "debug.jsonl", [{**rows[0], "classification": "not a category"}])
    return folder


def step_samples(benchmark: str, threshold: float = 0.5) -> list[SampleRecord]:
    """The samples a step-level scorer giving the scores above writes (credits left at 0: metrics recompute them)."""
    out = []
    if benchmark == "processbench":
        for subset, cases in PROCESSBENCH_CASES.items():
            for i, (label, scores) in enumerate(cases):
                out.append(SampleRecord(subset, f"{subset}-{i}", [min(scores)], [], 0.0,
                                        details={"steps": {"scores": [scores], "threshold": threshold}},
                                        facts={"label": label}))
        return out
    for category, idx, errors, scores in PRMBENCH_CASES:
        out.append(SampleRecord(category, f"{category}_{idx}", [min(scores)], [], 0.0,
                                details={"steps": {"scores": [scores], "threshold": threshold}},
                                facts={"error_steps": errors}))
    return out


def step_scores_of(benchmark: str) -> dict[str, list[float]]:
    """Each solution's step scores by the example's id."""
    if benchmark == "processbench":
        return {f"{s}-{i}": scores for s, cases in PROCESSBENCH_CASES.items() for i, (_, scores) in enumerate(cases)}
    return {f"{c}_{idx}": scores for c, idx, _, scores in PRMBENCH_CASES}
