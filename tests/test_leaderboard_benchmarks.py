"""The leaderboard across benchmarks: display names (never paths), runs grouped by data and ranked within each
group, one row per model in the overview with a column group per benchmark, a page per model and benchmark with
its facets and the run spec folded; the paper tables keep one table per benchmark. (The browser checks are in
test_site_browser_benchmarks.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rmeval.site import build_site, load_entries, render_table
from rmeval.site.groups import groups_of, models_across
from site_runs import write_two_benchmarks


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_two_benchmarks(tmp_path_factory.mktemp("two"))


def test_display_names_and_groups(results: Path) -> None:
    entries = load_entries([results])
    names = {e.model for e in entries}
    assert names == {"strong-rm", "local-rm", "org/judge-with-a-rather-long-name-for-its-column"}
    local = next(e for e in entries if e.model == "local-rm")
    assert local.model_id == "/home/someone/checkpoints/local-rm"
    rm = [e for e in entries if e.benchmark == "rm-bench"]
    groups = groups_of(rm)
    assert [g[0] for g in groups] == ["A", "B"] and [len(g[2]) for g in groups] == [3, 1]
    assert [e.score for e in groups[0][2]] == sorted((e.score for e in groups[0][2]), reverse=True)
    assert groups[1][2][0].data_description.endswith("2 per subset") and groups[1][2][0].dataset == "rm-bench"
    rows = models_across({"rm-bench": rm, "judgebench": [e for e in entries if e.benchmark == "judgebench"]})
    assert len(rows) == 3 and all(set(runs) == {"rm-bench", "judgebench"} for _, _, runs in rows)
    strong = next(runs for model, _, runs in rows if model == "strong-rm")
    assert strong["rm-bench"].dataset == groups[0][2][0].dataset  # the run on data A, not the limited one


def test_site_pages_across_two_benchmarks(results: Path, tmp_path: Path) -> None:
    entries = load_entries([results])
    assert all(e.verified for e in entries)
    index = build_site(entries, tmp_path / "site").index.read_text()
    assert "/home/someone" not in index and ">local-rm</a>" in index
    overview = index[index.index('<section class="overview">'):index.index('<section data-benchmark=')]
    assert sorted(re.findall(r'class="group-head group-start"><span class="word">([^<]+)</span></th>', overview)) == [
        "judgebench", "rm-bench"]
    assert overview.count('<tr role="row" data-kind=') == 3
    # each benchmark's section: one table and one chart per data group, the largest group first
    rm = next(part for part in index.split("<section data-benchmark=") if part.startswith('"rm-bench"'))
    assert rm.count('<table class="leaderboard"') == 2 and rm.count('<svg class="chart"') == 2
    assert rm.index("Data A:") < rm.index("Data B:") and "Entries with different letters" in rm
    strong = next(e for e in entries if e.model == "strong-rm" and e.benchmark == "rm-bench" and e.complete)
    page = (tmp_path / "site" / "models" / f"{strong.slug}.html").read_text()
    assert "<h2>Facets</h2>" in page and ">Hard<" in page
    assert '<details class="spec"><summary>' in page and "<details open" not in page
    judge = next(e for e in entries if e.model == "strong-rm" and e.benchmark == "judgebench")
    assert f'href="{judge.slug}.html">judgebench</a>' in page  # the model's other benchmark


def test_paper_tables_stay_one_per_benchmark(results: Path) -> None:
    md = render_table(load_entries([results]), "md")
    assert md.count("### ") == 2 and "| local-rm |" in md and "/home/someone" not in md
