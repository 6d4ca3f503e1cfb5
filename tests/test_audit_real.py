"""The whole audit of RewardBench v1's hep-python against HumanEvalPack's published tests (both files in ../shared;
skipped when absent): every one of the 164 pairs is run in the sandbox, and its result is the one the README
records (every chosen passes its tests, every rejected fails them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rmeval.audit.sandbox import probe
from rmeval.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
V1 = SHARED / "rewardbench-v1" / "filtered.jsonl"
HEP = SHARED / "published" / "humanevalpack"


@pytest.mark.slow
@pytest.mark.skipif(not V1.is_file() or not (HEP / "python" / "humanevalpack.jsonl").is_file(),
                    reason="RewardBench v1 or HumanEvalPack's published files are not in ../shared")
@pytest.mark.skipif(not probe()[0], reason=f"no sandbox here: {probe()[1]}")
def test_the_whole_hep_python_audit(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    assert main(["audit", "--data", str(V1), "--subsets", "hep-python", "--tests", str(HEP), "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    row = report["subsets"]["hep-python"]["code"]
    assert row == {"pairs": 164, "checked": 164, "consistent": 164, "contradicting": 0, "not_checkable": {}}
    assert report["flagged"] == []
