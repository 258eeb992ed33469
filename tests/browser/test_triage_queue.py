"""Issue #14 part 1 in a real browser: an analyst filters the triage queue by label, selects
two rows and reviews them at once, dismisses another only after confirming on a page of its
own, and undoes that dismissal; reviews a row that stands for copies, whose undo shows at once
and puts the whole group back; on Debian's Chromium over a real ``damai serve``. Screenshots
go to ``build/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from damai.records import Post
from damai.storage import open_store
from tests.browser import test_dashboard as dashboard

pytestmark = pytest.mark.browser

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
#: (text, label, score, likes)
HARMS = [
    ("Dasar pendatang, usir mereka dari pasar kita", "hate_speech", 0.82, 4),
    ("Orang-orang golongan itu bikin rusak kampung, jangan kasih tempat", "hate_speech", 0.7, 1),
    ("Ayo hijrah dan bai'at, tinggalkan negara thagut", "radicalism", 0.88, 9),
    ("Awas, vaksin baru katanya berisi chip pelacak, sebarkan!", "hoax", 0.77, 15),
]


def _fill(db_url: str) -> None:
    posts = [Post(platform="x", platform_id=str(7000 + i), text=text,
                  created_at=T0 + timedelta(minutes=i), language="id", labels={label: score},
                  flags=[label], model_version="test-model", engagement={"likes": likes})
             for i, (text, label, score, likes) in enumerate(HARMS)]
    # two reposts of the radicalism post: one row, "+2 salinan"
    posts += [Post(platform="x", platform_id=str(7100 + i), text="RT " + HARMS[2][0],
                   created_at=T0 + timedelta(minutes=10 + i), language="id",
                   labels={"radicalism": 0.88}, flags=["radicalism"], repost_of_id="7002",
                   model_version="test-model") for i in range(2)]
    store = open_store(db_url)
    store.posts.write_batch(posts, [], [])
    store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dashboard.running_server(Path(tmp_path_factory.mktemp("triage-queue")), _fill) as base:
        yield base


def test_filter_bulk_review_confirm_a_dismissal_and_undo_it(server: str) -> None:
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/triage") as (page, csp_errors):
        rows = page.locator("#triage-queue tbody tr")
        expect(rows).to_have_count(4)
        # filter by label: only the two hate-speech posts stay
        page.select_option("#triage-filter select[name=label]", "hate_speech")
        page.click("#triage-filter button[type=submit]")
        expect(page).to_have_url(server + "/triage?queue=harm&status=open&label=hate_speech"
                                 "&platform=&since=&until=&province=&assignee=")
        expect(rows).to_have_count(2)
        page.screenshot(path=str(dashboard.SHOTS / "triage-filtered.png"), full_page=True)
        # select both and review them in one go
        for i in range(2):
            rows.nth(i).locator("input[type=checkbox][name=ids]").check()
        page.click("#triage-bulk button[value=review]")
        expect(page.locator("#triage-empty")).to_be_visible()
        page.goto(server + "/triage")
        expect(rows).to_have_count(2)
        # dismissing asks first, on a page of its own
        rows.filter(has_text="vaksin").locator("input[type=checkbox][name=ids]").check()
        page.click("#triage-bulk button[value=dismiss]")
        expect(page.locator("#confirm-posts li")).to_have_count(1)
        expect(page.locator("#confirm-posts")).to_contain_text("vaksin")
        page.screenshot(path=str(dashboard.SHOTS / "triage-confirm.png"), full_page=True)
        page.click("#confirm-dismiss button[type=submit]")
        expect(rows).to_have_count(1)
        expect(page.locator("#triage-undo")).to_contain_text("tolak pada 1 post")
        # undo puts it back
        page.click("#triage-undo button")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text="vaksin")).to_have_count(1)
        expect(page.locator("#triage-undo")).to_have_count(0)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"


def test_a_row_review_takes_its_copies_and_its_undo_shows_without_a_reload(server: str) -> None:
    """Issue #14: the row's own button acts on the group it stands for, and the htmx answer
    brings the undo control along (the page is not loaded again)."""
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/triage") as (page, csp_errors):
        group = page.locator("#triage-queue tbody tr").filter(has_text="+2 salinan")
        expect(group).to_have_count(1)
        expect(group).to_contain_text("berlaku juga untuk semua salinannya")
        expect(page.locator("#triage-undo")).to_have_count(0)
        page.evaluate("window.damaiNoReload = true")
        group.locator("button.review").click()
        done = page.locator("#triage-queue tr.done")
        expect(done).to_contain_text("3 post, salinan ikut")
        expect(page.locator("#triage-undo")).to_contain_text("tinjau pada 3 post")
        assert page.evaluate("window.damaiNoReload") is True  # no reload brought it
        page.screenshot(path=str(dashboard.SHOTS / "triage-group-undo.png"), full_page=True)
        page.click("#triage-undo button")
        expect(page.locator("#triage-queue tbody tr").filter(has_text="+2 salinan")) \
            .to_have_count(1)
        expect(page.locator("#triage-undo")).to_have_count(0)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
