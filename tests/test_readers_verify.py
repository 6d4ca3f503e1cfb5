"""Every reader checks: `compare`, `leaderboard` (every table format and the site) and `merge` verify a folder as
`report` does (samples.jsonl's sha256, every credit and every metric and interval recomputed) and refuse one that
does not verify in one line; `--trust` shows it anyway, marked. `merge` never launders an edited part."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import build_llama_classifier, preference_rows, write_jsonl
from rmeval.cli import main

Folder = Path
Tamper = Callable[[Folder], None]


def run_cli(*args: str) -> int:
    return main(["run", "--no-progress", "--precision", "fp32", *args])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, llama_classifier: Path) -> Path:
    """Two verified runs (two models) on data with two sections: `a` and `b`."""
    root = tmp_path_factory.mktemp("runs")
    data = write_jsonl(root / "d.jsonl", preference_rows(4))
    (root / "d.rmeval.yaml").write_text("sections:\n  Helpful: [alpha]\n  Safe: [beta]\n", encoding="utf-8")
    other = build_llama_classifier(root / "other-rm", seed=1)
    for name, model in (("a", llama_classifier), ("b", other)):
        assert run_cli("--model", str(model), "--data", str(data), "--output-dir", str(root / name)) == 0
    return root


def lines(folder: Folder) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (folder / "samples.jsonl").read_text(encoding="utf-8").splitlines()]


def write_lines(folder: Folder, rows: list[dict[str, Any]]) -> None:
    (folder / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def edit_samples(change: Callable[[list[dict[str, Any]]], None]) -> Tamper:
    def tamper(folder: Folder) -> None:
        rows = lines(folder)
        change(rows)
        write_lines(folder, rows)
    return tamper


def edit_result(change: Callable[[dict[str, Any]], None]) -> Tamper:
    def tamper(folder: Folder) -> None:
        result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
        change(result)
        (folder / "result.json").write_text(json.dumps(result), encoding="utf-8")
    return tamper


def flip(rows: list[dict[str, Any]]) -> None:
    rows[0]["correct"] = 1.0 - rows[0]["correct"]


def set_score(key: str, value: float) -> Callable[[list[dict[str, Any]]], None]:
    def change(rows: list[dict[str, Any]]) -> None:
        rows[0][key] = [value]
    return change


def swap(rows: list[dict[str, Any]]) -> None:
    rows[0]["scores_chosen"], rows[0]["scores_rejected"] = rows[0]["scores_rejected"], rows[0]["scores_chosen"]


def consistent(rows: list[dict[str, Any]]) -> None:
    """Scores swapped and the credit made to match them: each line is self-consistent."""
    swap(rows)
    flip(rows)


def added(rows: list[dict[str, Any]]) -> None:
    rows.append({**rows[0], "id": 999})


def moved(rows: list[dict[str, Any]]) -> None:
    rows[0]["subset"] = "beta" if rows[0]["subset"] == "alpha" else "alpha"
    rows[0]["id"] = 998


def reordered(rows: list[dict[str, Any]]) -> None:
    rows[0], rows[1] = rows[1], rows[0]


def consistent_with_hash(folder: Folder) -> None:
    """Samples edited consistently and result.json's samples_sha256 updated to them: the metrics still tell."""
    edit_samples(consistent)(folder)
    digest = hashlib.sha256((folder / "samples.jsonl").read_bytes()).hexdigest()
    edit_result(lambda r: r.update(samples_sha256=digest))(folder)


def bump(*path: str, by: float = 0.1) -> Callable[[dict[str, Any]], None]:
    def change(result: dict[str, Any]) -> None:
        node = result
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = node[path[-1]] + by
    return change


def widen(result: dict[str, Any]) -> None:
    result["metrics"]["ci"]["score"][1] = min(1.0, result["metrics"]["ci"]["score"][1] + 0.05)


TAMPERINGS: dict[str, Tamper] = {
    "flipped credit": edit_samples(flip),
    "NaN chosen score": edit_samples(set_score("scores_chosen", float("nan"))),
    "Infinity chosen score": edit_samples(set_score("scores_chosen", float("inf"))),
    "-Infinity rejected score": edit_samples(set_score("scores_rejected", float("-inf"))),
    "deleted line": edit_samples(lambda rows: rows.pop()),
    "duplicated line": edit_samples(lambda rows: rows.append(rows[0])),
    "swapped scores": edit_samples(swap),
    "scores and credit edited together": edit_samples(consistent),
    "added example": edit_samples(added),
    "example moved to another subset": edit_samples(moved),
    "lines reordered": edit_samples(reordered),
    "consistent edit with its hash updated": consistent_with_hash,
    "inflated section": edit_result(bump("metrics", "sections", "Safe")),
    "inflated score": edit_result(bump("metrics", "score")),
    "inflated subset accuracy": edit_result(bump("metrics", "subsets", "alpha", "accuracy")),
    "subset n changed": edit_result(bump("metrics", "subsets", "alpha", "n", by=1)),
    "ties changed": edit_result(bump("metrics", "subsets", "beta", "ties", by=1)),
    "samples_sha256 removed": edit_result(lambda r: r.pop("samples_sha256")),
    "samples_sha256 replaced": edit_result(lambda r: r.update(samples_sha256="0" * 64)),
    "interval widened": edit_result(widen),
    "subset removed from the metrics": edit_result(lambda r: r["metrics"]["subsets"].pop("beta")),
}
LEADERBOARD_FORMATS = (["--format", "md"], ["--format", "csv"], ["--format", "latex"], ["--out", "site"])


def tampered(runs: Path, tmp_path: Path, name: str) -> Folder:
    folder = tmp_path / "tampered"
    shutil.copytree(runs / "b", folder)
    TAMPERINGS[name](folder)
    return folder


def refused(capsys: pytest.CaptureFixture[str], folder: Folder) -> None:
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith(f"rmeval: error: {folder} does not verify: ") and line.endswith(
        "lists what differs, or --trust to show it anyway, marked)"), line
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_every_reader_refuses_a_tampered_folder_and_trust_shows_it_marked(
        runs: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tampered(runs, tmp_path, name)
    capsys.readouterr()
    assert main(["report", str(folder)]) == 1
    assert "WARNING: recomputed metrics differ from result.json" in capsys.readouterr().out
    assert main(["compare", str(runs / "a"), str(folder)]) == 2
    refused(capsys, folder)
    # --allow-different-data too: a deleted, duplicated or added line makes the two runs hold other examples
    assert main(["compare", str(runs / "a"), str(folder), "--trust", "--allow-different-data"]) == 0
    assert f"WARNING: {folder} does not verify (" in capsys.readouterr().out
    flags = LEADERBOARD_FORMATS[list(TAMPERINGS).index(name) % len(LEADERBOARD_FORMATS)]
    assert main(["leaderboard", str(runs / "a"), str(folder), *flags]) == 2
    refused(capsys, folder)


def test_every_table_format_and_the_site_mark_what_trust_lets_through(
        runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tampered(runs, tmp_path, "samples_sha256 removed")
    for fmt in ("md", "csv", "latex"):
        assert main(["leaderboard", str(runs / "a"), str(folder), "--format", fmt, "--trust"]) == 0
        text = capsys.readouterr().out
        assert sum("(unverified)" in line for line in text.splitlines()) == 1, text  # one row marked
    site = tmp_path / "site"
    assert main(["leaderboard", str(runs / "a"), str(folder), "--out", str(site), "--trust"]) == 0
    assert "WARNING: recomputed metrics differ from result.json for:" in capsys.readouterr().out
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count('<span class="mismatch" title="the metrics recomputed from samples.jsonl differ from those '
                       'result.json stored">!</span>') == 1
    rows = json.loads((site / "leaderboard.json").read_text())["entries"]
    assert [r["verified"] for r in rows].count(False) == 1


def test_verified_folders_pass_every_reader(runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(runs / "a"), str(runs / "b")]) == 0
    assert "WARNING" not in capsys.readouterr().out
    for flags in LEADERBOARD_FORMATS:
        assert main(["leaderboard", str(runs / "a"), str(runs / "b"), *flags[:1],
                     flags[1] if flags[0] == "--format" else str(tmp_path / "site")]) == 0
        assert "unverified" not in capsys.readouterr().out


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory, llama_classifier: Path) -> Path:
    root = tmp_path_factory.mktemp("parts")
    data = write_jsonl(root / "d.jsonl", preference_rows(520))  # two blocks of work, so two shards
    for i in range(2):
        assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(root / "p"),
                       "--shard", f"{i}/2") == 0
    return root / "p"


@pytest.mark.parametrize("name", ["flipped credit", "scores and credit edited together",
                                  "consistent edit with its hash updated", "samples_sha256 removed"])
def test_merge_refuses_a_tampered_part_and_launders_nothing(parts: Path, tmp_path: Path, name: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "p"
    shutil.copytree(parts, copy)
    TAMPERINGS[name](copy / "shard-1-of-2")
    out = tmp_path / "merged"
    capsys.readouterr()
    assert main(["merge", str(copy), "--output-dir", str(out)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"rmeval: error: {copy / 'shard-1-of-2'} does not verify: ")
    assert "--trust" not in line and not out.exists()
    assert main(["merge", str(parts), "--output-dir", str(out)]) == 0  # the parts as written merge, and verify
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
