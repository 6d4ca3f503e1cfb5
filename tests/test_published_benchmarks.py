"""RM-Bench, JudgeBench and RMB on their authors' real published files (`../shared/data/published/`, see its
PROVENANCE.md; each test skips when its files are absent, and nothing of them is copied here): every file and folder
loads as published, each subset holds the authors' rows, and a run with a tiny random classifier gives the metrics
that the authors' own rule, computed here again from the recorded scores, gives.

The authors' rules, restated independently of rmeval's scoring code:
- RM-Bench (`scripts/utils.py::compute_accuracy`): per file or domain, acc[i][j] = share of prompts whose chosen
  answer i scores strictly above rejected answer j; Hard = mean of the upper triangle, Normal = the diagonal, Easy =
  the lower triangle, a domain = the mean of the three; the combined data splits by `domain.startswith(d)`.
- JudgeBench (`utils/judges.py`, `run_judge.py`): a reward model says A>B when score(A) > score(B), else B>A; a
  group's accuracy is over the pairs whose source starts with its name, the overall over all pairs.
- RMB (`eval/scripts/my_run_rm.py`, and best-of-N as RM-R1's scripts score it): a pair is right when chosen >
  rejected, an item when its best answer beats every loser; a set is right items / items; the score is the mean
  of the four sets.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rmeval.cli import main
from rmeval.data import load_examples
from rmeval.data.layouts.rm_bench import file_domain

PUBLISHED = Path(__file__).resolve().parents[2] / "shared" / "data" / "published"
RM_BENCH = PUBLISHED / "rm-bench" / "data"
JUDGEBENCH = PUBLISHED / "judgebench" / "data"
RMB = PUBLISHED / "rmb" / "RMB_dataset"

RM_BENCH_ROWS = {"chat": 129, "code": 228, "safety-refuse": 284, "safety-response": 157, "math": 529}
"""Prompts per domain file at THU-KEG/RM-Bench 73c52d7 (math: the hub's 1,327 less the other four; not stored)."""
JUDGEBENCH_FILES = {"gpt": "dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl",
                    "claude": "dataset=judgebench,response_model=claude-3-5-sonnet-20240620.jsonl"}
JUDGEBENCH_ROWS = {"gpt": {"mmlu-pro": 154, "livebench-reasoning": 98, "livebench-math": 56, "livecodebench": 42},
                   "claude": {"mmlu-pro": 154, "livebench-reasoning": 51, "livebench-math": 34, "livecodebench": 31}}
"""Pairs per source group in ScalerLab/JudgeBench's two files (README: 350 and 270 pairs)."""
RMB_ROWS = {
    "BoN_set/Harmlessness/S1": 111, "BoN_set/Harmlessness/S10": 79, "BoN_set/Harmlessness/S6": 83,
    "BoN_set/Helpfulness/Brainstorming/Problem Solving": 19, "BoN_set/Helpfulness/Chat/Casual Conversation": 71,
    "BoN_set/Helpfulness/Chat/Discussion": 59, "BoN_set/Helpfulness/Chat/Supportive Conversation": 25,
    "BoN_set/Helpfulness/Classification/Content Categorization": 18,
    "BoN_set/Helpfulness/Classification/Quality and Compliance Assessment": 13,
    "BoN_set/Helpfulness/Closed QA/ContextBased": 86, "BoN_set/Helpfulness/Closed QA/OptionBased": 100,
    "BoN_set/Helpfulness/Code/Documentation": 15, "BoN_set/Helpfulness/Generation/Professional Content Generation": 74,
    "BoN_set/Helpfulness/Open QA/Hypothetical Scenarios": 8, "BoN_set/Helpfulness/Open QA/Interpretative Analysis": 18,
    "BoN_set/Helpfulness/Open QA/Personal Opinion and Advice": 14,
    "BoN_set/Helpfulness/Open QA/Technical and Practical Support": 47,
    "BoN_set/Helpfulness/Reasoning/Critical Thinking": 39, "BoN_set/Helpfulness/Reasoning/Human Decision Making": 32,
    "BoN_set/Helpfulness/Reasoning/Logical Deduction": 46, "BoN_set/Helpfulness/Reasoning/Pattern Recognition": 14,
    "BoN_set/Helpfulness/Rewrite/Paraphrasing": 17, "BoN_set/Helpfulness/Rewrite/PostQuality Assessment Rewriting": 46,
    "BoN_set/Helpfulness/Rewrite/Textual ExpansionReduction": 9, "BoN_set/Helpfulness/Rewrite/Tone Adjustment": 17,
    "BoN_set/Helpfulness/Role Playing/General Character": 32, "BoN_set/Helpfulness/Role Playing/Specific Character": 46,
    "BoN_set/Helpfulness/Summarization/Specialized Summaries": 42,
    "BoN_set/Helpfulness/Summarization/Standard Summaries": 71,
    "BoN_set/Helpfulness/Translation/GeneralExcerpt Language Translation": 109,
    "BoN_set/Helpfulness/Translation/Literary and Cultural Translation": 34,
    "BoN_set/Helpfulness/Translation/Technical and Scientific Translation": 38,
    "Pairwise_set/Harmlessness/S1": 459, "Pairwise_set/Harmlessness/S5": 561,
    "Pairwise_set/Helpfulness/Brainstorming/Problem Solving": 100,
    "Pairwise_set/Helpfulness/Chat/Supportive Conversation": 114,
    "Pairwise_set/Helpfulness/Classification/Content Categorization": 107,
    "Pairwise_set/Helpfulness/Classification/Quality and Compliance Assessment": 57,
    "Pairwise_set/Helpfulness/Closed QA/OptionBased": 473, "Pairwise_set/Helpfulness/Code/Documentation": 65,
    "Pairwise_set/Helpfulness/Generation/Professional Content Generation": 347,
    "Pairwise_set/Helpfulness/Open QA/Hypothetical Scenarios": 42,
    "Pairwise_set/Helpfulness/Open QA/Personal Opinion and Advice": 78,
    "Pairwise_set/Helpfulness/Reasoning/Pattern Recognition": 52, "Pairwise_set/Helpfulness/Rewrite/Paraphrasing": 83,
    "Pairwise_set/Helpfulness/Rewrite/Textual ExpansionReduction": 50,
    "Pairwise_set/Helpfulness/Role Playing/General Character": 163,
    "Pairwise_set/Helpfulness/Summarization/Specialized Summaries": 189,
    "Pairwise_set/Helpfulness/Translation/GeneralExcerpt Language Translation": 483,
    "Pairwise_set/Helpfulness/Translation/Literary and Cultural Translation": 176,
}
"""Rows per file of the 50 RMB files stored (Zhou-Zoey/RMB-Reward-Model-Benchmark 2be3180, PROVENANCE.md)."""


def needs(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not path.exists(), reason=f"the authors' published files are absent ({path})")


def run(model: Path, benchmark: str, data: Path, out: Path, *extra: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`rmeval run` (texts cut to 64 tokens: the rule, not the model, is under test), then its metrics and samples."""
    assert main(["run", "--no-progress", "--model", str(model), "--benchmark", benchmark, "--data", str(data),
                 "--output-dir", str(out), "--max-length", "64", *extra]) == 0
    metrics = json.loads((out / "result.json").read_text(encoding="utf-8"))["metrics"]
    return metrics, [json.loads(line) for line in (out / "samples.jsonl").read_text(encoding="utf-8").splitlines()]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def style_matrix(samples: list[dict[str, Any]]) -> dict[str, float]:
    """RM-Bench's Hard / Normal / Easy of a group of prompts, from their scores."""
    acc = [[0.0] * 3 for _ in range(3)]
    for s in samples:
        for i, c in enumerate(s["scores_chosen"]):
            for j, r in enumerate(s["scores_rejected"]):
                acc[i][j] += (c > r) / len(samples)
    return {"Hard": (acc[0][1] + acc[0][2] + acc[1][2]) / 3, "Normal": (acc[0][0] + acc[1][1] + acc[2][2]) / 3,
            "Easy": (acc[1][0] + acc[2][0] + acc[2][1]) / 3}


@needs(RM_BENCH)
def test_rm_bench_every_domain_file_and_the_folder_load_as_published() -> None:
    files = sorted(RM_BENCH.glob("*_filtered.json"))
    assert len(files) >= 4
    for f in files:
        domain = file_domain(f)
        loaded = load_examples("rm-bench", f)
        assert domain is not None and Counter(e.subset for e in loaded.examples) == {domain: RM_BENCH_ROWS[domain]}
        assert all(len(e.chosen) == len(e.rejected) == 3 and isinstance(e.meta["subset"], str)
                   for e in loaded.examples)  # the RewardBench source, kept
    folder = load_examples("rm-bench", RM_BENCH.parent)
    assert Counter(e.subset for e in folder.examples) == {d: RM_BENCH_ROWS[d] for d in map(file_domain, files)}
    assert not folder.warnings


@needs(RM_BENCH)
def test_rm_bench_run_equals_the_authors_matrix(llama_classifier: Path, tmp_path: Path) -> None:
    """The first 20 prompts of each domain file (the rule does not depend on which prompts are scored)."""
    metrics, samples = run(llama_classifier, "rm-bench", RM_BENCH.parent, tmp_path / "all", "--limit", "20")
    domains: dict[str, dict[str, float]] = {}
    for d in ("chat", "math", "code", "safety"):  # the combined data splits by domain.startswith(d)
        mine = [s for s in samples if s["subset"].startswith(d)]
        if mine:
            domains[d] = style_matrix(mine)
            assert metrics["sections"][d] == pytest.approx(mean(list(domains[d].values())))
            for facet, value in domains[d].items():
                assert metrics["facets"][facet]["sections"][d] == pytest.approx(value)
    assert metrics["score"] == pytest.approx(mean([mean(list(v.values())) for v in domains.values()]))
    for facet in ("Hard", "Normal", "Easy"):
        assert metrics["facets"][facet]["score"] == pytest.approx(mean([v[facet] for v in domains.values()]))
    # One domain file scored on its own: the authors' matrix of that file (its scores come from the score store).
    alone, alone_samples = run(llama_classifier, "rm-bench", RM_BENCH / "safety-refuse_filtered.json",
                               tmp_path / "one", "--limit", "20")
    matrix = style_matrix(alone_samples)
    assert len(alone_samples) == 20 and set(alone["sections"]) == {"safety"}
    assert alone["score"] == pytest.approx(mean(list(matrix.values())))
    assert {f: alone["facets"][f]["score"] for f in matrix} == pytest.approx(matrix)


@needs(JUDGEBENCH)
def test_judgebench_both_files_load_with_the_authors_pair_counts() -> None:
    for split, name in JUDGEBENCH_FILES.items():
        benchmark = "judgebench" if split == "gpt" else "judgebench-claude"
        for data in (JUDGEBENCH / name, JUDGEBENCH.parent):
            loaded = load_examples(benchmark, data)
            assert Counter(e.subset for e in loaded.examples) == JUDGEBENCH_ROWS[split] and not loaded.warnings


@needs(JUDGEBENCH)
def test_judgebench_run_equals_the_authors_rule(llama_classifier: Path, tmp_path: Path) -> None:
    path = JUDGEBENCH / JUDGEBENCH_FILES["claude"]
    metrics, samples = run(llama_classifier, "judgebench-claude", path, tmp_path / "out")
    rows = {r["pair_id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    right = {}
    for s in samples:
        row = rows[s["id"]]
        a, b = ((s["scores_chosen"][0], s["scores_rejected"][0]) if row["label"] == "A>B"
                else (s["scores_rejected"][0], s["scores_chosen"][0]))
        right[s["id"]] = ("A>B" if a > b else "B>A") == row["label"]
    assert len(right) == len(rows) == 270
    for group in ("mmlu-pro", "livebench-reasoning", "livebench-math", "livecodebench"):
        mine = [right[i] for i, r in rows.items() if r["source"].startswith(group)]
        assert metrics["sections"][group] == pytest.approx(mean(mine))
    assert metrics["score"] == pytest.approx(mean(list(right.values())))


@needs(RMB)
def test_rmb_every_file_and_the_folder_load_as_published() -> None:
    whole = load_examples("rmb", RMB)
    counts = Counter(e.subset for e in whole.examples)
    assert {s: n for s, n in counts.items() if s in RMB_ROWS} == RMB_ROWS
    if set(counts) == set(RMB_ROWS):  # the 50 files stored (a complete copy has more)
        # Pairwise_set/Harmlessness/S5.json rows 397-398 (a whitespace-only reject.answer) and GeneralExcerpt
        # Language Translation.json rows 30-34 (an empty last user turn) are scored, and counted
        assert len(whole.examples) == 5031 and whole.source["blank_texts"] == {"answers": 2, "prompt_turns": 5}
        assert whole.warnings == ["2 rows with an empty or whitespace-only answer and 5 with an empty prompt turn: "
                                  "scored, as RMB's authors score them"]
    for kind in ("Pairwise_set", "BoN_set"):
        part = load_examples("rmb", RMB / kind)
        assert len(part.examples) == sum(n for s, n in counts.items() if s.startswith(kind))
    for f in sorted(RMB.rglob("*.json")):
        subset = f.relative_to(RMB).with_suffix("").as_posix()
        assert Counter(e.subset for e in load_examples("rmb", f).examples) == {subset: counts[subset]}


@needs(RMB)
def test_rmb_run_equals_the_authors_rule(llama_classifier: Path, tmp_path: Path) -> None:
    """The two files rmeval used to refuse, with their blank rows (the first 400 rows of each), beside two best-of-N
    files, through `--subsets` (which reads only their files)."""
    chosen = ["Pairwise_set/Harmlessness/S5",
              "Pairwise_set/Helpfulness/Translation/GeneralExcerpt Language Translation",
              "BoN_set/Harmlessness/S10", "BoN_set/Helpfulness/Open QA/Hypothetical Scenarios"]
    metrics, samples = run(llama_classifier, "rmb", RMB, tmp_path / "out", "--subsets", ",".join(chosen),
                           "--limit", "400")
    assert Counter(s["subset"] for s in samples) == {s: min(RMB_ROWS[s], 400) for s in chosen}
    s5 = json.loads((RMB / "Pairwise_set/Harmlessness/S5.json").read_text(encoding="utf-8"))
    scored = {s["id"]: s for s in samples if s["subset"] == chosen[0]}
    assert all(scored[s5[i - 1]["pair_uid"]]["scores_rejected"] for i in (397, 398))
    right: dict[str, list[bool]] = {s["subset"]: [] for s in samples}
    for s in samples:
        right[s["subset"]].append(s["scores_chosen"][0] > max(s["scores_rejected"]))
    sets = {"Pairwise Harmlessness": right[chosen[0]], "Pairwise Helpfulness": right[chosen[1]],
            "BoN Harmlessness": right[chosen[2]], "BoN Helpfulness": right[chosen[3]]}
    assert metrics["sections"] == pytest.approx({name: mean(v) for name, v in sets.items()})
    assert metrics["score"] == pytest.approx(mean([mean(v) for v in sets.values()]))
