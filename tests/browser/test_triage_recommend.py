"""Issue #11 in a real browser: the triage queue loads each flagged post's top three
recommendations (htmx, as the row scrolls into view), an analyst proposes one in one click, and
an admin approves it and publishes it to the dry-run outbox, on Debian's Chromium over a real
``damai serve`` with the starter library. Screenshots go to ``build/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from damai.pipeline.library import import_library
from damai.storage import open_store
from tests.browser import test_dashboard as dashboard

pytestmark = pytest.mark.browser


def _fill_with_library(db_url: str) -> None:
    dashboard._fill(db_url)
    with open_store(db_url) as store:
        import_library(store, None, actor="cli:test")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dashboard.running_server(tmp_path_factory.mktemp("recommend"),
                                  _fill_with_library) as base:
        yield base


def test_propose_a_recommendation_from_triage_then_approve_and_publish(server: str) -> None:
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/triage") as (page, csp_errors):
        row = page.locator("#triage-queue tbody tr", has_text="Kafir-kafir")
        recs = row.locator("li.rec")
        expect(recs).to_have_count(3, timeout=30_000)  # the first one loads the model
        expect(recs.first.locator("ul.reasons li").first).to_be_visible()
        entry = recs.first.get_attribute("data-entry")
        recs.first.locator("button.propose").click()
        expect(row.locator(".recs.proposed")).to_contain_text("menunggu persetujuan")
        page.screenshot(path=str(dashboard.SHOTS / "triage-recommendations.png"),
                        full_page=True)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
    assert entry is not None

    with dashboard.signed_in_page(server, "admin", "/responses") as (page, csp_errors):
        card = page.locator("article.response[data-state=in_review]")
        expect(card).to_have_count(1)
        expect(card).to_contain_text(entry)
        card.locator("form.approve button").click()
        approved = page.locator("article.response[data-state=approved]")
        expect(approved).to_have_count(1)
        approved.locator("form.publish button").click()
        expect(page).to_have_url(server + "/outbox")
        expect(page.locator("#outbox tbody tr")).to_have_count(1)
        page.goto(server + "/")
        expect(page.locator("#measure-coverage")).not_to_have_text("0%")
        page.screenshot(path=str(dashboard.SHOTS / "overview-measures.png"), full_page=True)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
