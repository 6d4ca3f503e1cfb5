"""Result folders on two benchmarks (RM-Bench and JudgeBench, in their authors' layouts) for the leaderboard tests,
written through `evaluate` with the text-rule scorer; one model is recorded as a path, as a local run records it."""

from __future__ import annotations

from pathlib import Path

from analysis_runs import TextRuleScorer
from benchmark_data import rm_bench_rows, write_json, write_judgebench
from rmeval.data import load_examples
from rmeval.evaluate import evaluate
from rmeval.results import write_run

MODELS = [  # display name (None: the model's own), model as recorded, kind, skill
    ("strong-rm", "org/strong-rm", {"kind": "classifier"}, 1.4),
    (None, "/home/someone/checkpoints/local-rm", {"kind": "classifier"}, 0.6),
    (None, "org/judge-with-a-rather-long-name-for-its-column", {"kind": "judge"}, 0.3),
]


def write_two_benchmarks(root: Path, limit_one: bool = True) -> Path:
    """Runs of every model on RM-Bench and JudgeBench, plus (`limit_one`) one RM-Bench run on a selection (other
    data). Returns the folder holding them."""
    data = {"rm-bench": write_json(root / "data" / "rm" / "total_dataset.json", rm_bench_rows(3)),
            "judgebench": write_judgebench(root / "data" / "jb")}
    results = root / "results"
    for benchmark, path in data.items():
        for i, (name, model, describe, skill) in enumerate(MODELS):
            _write(results / benchmark / f"run-{i}", benchmark, path, name, model, describe, skill, i)
    if limit_one:
        _write(results / "rm-bench" / "limited", "rm-bench", data["rm-bench"], "strong-rm", "org/strong-rm",
               {"kind": "classifier"}, 1.4, 0, limit=2)
    return results


def _write(folder: Path, benchmark: str, data: Path, name: str | None, model: str, describe: dict[str, str],
           skill: float, seed: int, limit: int | None = None) -> None:
    loaded = load_examples(benchmark, data, limit=limit)
    result = evaluate(TextRuleScorer(model, skill, seed=seed, describe=describe), loaded.examples, loaded.benchmark,
                      data_source=loaded.source, versions={"rmeval": "test"}, progress=False, seed=seed,
                      bootstrap=100, name=name)
    write_run(result, folder)
