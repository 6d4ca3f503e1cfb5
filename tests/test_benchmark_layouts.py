"""The five benchmarks read in their authors' published layouts (files, folders and hub rows), and invalid input in
those layouts stopped with the file, the row and the field, as everywhere else. The hub is never reached: its rows
come from fixtures shaped like the hub's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmark_data import (
    judgebench_rows,
    m_rewardbench_rows,
    ppe_correctness_rows,
    ppe_human_rows,
    rm_bench_domain_file,
    rm_bench_rows,
    rmb_bon,
    rmb_pairwise,
    write_json,
    write_judgebench,
    write_m_rewardbench,
    write_m_rewardbench_hub_download,
    write_ppe,
    write_ppe_hub_download,
    write_rmb,
)
from conftest import write_jsonl
from rmeval.benchmarks.m_rewardbench import M_REWARDBENCH_LANGUAGES
from rmeval.benchmarks.ppe import PPE_HUB
from rmeval.data import DataError, load_examples
from rmeval.data.layouts import judgebench as judgebench_layout
from rmeval.data.layouts import m_rewardbench as m_rewardbench_layout
from rmeval.data.layouts import ppe as ppe_layout
from rmeval.data.layouts import rm_bench as rm_bench_layout


def test_rm_bench_total_file_or_domain_files(tmp_path: Path) -> None:
    rows = rm_bench_rows()
    write_json(tmp_path / "a" / "data" / "total_dataset.json", rows)
    loaded = load_examples("rm-bench", tmp_path / "a")
    assert len(loaded.examples) == 10 and loaded.source["kind"] == "folder"
    ex = loaded.examples[0]
    assert ex.subset == "chat" and len(ex.chosen) == len(ex.rejected) == 3 and ex.chosen[2].startswith("**Answer")
    for domain in ("chat", "code", "safety-refuse"):  # the domain files as published: no domain column
        write_json(tmp_path / "b" / "data" / f"{domain}_filtered.json", rm_bench_domain_file(rows, domain))
    folder = load_examples("rm-bench", tmp_path / "b")
    assert {e.subset for e in folder.examples} == {"chat", "code", "safety-refuse"} and len(folder.source["files"]) == 3
    code = next(e for e in folder.examples if e.subset == "code")
    assert code.meta["subset"] == "bigcode/humanevalpack" and code.meta["language"] == "python"
    single = load_examples("rm-bench", tmp_path / "b" / "data" / "chat_filtered.json")
    assert single.source["kind"] == "file" and len(single.examples) == 2
    assert {e.subset for e in single.examples} == {"chat"} and single.examples[0].meta["error_key"] == "sum"
    renamed = write_json(tmp_path / "chat-copy.json", rm_bench_domain_file(rows, "chat"))
    with pytest.raises(DataError, match=r"missing column, and no domain in the file's name") as caught:
        load_examples("rm-bench", renamed)
    assert (caught.value.row, caught.value.field) == (1, "domain")


@pytest.mark.parametrize(("edit", "row", "field", "message"), [
    (lambda r: r.update(chosen=r["chosen"][:2]), 2, "chosen", "expected 3 answers"),
    (lambda r: r.update(domain="poetry"), 2, "domain", "unknown subset 'poetry'"),
    (lambda r: r.update(rejected=[r["rejected"][0], "", r["rejected"][2]]), 2, "rejected[1]", "empty text"),
    (lambda r: r.pop("prompt"), 2, "prompt", "no prompt column"),
    (lambda r: r.update(id="chat-0"), 2, "id", r"duplicate \(subset, id\)"),
])
def test_rm_bench_invalid_rows(tmp_path: Path, edit: Any, row: int, field: str, message: str) -> None:
    rows = rm_bench_rows()
    edit(rows[1])
    path = write_json(tmp_path / "total_dataset.json", rows)
    with pytest.raises(DataError, match=message) as caught:
        load_examples("rm-bench", path)
    assert (caught.value.source, caught.value.row, caught.value.field) == (str(path), row, field)


def test_rm_bench_folder_without_its_files(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text("[]")
    with pytest.raises(DataError, match=r"no total_dataset\.json and no <domain>_filtered\.json"):
        load_examples("rm-bench", tmp_path)


def test_judgebench_folder_orients_pairs_by_label_and_keeps_it(tmp_path: Path) -> None:
    loaded = load_examples("judgebench", write_judgebench(tmp_path))
    assert [e.subset for e in loaded.examples] == ["mmlu-pro", "mmlu-pro", "livebench-reasoning", "livebench-math",
                                                   "livecodebench", "livecodebench"]
    rows = judgebench_rows()
    for ex, row in zip(loaded.examples, rows, strict=True):
        winner = row["response_A"] if row["label"] == "A>B" else row["response_B"]
        assert ex.id == row["pair_id"] and ex.chosen == (winner,) and ex.meta["label"] == row["label"]
        assert ex.meta["source"] == row["source"]
    with pytest.raises(DataError, match=r"no dataset=judgebench,response_model=claude"):
        load_examples("judgebench-claude", tmp_path)


def test_judgebench_groups_sources_by_prefix_and_keeps_the_others(tmp_path: Path) -> None:
    """The authors group with `source.startswith(group)` and count every pair in the overall accuracy: a source
    of none of the four groups is a pair of `other sources`, never an error."""
    rows = judgebench_rows()
    rows[2]["source"], rows[3]["source"] = "gsm8k", "livebench-math-v2"
    path = write_jsonl(tmp_path / "my-pairs.jsonl", rows)  # any file in the authors' format
    loaded = load_examples("judgebench", path)
    assert [e.subset for e in loaded.examples] == ["mmlu-pro", "mmlu-pro", "other sources", "livebench-math",
                                                   "livecodebench", "livecodebench"]
    assert loaded.examples[2].meta["source"] == "gsm8k"


@pytest.mark.parametrize(("edit", "field", "message"), [
    ({"label": "A=B"}, "label", "expected A>B or B>A"),
    ({"source": 7}, "source", "expected a string"),
    ({"response_B": ""}, "response_B", "empty text"),
    ({"response_A": 3}, "response_A", "expected a string"),
    ({"pair_id": "pair-0", "source": "mmlu-pro-law"}, "pair_id", "duplicate"),
])
def test_judgebench_invalid_rows(tmp_path: Path, edit: dict[str, Any], field: str, message: str) -> None:
    rows = judgebench_rows()
    rows[2].update(edit)
    folder = write_judgebench(tmp_path, rows)
    path = folder / "data" / "dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl"
    with pytest.raises(DataError, match=message) as caught:
        load_examples("judgebench", path)
    assert (caught.value.source, caught.value.row, caught.value.field) == (str(path), 3, field)


def test_rmb_folder_reads_both_sets_with_their_category_paths(tmp_path: Path) -> None:
    loaded = load_examples("rmb", write_rmb(tmp_path))
    assert len(loaded.examples) == 13 and loaded.source["kind"] == "folder" and len(loaded.source["files"]) == 5
    bon = next(e for e in loaded.examples if e.subset == "BoN_set/Harmlessness/multi")
    assert len(bon.chosen) == 1 and len(bon.rejected) == 3 and bon.prompt[0].role == "user"
    pair = next(e for e in loaded.examples if e.subset.startswith("Pairwise_set/Harmlessness"))
    assert pair.chosen[0].startswith("Here is a careful answer") and pair.id == "200"
    with pytest.raises(DataError, match="not on the hub: pass --data RMB_dataset"):
        load_examples("rmb")


@pytest.mark.parametrize(("kind", "edit", "field", "message"), [
    ("pair", lambda r: r["chosen"].pop("answer"), "chosen.answer", "missing field"),
    ("pair", lambda r: r.update(reject="no"), "reject", "expected an object"),
    ("pair", lambda r: r.update(category_path="Pairwise_set/Helpfulness/Poems"), "category_path", "unknown subset"),
    ("bon", lambda r: r.update(loser_list=[]), "loser_list", "non-empty list"),
    ("bon", lambda r: r["loser_list"][1].update(answer=None), "loser_list", "expected a string, a list of strings"),
    ("pair", lambda r: r["conversation_input"][0].update(content=3), "conversation_input[0].content",
     "expected a string"),
    ("bon", lambda r: r.pop("bon_uid"), None, "neither a pairwise row"),
    ("bon", lambda r: r["conversation_input"][0].update(role="robot"), "conversation_input", "role must be one of"),
])
def test_rmb_invalid_rows(tmp_path: Path, kind: str, edit: Any, field: str | None, message: str) -> None:
    rows = rmb_pairwise("Pairwise_set/Harmlessness/S2", 3) if kind == "pair" else rmb_bon("BoN_set/Harmlessness/S2", 3)
    edit(rows[1])
    path = write_json(tmp_path / "RMB_dataset" / "x.json", rows)
    with pytest.raises(DataError, match=message) as caught:
        load_examples("rmb", tmp_path / "RMB_dataset")
    assert (caught.value.source, caught.value.row, caught.value.field) == (str(path), 2, field)


def test_rmb_scores_blank_texts_as_its_authors_do_and_counts_them(tmp_path: Path) -> None:
    """The authors' script checks no text: a whitespace-only answer and an empty prompt turn are scored (RMB's
    published files have both), and the run's data warnings say how many rows have them."""
    pairs = rmb_pairwise("Pairwise_set/Harmlessness/S5", 3)
    pairs[1]["reject"]["answer"] = "\n\n \n \n"
    pairs[2]["conversation_input"] = [*pairs[2]["conversation_input"],
                                      {"role": "assistant", "content": "Go on."}, {"role": "user", "content": ""}]
    write_json(tmp_path / "RMB_dataset" / "Pairwise_set" / "Harmlessness" / "S5.json", pairs)
    loaded = load_examples("rmb", tmp_path / "RMB_dataset")
    assert loaded.examples[1].rejected == ("\n\n \n \n",) and loaded.examples[2].prompt[-1].content == ""
    assert loaded.source["blank_texts"] == {"answers": 1, "prompt_turns": 1}
    assert loaded.warnings == ["1 rows with an empty or whitespace-only answer and 1 with an empty prompt turn: "
                               "scored, as RMB's authors score them"]
    write_json(tmp_path / "b" / "x.json", [{**pairs[0], "category_path": " "}])
    with pytest.raises(DataError, match="empty text"):  # a blank subset or id is still an error
        load_examples("rmb", tmp_path / "b")


def test_rmb_subsets_read_only_their_files(tmp_path: Path) -> None:
    """`--subsets` is not defeated by the rest of the folder: files and rows of other categories are never read."""
    root = write_rmb(tmp_path)
    (root / "BoN_set" / "Harmlessness" / "S9.json").write_text("[{not json", encoding="utf-8")
    bad = rmb_pairwise("Pairwise_set/Harmlessness/S2", 2)
    bad[1]["chosen"] = "no object"
    write_json(root / "Pairwise_set" / "Harmlessness" / "S2.json", bad)
    with pytest.raises(DataError, match="not valid JSON"):
        load_examples("rmb", root)
    only = load_examples("rmb", root, subsets=["Pairwise_set/Harmlessness/S1", "BoN Helpfulness"])
    assert {e.subset for e in only.examples} == {"Pairwise_set/Harmlessness/S1", "BoN_set/Helpfulness/Chat/Discussion"}
    assert sorted(only.source["files"]) == ["BoN_set/Helpfulness/Chat/Discussion.json",
                                           "Pairwise_set/Harmlessness/S1.json"]
    with pytest.raises(DataError, match="--subsets names Pairwise_set/Harmlessness/S11"):
        load_examples("rmb", root, subsets=["Pairwise_set/Harmlessness/S11"])


def test_ppe_local_copy_leaves_out_and_counts_ties(tmp_path: Path) -> None:
    loaded = load_examples("ppe", write_ppe(tmp_path))
    human = [e for e in loaded.examples if e.subset == "human-preference"]
    assert len(human) == 4 and all(e.chosen[0].startswith("The capital") for e in human)
    math = [e for e in loaded.examples if e.subset == "math"]
    assert len(math) == 3 and all(len(e.chosen) == 2 and len(e.rejected) == 2 for e in math)
    # conflict pairs [0, 1] and [3, 2] (0-based answers) become (correct, incorrect) positions (0, 0) and (1, 1)
    assert math[0].meta["pairs"] == [[0, 0], [1, 1]] and math[0].id == "p0:sampler"
    assert loaded.source["excluded"] == {"human-preference": {"tie": 1, "tie (bothbad)": 1},
                                         "math": {"no incorrect answer": 1}}


def test_ppe_hub_download_of_parquet_files(tmp_path: Path) -> None:
    """A folder as `huggingface-cli download` writes PPE's datasets (`<name>/data/*.parquet`, the card beside):
    typed columns (booleans, integer pairs) read as the JSON rows are; `--subsets` reads only its sets."""
    folder = write_ppe_hub_download(tmp_path)
    loaded = load_examples("ppe", folder)
    assert {e.subset for e in loaded.examples} == {"human-preference", "math", "gpqa"}
    gpqa = [e for e in loaded.examples if e.subset == "gpqa"]
    assert len(gpqa) == 3 and gpqa[0].meta["pairs"] == [[0, 0], [1, 1]] and gpqa[0].meta["scores"] == [
        True, False, True, False]
    assert sorted(loaded.source["files"]) == ["PPE-GPQA-Best-of-K/data/train-00000-of-00001.parquet",
                                              "PPE-Human-Preference-V1/data/test-00000-of-00001.parquet",
                                              "PPE-MATH-Best-of-K/data/train-00000-of-00001.parquet"]
    only = load_examples("ppe", folder, subsets=["math"])
    assert list(only.source["files"]) == ["PPE-MATH-Best-of-K/data/train-00000-of-00001.parquet"]
    assert only.source["excluded"] == {"math": {"no incorrect answer": 1}}


@pytest.mark.parametrize(("human", "edit", "field", "message"), [
    (True, {"winner": "model_c"}, "winner", "expected model_a, model_b or a tie"),
    (True, {"response_2": None}, "response_2", "expected a string"),
    (False, {"scores": [1, 0, 1, 0]}, "scores", "list of booleans"),
    (False, {"sampled_conflict_pairs": [[0, 2]]}, "sampled_conflict_pairs", "one correct answer and one incorrect"),
    (False, {"response_3": ""}, "response_3", "empty text"),
    (False, {"response_4": 7}, "response_4", "expected a string"),
])
def test_ppe_invalid_rows(tmp_path: Path, human: bool, edit: dict[str, Any], field: str, message: str) -> None:
    rows = ppe_human_rows() if human else ppe_correctness_rows()
    rows[1].update(edit)
    name = "PPE-Human-Preference-V1.jsonl" if human else "PPE-GPQA-Best-of-K.jsonl"
    path = write_jsonl(tmp_path / name, rows)
    with pytest.raises(DataError, match=message) as caught:
        load_examples("ppe", tmp_path)
    assert (caught.value.source, caught.value.row, caught.value.field) == (str(path), 2, field)


def test_m_rewardbench_files_by_language_and_the_language_filter(tmp_path: Path) -> None:
    folder = write_m_rewardbench(tmp_path / "m")
    loaded = load_examples("m-rewardbench", folder)
    assert len(loaded.examples) == 20 and loaded.examples[0].subset == "deu_Latn/alpacaeval-easy"
    only = load_examples("m-rewardbench", folder, subsets=["fra_Latn"])
    assert {e.subset.split("/")[0] for e in only.examples} == {"fra_Latn"} and len(only.examples) == 10
    one = load_examples("m-rewardbench", folder / "deu_Latn.jsonl")
    assert {e.subset.split("/")[0] for e in one.examples} == {"deu_Latn"}
    write_jsonl(tmp_path / "german.jsonl", m_rewardbench_rows("deu_Latn"))
    with pytest.raises(DataError, match="must be named by its code"):
        load_examples("m-rewardbench", tmp_path / "german.jsonl")
    rows = m_rewardbench_rows("deu_Latn")
    rows[3]["source"] = "translation"
    (tmp_path / "bad").mkdir()
    path = write_jsonl(tmp_path / "bad" / "deu_Latn.jsonl", rows)
    with pytest.raises(DataError, match="unknown subset 'translation'") as caught:
        load_examples("m-rewardbench", tmp_path / "bad")
    assert (caught.value.source, caught.value.row, caught.value.field) == (str(path), 4, "source")
    rows[3].pop("source")
    write_jsonl(path, rows)
    with pytest.raises(DataError, match="the subset is in 'source'") as caught:
        load_examples("m-rewardbench", path)
    assert (caught.value.row, caught.value.field) == (4, "source")


def test_m_rewardbench_reads_the_current_and_the_older_schema_alike(tmp_path: Path) -> None:
    """The current dataset names the subset in `source` (split `test`); the older split `filtered` in `subset`."""
    current = load_examples("m-rewardbench", write_m_rewardbench(tmp_path / "new"))
    older = load_examples("m-rewardbench", write_m_rewardbench(tmp_path / "old", schema="older"))
    assert [(e.subset, e.id, e.chosen) for e in current.examples] == [(e.subset, e.id, e.chosen)
                                                                      for e in older.examples]
    assert current.examples[0].meta["source"] == "alpacaeval-easy" and current.examples[0].meta["language"] == "deu"
    assert older.examples[0].meta["subset"] == "alpacaeval-easy"


def test_m_rewardbench_hub_download_reads_test_never_raw(tmp_path: Path) -> None:
    """A hub download holds, per language, the current `test` parquet beside the older `filtered.json` and the
    unfiltered `raw.json`: only the first is read (the older one when it is alone), and `translation/` not at all;
    `--subsets` reads only its languages' files."""
    folder = write_m_rewardbench_hub_download(tmp_path / "hub")
    loaded = load_examples("m-rewardbench", folder)
    assert sorted(loaded.source["files"]) == ["deu_Latn/test-00000-of-00001.parquet",
                                              "fra_Latn/test-00000-of-00001.parquet"]
    assert len(loaded.examples) == 20 and loaded.examples[0].meta["source"] == "alpacaeval-easy"
    only = load_examples("m-rewardbench", folder, subsets=["fra_Latn"])
    assert list(only.source["files"]) == ["fra_Latn/test-00000-of-00001.parquet"] and len(only.examples) == 10
    one = load_examples("m-rewardbench", folder / "deu_Latn")  # one language's folder
    assert {e.subset.split("/")[0] for e in one.examples} == {"deu_Latn"}
    for language in ("deu_Latn", "fra_Latn"):
        (folder / language / "test-00000-of-00001.parquet").unlink()
    older = load_examples("m-rewardbench", folder)
    assert sorted(older.source["files"]) == ["deu_Latn/filtered.json", "fra_Latn/filtered.json"]
    assert [e.subset for e in older.examples] == [e.subset for e in loaded.examples]


def fake_hub(rows: dict[tuple[str, str | None], list[dict[str, Any]]]) -> Any:
    """A stand-in for `read_hub_rows` serving rows shaped like the hub's, keyed by (dataset, configuration)."""
    calls: list[tuple[str, str, str | None]] = []

    def read(dataset: str, split: str, revision: str | None, config: str | None = None
             ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        calls.append((dataset, split, config))
        return json.loads(json.dumps(rows[(dataset, config)])), {"kind": "hub", "id": dataset, "split": split,
                                                                  "fingerprint": f"fp-{dataset}-{config}"}
    read.calls = calls  # type: ignore[attr-defined]
    return read


def test_hub_rows_of_every_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    hub = fake_hub({("THU-KEG/RM-Bench", None): rm_bench_rows(),
                    ("ScalerLab/JudgeBench", None): judgebench_rows(),
                    **{(dataset, None): ppe_human_rows() if subset == "human-preference" else ppe_correctness_rows()
                       for subset, (dataset, _) in PPE_HUB.items()},
                    **{("C4AI-Community/multilingual-reward-bench", lang): m_rewardbench_rows(lang)
                       for lang in M_REWARDBENCH_LANGUAGES}})
    for module in (rm_bench_layout, judgebench_layout, ppe_layout, m_rewardbench_layout):
        monkeypatch.setattr(module, "read_hub_rows", hub)
    assert len(load_examples("rm-bench").examples) == 10
    claude = load_examples("judgebench-claude")
    assert len(claude.examples) == 6 and claude.source["split"] == "claude"
    ppe = load_examples("ppe")
    assert ppe.source["kind"] == "hub" and len(ppe.source["parts"]) == 6 and ppe.source["fingerprint"]
    assert ppe.source["excluded"]["human-preference"] == {"tie": 1, "tie (bothbad)": 1}
    assert ("THU-KEG/RM-Bench", "train", None) in hub.calls and ("ScalerLab/JudgeBench", "claude", None) in hub.calls
    assert ("lmarena-ai/PPE-Human-Preference-V1", "test", None) in hub.calls
    hub.calls.clear()
    multi = load_examples("m-rewardbench", subsets=["zho_Hant"])  # one configuration is read, not 23
    assert len(multi.examples) == 10 and multi.source["rows"] == 10 and list(multi.source["parts"]) == ["zho_Hant"]
    assert hub.calls == [("C4AI-Community/multilingual-reward-bench", "test", "zho_Hant")]
    assert len(load_examples("m-rewardbench").examples) == 10 * len(M_REWARDBENCH_LANGUAGES)
