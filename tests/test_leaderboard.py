"""`rmeval leaderboard`: entries from result folders, escaping, data markers, paper tables and the preview server.
(The pages' behaviour in a real browser is tested in test_site_browser.py.)"""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.request
from pathlib import Path

import pytest

from analysis_runs import write_run_folder
from rmeval.cli import main
from rmeval.site import build_site, load_entries, render_table, scorer_kind
from rmeval.site.serve import make_server

XSS = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(("scorer", "kind"), [
    ({"kind": "classifier", "model": "m"}, "classifier"),
    ({"kind": "implicit", "model": "m", "ref_model": "base"}, "implicit"),
    ({"kind": "implicit", "model": "m", "ref_model": None, "ref_free": "avg"}, "implicit ref-free"),
    ({"kind": "implicit", "model": "m"}, "implicit ref-free"),
    # what the implicit scorer's describe() records
    ({"kind": "implicit", "model": "m", "reference": {"model": "base"}, "ref_free": None}, "implicit"),
    ({"kind": "implicit", "model": "m", "reference": None, "ref_free": "avg"}, "implicit ref-free"),
    ({"kind": "judge", "model": "openai/gpt-4o", "mode": "pairwise"}, "judge"),
    ({"model": "m"}, "unknown"),
    ({"kind": "custom-head"}, "custom-head"),
])
def test_kind_comes_from_the_recorded_scorer(scorer: dict[str, object], kind: str) -> None:
    assert scorer_kind(scorer) == kind


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """Four result folders: three on the same data and conventions, one on a --limit selection."""
    root = tmp_path / "results"
    write_run_folder(root / "a", "org/strong", skill=1.2, describe={"kind": "classifier"})
    write_run_folder(root / "b", XSS, skill=0.3, describe={"kind": "judge"})
    write_run_folder(root / "c", "org/dpo", skill=0.6, describe={"kind": "implicit", "ref_model": "org/base"})
    write_run_folder(root / "d", "org/partial", skill=0.6, limit=5, describe={"kind": "implicit", "ref_free": "avg"})
    return root


def test_site_pages_escape_every_text_and_show_intervals(results: Path, tmp_path: Path) -> None:
    entries = load_entries([results])
    assert [e.model for e in entries] == ["org/strong", XSS, "org/dpo", "org/partial"]
    assert all(e.verified for e in entries)
    build = build_site(entries, tmp_path / "site")
    index = build.index.read_text()
    assert XSS not in index and "&lt;img src=x onerror=alert(1)&gt;" in index
    assert "<script" not in index.replace('<script src="assets/leaderboard.js"></script>', "")
    assert "Content-Security-Policy" in index and "http" not in index.replace("http-equiv", "")
    strong = next(e for e in entries if e.model == "org/strong")
    assert f"{100 * strong.score:.2f}" in index and f"[{100 * strong.score_ci[0]:.2f}" in index  # type: ignore[index]
    pages = sorted((tmp_path / "site" / "models").glob("*.html"))
    assert len(pages) == 4 and build.pages == 5
    xss_page = (tmp_path / "site" / "models" / f"{entries[1].slug}.html").read_text()
    assert XSS not in xss_page and "&lt;img src=x onerror=alert(1)&gt;" in xss_page
    assert "should-respond" in xss_page and "Refusals (Safety)" in xss_page and "<svg" in xss_page
    assert "&quot;benchmark&quot;: &quot;rewardbench-mini&quot;" in xss_page  # the full run spec, as text
    assert (tmp_path / "site" / "assets" / "leaderboard.js").is_file()


def test_data_markers_group_entries_by_data_and_conventions(results: Path, tmp_path: Path) -> None:
    entries = load_entries([results])
    keys = [e.group_key for e in entries]
    assert keys[0] == keys[1] == keys[2] != keys[3]
    index = build_site(entries, tmp_path / "site").index.read_text()
    assert "Entries with different letters scored different data" in index
    rows = {r["model"]: r for r in json.loads((tmp_path / "site" / "leaderboard.json").read_text())["entries"]}
    assert rows["org/strong"]["data_group"] == rows[XSS]["data_group"] != rows["org/partial"]["data_group"]


def test_tables_for_papers(results: Path) -> None:
    entries = load_entries([results])
    md = render_table(entries, "md")
    assert "| # | Model |" not in md and "| \\# | Model | Kind | Score | Chat | Chat Hard | Safety | Reasoning |" in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md and "<img" not in md and md.count("\n| ") == 5
    latex = render_table(entries, "latex")
    assert "\\begin{tabular}" in latex and "\\textless{}img src=x onerror=alert(1)\\textgreater{}" in latex
    assert "org/strong & classifier" in latex
    rows = list(csv.DictReader(io.StringIO(render_table(entries, "csv"))))
    strong = next(e for e in entries if e.model == "org/strong")
    row = next(r for r in rows if r["model"] == "org/strong")
    assert float(row["score"]) == pytest.approx(strong.score) and row["rank"] == "1"
    assert float(row["Chat_lo"]) == pytest.approx(strong.sections_ci["Chat"][0])
    with pytest.raises(ValueError, match="unknown table format"):
        render_table(entries, "xlsx")


def test_leaderboard_cli_site_and_table(results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", str(results), "--out", str(tmp_path / "site")]) == 0
    assert "wrote 5 pages for 4 entries" in capsys.readouterr().out
    assert main(["leaderboard", str(results / "a"), str(results / "c"), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### rewardbench-mini") and "org/dpo" in out and "org/partial" not in out
    assert main(["leaderboard", str(results), "--format", "csv", "--out", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").read_text().startswith("dataset,benchmark,rank,model,run,kind,score")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["leaderboard", str(empty)]) == 2
    assert "no result.json in it or below it" in capsys.readouterr().err


def test_edited_samples_and_unknown_benchmarks_are_marked(results: Path, tmp_path: Path) -> None:
    samples = results / "a" / "samples.jsonl"
    lines = samples.read_text().splitlines()
    first = json.loads(lines[0])
    first["scores_chosen"], first["scores_rejected"] = [-5.0], [5.0]
    samples.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    result = json.loads((results / "c" / "result.json").read_text())
    result["spec"]["benchmark"] = "a-benchmark-from-the-future"
    (results / "c" / "result.json").write_text(json.dumps(result))
    entries = {e.model: e for e in load_entries([results])}
    assert entries["org/strong"].verified is False and entries["org/dpo"].verified is None
    build_site(list(entries.values()), tmp_path / "site")
    page = (tmp_path / "site" / "models" / f"{entries['org/strong'].slug}.html").read_text()
    assert "differ from those in result.json" in page
    page = (tmp_path / "site" / "models" / f"{entries['org/dpo'].slug}.html").read_text()
    assert "does not know the benchmark of this run" in page


def test_serve_previews_the_site_on_loopback(results: Path, tmp_path: Path) -> None:
    build_site(load_entries([results]), tmp_path / "site")
    server = make_server(tmp_path / "site", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with urllib.request.urlopen(base, timeout=10) as response:
            assert response.status == 200 and "Reward model leaderboard" in response.read().decode()
        with urllib.request.urlopen(base + "assets/leaderboard.js", timeout=10) as response:
            assert b"sortTable" in response.read()
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(FileNotFoundError, match="build the site first"):
        make_server(tmp_path, port=0)
