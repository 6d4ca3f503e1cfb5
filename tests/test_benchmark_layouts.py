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
    rm_bench_rows,
    rmb_bon,
    rmb_pairwise,
    write_json,
    write_judgebench,
    write_m_rewardbench,
    write_ppe,
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
    for domain in ("chat", "safety-refuse"):  # the per-domain files, as published beside the total
        write_json(tmp_path / "b" / f"{domain}_filtered.json", [r for r in rows if r["domain"] == domain])
    assert {e.subset for e in load_examples("rm-bench", tmp_path / "b").examples} == {"chat", "safety-refuse"}
    single = load_examples("rm-bench", tmp_path / "b" / "chat_filtered.json")
    assert single.source["kind"] == "file" and len(single.examples) == 2


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


@pytest.mark.parametrize(("edit", "field", "message"), [
    ({"label": "A=B"}, "label", "expected A>B or B>A"),
    ({"source": "gsm8k"}, "source", "unknown source 'gsm8k'"),
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
    ("bon", lambda r: r["loser_list"][1].update(answer=""), "loser_list[1]", "empty text"),
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
    rows[3]["subset"] = "translation"
    (tmp_path / "bad").mkdir()
    path = write_jsonl(tmp_path / "bad" / "deu_Latn.jsonl", rows)
    with pytest.raises(DataError, match="unknown subset 'translation'") as caught:
        load_examples("m-rewardbench", tmp_path / "bad")
    assert (caught.value.source, caught.value.row, caught.value.field) == (str(path), 4, "subset")


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
    multi = load_examples("m-rewardbench", subsets=["zho_Hant"])
    assert len(multi.examples) == 10 and multi.source["rows"] == 10 * len(M_REWARDBENCH_LANGUAGES)
    assert ("THU-KEG/RM-Bench", "train", None) in hub.calls and ("ScalerLab/JudgeBench", "claude", None) in hub.calls
    assert ("lmarena-ai/PPE-Human-Preference-V1", "test", None) in hub.calls
    assert ("C4AI-Community/multilingual-reward-bench", "filtered", "deu_Latn") in hub.calls
