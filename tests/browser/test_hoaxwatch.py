"""Issue #13 part 7 in a real browser: an analyst opens an earthquake's hoax-watch queue,
proposes the suggested correction of a prediction hoax in one click (it lands in review with
the post and the event), dismisses a donation hoax, and an admin approves the correction; on
Debian's Chromium over a real ``damai serve``. Screenshots go to ``build/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import test_dashboard as dashboard
from tests.integration.hoaxwatch_helpers import stock

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("hoaxwatch")

    def fill(db_url: str) -> None:
        stock(Path(tmp), db_url)

    with dashboard.running_server(tmp, fill) as base:
        yield base


def test_draft_a_correction_and_dismiss_from_the_queue(server: str) -> None:
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/hoaxwatch") as (page, csp_errors):
        page.goto(server + "/hoaxwatch?event=1")
        rows = page.locator("section.hoaxwatch-event table.hoaxwatch tbody tr")
        expect(rows).to_have_count(4)
        prediction = rows.filter(has_text="jam 6 lebih besar")
        expect(prediction.locator("li[data-reason='pattern:ramalan']")).to_be_visible()
        page.screenshot(path=str(dashboard.SHOTS / "hoaxwatch.png"), full_page=True)
        prediction.locator("button.draft").click()
        expect(page).to_have_url(server + "/responses#response-1")
        card = page.locator("article.response[data-state=in_review]")
        expect(card).to_contain_text("Gempa bumi belum bisa diramalkan")
        page.goto(server + "/hoaxwatch?event=1")
        expect(rows.filter(has_text="jam 6 lebih besar")).to_have_attribute(
            "data-status", "drafted")
        rows.filter(has_text="rek BCA").locator("button.dismiss").click()
        expect(rows).to_have_count(3)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"

    with dashboard.signed_in_page(server, "admin", "/responses") as (page, csp_errors):
        card = page.locator("article.response[data-state=in_review]")
        expect(card).to_have_count(1)
        card.locator("form.approve button").click()
        expect(page.locator("article.response[data-state=approved]")).to_have_count(1)
    assert csp_errors == []
