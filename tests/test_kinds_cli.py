"""Every model kind end to end through `rmeval run` on real RewardBench v1 rows: tiny models in each family's shape,
most of them run through the public model's own preset with `--preset NAME --model FOLDER`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import REAL_DATA, build_llama_causal_lm, build_llama_classifier
from model_shapes import build_pairrm_model, build_remote_code_model, build_t5_model, build_value_head_model
from rmeval.cli import main

pytestmark = pytest.mark.skipif(not REAL_DATA.is_file(), reason="the RewardBench v1 file is not in ../shared/data")
ROWS = ("--subsets", "alpacaeval-easy,hep-go,xstest-should-respond", "--limit", "2")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("kinds")
    build_llama_classifier(root / "classifier")
    build_value_head_model(root / "beaver", prefix="model", head="score_head")
    build_value_head_model(root / "starling", prefix="transformer", head="v_head")
    build_remote_code_model(root / "remote")
    build_pairrm_model(root / "pairrm")
    build_llama_causal_lm(root / "lm")
    build_llama_causal_lm(root / "lm-ref", seed=1)
    build_t5_model(root / "t5")
    return {p.name: p for p in root.iterdir()}


def run(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "out"
    assert main(["run", "--no-progress", "--data", str(REAL_DATA), *ROWS, "--output-dir", str(out), *args]) == 0
    result: dict[str, Any] = json.loads((out / "result.json").read_text())
    samples = (out / "samples.jsonl").read_text().splitlines()
    assert len(samples) == 6 and set(result["metrics"]["subsets"]) == {"alpacaeval-easy", "hep-go",
                                                                     "xstest-should-respond"}
    assert main(["report", str(out)]) == 0  # every number recomputes from samples.jsonl
    return result


LONGER = "--allow-longer"
"""A preset states its model's length; the tiny stand-ins have 128 positions, enough for these rows."""
CASES = {
    "classifier": (["--model", "{classifier}"], "classifier", None),
    "value-head beaver cost": (["--preset", "beaver-7b-v1.0-cost", "--model", "{beaver}", LONGER], "value-head",
                               "beaver-7b-v1.0-cost"),
    "value-head starling": (["--preset", "starling-rm-34b", "--model", "{starling}", "--tokenizer", "{starling}",
                             LONGER],
                            "value-head", "starling-rm-34b"),
    "remote-code armorm": (["--preset", "armorm-llama3-8b-v0.1", "--model", "{remote}", "--trust-remote-code",
                            "--dtype", "float32", "--chat-template", "chatml", LONGER], "remote-code",
                           "armorm-llama3-8b-v0.1"),
    "pair-ranker": (["--preset", "pairrm", "--model", "{pairrm}"], "pair-ranker", "pairrm"),
    "verdict steamshp": (["--preset", "steamshp-flan-t5-large", "--model", "{t5}", LONGER], "verdict",
                         "steamshp-flan-t5-large"),
    "verdict pair-pm": (["--preset", "pair-preference-model-llama3-8b", "--model", "{lm}"], "verdict",
                        "pair-preference-model-llama3-8b"),
    "judge logprob": (["--scorer", "judge", "--verdict", "logprob", "--model", "{lm}"], "verdict", None),
    "implicit": (["--preset", "tulu-2-dpo-7b", "--model", "{lm}", "--ref-model", "{lm-ref}", "--no-ref-cache"],
                 "implicit", "tulu-2-dpo-7b"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_kind_runs_end_to_end(case: str, models: dict[str, Path], tmp_path: Path) -> None:
    args, kind, preset = CASES[case]
    result = run(tmp_path, *(a.format(**{k: str(v) for k, v in models.items()}) for a in args))
    scorer = result["spec"]["scorer"]
    assert scorer["kind"] == kind
    assert "dtype" in scorer and "load" in scorer  # what was loaded, with its new and unused weights
    if preset is None:
        assert "preset" not in scorer
    else:
        assert scorer["preset"]["name"] == preset and scorer["preset"]["sources"]
        assert "model" not in scorer["preset"]["set"] and scorer["preset"]["set"]
    if kind in ("pair-ranker", "verdict"):
        counts = result["metrics"]["counts"]
        assert all(c["comparisons"] == 2 for c in counts.values())
        assert 0 <= scorer["order_consistency"] <= 1


def test_a_remote_code_preset_is_refused_without_the_flag(models: dict[str, Path], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--no-progress", "--data", str(REAL_DATA), *ROWS, "--output-dir", str(tmp_path / "o"),
                 "--preset", "armorm-llama3-8b-v0.1", "--model", str(models["remote"])])
    assert code == 2
    assert "add --trust-remote-code" in capsys.readouterr().err


def test_a_causal_lm_loaded_as_a_classifier_stops_before_scoring(models: dict[str, Path], tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--no-progress", "--data", str(REAL_DATA), *ROWS, "--output-dir", str(tmp_path / "o"),
                 "--model", str(models["lm"]), "--chat-template", "chatml"])
    err = capsys.readouterr().err
    assert code == 2 and "newly initialised (score.weight)" in err and "--allow-new-head" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()
