"""Small data sets in the exact published layouts of RM-Bench, JudgeBench, RMB, PPE and M-RewardBench.

Every text is written here for the tests (questions about arithmetic and capitals); none is copied from the real
data. Field names, nesting, file names and folder structure follow the authors' repositories and hub cards (see
the docstrings of `rmeval.benchmarks.rm_bench`, `.judgebench`, `.rmb`, `.ppe`, `.m_rewardbench`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import write_jsonl

Row = dict[str, Any]


def write_json(path: Path, rows: list[Row]) -> Path:
    """A JSON array file, as RM-Bench and RMB publish them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return path


def rm_bench_rows(per_domain: int = 2) -> list[Row]:
    """RM-Bench rows: three chosen and three rejected answers (concise, detailed, markdown) per prompt."""
    rows = []
    for domain in ("chat", "code", "math", "safety-refuse", "safety-response"):
        for i in range(per_domain):
            right, wrong = f"{i + 2} plus {i + 2} is {2 * i + 4}", f"{i + 2} plus {i + 2} is {2 * i + 5}"
            rows.append({
                "id": f"{domain}-{i}", "prompt": f"[{domain}] What is {i + 2} plus {i + 2}?", "domain": domain,
                "chosen": [right + ".", right + ", because adding a number to itself doubles it.",
                           f"**Answer:** {right}.\n\n- adding a number to itself doubles it"],
                "rejected": [wrong + ".", wrong + ", because I counted on my fingers.",
                             f"**Answer:** {wrong}.\n\n- I counted on my fingers"],
            })
    return rows


RM_BENCH_SOURCES = {"chat": "alpacaeval", "code": "bigcode/humanevalpack", "math": "math-prm",
                    "safety-refuse": "xstest-should-refuse", "safety-response": "xstest-should-respond"}


def rm_bench_domain_file(rows: list[Row], domain: str) -> list[Row]:
    """One domain's rows as `data/<domain>_filtered.json` holds them: no `domain`, the RewardBench source in
    `subset`, chat rows with `error` / `error_key`, code rows with `language` / `task_id`."""
    out = []
    for r in rows:
        if r["domain"] != domain:
            continue
        row: Row = {"id": r["id"], "subset": RM_BENCH_SOURCES[domain], "prompt": r["prompt"], "chosen": r["chosen"],
                    "rejected": r["rejected"]}
        if domain == "chat":
            row.update(error_key="sum", error=f"The rejected answers get the sum of {r['id']} wrong.")
        if domain == "code":
            row.update(language="python", task_id=f"Python/{len(out)}")
        out.append(row)
    return out


def write_parquet(path: Path, rows: list[Row]) -> Path:
    """A Parquet file, as the hub stores a dataset's split (`data/<split>-00000-of-00001.parquet`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def judgebench_rows() -> list[Row]:
    """JudgeBench rows of all four source groups, labels both ways."""
    sources = ["mmlu-pro-math", "mmlu-pro-health", "livebench-reasoning", "livebench-math", "livecodebench",
               "livecodebench"]
    rows = []
    for i, source in enumerate(sources):
        right, wrong = f"The answer is {i * 3}. " + "I checked it twice. " * 3, f"The answer is {i * 3 + 1}."
        a_wins = i % 2 == 0
        rows.append({"pair_id": f"pair-{i}", "original_id": i if i < 4 else None, "source": source,
                     "question": f"Question {i}: what is {i} times 3?", "response_model": "gpt-4o-2024-05-13",
                     "response_A": right if a_wins else wrong, "response_B": wrong if a_wins else right,
                     "label": "A>B" if a_wins else "B>A"})
    return rows


def write_judgebench(folder: Path, rows: list[Row] | None = None) -> Path:
    """JudgeBench's data/ folder with the GPT-4o file."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    write_jsonl(data / "dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl", rows or judgebench_rows())
    return folder


def _conversation(text: str) -> list[Row]:
    return [{"content": text, "language": "English", "role": "user"}]


def rmb_pairwise(category: str, n: int, start: int = 0) -> list[Row]:
    """Pairwise rows of one RMB category (`Pairwise_set/...`)."""
    return [{"pair_uid": str(start + i), "conversation_input": _conversation(f"{category}: help me with task {i}"),
             "chosen": {"llm_name": "model-a", "answer": f"Here is a careful answer to task {i}."},
             "reject": {"llm_name": "model-b", "answer": f"No answer for {i}."},
             "category_path": category} for i in range(n)]


def rmb_bon(category: str, n: int, losers: int = 3, start: int = 0) -> list[Row]:
    """Best-of-N rows of one RMB category (`BoN_set/...`), each with several losers."""
    return [{"conversation_input": _conversation(f"{category}: question {i}"),
             "bon_best": {"llm_name": "model-a", "answer": f"The best answer to question {i}, explained."},
             "loser_list": [{"llm_name": f"model-{k}", "answer": f"A weaker answer {k} to {i}."}
                            for k in range(losers)],
             "bon_uid": str(start + i), "category_path": category} for i in range(n)]


RMB_FILES = {
    "Pairwise_set/Helpfulness/Chat/Discussion": ("pair", 3),
    "Pairwise_set/Helpfulness/Code/Documentation": ("pair", 2),
    "Pairwise_set/Harmlessness/S1": ("pair", 3),
    "BoN_set/Helpfulness/Chat/Discussion": ("bon", 2),
    "BoN_set/Harmlessness/multi": ("bon", 3),
}


def write_rmb(folder: Path) -> Path:
    """An RMB_dataset/ folder with a few categories of each set."""
    root = folder / "RMB_dataset"
    for k, (category, (kind, n)) in enumerate(RMB_FILES.items()):
        rows = rmb_pairwise(category, n, 100 * k) if kind == "pair" else rmb_bon(category, n, start=100 * k)
        write_json(root / f"{category}.json", rows)
    return root


def ppe_human_rows() -> list[Row]:
    """PPE human-preference rows: winners both ways and two kinds of tie."""
    winners = ["model_a", "model_b", "tie", "model_a", "tie (bothbad)", "model_b"]
    rows = []
    for i, winner in enumerate(winners):
        good, bad = f"The capital of country {i} is City {i}, as the atlas says.", f"I think it is Town {i}."
        first, second = (bad, good) if winner == "model_b" else (good, bad)
        rows.append({"question_id": f"q{i}", "model_a": "m1", "model_b": "m2", "winner": winner,
                     "prompt": f"What is the capital of country {i}?", "response_1": first, "response_2": second,
                     "language": "English"})
    return rows


def ppe_correctness_rows(k: int = 4, n: int = 3) -> list[Row]:
    """A PPE Best-of-K set with K answers per row; one row all correct (left out of the metrics)."""
    rows = []
    for i in range(n + 1):
        scores = [True] * k if i == n else [j % 2 == 0 for j in range(k)]
        row: Row = {"question_id": f"p{i}", "model_name": "sampler", "prompt": f"Solve problem {i}.",
                    "scores": scores, "mean_score": sum(scores) / k}
        for j in range(k):
            row[f"response_{j + 1}"] = (f"Solution {j} to {i}: correct, with steps." if scores[j]
                                        else f"Solution {j} to {i}: wrong.")
        row["sampled_conflict_pairs"] = [] if i == n else [[0, 1], [3, 2]]
        rows.append(row)
    return rows


def write_ppe(folder: Path) -> Path:
    """A local copy of two PPE datasets, one as a hub-download folder and one as a file."""
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "PPE-Human-Preference-V1.jsonl", ppe_human_rows())
    (folder / "PPE-MATH-Best-of-K" / "data").mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "PPE-MATH-Best-of-K" / "data" / "train-00000-of-00001.jsonl", ppe_correctness_rows())
    return folder


def write_ppe_hub_download(folder: Path) -> Path:
    """PPE as `huggingface-cli download` writes its datasets: `<name>/data/<split>-00000-of-00001.parquet` beside
    the card (the layout the authors' datasets load from), with typed columns (a list of booleans, pairs of ints)."""
    write_parquet(folder / "PPE-Human-Preference-V1" / "data" / "test-00000-of-00001.parquet", ppe_human_rows())
    for name in ("PPE-MATH-Best-of-K", "PPE-GPQA-Best-of-K"):
        write_parquet(folder / name / "data" / "train-00000-of-00001.parquet", ppe_correctness_rows())
        (folder / name / "README.md").write_text("---\ndataset_info: {}\n---\n", encoding="utf-8")
    return folder


M_REWARDBENCH_SUBSETS = ("alpacaeval-easy", "llmbar-natural", "xstest-should-respond", "hep-python", "math-prm")


def m_rewardbench_rows(language: str, schema: str = "current") -> list[Row]:
    """One language's rows (the texts stand for translations): the current dataset's (split `test`: the subset in
    `source`, a `language` column) or the older one's (split `filtered`: RewardBench v1's columns, `subset`)."""
    rows = []
    for subset in M_REWARDBENCH_SUBSETS:
        for i in range(2):
            row: Row = {"id": i, "prompt": f"[{language}] {subset} question {i}",
                        "chosen": f"[{language}] A full and correct answer to {i}.",
                        "rejected": f"[{language}] Wrong {i}.", "chosen_model": "a", "rejected_model": "b"}
            if schema == "current":
                row.update(language=language[:3], source=subset)
            else:
                row["subset"] = subset
            rows.append(row)
    return rows


def write_m_rewardbench(folder: Path, languages: tuple[str, ...] = ("deu_Latn", "fra_Latn"),
                        schema: str = "current") -> Path:
    """One JSON Lines file per language."""
    folder.mkdir(parents=True, exist_ok=True)
    for language in languages:
        write_jsonl(folder / f"{language}.jsonl", m_rewardbench_rows(language, schema))
    return folder


def write_m_rewardbench_hub_download(folder: Path, languages: tuple[str, ...] = ("deu_Latn", "fra_Latn")) -> Path:
    """The dataset as a hub download writes it: per language `test-00000-of-00001.parquet` (the current split)
    beside the older `filtered.json` and `raw.json` (unfiltered: here rows of an unknown subset, which must never be
    read), and the `translation/` configuration."""
    for language in languages:
        write_parquet(folder / language / "test-00000-of-00001.parquet", m_rewardbench_rows(language))
        write_json(folder / language / "filtered.json", m_rewardbench_rows(language, "older"))
        write_json(folder / language / "raw.json", [{**r, "subset": "unfiltered"}
                                                    for r in m_rewardbench_rows(language, "older")])
    write_parquet(folder / "translation" / "test-00000-of-00001.parquet", [{"id": 0, "source": "de->en"}])
    return folder
