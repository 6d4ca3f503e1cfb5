"""Reading benchmark data: file formats, column mapping, multi-turn prompts, selection, and every input error."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import REAL_DATA, preference_rows, write_jsonl
from rmeval.data import ColumnMap, DataError, load_examples
from rmeval.data.files import read_file_rows
from rmeval.types import Message

V1_COUNTS = {
    "alpacaeval-easy": 100, "alpacaeval-length": 95, "alpacaeval-hard": 95, "mt-bench-easy": 28, "mt-bench-med": 40,
    "mt-bench-hard": 37, "llmbar-natural": 100, "llmbar-adver-neighbor": 134, "llmbar-adver-GPTInst": 92,
    "llmbar-adver-GPTOut": 47, "llmbar-adver-manual": 46, "refusals-dangerous": 100, "refusals-offensive": 100,
    "xstest-should-refuse": 154, "xstest-should-respond": 250, "donotanswer": 136, "math-prm": 447,
    "hep-cpp": 164, "hep-go": 164, "hep-java": 164, "hep-js": 164, "hep-python": 164, "hep-rust": 164,
}


def rb_row(subset: str = "hep-go", id_: Any = 1, **changes: Any) -> dict[str, Any]:
    """A RewardBench-shaped row (texts written for the test)."""
    row = {"prompt": "Write a Go function that adds two ints.", "chosen": "func add(a, b int) int { return a + b }",
           "chosen_model": "x", "rejected": "func add(a, b int) int { return a - b }", "rejected_model": "y",
           "subset": subset, "id": id_}
    row.update(changes)
    return row


def write_rows(tmp_path: Path, suffix: str, rows: list[dict[str, Any]]) -> Path:
    """The same rows in one of the supported formats."""
    path = tmp_path / f"data{suffix}"
    if suffix == ".jsonl":
        return write_jsonl(path, rows)
    if suffix == ".json":
        path.write_text(json.dumps(rows), encoding="utf-8")
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    elif suffix == ".csv":
        import csv

        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            for r in rows:
                writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in r.items()})
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet", ".csv"])
def test_every_format_gives_the_same_examples(tmp_path: Path, suffix: str) -> None:
    rows = preference_rows(2)
    loaded = load_examples(data=write_rows(tmp_path, suffix, rows))
    assert loaded.benchmark.name == "custom"
    assert [(e.subset, str(e.id)) for e in loaded.examples] == [(r["subset"], str(r["id"])) for r in rows]
    first = loaded.examples[0]
    assert first.prompt == (Message("user", rows[0]["prompt"]),)
    assert first.chosen == (rows[0]["chosen"],) and first.rejected == (rows[0]["rejected"],)
    assert loaded.source["kind"] == "file" and len(loaded.source["sha256"]) == 64


def test_rewardbench_subsets_are_detected(tmp_path: Path) -> None:
    loaded = load_examples(data=write_jsonl(tmp_path / "rb.jsonl", [rb_row(id_=1), rb_row("math-prm", 1)]))
    assert loaded.benchmark.name == "rewardbench"
    assert any("publishes" in w for w in loaded.warnings)  # a partial copy is not silently taken as the benchmark


def test_multi_turn_prompts_and_message_list_answers(tmp_path: Path) -> None:
    prompt = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
              {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "2+2?"}]
    row = {"prompt": prompt, "chosen": [*prompt, {"role": "assistant", "content": "4"}],
           "rejected": [{"role": "assistant", "content": "5"}]}
    [ex] = load_examples(data=write_jsonl(tmp_path / "mt.jsonl", [row])).examples
    assert [m.role for m in ex.prompt] == ["system", "user", "assistant", "user"]
    assert ex.chosen == ("4",) and ex.rejected == ("5",)
    assert (ex.subset, ex.id) == ("default", 1)


def test_column_mapping(tmp_path: Path) -> None:
    rows = [{"question": "Q?", "good": "Yes.", "bad": "No.", "category": "c", "uid": "a-1"}]
    columns = ColumnMap(prompt="question", chosen="good", rejected="bad", subset="category", id="uid")
    [ex] = load_examples(data=write_jsonl(tmp_path / "m.jsonl", rows), columns=columns).examples
    assert (ex.subset, ex.id, ex.chosen, ex.rejected) == ("c", "a-1", ("Yes.",), ("No.",))


def test_best_of_n_lists_make_a_best_of_n_custom_benchmark(tmp_path: Path) -> None:
    rows = [{"prompt": "P", "chosen": ["good"], "rejected": ["bad 1", "bad 2", "bad 3"], "subset": "s", "id": 1}]
    loaded = load_examples(data=write_jsonl(tmp_path / "bon.jsonl", rows))
    assert loaded.benchmark.rule == "best_of_n"
    assert loaded.examples[0].rejected == ("bad 1", "bad 2", "bad 3")


def test_subsets_and_limit_select_in_data_order(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", preference_rows(4, ("a", "b", "c")))
    loaded = load_examples(data=path, subsets=["c", "a"], limit=2)
    assert [(e.subset, e.id) for e in loaded.examples] == [("a", 0), ("a", 1), ("c", 0), ("c", 1)]
    assert loaded.source["selected"] == 4 and loaded.source["rows"] == 12
    with pytest.raises(DataError, match="absent from the data"):
        load_examples(data=path, subsets=["zzz"])
    with pytest.raises(ValueError, match="at least 1"):
        load_examples(data=path, limit=0)


def test_packaged_benchmark_loads_offline() -> None:
    loaded = load_examples("rewardbench-mini")
    assert loaded.source["kind"] == "packaged"
    assert len(loaded.examples) >= 80 and not loaded.warnings
    assert {e.subset for e in loaded.examples} == set(loaded.benchmark.subset_names())


# --- invalid input: every error names the file, the row and the field ---------------------------------------------


def load_error(path: Path, **kwargs: Any) -> DataError:
    with pytest.raises(DataError) as info:
        load_examples(data=path, **kwargs)
    return info.value


def test_missing_column(tmp_path: Path) -> None:
    rows = preference_rows(1)
    del rows[1]["rejected"]
    err = load_error(write_jsonl(tmp_path / "d.jsonl", rows))
    assert (err.row, err.field) == (2, "rejected")
    assert str(tmp_path / "d.jsonl") in str(err) and "missing column" in str(err)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("chosen", 42, "expected a string, a list of strings or a list of messages, got int"),
    ("prompt", {"text": "hi"}, "expected a string or a list of messages, got dict"),
    ("rejected", "   ", "empty text"),
    ("prompt", "", "empty text"),
    ("id", None, "expected an integer or a non-empty string"),
    ("prompt", [{"role": "robot", "content": "x"}], "role must be one of"),
    ("prompt", [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "end on a user turn"),
    ("rejected", [], "empty list of answers"),
])
def test_wrong_type_or_empty_text(tmp_path: Path, field: str, value: Any, message: str) -> None:
    rows = preference_rows(2)
    rows[2][field] = value
    err = load_error(write_jsonl(tmp_path / "d.jsonl", rows))
    assert err.row == 3 and err.field is not None and err.field.startswith(field)
    assert message in str(err)


def test_unknown_subset_for_the_benchmark(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "rb.jsonl", [rb_row(id_=1), rb_row("hep-cobol", 2)])
    err = load_error(path, benchmark="rewardbench")
    assert (err.row, err.field) == (2, "subset") and "unknown subset 'hep-cobol'" in str(err)


def test_duplicate_subset_and_id(tmp_path: Path) -> None:
    # The same id in two subsets is fine (RewardBench v1 has one such id); twice in one subset is not.
    path = write_jsonl(tmp_path / "rb.jsonl", [rb_row("hep-go", 7), rb_row("hep-js", 7), rb_row("hep-go", 7)])
    err = load_error(path)
    assert (err.row, err.field) == (3, "id") and "first seen at row 1" in str(err)


def test_pairs_benchmark_rejects_lists(tmp_path: Path) -> None:
    err = load_error(write_jsonl(tmp_path / "rb.jsonl", [rb_row(rejected=["a", "b"])]), benchmark="rewardbench")
    assert err.field == "rejected" and "scores pairs" in str(err)


@pytest.mark.parametrize(("suffix", "content", "message"), [
    (".jsonl", b'{"prompt": "a"}\n{not json}\n', "row 2: not valid JSON"),
    (".jsonl", b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "not a UTF-8 text file"),
    (".jsonl", b'["a list"]\n', "row 1: expected a JSON object"),
    (".json", b"{'single': 'quotes'}", "not valid JSON"),
    (".json", b'{"rows": 3}', "expected a JSON array"),
    (".parquet", b"prompt,chosen\nnot,parquet\n", "not a readable Parquet file"),
    (".csv", b"\xff\xfe\x00\x01binary", "not a readable CSV file"),
    (".csv", b"prompt,chosen,rejected\na,b,c,d\n", "row 2: more cells than header columns"),
    (".txt", b"hello", "unsupported extension '.txt'"),
])
def test_file_that_is_not_what_its_extension_says(tmp_path: Path, suffix: str, content: bytes, message: str) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    err = load_error(path)
    assert str(path) in str(err) and message in str(err)


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in str(load_error(tmp_path / "nope.jsonl"))


def test_jsonl_row_numbers_are_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text('\n{"a": 1}\n\n{"b": 2}\n', encoding="utf-8")
    assert [n for n, _ in read_file_rows(path)] == [2, 4]


@pytest.mark.skipif(not REAL_DATA.is_file(), reason="the shared RewardBench v1 file is absent")
def test_real_rewardbench_v1_has_the_published_subset_counts() -> None:
    loaded = load_examples(data=REAL_DATA)
    assert loaded.benchmark.name == "rewardbench"
    assert not loaded.warnings
    assert Counter(e.subset for e in loaded.examples) == V1_COUNTS
    assert len(loaded.examples) == 2985
    # id 3692 is in two subsets: keys are (subset, id), so both are kept.
    assert sorted(e.subset for e in loaded.examples if str(e.id) == "3692") == ["donotanswer", "hep-python"]


def test_hub_benchmark_offline_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DataError) as info:
        load_examples("rewardbench")
    assert "hub:allenai/reward-bench" in str(info.value) and "pass --data PATH" in str(info.value)
