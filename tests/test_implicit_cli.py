"""`rmeval run --scorer implicit` end to end with tiny random causal LMs built at test time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import build_llama_causal_lm, preference_rows, write_jsonl
from rmeval.cli import main


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A policy and a reference sharing one tokenizer."""
    root = tmp_path_factory.mktemp("implicit-cli")
    return build_llama_causal_lm(root / "policy", seed=5), build_llama_causal_lm(root / "reference", seed=6)


def run(tmp_path: Path, *options: str) -> dict[str, Any]:
    """Run the CLI on a small custom dataset; returns result.json."""
    data = write_jsonl(tmp_path / "prefs.jsonl", preference_rows(3))
    out = tmp_path / "out"
    assert main(["run", "--no-progress", "--scorer", "implicit", "--data", str(data), "--output-dir", str(out),
                 "--ref-cache", str(tmp_path / "cache"), "--precision", "fp32", *options]) == 0
    result: dict[str, Any] = json.loads((out / "result.json").read_text())
    return result


def test_run_with_a_reference_records_it(models: tuple[Path, Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    policy, reference = models
    result = run(tmp_path, "--model", str(policy), "--ref-model", str(reference), "--batch-size", "2")
    scorer = result["spec"]["scorer"]
    assert scorer["kind"] == "implicit" and scorer["ref_free"] is None
    assert scorer["reference"]["model"] == str(reference) and scorer["reference"]["forward_items"] == 12
    assert scorer["reward"].startswith("sum log p_policy(response) - sum log p_reference")
    assert scorer["chat_template"] == "tokenizer" and scorer["rendered_example"].startswith("<s><|im_start|>user")
    assert scorer["batching"]["batch_size"] == 2
    samples = (tmp_path / "out" / "samples.jsonl").read_text().splitlines()
    assert len(samples) == 6 and isinstance(json.loads(samples[0])["scores_chosen"][0], float)
    assert "Score" in capsys.readouterr().out


def test_reference_free_run_records_its_mode(models: tuple[Path, Path], tmp_path: Path) -> None:
    policy, _ = models
    scorer = run(tmp_path, "--model", str(policy), "--ref-free", "norm", "--no-share-prompts")["spec"]["scorer"]
    assert (scorer["reference"], scorer["ref_free"]) == (None, "norm")
    assert scorer["share_prompts"] == "off: --no-share-prompts"


def test_conflicting_reference_options_stop_with_a_message(models: tuple[Path, Path], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    policy, reference = models
    data = write_jsonl(tmp_path / "prefs.jsonl", preference_rows(1))
    code = main(["run", "--scorer", "implicit", "--model", str(policy), "--ref-model", str(reference),
                 "--ref-free", "avg", "--data", str(data), "--output-dir", str(tmp_path / "out")])
    assert code == 2 and "exclude each other" in capsys.readouterr().err
