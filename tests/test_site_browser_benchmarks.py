"""The leaderboard of two benchmarks in chromium, at 1280 and 800 pixels wide: the overview's column groups, a
page per model and benchmark, the run spec folded, a chart per data group, sorting under grouped headers, and no
header or interval text broken inside a word or spilling over its cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser_support import Watched, pytestmark  # noqa: F401  (the skip mark applies to this module)
from rmeval.site import build_site, load_entries
from site_runs import write_two_benchmarks

BROKEN_WORDS = """selector => {
  // Every word of the matched elements' text: laid out on more than one line means it was broken inside.
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    if (!element.getClientRects().length) continue;  // not displayed (a hidden row)
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

SPILLS = """selector => [...document.querySelectorAll(selector)]
  .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent)"""

ONE_LINE = """selector => [...document.querySelectorAll(selector)]
  .filter(e => e.getClientRects().length && new Set([...e.getClientRects()].map(r => Math.round(r.top))).size > 1)
  .map(e => e.textContent)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("two-benchmarks")
    build_site(load_entries([write_two_benchmarks(root)]), root / "site")
    return root / "site"


@pytest.mark.parametrize("width", [1280, 800])
def test_headers_and_intervals_never_break_inside_a_word(site: Path, watched: Watched, width: int) -> None:
    watched.page.set_viewport_size({"width": width, "height": 900})
    page = watched.open(site / "index.html")
    assert page.evaluate(BROKEN_WORDS, "table.leaderboard th") == []
    assert page.evaluate(BROKEN_WORDS, "table.leaderboard .ci") == []
    assert page.evaluate(ONE_LINE, "table.leaderboard .ci") == []  # an interval stays on one line
    assert page.evaluate(SPILLS, "table.leaderboard th, table.leaderboard td") == []  # nothing overlaps its cell
    # A table wider than the page scrolls in its own box; the page itself never does.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for model_page in sorted((site / "models").glob("*.html")):
        page = watched.open(model_page)
        assert page.evaluate(BROKEN_WORDS, "th") == [] and page.evaluate(ONE_LINE, ".ci") == []
    assert watched.problems == [] and watched.dialogs == []


def test_overview_groups_columns_by_benchmark_and_links_each_run(site: Path, watched: Watched) -> None:
    page = watched.open(site / "index.html")
    overview = page.locator("table.overview")
    assert sorted(overview.locator("th.group-head").all_text_contents()) == ["judgebench", "rm-bench"]
    assert overview.locator("tbody tr").count() == 3
    assert page.locator("#shown").text_content() == "showing 7 of 7"  # the runs below; the overview repeats them
    assert "/home/someone" not in page.content() and overview.get_by_role("cell", name="local-rm").count() == 1
    # Sorting a column under the grouped headers reorders the overview by that column.
    header = overview.locator("thead tr").last.locator("th").nth(3)
    header.locator("button").click()
    header.locator("button").click()
    values = [float(v) for v in page.eval_on_selector_all(
        "table.overview tbody tr", "rows => rows.map(r => r.cells[3].dataset.value)")]
    assert values == sorted(values)
    link = overview.locator("tbody tr").first.locator("td a").first
    link.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").text_content() in ("strong-rm", "local-rm", "org/judge-with-a-rather-long-name-for-"
                                                                          "its-column")
    assert page.locator("details.spec").get_attribute("open") is None
    assert not page.locator("details.spec pre").is_visible()
    page.locator("details.spec summary").click()
    assert page.locator("details.spec pre").is_visible()
    assert watched.problems == []


def test_each_data_group_has_its_table_and_chart(site: Path, watched: Watched) -> None:
    page = watched.open(site / "index.html")
    rm = page.locator('section[data-benchmark="rm-bench"]')
    assert rm.locator("h3.group").count() == 2 and rm.locator("svg.chart").count() == 2
    assert rm.locator("table.leaderboard").first.locator("tbody tr").count() == 3
    titles = rm.locator("svg.chart title").all_text_contents()
    assert any("data A" in t for t in titles) and any("data B" in t for t in titles)
    page.select_option("#kind-filter", "judge")
    assert page.locator("#shown").text_content() == "showing 2 of 7"
    assert watched.problems == []


def test_a_page_per_model_and_benchmark(site: Path, watched: Watched) -> None:
    pages = sorted((site / "models").glob("*.html"))
    assert len(pages) == 7
    headings: dict[str, list[Any]] = {}
    for p in pages:
        page = watched.open(p)
        headings.setdefault(str(page.locator("h1").text_content()), []).append(page.title())
    assert sorted(len(v) for v in headings.values()) == [2, 2, 3]  # strong-rm: two RM-Bench data groups
    assert all(any("rm-bench" in t for t in titles) and any("judgebench" in t for t in titles)
               for titles in headings.values())
