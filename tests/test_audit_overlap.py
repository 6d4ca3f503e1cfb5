"""Training data that overlaps the benchmark's prompts: a training file sharing a 13-gram with one prompt (and
one sharing only 12 words), a near-duplicate by MinHash, an identical short prompt, messages and HH-RLHF rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import write_jsonl
from rmeval.audit.overlap import OverlapIndex
from rmeval.cli import main

pytest.importorskip("datasketch")

PROMPTS = {
    1: "A train leaves the station at nine in the morning travelling east at sixty miles per hour towards the city",
    2: "Explain why the sky appears blue during the day but red and orange around sunset in clear weather conditions",
    3: "Name three prime numbers.",
    4: "Write a short poem about autumn leaves falling slowly in a quiet park while children play nearby on swings",
}


def benchmark(tmp_path: Path) -> Path:
    rows = [{"subset": "s" if i < 3 else "t", "id": i, "prompt": p, "chosen": "a", "rejected": "b"}
            for i, p in PROMPTS.items()]
    return write_jsonl(tmp_path / "bench.jsonl", rows)


def audit(tmp_path: Path, train: list[dict[str, Any]], *extra: str) -> dict[str, Any]:
    out = tmp_path / "audit.json"
    train_file = write_jsonl(tmp_path / "train.jsonl", train)
    assert main(["audit", "--data", str(benchmark(tmp_path)), "--train", str(train_file), "--out", str(out),
                 *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))["overlap"]


def words(i: int) -> list[str]:
    return PROMPTS[i].lower().split()


def test_a_training_prompt_sharing_a_13_gram_flags_that_prompt_only(tmp_path: Path) -> None:
    shared = " ".join(words(1)[3:16])  # 13 words of prompt 1
    almost = " ".join(words(2)[:12])  # 12 words of prompt 2: not enough
    train = [{"prompt": f"Unrelated words first, then {shared}, and more after."},
             {"prompt": f"Here {almost} and nothing else."}, {"prompt": "Something else entirely."}]
    found = audit(tmp_path, train, "--no-minhash")
    assert [(m["id"], m["training_row"], m["kind"]) for m in found["matches"]] == [("1", 1, "13-gram")]
    assert found["matches"][0]["evidence"] == shared
    assert found["subsets"]["s"] == {"prompts": 2, "overlapping": 1, "by_kind": {"13-gram": 1}}
    assert found["subsets"]["t"]["overlapping"] == 0 and found["training_rows"] == 3


def test_the_ngram_length_is_an_option(tmp_path: Path) -> None:
    almost = " ".join(words(2)[:12])
    found = audit(tmp_path, [{"prompt": f"Here {almost} and nothing else."}], "--no-minhash", "--ngram", "12")
    assert [m["id"] for m in found["matches"]] == ["2"]


def test_a_near_duplicate_is_found_by_minhash_and_an_identical_short_prompt_by_itself(tmp_path: Path) -> None:
    reworded = PROMPTS[4].replace("quiet park", "quiet garden")  # no 13 words in a row left in common
    train = [{"chosen": [{"role": "user", "content": reworded}, {"role": "assistant", "content": "ok"}]},
             {"chosen": "\n\nHuman: Name three prime numbers.\n\nAssistant: 2, 3, 5"}]
    found = audit(tmp_path, train, "--minhash-threshold", "0.5")
    kinds = {m["id"]: m["kind"] for m in found["matches"]}
    assert kinds == {"4": "near-duplicate", "3": "identical"}
    assert next(m for m in found["matches"] if m["id"] == "4")["jaccard"] >= 0.5


def test_a_hash_collision_is_no_match() -> None:
    index = OverlapIndex(["one two three four five"], n=3, minhash_threshold=None)
    key = next(iter(index._table))
    index._table[key] = [(0, 1)]  # point the hash at other words: the words themselves decide
    assert list(index.scan([(1, "one two three")])) == []


def test_a_training_file_without_prompts_names_its_row_and_columns(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    train = write_jsonl(tmp_path / "train.jsonl", [{"text": "no prompt column"}])
    code = main(["audit", "--data", str(benchmark(tmp_path)), "--train", str(train), "--out",
                 str(tmp_path / "a.json")])
    err = capsys.readouterr().err
    assert code == 2 and "row 1: no prompt" in err and "text" in err and "--train-prompt-column" in err
