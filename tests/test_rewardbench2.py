"""RewardBench 2: best-of-N partial credit, the Ties composite, the score, validation, and an end-to-end run."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from conftest import write_jsonl
from rmeval.benchmarks import get_benchmark
from rmeval.cli import main
from rmeval.data import DataError, load_examples
from rmeval.scoring import SubsetMetrics, example_credit, run_credits, run_metrics, ties_score
from rmeval.types import SampleRecord
from test_metrics import section_scores

V2 = get_benchmark("rewardbench2")
BEST_OF_4 = ("Factuality", "Precise IF", "Math", "Safety", "Focus")


@pytest.mark.parametrize(("chosen", "rejected", "credit"), [
    (3.0, [1.0, 2.0, 0.0], 1.0),
    (2.0, [2.0, 1.0, 0.0], 0.5),
    (2.0, [2.0, 2.0, 0.0], 1 / 3),
    (5.0, [5.0, 5.0, 5.0], 0.25),
    (1.0, [2.0, 0.0, 0.0], 0.0),
    (1.0, [1.0, 2.0, 0.0], 0.0),  # sharing a score below the top earns nothing
])
def test_best_of_n_partial_credit(chosen: float, rejected: list[float], credit: float) -> None:
    assert math.isclose(example_credit("best_of_n", [chosen], rejected)[0], credit)


TIES_ROWS: list[tuple[str, list[float], list[float]]] = [
    ("ref:p1", [5.0], [1.0, 2.0]),          # cim 3
    ("tied:p1", [6.0, 4.0], [3.0, 0.0]),    # cim 1, dcm 2
    ("ref:p2", [1.0], [2.0]),               # cim -1: wrong
    ("tied:p2", [5.0, 5.0], [1.0]),         # cim 4, dcm 0: zero spread among the correct answers
]


def test_each_ties_term_by_hand() -> None:
    result = ties_score(TIES_ROWS)
    margin_p1 = math.tanh(min(3.0, 1.0) / 2.0 - 1.0)
    margin_p2 = -1.0  # min(-1, 4) / 0 = -inf, tanh(-inf) = -1
    expected = {
        "tied_accuracy": 1.0,
        "ref_accuracy": 0.5,
        "correctness_preferred": 0.5,       # p1: 1 > 2 no; p2: 4 > 0 yes
        "correctness_preferred_hard": 0.0,  # p1: 1 > 2 no; p2: -1 > 0 no
        "correctness_margin_score": (margin_p1 + margin_p2) / 2,
    }
    assert result.terms == pytest.approx(expected)
    assert result.score == pytest.approx(0.3 * 1.0 + 0.3 * 0.5 + 0.2 * 0.5 + 0.2 * 0.0 + 0.01 * expected[
        "correctness_margin_score"])
    assert result.prompts == {"ref": 2, "tied": 2, "paired": 2}
    assert result.unpaired == ()


def test_zero_spread_and_zero_margin_gives_no_nan() -> None:
    # 0 / 0 is NaN: nan_to_num turns that margin term into 0, never a NaN score.
    result = ties_score([("ref:a", [3.0], [1.0]), ("tied:a", [1.0, 1.0], [1.0])])
    assert result.terms["correctness_margin_score"] == 0.0
    assert not math.isnan(result.score)
    assert result.terms["tied_accuracy"] == 0.0 and result.terms["ref_accuracy"] == 1.0


def test_unpaired_prompt_is_reported_not_a_crash() -> None:
    result = ties_score([*TIES_ROWS, ("ref:p3", [2.0], [1.0])])
    assert result.unpaired == ("ref:p3",)
    assert result.prompts == {"ref": 3, "tied": 2, "paired": 2}
    assert result.terms["ref_accuracy"] == pytest.approx(2 / 3)  # accuracies use every prompt of their variant


def test_score_is_the_mean_of_six_subsets_qrm_gemma_row() -> None:
    # RewardBench 2 paper, Table 3: QRM-Gemma-2-27B.
    published = {"Factuality": 78.5, "Precise IF": 37.2, "Math": 69.9, "Safety": 95.8, "Focus": 95.4, "Ties": 83.2}
    subsets = {k: SubsetMetrics(v / 100, 1, 0) for k, v in published.items()}
    sections = section_scores(subsets, V2)
    score = sum(sections.values()) / len(sections)
    assert round(100 * score, 1) == 76.7


def test_benchmark_metrics_use_the_composite_for_ties_and_partial_credit_elsewhere() -> None:
    rows: list[Any] = [("Math", f"m{i}", [2.0], [2.0, 1.0, 0.0]) for i in range(2)]  # 0.5 each
    rows += [("Ties", ex_id, c, r) for ex_id, c, r in TIES_ROWS]
    samples = [SampleRecord(subset, ex_id, c, r, 0.0) for subset, ex_id, c, r in rows]
    metrics = run_metrics(samples, V2)
    credit, _ = run_credits(V2, [r[0] for r in rows], [r[2] for r in rows], [r[3] for r in rows])
    assert metrics.subsets["Math"] == SubsetMetrics(0.5, 2, 2)
    assert metrics.subsets["Ties"].accuracy == pytest.approx(ties_score(TIES_ROWS).score)
    assert metrics.subsets["Ties"].n == 4
    assert metrics.ties["Ties"].terms["ref_accuracy"] == 0.5
    assert metrics.score == pytest.approx((0.5 + metrics.subsets["Ties"].accuracy) / 2)
    assert credit[2:].tolist() == [1.0, 1.0, 0.0, 1.0]  # per-example: all correct above all wrong


# --- data and an end-to-end run on a small v2-shaped fixture written for rmeval --------------------------------------


def v2_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for subset in BEST_OF_4:
        for i in range(3):
            rows.append({"id": f"{subset[:4].lower()}-{i}", "subset": subset,
                         "prompt": f"{subset} question {i}: what is {i} times three?",
                         "chosen": [f"{i} times three is {3 * i}."],
                         "rejected": [f"{i} times three is {3 * i + k}." for k in (1, 2, 4)],
                         "num_correct": 1, "num_incorrect": 3, "total_completions": 4, "models": ["a"] * 4})
    for pid in ("7", "8"):
        rows.append({"id": f"ref:{pid}", "subset": "Ties", "prompt": f"Name a prime number below {pid}0.",
                     "chosen": ["Seven is a prime number."], "rejected": ["Nine is a prime number.", "Fifteen."],
                     "num_correct": 1})
        rows.append({"id": f"tied:{pid}", "subset": "Ties", "prompt": f"Name a prime number below {pid}0.",
                     "chosen": ["Seven is a prime number.", "Two is a prime number.", "Five."],
                     "rejected": ["Nine is a prime number.", "Fifteen."], "num_correct": 3})
    return rows


def test_v2_file_is_detected_and_keeps_every_candidate(tmp_path: Path) -> None:
    loaded = load_examples(data=write_jsonl(tmp_path / "v2.jsonl", v2_rows()))
    assert loaded.benchmark.name == "rewardbench2"
    ties = [e for e in loaded.examples if e.subset == "Ties"]
    assert [len(e.chosen) for e in ties] == [1, 3, 1, 3]
    assert all(len(e.rejected) == 3 for e in loaded.examples if e.subset != "Ties")


@pytest.mark.parametrize(("index", "change", "field", "message"), [
    (0, {"rejected": []}, "rejected", "empty list of answers"),
    (0, {"chosen": []}, "chosen", "empty list of answers"),
    (0, {"chosen": ["a", "b"], "num_correct": 2}, "chosen", "exactly one chosen answer"),
    (0, {"num_correct": 2}, "num_correct", "says 2 correct answers"),
    (15, {"id": "7"}, "id", "a Ties id must be ref:<prompt id> or tied:<prompt id>"),
])
def test_v2_validation_errors(tmp_path: Path, index: int, change: dict[str, Any], field: str, message: str) -> None:
    rows = v2_rows()
    rows[index].update(change)
    with pytest.raises(DataError) as info:
        load_examples(data=write_jsonl(tmp_path / "v2.jsonl", rows), benchmark="rewardbench2")
    assert info.value.row == index + 1 and info.value.field == field and message in str(info.value)


def test_ties_prompt_missing_a_variant_is_reported(tmp_path: Path) -> None:
    rows = [r for r in v2_rows() if r["id"] != "tied:8"]
    loaded = load_examples(data=write_jsonl(tmp_path / "v2.jsonl", rows))
    assert any("prompt 8 has only its 'ref' variant" in w for w in loaded.warnings)


def test_tiny_classifier_end_to_end_on_v2(llama_classifier: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "v2.jsonl", v2_rows())
    out = tmp_path / "out"
    assert main(["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data),
                 "--output-dir", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["spec"]["benchmark"] == "rewardbench2"
    assert result["spec"]["conventions"]["subset_rules"] == {"Ties": "ties"}
    metrics = result["metrics"]
    assert list(metrics["subsets"]) == [*BEST_OF_4, "Ties"]
    assert metrics["score"] == pytest.approx(sum(m["accuracy"] for m in metrics["subsets"].values()) / 6)
    assert set(metrics["ties"]["Ties"]["terms"]) == {"tied_accuracy", "ref_accuracy", "correctness_preferred",
                                                     "correctness_preferred_hard", "correctness_margin_score"}
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert [len(s["scores_chosen"]) + len(s["scores_rejected"]) for s in samples[-4:]] == [3, 5, 3, 5]
    printed = capsys.readouterr().out
    assert "Ties composite (2 prompts in both variants)" in printed and "correctness_margin_score" in printed
    assert main(["report", str(out)]) == 0
    report = capsys.readouterr().out
    assert "recomputed metrics match result.json" in report and "Ties composite" in report
