"""Result folders on three custom datasets (data written for the tests) for the per-dataset leaderboard tests: one
named by its side-car, LLMBar-shaped `dataset.json` files in two folders, and a one-subset file; one model run twice
with other options, and hostile names. Written through `evaluate` with the text-rule scorer (no model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import published_fixtures as fx
from analysis_runs import TextRuleScorer
from conftest import write_jsonl
from rmeval.data import load_examples
from rmeval.evaluate import evaluate
from rmeval.results import write_run as write_result

FORMULA_NAME = "=HYPERLINK(\"http://x\",\"y\")"
LATEX_NAME = "a_b & 50% {x} #1 ~ $"


def _rows(subsets: tuple[str, ...], n: int = 6) -> list[dict[str, Any]]:
    return [{"prompt": f"{s} question {i}: what is {i} times two?", "chosen": f"It is {2 * i}.",
             "rejected": f"It is {2 * i + 3}, I think.", "subset": s} for s in subsets for i in range(n)]


def write_datasets(root: Path) -> dict[str, Path]:
    """Three custom datasets: `zeta-prefs` (a side-car names it; subsets chat and code), `Natural/dataset` (LLMBar's
    layout; no subset column) and `alpha` (one subset)."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    zeta = write_jsonl(root / "data" / "zeta.jsonl", _rows(("chat", "code")))
    (root / "data" / "zeta.rmeval.yaml").write_text("name: zeta-prefs\n", encoding="utf-8")
    natural, _ = fx.llmbar(root / "data" / "LLMBar" / "Natural")
    alpha = write_jsonl(root / "data" / "alpha.jsonl", [{k: v for k, v in r.items() if k != "subset"}
                                                         for r in _rows(("only",))])
    return {"zeta-prefs": zeta, "Natural/dataset": natural, "alpha": alpha}


def write_run(folder: Path, data: Path, name: str, skill: float, options: dict[str, Any] | None = None,
              created: str | None = None) -> None:
    """One run of the text-rule scorer, recorded with its name and options as `rmeval run` records them."""
    loaded = load_examples(data=data)
    result = evaluate(TextRuleScorer(name, skill, seed=int(skill * 10)), loaded.examples, loaded.benchmark,
                      data_source=loaded.source, versions={"rmeval": "test"}, progress=False, bootstrap=50, name=name)
    result.spec.scorer["options"] = options or {"max_length": 512}
    if created is not None:
        object.__setattr__(result.spec, "created_at", created)
    write_result(result, folder)


def write_custom_leaderboard(root: Path) -> Path:
    """Runs on the three datasets (folder returned): `tiny-rm` twice with another max_length, `tiny-rm` with the same
    options twice on alpha (told apart by time), and two hostile names."""
    data = write_datasets(root)
    results = root / "results"
    for i, path in enumerate(data.values()):
        write_run(results / f"{i}-small", path, "tiny-rm", 0.8, {"max_length": 128})
        write_run(results / f"{i}-large", path, "tiny-rm", 1.2, {"max_length": 512})
        write_run(results / f"{i}-formula", path, FORMULA_NAME, 0.3)
    write_run(results / "alpha-again", data["alpha"], "tiny-rm", 0.5, {"max_length": 512}, "2026-01-02T10:00:00+00:00")
    write_run(results / "latex", data["zeta-prefs"], LATEX_NAME, 0.1)
    return results
