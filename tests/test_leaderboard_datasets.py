"""Leaderboards per dataset: one ranked table per custom dataset under its name in every format, names escaped for
each format, missing values written one way, a one-subset dataset's `default` column hidden, runs of one model told
apart, flags explained. (The site in chromium: test_site_browser_datasets.py.)"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from dataset_runs import FORMULA_NAME, write_custom_leaderboard
from rmeval.site import build_site, load_entries, render_table
from rmeval.site.formats import csv_cell, md_text
from rmeval.site.html import esc
from rmeval.site.index_page import FLAGS


@pytest.fixture(scope="module")
def entries(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    return load_entries([write_custom_leaderboard(tmp_path_factory.mktemp("datasets"))])


def test_one_ranked_table_per_dataset_in_markdown_and_latex(entries: list) -> None:  # type: ignore[type-arg]
    md = render_table(entries, "md")
    assert [line for line in md.splitlines() if line.startswith("### ")] == [
        "### alpha", "### Natural/dataset", "### zeta-prefs"]  # by name
    alpha = md.split("### alpha")[1].split("###")[0]
    assert "| \\# | Model | Kind | Score | Data |" in alpha  # its one subset is its score: no `default` column
    assert "| tiny-rm (max\\_length=128) |" in alpha and "tiny-rm (max\\_length=512) \\[2026-01-02 10:00\\]" in alpha
    assert "| \\# | Model | Kind | Score | chat | code | Data |" in md.split("### zeta-prefs")[1]
    latex = render_table(entries, "latex")
    assert latex.count("\\begin{tabular}") == 3 and "\\subsection*{alpha}" in latex
    assert "a\\_b \\& 50\\% \\{x\\} \\#1 \\textasciitilde{} \\$" in latex


def test_csv_has_one_row_per_run_with_its_dataset_and_missing_values_empty(entries: list) -> None:  # type: ignore[type-arg]
    rows = list(csv.DictReader(io.StringIO(render_table(entries, "csv"))))
    assert {r["dataset"] for r in rows} == {"Natural/dataset", "alpha", "zeta-prefs"}
    alpha = [r for r in rows if r["dataset"] == "alpha"]
    assert [r["rank"] for r in alpha] == ["1", "2", "3", "4"] and all(r["chat"] == "" for r in alpha)
    assert all("nan" not in v.lower() for r in rows for v in r.values())
    formula = [r for r in rows if r["model"].startswith("'=")]
    assert formula and all(r["model"] == "'" + FORMULA_NAME for r in formula)
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values() if v)


def test_the_site_names_each_dataset_and_tells_runs_apart(entries: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    index = build_site(entries, tmp_path / "site").index.read_text()
    overview = index.split('<section class="overview">')[1].split("</section>")[0]
    groups = [g.split("</th>")[0] for g in overview.split('scope="colgroup"')[1:]]
    assert [g.split('<span class="word">')[-1].split("</span>")[0] for g in groups] == [
        "alpha", "Natural/dataset", "zeta-prefs"]
    assert "tiny-rm (max_length=128)" in overview and "tiny-rm (max_length=512)" in overview
    alpha = index.split('data-benchmark="alpha"')[1].split("</section>")[0]
    assert "tiny-rm (max_length=512) [2026-01-02 10:00]" in alpha  # the same model and options, run twice
    assert ">default<" not in alpha
    assert "<script" not in index.replace('<script src="assets/leaderboard.js"></script>', "")


def test_every_flag_shown_is_explained(entries: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    partial = [replace(entries[0], complete=False), *entries[1:]]  # a copy: the module's entries stay as they are
    index = build_site(partial, tmp_path / "site").index.read_text()
    assert esc(FLAGS["partial"][1]) in index.split('<ul class="flags">')[1]
    assert '<ul class="flags">' not in build_site(entries, tmp_path / "other").index.read_text()


@pytest.mark.parametrize("name", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_never_starts_a_formula(name: str) -> None:
    assert csv_cell(name) == "'" + name and csv_cell("safe-name") == "safe-name" and csv_cell(-0.5) == -0.5


def test_markdown_names_are_inert_text() -> None:
    text = md_text('<script>alert(1)</script> a|b <img src=x onerror=alert(1)> [x](javascript:y) `c`')
    assert "<" not in text and ">" not in text and "|" not in text.replace("\\|", "")
    assert "\\[x\\](javascript:y)" in text and "\\`c\\`" in text
