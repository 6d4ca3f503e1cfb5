"""A run gives the same result however it is split: one process, `torchrun --nproc-per-node 2`, and two `--shard`s
merged agree on every decision, every score (within 1e-6; bit for bit with the same threads) and the precision record,
at `--precision auto`, fp32 and fast-exact, for a classifier and an implicit reward."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import build_llama_causal_lm, write_jsonl
from rmeval.cli import main
from rmeval.results import read_run
from test_scale import rows, torchrun

pytestmark = pytest.mark.slow

SPLIT_ROWS = 1100
"""2,200 answers: two blocks of work (at least 1,024 inputs each), so a run can be cut into two shards."""
ACCOUNTING = ("batches", "forward_batches", "real_tokens", "padded_tokens", "from_store", "processes",
              "rescore_batches", "rescore_forward_batches")
"""Counters of the work an invocation did (a shard computes the calibration sample too): not results."""


def results_of(folder: Path) -> dict[str, Any]:
    """result.json without the timing, the date, the command, where the data came from and the work counters."""
    data = json.loads((folder / "result.json").read_text())
    data.pop("timing")
    data.pop("samples_sha256")  # the scores' last bits: compared within 1e-6 apart, bit for bit where threads agree
    spec = data["spec"]
    for key in ("created_at", "command"):
        spec.pop(key)
    for key in ("shard", "merged_from"):
        spec["data"].pop(key, None)
    spec["scorer"]["options"].pop("output_dir", None)
    spec["scorer"]["batching"] = {k: v for k, v in spec["scorer"]["batching"].items() if k not in ACCOUNTING}
    return data


@pytest.mark.parametrize(("scorer", "precision"), [("classifier", "auto"), ("classifier", "fp32"),
                                                   ("classifier", "fast-exact"), ("implicit", "fp32"),
                                                   ("implicit", "fast-exact")])
def test_one_process_torchrun_and_shards_give_the_same_result(tmp_path: Path, llama_classifier: Path, scorer: str,
                                                              precision: str) -> None:
    model = llama_classifier if scorer == "classifier" else build_llama_causal_lm(tmp_path / "lm")
    data = write_jsonl(tmp_path / "d.jsonl", rows(SPLIT_ROWS))
    base = ["run", "--no-progress", "--scorer", scorer, "--model", str(model), "--data", str(data),
            "--no-score-cache", "--precision", precision]
    assert main([*base, "--output-dir", str(tmp_path / "single")]) == 0
    done = torchrun(*base, "--output-dir", str(tmp_path / "parallel"))
    assert done.returncode == 0, done.stderr[-3000:]
    for i in range(2):
        assert main([*base, "--shard", f"{i}/2", "--output-dir", str(tmp_path / "parts")]) == 0
    assert main(["merge", str(tmp_path / "parts"), "--output-dir", str(tmp_path / "merged")]) == 0
    single = read_run(tmp_path / "single")
    assert single.spec.scorer["batching"]["blocks"] == 2
    for other in ("parallel", "merged"):
        run = read_run(tmp_path / other)
        assert [s.correct for s in run.samples] == [s.correct for s in single.samples]
        for a, b in zip(run.samples, single.samples, strict=True):
            assert a.scores_chosen == pytest.approx(b.scores_chosen, abs=1e-6, rel=0)
            assert a.scores_rejected == pytest.approx(b.scores_rejected, abs=1e-6, rel=0)
        assert results_of(tmp_path / other) == results_of(tmp_path / "single"), other
    # A shard runs with the same threads as the one process, so its batches give the same bits; torchrun's processes
    # run one thread each, and a reduction split over two threads rounds in another order (1e-7 relative).
    sha = [json.loads((tmp_path / d / "result.json").read_text())["samples_sha256"] for d in ("single", "merged")]
    assert sha[0] == sha[1]
    parts = [read_run(tmp_path / "parts" / f"shard-{i}-of-2") for i in range(2)]
    assert sum(len(p.samples) for p in parts) == SPLIT_ROWS
    if precision == "fast-exact":  # the calibration is the whole run's in each shard
        calibration = [{k: v for k, v in p.spec.scorer["precision"].items() if k.startswith("calibration")}
                       for p in parts]
        assert calibration[0] == calibration[1] and calibration[0]


def test_more_shards_than_blocks_of_work_stops_in_one_line(tmp_path: Path, llama_classifier: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", rows(40))
    assert main(["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data), "--no-score-cache",
                 "--shard", "1/2", "--output-dir", str(tmp_path / "parts")]) == 2
    err = capsys.readouterr().err
    assert "cut into 1 block of work" in err and "at most 1 shard" in err and len(err.strip().splitlines()) == 1
