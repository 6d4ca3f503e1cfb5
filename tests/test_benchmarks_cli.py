"""`rmeval run` on each new benchmark in its authors' layout with a tiny random classifier, then `report` (every
number recomputed from samples.jsonl, by hand here too), `compare`, the shipped JSON Schema, and a judge that
follows JudgeBench's protocol (both orders)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest

from benchmark_data import (
    ppe_correctness_rows,
    rm_bench_rows,
    write_json,
    write_judgebench,
    write_m_rewardbench,
    write_ppe,
    write_rmb,
)
from conftest import build_llama_classifier, write_jsonl
from loopback_openai import LoopbackJudge
from rmeval.cli import main
from rmeval.results import read_run, result_schema

LAYOUTS: dict[str, Callable[[Path], Path]] = {
    "rm-bench": lambda d: write_json(d / "data" / "total_dataset.json", rm_bench_rows()).parent.parent,
    "judgebench": write_judgebench,
    "rmb": write_rmb,
    "ppe": write_ppe,
    "m-rewardbench": lambda d: write_m_rewardbench(d / "m"),
}


@pytest.fixture(scope="module")
def other_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second tiny classifier (another seed), for `compare`."""
    return build_llama_classifier(tmp_path_factory.mktemp("llama-rm-b"), seed=1)


def run(model: Path, benchmark: str, data: Path, out: Path, *extra: str) -> dict[str, Any]:
    assert main(["run", "--no-progress", "--model", str(model), "--benchmark", benchmark, "--data", str(data),
                 "--output-dir", str(out), *extra]) == 0
    result: dict[str, Any] = json.loads((out / "result.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(result_schema()).validate(result)
    return result


def matrix_by_hand(samples: list[dict[str, Any]]) -> tuple[float, float]:
    """RM-Bench's domain value and Hard straight from the scores (README's compute_accuracy)."""
    cells = np.zeros((3, 3))
    for s in samples:
        cells += np.array([[c > r for r in s["scores_rejected"]] for c in s["scores_chosen"]], dtype=float)
    cells /= len(samples)
    return float(cells.mean()), float(np.triu(cells, 1).sum() / 3)


@pytest.mark.parametrize("benchmark", list(LAYOUTS))
def test_run_and_report_every_benchmark(benchmark: str, llama_classifier: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = LAYOUTS[benchmark](tmp_path / "data")
    result = run(llama_classifier, benchmark, data, tmp_path / "out")
    metrics, spec = result["metrics"], result["spec"]
    assert spec["benchmark"] == benchmark and spec["data"]["sha256"] and 0 <= metrics["score"] <= 1
    samples = [json.loads(line) for line in (tmp_path / "out" / "samples.jsonl").read_text().splitlines()]
    if benchmark == "rm-bench":
        chat = [s for s in samples if s["subset"] == "chat"]
        value, hard = matrix_by_hand(chat)
        assert metrics["sections"]["chat"] == pytest.approx(value)
        assert metrics["facets"]["Hard"]["sections"]["chat"] == pytest.approx(hard)
        assert set(metrics["facets"]) == {"Easy", "Normal", "Hard"}
    elif benchmark == "judgebench":
        assert all(s["facts"]["label"] in ("A>B", "B>A") for s in samples)
        right = [s["scores_chosen"][0] > s["scores_rejected"][0] or (s["scores_chosen"] == s["scores_rejected"]
                 and s["facts"]["label"] == "B>A") for s in samples]
        assert metrics["score"] == pytest.approx(sum(right) / len(right))
        assert spec["conventions"]["judge_order"] == "both"
    elif benchmark == "rmb":
        bon = [s for s in samples if s["subset"].startswith("BoN_set/Helpfulness")]
        assert metrics["sections"]["BoN Helpfulness"] == pytest.approx(
            np.mean([s["scores_chosen"][0] > max(s["scores_rejected"]) for s in bon]))
        assert "Pairwise Helpfulness: Chat" in metrics["parts"]
    elif benchmark == "ppe":
        assert metrics["excluded"]["human-preference"] == {"tie": 1, "tie (bothbad)": 1}
        assert "Best-of-K" in metrics["facets"] and all("pairs" in s["facts"] for s in samples
                                                        if s["subset"] == "math")
    else:
        assert set(metrics["sections"]) == {"deu_Latn", "fra_Latn"} and "deu_Latn Reasoning" in metrics["parts"]
    capsys.readouterr()
    assert main(["report", str(tmp_path / "out")]) == 0
    report = capsys.readouterr().out
    assert "recomputed metrics match result.json (intervals included)" in report
    assert f"{100 * metrics['score']:6.2f} %" in report
    assert main(["report", str(tmp_path / "out"), "--analysis"]) == 0


def test_compare_two_models_on_rm_bench_with_its_facets(llama_classifier: Path, other_classifier: Path,
                                                        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = LAYOUTS["rm-bench"](tmp_path / "data")
    a = run(llama_classifier, "rm-bench", data, tmp_path / "a")
    run(other_classifier, "rm-bench", data, tmp_path / "b")
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"]) == 0
    compared = json.loads(capsys.readouterr().out)
    assert compared["n_paired"] == 10 and set(compared["facets"]) == {"Easy", "Normal", "Hard"}
    assert compared["facets"]["Hard"]["a"] == pytest.approx(a["metrics"]["facets"]["Hard"]["score"])
    assert set(compared["sections"]) == {"chat", "code", "math", "safety"}
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "Facets" in capsys.readouterr().out


def test_an_edited_sample_fact_is_caught_by_report(llama_classifier: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Flipping a JudgeBench label in samples.jsonl changes what a tie earns: report notices only if it matters, so
    the edit here makes every pair a tie."""
    out = tmp_path / "out"
    run(llama_classifier, "judgebench", write_judgebench(tmp_path / "data"), out)
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    for r in rows:
        r["scores_rejected"] = list(r["scores_chosen"])
        r["facts"]["label"] = "B>A"
    (out / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    capsys.readouterr()
    assert main(["report", str(out)]) == 1
    assert read_run(out).samples[0].facts == {"label": "B>A"}


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackJudge]:
    with LoopbackJudge() as s:
        yield s


@pytest.mark.parametrize(("rule", "accuracy"), [("longest", 1.0), ("first", 0.0)])
def test_a_judge_sees_both_orders_on_judgebench(server: LoopbackJudge, tmp_path: Path, rule: str,
                                                accuracy: float) -> None:
    """The correct answers are the longer ones: a `longest` judge is always right; a judge that always says A is
    right in one order and wrong in the other, which JudgeBench scores 0 (not half)."""
    result = run(Path(f"openai/{rule}"), "judgebench", write_judgebench(tmp_path / "data"), tmp_path / "out",
                 "--scorer", "judge", "--base-url", server.url, "--order", "seeded", "--no-cache")
    assert result["spec"]["scorer"]["order"] == "both" and result["spec"]["conventions"]["judge"]["order"] == "both"
    assert result["metrics"]["score"] == accuracy
    samples = read_run(tmp_path / "out").samples
    assert all(sorted(map(tuple, s.details["judges"][0]["shown"])) == [(0, 1), (1, 0)] for s in samples)


@pytest.mark.parametrize(("benchmark", "modes"), [
    ("rm-bench", {"rating"}),  # nine comparisons need a score per answer
    ("rmb", {"pairwise", "ranking"}),  # best-of-N items are ranked at once
    ("ppe", {"pairwise", "rating"}),  # 32 answers per correctness prompt are rated one by one
])
def test_judges_follow_each_benchmarks_protocol(server: LoopbackJudge, tmp_path: Path, benchmark: str,
                                                modes: set[str]) -> None:
    result = run(Path("openai/longest"), benchmark, LAYOUTS[benchmark](tmp_path / "data"), tmp_path / "out",
                 "--scorer", "judge", "--base-url", server.url, "--no-cache")
    assert set(result["spec"]["conventions"]["judge"]["modes"].values()) == modes
    assert 0 <= result["metrics"]["score"] <= 1
    assert main(["report", str(tmp_path / "out")]) == 0


def test_shards_of_a_ppe_run_merge_with_the_ties_it_left_out(llama_classifier: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = LAYOUTS["ppe"](tmp_path / "data")
    math = data / "PPE-MATH-Best-of-K" / "data" / "train-00000-of-00001.jsonl"
    write_jsonl(math, ppe_correctness_rows(k=32, n=70))  # 2,272 answers: two blocks of work, so two shards
    whole = run(llama_classifier, "ppe", data, tmp_path / "whole")
    for i in (0, 1):
        assert main(["run", "--no-progress", "--model", str(llama_classifier), "--benchmark", "ppe", "--data",
                     str(data), "--output-dir", str(tmp_path / "parts"), "--shard", f"{i}/2"]) == 0
    assert main(["merge", str(tmp_path / "parts"), "--output-dir", str(tmp_path / "merged")]) == 0
    merged = read_run(tmp_path / "merged")
    assert merged.metrics.excluded == whole["metrics"]["excluded"]
    assert merged.metrics.score == pytest.approx(whole["metrics"]["score"])
    capsys.readouterr()
    assert main(["report", str(tmp_path / "merged")]) == 0
