"""ProcessBench and PRMBench: their authors' layouts read, their metrics equal to the hand computations of
`step_data`, the intervals resampling whole solutions, and the step view of where a model first objects."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import write_jsonl
from rmeval.analysis.steps import step_views
from rmeval.benchmarks import get_benchmark
from rmeval.data import DataError, load_examples
from rmeval.report.steps_text import format_step_views
from rmeval.scoring import Resampling, run_metrics, run_units
from rmeval.scoring.bootstrap import resampled_subsets, subset_rng
from rmeval.scoring.steps import aggregate_steps, first_objection, subset_values
from rmeval.types import SampleRecord
from step_data import (
    PRMBENCH_SCORE,
    PRMBENCH_SECTIONS,
    PRMBENCH_VALUES,
    PROCESSBENCH_F1,
    PROCESSBENCH_SCORE,
    prmbench_rows,
    processbench_rows,
    step_samples,
    write_prmbench_folder,
    write_processbench,
)


def test_processbench_metrics_are_the_hand_computed_ones() -> None:
    spec = get_benchmark("processbench")
    m = run_metrics(step_samples("processbench"), spec)
    assert {k: v.accuracy for k, v in m.subsets.items()} == pytest.approx(PROCESSBENCH_F1)
    assert m.score == pytest.approx(PROCESSBENCH_SCORE)
    assert m.sections == pytest.approx({"GSM8K": 0.4, "MATH": 1.0})
    assert m.facets["erroneous"].subsets == pytest.approx({"gsm8k": 1 / 3, "math": 1.0})
    assert m.facets["correct"].subsets == pytest.approx({"gsm8k": 0.5, "math": 1.0})
    assert m.facets["erroneous"].score == pytest.approx(2 / 3) and m.facets["correct"].score == pytest.approx(0.75)
    assert not m.complete and set(m.missing_subsets) == {"olympiadbench", "omnimath"}


def test_processbench_threshold_is_read_from_each_sample() -> None:
    # at 0.95 every step of every solution is erroneous: the first step is always predicted
    m = run_metrics(step_samples("processbench", threshold=0.95), get_benchmark("processbench"))
    # gsm8k: erroneous solutions right only where the label is 0 (1 of 3), correct ones never: F1 = 0 (a 0 term)
    assert m.subsets["gsm8k"].accuracy == 0.0 and m.facets["erroneous"].subsets["gsm8k"] == pytest.approx(1 / 3)


def test_prmbench_prmscore_as_the_authors_compute_it() -> None:
    spec = get_benchmark("prmbench")
    m = run_metrics(step_samples("prmbench"), spec)
    assert {k: v.accuracy for k, v in m.subsets.items()} == pytest.approx(PRMBENCH_VALUES)
    assert m.sections == pytest.approx(PRMBENCH_SECTIONS)
    assert m.score == pytest.approx(PRMBENCH_SCORE)  # pooled over the categories, not a mean of the dimensions


def test_prmscore_from_counts_matches_the_authors_rules() -> None:
    # TP, FP, TN, FN in one row: the authors' -1 for an empty denominator and for precision + recall = 0
    def value(tp: int, fp: int, tn: int, fn: int, kind: str = "prmscore") -> float:
        sums = np.array([[tp, fp, tn, fn]], dtype=np.float64)
        return float(subset_values(kind, sums, np.ones_like(sums), (1.0,) * 4, 1)[0, 0])

    assert value(3, 1, 2, 1) == pytest.approx(0.5 * 0.75 + 0.5 * 2 / 3)
    assert value(0, 1, 0, 2) == -1.0  # no true positive, no true negative
    # no negative step: negative precision and recall are -1 (empty), their F1 2 (-1)(-1) / (-2) = -1
    assert value(5, 0, 0, 0) == 0.0 and value(5, 0, 0, 0, "f1") == 1.0


def test_intervals_resample_whole_solutions() -> None:
    samples = step_samples("prmbench")
    units = run_units(samples, get_benchmark("prmbench"))
    drawn = resampled_subsets(units, seed=3, resamples=4)["circular"][0]
    rng = subset_rng(3, "circular")
    rows = units["circular"].terms
    expected = []
    for idx in rng.integers(0, len(rows), size=(4, len(rows)), dtype=np.int64):
        tp, fp, tn, fn = rows[idx].sum(axis=0)  # a solution's four counts travel together
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else -1.0
        nf1 = 2 * tn / (2 * tn + fn + fp) if tn else -1.0
        expected.append(0.5 * f1 + 0.5 * nf1)
    assert drawn == pytest.approx(expected)
    m = run_metrics(samples, get_benchmark("prmbench"), resampling=Resampling(200, 0))
    assert m.ci is not None and m.ci.subsets["redundency"] == (1.0, 1.0)  # one solution: nothing to vary
    lo, hi = m.ci.score
    assert lo <= m.score <= hi


def test_processbench_layout_folder_file_and_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_processbench(tmp_path / "ProcessBench")
    loaded = load_examples("processbench", folder)
    assert [e.subset for e in loaded.examples].count("gsm8k") == 5 and loaded.source["kind"] == "folder"
    ex = loaded.examples[1]
    assert ex.id == "gsm8k-1" and ex.meta["label"] == 0
    assert ex.meta["steps"][0] == processbench_rows("gsm8k")[1]["steps"]
    assert ex.chosen[0] == "\n\n".join(ex.meta["steps"][0]) and ex.rejected == ()
    single = load_examples("processbench", folder / "math.json")
    assert {e.subset for e in single.examples} == {"math"}
    from rmeval.data.layouts import processbench as layout

    monkeypatch.setattr(layout, "read_hub_rows", lambda hub, split, rev: (
        processbench_rows(split) if split in ("gsm8k", "math") else processbench_rows("math")[:1],
        {"fingerprint": split}))
    hub = load_examples("processbench", None)
    assert hub.source["kind"] == "hub" and hub.source["id"] == "Qwen/ProcessBench" and len(hub.examples) == 9


@pytest.mark.parametrize(("edit", "field", "message"), [
    (lambda r: r.update(label=3), "label", "expected -1 \\(no error\\) or a step index 0 to 1"),
    (lambda r: r.update(steps=[]), "steps", "non-empty list of steps"),
    (lambda r: r.update(steps=["fine", "  "]), "steps[1]", "empty step"),
    (lambda r: r.pop("problem"), "problem", "missing field"),
])
def test_processbench_invalid_rows(tmp_path: Path, edit: object, field: str, message: str) -> None:
    rows = processbench_rows("gsm8k")
    edit(rows[0])  # type: ignore[operator]
    path = tmp_path / "gsm8k.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(DataError, match=f"gsm8k.json, row 1, field '{re.escape(field)}'.*{message}"):
        load_examples("processbench", path)


def test_prmbench_layout_folder_and_file(tmp_path: Path) -> None:
    loaded = load_examples("prmbench", write_prmbench_folder(tmp_path / "data"))
    assert len(loaded.examples) == 5  # debug/ is not read; the repeated key keeps its first row
    assert loaded.source["excluded"] == {"multi_solutions": {"repeated key (the authors keep its first row)": 1}}
    ex = next(e for e in loaded.examples if e.subset == "circular")
    assert ex.id == "circular_prm_test_p1_0" and ex.meta["error_steps"] == [3, 4] and len(ex.meta["steps"][0]) == 4
    hub_file = write_jsonl(tmp_path / "prmbench_preview.jsonl", prmbench_rows())
    assert sorted(e.key for e in load_examples("prmbench", hub_file).examples) == sorted(e.key for e in loaded.examples)
    bad = prmbench_rows()
    bad[1]["error_steps"] = [0]
    with pytest.raises(DataError, match=r"row 2, field 'error_steps'.*1-based"):
        load_examples("prmbench", write_jsonl(tmp_path / "bad.jsonl", bad))
    bad[1]["error_steps"], bad[1]["classification"] = [2], "puns"
    with pytest.raises(DataError, match=r"row 2, field 'classification'.*unknown category 'puns'"):
        load_examples("prmbench", write_jsonl(tmp_path / "bad.jsonl", bad))


def test_step_view_places_first_objections() -> None:
    views = step_views(step_samples("processbench"), get_benchmark("processbench"))
    g = views["gsm8k"]
    assert (g.n, g.exact, g.early, g.late, g.missed, g.false_alarm, g.no_error_agreed) == (5, 1, 1, 1, 0, 1, 1)
    assert g.offsets == {0: 1, -1: 1, 1: 1}
    text = format_step_views(views)
    assert "false alarm" in text and "gsm8k: offset of the first objection" in text
    # PRMBench: the first step not above the threshold (redundency's 0.5 at step 2 is its labelled error)
    p = step_views(step_samples("prmbench"), get_benchmark("prmbench"))
    assert p["redundency"].exact == 1 and p["multi_solutions"].false_alarm == 1 and p["deception"].late == 1
    assert p["circular"].offsets == {0: 1, -1: 1}


def test_first_objection_and_aggregates() -> None:
    assert first_objection([0.7, float("nan")], 0.5) is None
    scores = [0.9, 0.25, 0.8, 0.5]
    assert [aggregate_steps(scores, h) for h in ("min", "last", "product", "mean")] == pytest.approx(
        [0.25, 0.5, 0.9 * 0.25 * 0.8 * 0.5, 2.45 / 4])
    assert math.isnan(aggregate_steps([0.9, float("nan")], "min")) and math.isnan(aggregate_steps([], "mean"))


def test_compare_pairs_solutions_and_pools_prmbench_per_run() -> None:
    from rmeval.analysis import compare_runs

    spec = get_benchmark("prmbench")
    a, b = step_samples("prmbench"), step_samples("prmbench", threshold=0.85)
    c = compare_runs(a, b, spec, resamples=50)
    # at 0.85 only the 0.9 steps stay valid: the pooled score of each run, differenced
    mb = run_metrics(b, spec)
    assert c.score.a == pytest.approx(PRMBENCH_SCORE) and c.score.b == pytest.approx(mb.score)
    assert c.score.diff == pytest.approx(PRMBENCH_SCORE - mb.score)
    same = compare_runs(a, a, get_benchmark("prmbench"), resamples=20)
    assert same.score.diff == 0.0 and same.score.ci == [0.0, 0.0]


def test_prmbench_counts_the_steps_that_have_a_score() -> None:
    spec = get_benchmark("prmbench")
    cut = [SampleRecord("redundency", "redundency_a", [0.5], [], 0.0, facts={"error_steps": [2]},
                        details={"steps": {"scores": [[float("nan"), 0.2, 0.9]], "threshold": 0.5}}),
           SampleRecord("circular", "circular_b", [0.5], [], 0.0, facts={"error_steps": [1]},
                        details={"steps": {"scores": [[float("nan")] * 2], "threshold": 0.5}})]
    units = run_units(cut, spec)
    assert units["redundency"].terms.tolist() == [[1.0, 0.0, 1.0, 0.0]]  # step 1 uncounted: TP step 3, TN step 2
    assert np.isnan(units["circular"].terms).all()  # a solution without any score is left out
