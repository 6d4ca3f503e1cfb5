"""The leaderboard of three custom datasets in chromium: three named column groups in the overview, a section per
dataset, and every page working under its own strict Content-Security-Policy (no violation, no inline handler, no
inline style or script), the margin chart with its legend and zero line."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import Watched, pytestmark  # noqa: F401  (the skip mark applies to this module)
from dataset_runs import write_custom_leaderboard
from rmeval.site import build_site, load_entries

WATCH_CSP = "window.__csp = []; document.addEventListener('securitypolicyviolation', " \
            "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
INLINE = """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
  .filter(a => a.name.startsWith('on') || a.name === 'style' || a.value.trim().toLowerCase().startsWith('javascript:'))
  .map(a => e.tagName + ' ' + a.name))
  .concat([...document.querySelectorAll('script')].filter(s => !s.src || s.textContent.trim())
  .map(s => 'inline script'))"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("custom-datasets")
    build_site(load_entries([write_custom_leaderboard(root)]), root / "site")
    return root / "site"


def test_three_custom_datasets_are_three_named_groups(site: Path, watched: Watched) -> None:
    page = watched.open(site / "index.html")
    groups = page.locator("table.overview th[scope=colgroup]").all_text_contents()
    assert [g.strip() for g in groups] == ["alpha", "Natural/dataset", "zeta-prefs"]
    assert page.locator("section[data-benchmark] > h2").all_text_contents() == ["alpha", "Natural/dataset",
                                                                                "zeta-prefs"]
    models = page.locator("table.overview td.model").all_text_contents()
    assert "tiny-rm (max_length=128)" in models and "tiny-rm (max_length=512)" in models
    assert watched.problems == []


def test_every_page_works_under_its_own_strict_csp(site: Path, watched: Watched) -> None:
    watched.page.add_init_script(WATCH_CSP)
    for path in [site / "index.html", *sorted((site / "models").glob("*.html"))]:
        page = watched.open(path)
        assert "script-src 'self'" in (page.locator("meta[http-equiv=Content-Security-Policy]")
                                       .get_attribute("content") or "")
        assert page.evaluate(INLINE) == [], path.name
        assert page.evaluate("window.__csp") == [], path.name
    page = watched.open(site / "index.html")
    page.get_by_role("button", name="Model").first.click()  # the site's own script runs under the policy
    page.select_option("#kind-filter", "judge")
    assert page.locator("#shown").text_content() == "showing 0 of 11"
    assert watched.problems == [] and watched.dialogs == []


def test_the_margin_chart_has_a_legend_and_a_zero_line(site: Path, watched: Watched) -> None:
    page = watched.open(next(p for p in sorted((site / "models").glob("*.html")) if "tiny-rm" in p.name))
    chart = page.locator("svg.chart", has_text="Margins")
    assert chart.count() == 1
    text = chart.text_content() or ""
    assert "chosen scored higher (margin > 0)" in text and "rejected scored as high or higher" in text
    assert chart.locator("text", has_text="0").count() >= 1 and chart.locator("line").count() >= 1
