"""Issue #9 in a real browser: the "Bantu model / Teach the model" queue on Debian's Chromium
over a real ``damai serve`` with the bundled model. An analyst labels a post in one click per
label (htmx swaps the card in place), and the post has left the queue on the next visit; the model
page then counts the labels. Screenshots go to ``build/screenshots/``."""

from __future__ import annotations

import pytest

from tests.browser import test_dashboard as dashboard

pytestmark = pytest.mark.browser

# the dashboard test's server (module-scoped: this module gets one of its own, fresh store)
server = dashboard.server


def test_teach_the_model_in_chromium(server: str) -> None:
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/teach") as (page, csp_errors):
        expect(page.locator("h1")).to_have_text("Bantu model")
        cards = page.locator("#teach-queue article.teach-card")
        expect(cards.first).to_be_visible()
        # htmx (a deferred script) must be listening before a click, or the form posts plainly
        page.wait_for_function("document.readyState === 'complete' && !!window.htmx")
        total = cards.count()
        assert total >= 2
        page.screenshot(path=str(dashboard.SHOTS / "teach.png"), full_page=True)

        # one click per label: "Ya" for the first label of the first card
        first = cards.nth(0)
        first_id = first.get_attribute("data-post")
        row = first.locator("tr.teach-label").first
        label = row.get_attribute("data-label")
        row.locator("button.answer-yes").click()
        answered = page.locator(f"#teach-{first_id} tr.teach-label[data-label='{label}']")
        expect(answered.locator(".answered")).to_have_text("Ya")
        expect(answered.locator("button")).to_have_count(0)

        # "Tidak ada yang cocok": no for every label of the second card at once
        second = cards.nth(1)
        second_id = second.get_attribute("data-post")
        second.locator("button.answer-none").click()
        expect(page.locator(f"#teach-{second_id}")).to_contain_text("jawaban tersimpan")
        page.screenshot(path=str(dashboard.SHOTS / "teach-answered.png"), full_page=True)

        # both posts have left the queue
        page.reload()
        expect(page.locator(f"#teach-{first_id}")).to_have_count(0)
        expect(page.locator(f"#teach-{second_id}")).to_have_count(0)
        expect(cards).to_have_count(total - 2)
        expect(page.locator(f"#label-counts tr[data-label='{label}'] td").nth(1)).to_have_text("1")

        # the model page counts them, and links back to the queue
        page.goto(server + "/model")
        expect(page.locator(f"#label-needs tr[data-label='{label}'] td").nth(1)).to_have_text("1")
        expect(page.locator("#label-needs a.label-more").first).to_be_visible()
        page.screenshot(path=str(dashboard.SHOTS / "model.png"), full_page=True)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
