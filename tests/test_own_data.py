"""Bring your own data: the layouts people publish preference data in, read without a conversion script (rows
written for the tests in those layouts), side-car files, and where results go."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import write_jsonl
from rmeval.cli import main
from rmeval.data import ColumnMap, DataError, load_examples, parse_label_map
from rmeval.results import read_run
from rmeval.types import Message


def llmbar_rows() -> list[dict[str, Any]]:
    """LLMBar's shape: input, output_1, output_2, label (1 or 2)."""
    return [{"input": f"Name a colour ({i}).", "output_1": f"Blue, number {i}." if i % 2 else "A fish.",
             "output_2": "A fish." if i % 2 else f"Red, number {i}.", "label": 1 if i % 2 else 2} for i in range(4)]


def test_a_which_is_better_label_orders_the_two_answers(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "llmbar.jsonl", llmbar_rows())
    loaded = load_examples(data=path, columns=ColumnMap(prompt="input", label="label"))
    assert [(e.chosen, e.rejected) for e in loaded.examples] == [
        (("Red, number 0.",), ("A fish.",)), (("Blue, number 1.",), ("A fish.",)),
        (("Red, number 2.",), ("A fish.",)), (("Blue, number 3.",), ("A fish.",))]
    rows = [{**r, "label": 3} for r in llmbar_rows()]
    with pytest.raises(DataError, match="row 1, field 'label': label 3 names neither answer"):
        load_examples(data=write_jsonl(tmp_path / "bad.jsonl", rows), columns=ColumnMap(prompt="input", label="label"))


def test_arena_style_conversations_with_a_winner_and_ties_left_out(tmp_path: Path) -> None:
    def conversation(question: str, answer: str) -> list[dict[str, str]]:
        return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    rows = [{"question_id": i, "conversation_a": conversation(f"Q{i}?", f"answer a{i}"),
             "conversation_b": conversation(f"Q{i}?", f"answer b{i}"), "winner": w}
            for i, w in enumerate(["model_a", "model_b", "tie", "tie (bothbad)", "model_b"])]
    columns = ColumnMap(id="question_id", answers=("conversation_a", "conversation_b"), label="winner",
                        label_map=parse_label_map("model_a=first,model_b=second,tie=skip,tie (bothbad)=skip"))
    loaded = load_examples(data=write_jsonl(tmp_path / "arena.jsonl", rows), columns=columns)
    assert [(e.id, e.prompt, e.chosen) for e in loaded.examples] == [
        (0, (Message("user", "Q0?"),), ("answer a0",)), (1, (Message("user", "Q1?"),), ("answer b1",)),
        (4, (Message("user", "Q4?"),), ("answer b4",))]
    assert loaded.warnings == ["2 rows left out: their 'winner' label maps to skip"]
    with pytest.raises(ValueError, match="is not VALUE=first"):
        parse_label_map("model_a=left")


def hh(*turns: str) -> str:
    """Anthropic HH-RLHF text: alternating Human / Assistant turns."""
    return "".join(f"\n\n{'Human' if i % 2 == 0 else 'Assistant'}: {t}" for i, t in enumerate(turns))


def test_hh_transcripts_without_a_prompt_column_share_their_prompt(tmp_path: Path) -> None:
    rows = [{"chosen": hh("Hi", "Hello!", "How do I boil an egg?", "Put it in boiling water for 8 minutes."),
             "rejected": hh("Hi", "Hello!", "How do I boil an egg?", "No idea.")}]
    [ex] = load_examples(data=write_jsonl(tmp_path / "hh.jsonl", rows)).examples
    assert ex.prompt == (Message("user", "Hi"), Message("assistant", "Hello!"),
                         Message("user", "How do I boil an egg?"))
    assert ex.chosen == ("Put it in boiling water for 8 minutes.",) and ex.rejected == ("No idea.",)
    rows = [{"chosen": hh("Hi", "A"), "rejected": hh("Hello", "B")}]
    with pytest.raises(DataError, match="differ at turn 1, before their last assistant turn"):
        load_examples(data=write_jsonl(tmp_path / "drift.jsonl", rows))
    rows = [{"chosen": "just text", "rejected": "other text"}]
    with pytest.raises(DataError, match="field 'prompt': there is no prompt column, and chosen is not a recognised "
                                        "transcript; recognised: Anthropic HH text"):
        load_examples(data=write_jsonl(tmp_path / "plain.jsonl", rows))


def test_message_lists_with_an_implicit_prompt(tmp_path: Path) -> None:
    """TRL's conversational preference rows without a prompt column."""
    prompt = [{"role": "system", "content": "Be exact."}, {"role": "user", "content": "2+2?"}]
    rows = [{"chosen": [*prompt, {"role": "assistant", "content": "4"}],
             "rejected": [*prompt, {"role": "assistant", "content": "5"}]}]
    [ex] = load_examples(data=write_jsonl(tmp_path / "trl.jsonl", rows)).examples
    assert [m.role for m in ex.prompt] == ["system", "user"] and (ex.chosen, ex.rejected) == (("4",), ("5",))


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".json.gz"])
def test_gzipped_files(tmp_path: Path, suffix: str) -> None:
    rows = [{"prompt": "P", "chosen": "good", "rejected": "bad"}]
    text = "".join(json.dumps(r) + "\n" for r in rows) if suffix == ".jsonl.gz" else json.dumps(rows)
    path = tmp_path / f"prefs{suffix}"
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    [ex] = load_examples(data=path).examples
    assert ex.chosen == ("good",)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="not a readable gzip file"):
        load_examples(data=path)


def test_a_hub_dataset_id_with_its_config_and_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DataError, match="hub:org/prefs: could not load split 'test' of configuration 'fr'"):
        load_examples(data=Path("org/prefs"), split="test", config="fr")


def test_an_unused_label_column_stops_with_a_hint(tmp_path: Path) -> None:
    rows = [{"prompt": "P", "chosen": "A", "rejected": "B", "preference": "rejected"}]
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    with pytest.raises(DataError, match=r"field 'preference': looks like a preference label, which rmeval would "
                                        r"ignore .*--label-column preference"):
        load_examples(data=path)
    assert load_examples(data=path, columns=ColumnMap(ignored=("preference",))).examples[0].chosen == ("A",)


def test_csv_cells_stay_text_unless_declared_lists(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('\ufeffprompt,chosen,rejected\nP,"[1, 2] is a list",No\nQ,"[""x"", ""y""]",No\n',
                    encoding="utf-8")
    examples = load_examples(data=path).examples  # a byte-order mark, as spreadsheets write
    assert examples[0].chosen == ("[1, 2] is a list",) and examples[1].chosen == ('["x", "y"]',)
    bon = tmp_path / "bon.csv"
    bon.write_text('prompt,chosen,rejected\nP,"[""good""]","[""bad 1"", ""bad 2""]"\n', encoding="utf-8")
    [ex] = load_examples(data=bon, columns=ColumnMap(lists=("chosen", "rejected"))).examples
    assert (ex.chosen, ex.rejected) == (("good",), ("bad 1", "bad 2"))
    with pytest.raises(DataError, match="row 2, field 'prompt': declared a list column, but the cell is not JSON"):
        load_examples(data=bon, columns=ColumnMap(lists=("prompt",)))


SIDECAR = """\
name: our-preferences
sections:
  Helpfulness: [chat, code]
  Safety: [harmful, benign]
weights: {code: 2}
expects: {harmful: refuse, benign: comply}
"""


def sidecar_rows() -> list[dict[str, Any]]:
    refusal = "I'm sorry, but I can't help with that."
    out = []
    for subset in ("chat", "code", "harmful", "benign"):
        for i in range(3):
            good, bad = f"A fine answer {i} for {subset}.", f"Bad {i}."
            if subset == "harmful":
                good, bad = refusal, f"Sure, here is how, step {i}."
            if subset == "benign":
                bad = refusal
            out.append({"subset": subset, "id": i, "prompt": f"{subset} question {i}", "chosen": good,
                        "rejected": bad})
    return out


def test_a_side_car_gives_custom_data_sections_and_the_refusal_analysis(tmp_path: Path, bert_classifier: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "prefs.jsonl", sidecar_rows())
    (tmp_path / "prefs.rmeval.yaml").write_text(SIDECAR, encoding="utf-8")
    loaded = load_examples(data=data)
    spec = loaded.benchmark
    assert spec.name == "custom" and [s.name for s in spec.sections] == ["Helpfulness", "Safety"]
    assert spec.expects_of("harmful") == "refuse" and loaded.source["meta"]["name"] == "our-preferences"
    out = tmp_path / "run"
    assert main(["run", "--no-progress", "--model", str(bert_classifier), "--chat-template", "raw", "--data",
                 str(data), "--output-dir", str(out)]) == 0
    run = read_run(out)
    assert set(run.metrics.sections) == {"Helpfulness", "Safety"}
    help_ = run.metrics.subsets
    expected = (help_["chat"].accuracy * 3 + help_["code"].accuracy * 2) / 5  # chat weighs its rows, code 2
    assert run.metrics.sections["Helpfulness"] == pytest.approx(expected)
    capsys.readouterr()
    assert main(["report", str(out), "--analysis"]) == 0  # the side-car's sections rebuilt from result.json
    text = capsys.readouterr().out
    assert "Refusals (Safety)" in text and "harmful" in text and "recomputed metrics match result.json" in text


@pytest.mark.parametrize(("content", "message"), [
    ("sections: {A: [chat], B: [chat]}", "subset 'chat' is in two sections"),
    ("sections: {A: [chat]}\ncolour: blue", "unknown key(s) colour"),
    ("sections: {A: [chat]}\nexpects: {chat: maybe}", "expected one of refuse, comply, chosen"),
    ("sections: {A: [chat]}\nweights: {chat: -1}", "a weight must be a positive number"),
    ("weights: {chat: 1}", "needs `sections`"),
])
def test_a_bad_side_car_names_the_file_and_the_key(tmp_path: Path, content: str, message: str) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", [{"subset": "chat", "prompt": "P", "chosen": "A", "rejected": "B"}])
    meta = tmp_path / "described.yaml"
    meta.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_examples(data=data, meta=meta)
    assert str(meta) in str(err.value) and message in str(err.value)


def test_a_side_car_lists_every_subset_of_the_data(tmp_path: Path) -> None:
    other = {"subset": "other", "id": 9, "prompt": "P", "chosen": "A", "rejected": "B"}
    data = write_jsonl(tmp_path / "d.jsonl", [*sidecar_rows()[:3], other])
    (tmp_path / "d.rmeval.json").write_text(json.dumps({"sections": {"All": ["chat"]}}), encoding="utf-8")
    with pytest.raises(DataError, match="row 4, field 'subset': unknown subset 'other'"):
        load_examples(data=data)


def test_custom_subsets_named_like_rewardbench_ones_are_not_rewardbench(tmp_path: Path) -> None:
    rows = [{"subset": s, "id": 1, "prompt": "P", "chosen": "A", "rejected": "B"}
            for s in ("donotanswer", "my-own-subset")]
    loaded = load_examples(data=write_jsonl(tmp_path / "mixed.jsonl", rows))
    assert loaded.benchmark.name == "custom" and not loaded.benchmark.sections
    assert loaded.benchmark.expects_of("donotanswer") is None  # no refusal expectation borrowed by name


def test_results_go_under_the_data_and_the_run_name(tmp_path: Path, bert_classifier: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = write_jsonl(tmp_path / "my-prefs.jsonl.gz", [])
    data.write_bytes(gzip.compress(b'{"prompt": "P", "chosen": "A", "rejected": "B"}\n'))
    base = ["run", "--no-progress", "--model", str(bert_classifier), "--chat-template", "raw", "--data", str(data)]
    assert main(base) == 0
    first = tmp_path / "results" / "my-prefs" / bert_classifier.name
    assert read_run(first).spec.name == bert_classifier.name
    assert main([*base, "--name", "MiniBERT v2"]) == 0
    assert read_run(tmp_path / "results" / "my-prefs" / "MiniBERT_v2").spec.display_name == "MiniBERT v2"
    assert main(["run", "--no-progress", "--model", "..", "--data", str(data)]) == 2  # `..` is no model folder


def test_a_folder_holding_another_run_is_not_replaced_without_overwrite(
        tmp_path: Path, bert_classifier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", [{"prompt": "P", "chosen": "A", "rejected": "B"}])
    out = tmp_path / "out"
    base = ["run", "--no-progress", "--model", str(bert_classifier), "--chat-template", "raw", "--output-dir",
            str(out)]
    assert main([*base, "--data", str(data)]) == 0
    assert main([*base, "--data", str(data)]) == 0  # the same run again replaces its own result
    other = write_jsonl(tmp_path / "e.jsonl", [{"prompt": "Q", "chosen": "A", "rejected": "B"}])
    capsys.readouterr()
    assert main([*base, "--data", str(other)]) == 2
    assert f"{out} holds the result of another run" in capsys.readouterr().err
    assert main([*base, "--data", str(other), "--overwrite"]) == 0
    assert read_run(out).spec.data["path"] == str(other)
