"""Result folders for the analysis, report and leaderboard tests, written through `evaluate` itself.

The scorer here is a fake (a deterministic function of each answer's text): it only feeds the layer above scoring,
whose result files must look exactly like real runs'. Real-model runs are covered in test_report_cli.py.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rmeval.data import load_examples
from rmeval.evaluate import evaluate
from rmeval.protocol import BaseScorer, Progress
from rmeval.results import RunResult, write_run
from rmeval.types import Example, Scored


def _noise(text: str, seed: int) -> float:
    """A reproducible value in [-1, 1) from a text and a seed."""
    digest = hashlib.sha256(f"{seed}\x00{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**63 - 1.0


class TextRuleScorer(BaseScorer):
    """Rewards from text alone: `skill` * (1 for chosen answers, 0 otherwise) + `length_weight` * log(chars) + noise.

    Only a test double for the layer above scoring: it sees which answers are chosen, so `skill` sets its accuracy.
    """

    def __init__(self, model: str, skill: float = 0.5, length_weight: float = 0.0, seed: int = 0,
                 describe: dict[str, Any] | None = None) -> None:
        self.model, self.skill, self.length_weight, self.seed = model, skill, length_weight, seed
        self._describe = describe or {"kind": "classifier"}

    def _reward(self, text: str, chosen: bool) -> float:
        return self.skill * chosen + self.length_weight * math.log(1 + len(text)) + _noise(text, self.seed)

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """One reward per candidate."""
        out = [Scored(e, tuple(self._reward(t, True) for t in e.chosen), tuple(self._reward(t, False)
                                                                                for t in e.rejected))
               for e in examples]
        if progress:
            progress(len(examples))
        return out

    def total_work(self, examples: Sequence[Example]) -> int:
        """One unit per example."""
        return len(examples)

    def describe(self) -> dict[str, Any]:
        """What result.json records."""
        return {**self._describe, "model": self.model}


class JudgeLike(TextRuleScorer):
    """The text-rule scorer dressed as a judge: whole votes, a tie every fifth example, per-example counters and
    the judge's tie credit; for the layers that show a judge's counts."""

    tie_credit = 0.5

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        """Votes from the text rule's rewards."""
        out = []
        for k, s in enumerate(super().score(examples, progress)):
            tie = k % 5 == 0
            right = s.chosen_scores[0] > s.rejected_scores[0]
            chosen, rejected = ((1.0,), (1.0,)) if tie else ((1.0,), (0.0,)) if right else ((0.0,), (1.0,))
            counts = {"judgements": 2, "unparseable": int(k % 7 == 0), "failed_requests": 0,
                      "inconsistent": int(tie), "scored_by_policy": 0}
            out.append(Scored(s.example, chosen, rejected, {"counts": counts}))
        return out

    def conventions(self) -> dict[str, Any]:
        """A judge's policies."""
        return {"judge": {"order": "both", "on_failure": "tie"}}


def write_run_folder(folder: Path, model: str, skill: float = 0.5, length_weight: float = 0.0, seed: int = 0,
                     describe: dict[str, Any] | None = None, benchmark: str = "rewardbench-mini",
                     data: Path | None = None, limit: int | None = None, bootstrap: int = 200) -> RunResult:
    """Evaluate the text-rule scorer on a benchmark and write the result folder."""
    loaded = load_examples(benchmark if data is None else None, data, limit=limit)
    scorer = TextRuleScorer(model, skill, length_weight, seed, describe)
    result = evaluate(scorer, loaded.examples, loaded.benchmark, data_source=loaded.source,
                      versions={"rmeval": "test"}, progress=False, seed=seed, bootstrap=bootstrap)
    write_run(result, folder)
    return result


V2_SUBSETS = ("Factuality", "Precise IF", "Math", "Safety", "Focus")


def v2_rows(per_subset: int = 8, tie_prompts: int = 5) -> list[dict[str, Any]]:
    """RewardBench 2-shaped rows (texts written for rmeval): best-of-4 subsets, Safety with refusals to prefer
    on half its prompts and to avoid on the other half, and Ties prompts in both variants."""
    rows: list[dict[str, Any]] = []
    refusal = "I'm sorry, but I can't help with that."
    for subset in V2_SUBSETS:
        for i in range(per_subset):
            chosen = f"Answer {i} for {subset}: " + "a careful, correct explanation. " * (1 + i % 3)
            rejected = [f"Answer {i} for {subset}, attempt {k}: wrong." + " filler" * k for k in (1, 2, 3)]
            if subset == "Safety":
                chosen, rejected[0] = (refusal, rejected[0]) if i % 2 else (chosen, refusal)
            rows.append({"id": f"{subset[:3]}-{i}", "subset": subset, "prompt": f"{subset} prompt {i}",
                         "chosen": [chosen], "rejected": rejected, "num_correct": 1})
    for p in range(tie_prompts):
        correct = [f"Prime {k} is a correct answer to prompt {p}." for k in (2, 3, 5)]
        wrong = [f"Nine is not prime, prompt {p}.", f"Fifteen, prompt {p}."]
        rows.append({"id": f"ref:{p}", "subset": "Ties", "prompt": f"Name a small prime ({p}).",
                     "chosen": correct[:1], "rejected": wrong, "num_correct": 1})
        rows.append({"id": f"tied:{p}", "subset": "Ties", "prompt": f"Name a small prime ({p}).",
                     "chosen": correct, "rejected": wrong, "num_correct": 3})
    return rows
