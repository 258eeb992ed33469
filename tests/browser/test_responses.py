"""Issue #11 in a real browser: an analyst proposes a response on a post's page, a second user
(an admin) approves it in the approver's queue and publishes it to the dry-run channel, and the
outbox shows it once, on Debian's Chromium over a real ``damai serve``. Screenshots go to
``build/screenshots/``."""

from __future__ import annotations

import pytest

from tests.browser import test_dashboard as dashboard

pytestmark = pytest.mark.browser

# the dashboard test's server (module-scoped: this module gets one of its own, fresh store)
server = dashboard.server

TEXT = ("Beda keyakinan tetap tetangga. Mari selesaikan perbedaan dengan bicara, bukan dengan "
        "mengusir siapa pun.")


def test_propose_approve_and_publish_to_the_dry_run_outbox_in_chromium(server: str) -> None:
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/posts/4") as (page, csp_errors):
        page.fill("#propose-text-box", TEXT)
        page.click("#propose-own")
        card = page.locator("article.response[data-state=in_review]")
        expect(card).to_have_count(1)
        expect(card.locator(".response-text")).to_have_text(TEXT)
        expect(page.locator("#four-eyes")).to_have_attribute("data-on", "true")
        expect(card.locator("form.approve")).to_have_count(0)  # analysts do not approve
        page.screenshot(path=str(dashboard.SHOTS / "responses-proposed.png"), full_page=True)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"

    with dashboard.signed_in_page(server, "admin", "/responses") as (page, csp_errors):
        card = page.locator("article.response[data-state=in_review]")
        card.locator("form.approve button").click()
        approved = page.locator("article.response[data-state=approved]")
        expect(approved).to_have_count(1)
        expect(approved).to_contain_text("admin")
        approved.locator("form.publish button").click()
        expect(page).to_have_url(server + "/outbox")
        expect(page.locator("#outbox tbody tr")).to_have_count(1)
        expect(page.locator("#outbox tbody tr")).to_contain_text(TEXT)
        page.screenshot(path=str(dashboard.SHOTS / "responses-outbox.png"), full_page=True)
        # once published, the queue offers no second publication
        page.goto(server + "/responses")
        expect(page.locator("article.response[data-state=approved] form.publish")).to_have_count(0)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
