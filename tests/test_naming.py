"""One name for a dataset and one for a run, everywhere: `run`, `report`, `compare`, every leaderboard format, page
titles and default output folders; generic file names made unique with their folders; a side-car's name; the
collision message saying what differs."""

from __future__ import annotations

from pathlib import Path

import pytest

import published_fixtures as fx
from conftest import write_jsonl
from rmeval.cli import main
from rmeval.data import load_examples
from rmeval.data.naming import dataset_name, file_dataset_name
from rmeval.results import read_run


def test_generic_file_names_take_their_folders() -> None:
    assert file_dataset_name("/d/LLMBar/Natural/dataset.json") == "Natural/dataset"
    assert file_dataset_name("/d/LLMBar/Adversarial/Neighbor/dataset.json") == "Neighbor/dataset"
    assert file_dataset_name("/d/big-bench/hhh_alignment/honest/task.json") == "honest/task"
    assert file_dataset_name("/d/my-prefs.parquet") == "my-prefs"
    assert dataset_name({"kind": "hub", "id": "org/prefs", "split": "test"}, "custom") == "org/prefs:test"
    assert dataset_name({"kind": "file", "path": "/x/y.jsonl"}, "rewardbench") == "rewardbench"
    assert dataset_name({"path": "/x/y.jsonl", "meta": {"name": "ours"}}, "custom") == "ours"


def test_a_side_car_names_data_without_a_subset_column(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", [{"prompt": "P", "chosen": "A", "rejected": "B"}])
    (tmp_path / "data.rmeval.yaml").write_text("name: our-prefs\n", encoding="utf-8")
    loaded = load_examples(data=data)
    assert loaded.source["name"] == "our-prefs" and loaded.benchmark.name == "custom"
    (tmp_path / "data.rmeval.yaml").write_text("name: our-prefs\nsections: {All: [default]}\n", encoding="utf-8")
    loaded = load_examples(data=data)
    assert [s.name for s in loaded.benchmark.sections] == ["All"] and loaded.examples[0].subset == "default"


def test_the_same_names_in_run_report_compare_and_the_leaderboard(
        tmp_path: Path, bert_classifier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    natural, _ = fx.llmbar(tmp_path / "LLMBar" / "Natural")
    neighbor, _ = fx.llmbar(tmp_path / "LLMBar" / "Neighbor", flip=True)
    base = ["run", "--no-progress", "--model", str(bert_classifier), "--chat-template", "raw"]
    assert main([*base, "--data", str(natural), "--name", "tiny-rm"]) == 0
    assert capsys.readouterr().out.startswith("Natural/dataset: tiny-rm (4 examples)")
    assert main([*base, "--data", str(neighbor)]) == 0  # no --name: the model folder's last part
    assert capsys.readouterr().out.startswith(f"Neighbor/dataset: {bert_classifier.name} (4 examples)")
    first = Path("results") / "Natural__dataset" / "tiny-rm"
    second = Path("results") / "Neighbor__dataset" / bert_classifier.name
    assert read_run(first).spec.data["name"] == "Natural/dataset" and (second / "result.json").is_file()
    assert main(["report", str(second)]) == 0
    assert capsys.readouterr().out.startswith(f"Neighbor/dataset: {bert_classifier.name} (4 samples, recomputed)")
    assert main(["compare", str(first), str(first), "--resamples", "20"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Natural/dataset\nA: tiny-rm (results/Natural__dataset/tiny-rm)")
    assert main(["leaderboard", "results", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "### Natural/dataset" in md and "### Neighbor/dataset" in md and "| tiny-rm |" in md
    assert f"| {bert_classifier.name.replace('_', chr(92) + '_')} |" in md
    assert main(["leaderboard", "results", "--out", str(tmp_path / "site")]) == 0
    titles = sorted(p.read_text().split("<title>")[1].split("</title>")[0]
                    for p in (tmp_path / "site" / "models").glob("*.html"))
    assert titles == sorted([f"{bert_classifier.name} on Neighbor/dataset: rmeval",
                             "tiny-rm on Natural/dataset: rmeval"])


def test_the_collision_message_says_what_differs(tmp_path: Path, bert_classifier: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", [{"prompt": "P", "chosen": "A", "rejected": "B"}])
    out = tmp_path / "out"
    base = ["run", "--no-progress", "--model", str(bert_classifier), "--chat-template", "raw", "--output-dir",
            str(out), "--data", str(data)]
    assert main(base) == 0
    capsys.readouterr()
    assert main([*base, "--max-length", "32"]) == 2
    assert "its options differ: max_length None there, 32 here" in capsys.readouterr().err
    other = write_jsonl(tmp_path / "e.jsonl", [{"prompt": "Q", "chosen": "A", "rejected": "B"}])
    assert main([*base[:-1], str(other)]) == 2
    assert "its data differs: sha256 " in capsys.readouterr().err
