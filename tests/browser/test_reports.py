"""Issue #14 part 6 in a real browser: an analyst picks a period on ``/reports`` and views the
weekly report (styled from its own stylesheet, SVG charts, no CSP error), and the posts page
offers the export of the current search; on Debian's Chromium over a real ``damai serve``.
Screenshots go to ``build/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import test_dashboard as dashboard
from tests.integration.report_helpers import PERIOD, stock_reports

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("reports")

    def fill(db_url: str) -> None:
        stock_reports(db_url)

    with dashboard.running_server(Path(tmp), fill) as base:
        yield base


def test_view_the_weekly_report_and_find_the_export(server: str) -> None:
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/reports") as (page, csp_errors):
        form = page.locator("#report-weekly form")
        form.locator("input[name=since]").fill(PERIOD[0])
        form.locator("input[name=until]").fill(PERIOD[1])
        form.locator("button[value=html]").click()
        expect(page.locator("h1")).to_have_text("Laporan mingguan Damai")
        expect(page.locator("svg")).to_have_count(6)
        # the stylesheet applied: tables collapse their borders
        assert page.locator("table").first.evaluate(
            "t => getComputedStyle(t).borderCollapse") == "collapse"
        page.screenshot(path=str(dashboard.SHOTS / "report_weekly.png"), full_page=True)
        page.goto(server + "/posts?label=hate_speech")
        link = page.locator("#post-export a").first
        expect(link).to_have_attribute("href", "/posts/export?format=csv&label=hate_speech")
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
