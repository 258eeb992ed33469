"""Issue #14 part 5 in a real browser: an analyst saves a watchlist (a query that cannot run is
refused on the page, with the reason), a burst of flood hoaxes arrives, the check finds the
spike, the header's bell shows it, and the notification leads to exactly the posts behind it
(opening it reads it: the list marks it new no more); on Debian's Chromium over a real
``damai serve``. Screenshots go to ``build/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import test_dashboard as dashboard
from tests.integration.watchlist_helpers import BURST, QUERY, add_burst, stock

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = Path(tmp_path_factory.mktemp("watchlists"))
    urls: list[str] = []

    def fill(db_url: str) -> None:
        urls.append(db_url)
        stock(db_url, with_burst=False)

    with dashboard.running_server(tmp, fill) as base:
        yield base, urls[0]


def test_a_watchlist_spike_from_saving_to_the_posts(server: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    base, db_url = server
    with dashboard.signed_in_page(base, "analyst", "/watchlists") as (page, csp_errors):
        form = page.locator("form#watch-new")
        form.locator("input[name=name]").fill("Salah ketik")
        form.locator("input[name=query]").fill("banjir label:bukan_label")
        form.locator("button[type=submit]").click()
        expect(page.locator("#watch-error")).to_contain_text("bukan_label")
        form.locator("input[name=name]").fill("Hoaks banjir Jabar")
        form.locator("input[name=query]").fill(QUERY)
        form.locator("button[type=submit]").click()
        row = page.locator("#watchlists tbody tr")
        expect(row).to_have_count(1)
        expect(row.locator("td[data-count]")).to_have_text("0")

        add_burst(db_url, "b")  # the burst arrives, as ingest would store it
        page.reload()
        expect(row.locator("td[data-count]")).to_have_text(str(BURST))
        page.locator("form#watch-check button").click()
        expect(page).to_have_url(base + "/notifications")
        expect(page.locator("#bell-count")).to_have_text("1")
        note = page.locator("#notifications tbody tr")
        expect(note).to_have_count(1)
        expect(note).to_contain_text("Hoaks banjir Jabar")
        expect(note.locator(".tag.new")).to_be_visible()
        expect(page.locator("#mark-all-read button")).to_be_visible()
        page.screenshot(path=str(dashboard.SHOTS / "notifications.png"), full_page=True)

        note.locator("a.posts-behind").click()
        posts = page.locator("#notification-posts tbody tr[data-post]")
        expect(posts).to_have_count(BURST)
        expect(posts.first).to_contain_text("Waduk Jatiluhur jebol")
        expect(page.locator("#notification-posts")).not_to_contain_text("Medan")
        page.screenshot(path=str(dashboard.SHOTS / "notification.png"), full_page=True)
        first = posts.first.get_attribute("data-post")
        posts.first.locator("a").click()
        expect(page).to_have_url(f"{base}/posts/{first}")
        expect(page.locator("main")).to_contain_text("Waduk Jatiluhur jebol")
        page.goto(base + "/notifications")  # opened, so read: nothing is new any more
        expect(note.locator(".tag.new")).to_have_count(0)
        expect(page.locator("#mark-all-read")).to_have_count(0)
        expect(note).to_have_attribute("data-read", "true")
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
