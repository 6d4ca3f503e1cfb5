"""The leaderboard site in a real headless browser (Debian's chromium driven by Playwright), opened from disk:
no console errors, sortable columns, the kind filter, and untrusted model names shown as text that runs nothing.

CI installs chromium (.ci/run); on a machine without it these tests skip and say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analysis_runs import write_run_folder
from browser_support import Watched, pytestmark  # noqa: F401  (the skip mark applies to this module)
from rmeval.site import build_site, load_entries

XSS = "<img src=x onerror=alert(1)>"
SCRIPT_NAME = '"><script>window.__pwned = 1</script>'

MODELS = [  # model, kind recorded by the scorer, skill
    ("org/strong", {"kind": "classifier"}, 1.4),
    (XSS, {"kind": "judge"}, 0.2),
    ("org/dpo", {"kind": "implicit", "ref_model": "org/base"}, 0.8),
    ("org/dpo-free", {"kind": "implicit", "ref_free": "avg"}, 0.5),
    (SCRIPT_NAME, {"kind": "classifier"}, 0.0),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    for i, (model, describe, skill) in enumerate(MODELS):
        write_run_folder(root / "results" / f"run-{i}", model, skill=skill, seed=i, describe=describe, bootstrap=100)
    build_site(load_entries([root / "results"]), root / "site")
    return root / "site"


def column(page: Any, index: int) -> list[str]:
    """The data-value of one column, rows in their current order, visible rows only."""
    return [str(v) for v in page.eval_on_selector_all(
        "table.leaderboard tbody tr:not([hidden])", f"rows => rows.map(r => r.cells[{index}].dataset.value)")]


def test_every_page_loads_without_console_errors(site: Path, watched: Watched) -> None:
    page = watched.open(site / "index.html")
    assert page.locator("table.leaderboard tbody tr").count() == len(MODELS)
    # Rows are laid out as flex boxes for speed; the accessibility tree must still see a table.
    assert page.get_by_role("row").count() == len(MODELS) + 1
    assert page.get_by_role("columnheader", name="Score").count() == 1
    assert page.get_by_role("cell", name="org/strong").count() == 1
    assert page.locator("#shown").text_content() == f"showing {len(MODELS)} of {len(MODELS)}"
    for model_page in sorted((site / "models").glob("*.html")):
        page = watched.open(model_page)
        assert page.locator("svg.chart").count() >= 3
    assert watched.problems == [] and watched.dialogs == []


def test_clicking_a_column_header_reorders_the_rows(site: Path, watched: Watched) -> None:
    page = watched.open(site / "index.html")
    scores = [float(v) for v in column(page, 3)]
    assert scores == sorted(scores, reverse=True)  # ranked by score on arrival
    page.get_by_role("button", name="Model").click()
    names = column(page, 1)
    assert names == sorted(names) and names != [n.lower() for n, _, _ in MODELS]
    assert page.locator("th", has=page.get_by_role("button", name="Model")).get_attribute("aria-sort") == "ascending"
    page.get_by_role("button", name="Model").click()
    assert column(page, 1) == sorted(names, reverse=True)
    page.get_by_role("button", name="Score").click()  # a numeric column starts best first
    assert [float(v) for v in column(page, 3)] == sorted(scores, reverse=True)
    page.get_by_role("button", name="Score").click()
    assert [float(v) for v in column(page, 3)] == sorted(scores)
    assert watched.problems == []


def test_the_kind_filter_hides_rows(site: Path, watched: Watched) -> None:
    page = watched.open(site / "index.html")
    page.select_option("#kind-filter", "implicit")
    assert column(page, 1) == ["org/dpo"]
    assert page.locator("#shown").text_content() == f"showing 1 of {len(MODELS)}"
    assert page.locator("table.leaderboard tbody tr[hidden]").count() == len(MODELS) - 1
    page.select_option("#kind-filter", "classifier")
    assert sorted(column(page, 2)) == ["classifier", "classifier"]
    page.fill("#model-filter", "strong")
    assert column(page, 1) == ["org/strong"]
    page.select_option("#kind-filter", "")
    page.fill("#model-filter", "")
    assert len(column(page, 1)) == len(MODELS)


def test_untrusted_model_names_show_as_text_and_run_nothing(site: Path, watched: Watched) -> None:
    page = watched.open(site / "index.html")
    links = page.locator("table.leaderboard tbody a").all_text_contents()
    assert XSS in links and SCRIPT_NAME in links
    assert page.locator("img").count() == 0 and page.locator("body script").count() == 1
    assert page.evaluate("window.__pwned") is None
    page.get_by_role("link", name=XSS).click()
    page.wait_for_load_state("load")
    assert page.locator("h1").text_content() == XSS and page.locator("img").count() == 0
    page.go_back()
    page.get_by_role("link", name=SCRIPT_NAME).click()
    page.wait_for_load_state("load")
    assert page.locator("h1").text_content() == SCRIPT_NAME and page.evaluate("window.__pwned") is None
    assert watched.dialogs == [] and watched.problems == []
