"""Issue #13 part 5 in a real browser: ``damai serve``'s poller finds a new BMKG earthquake on a
local feed (127.0.0.1) and drafts its alert; on the event's page two approvers approve it (an
approver, then an admin: four-eyes), the admin publishes it to the dry-run channel, downloads
its CAP 1.2 XML (validated against the OASIS XSD here), then drafts an urgent Update and
approves it alone (the waiver is audited). On Debian's Chromium; screenshots go to
``build/screenshots/``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from damai.storage import open_store
from tests.browser import test_dashboard as dashboard
from tests.integration.test_bmkg_poll import Feeds
from tests.integration.test_cap import schema
from tests.integration.web_helpers import add_users

pytestmark = pytest.mark.browser
_C = "{urn:oasis:names:tc:emergency:cap:1.2}"


def _fill(db_url: str) -> None:
    add_users(db_url, ("approver",))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    feeds = Feeds()
    threading.Thread(target=feeds.serve_forever, daemon=True).start()
    tmp = tmp_path_factory.mktemp("browser-alerts")
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("DAMAI_BMKG_SERVE", "true")
            env.setenv("DAMAI_BMKG_INTERVAL", "0.2")
            env.setenv("DAMAI_BMKG_FEEDS", feeds.url("autogempa.json"))
            with dashboard.running_server(tmp, _fill) as base:
                yield base, f"sqlite:///{tmp / 'damai.sqlite3'}"
    finally:
        feeds.shutdown()
        feeds.server_close()


def test_event_draft_approve_publish_and_cap_in_chromium(server: tuple[str, str],
                                                         tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, db_url = server
    with dashboard.signed_in_page(base, "approver", "/events") as (page, csp_errors):
        row = page.locator("#events tr[data-event]")
        for _ in range(100):  # the poller (every 0.2 s) stores the event and its draft
            if row.count():
                break
            page.wait_for_timeout(100)
            page.reload()
        expect(row).to_have_count(1)
        row.locator("a").click()
        card = page.locator("article.alert-draft[data-state=in_review]")
        expect(card).to_have_count(1)
        expect(card.locator(".alert-text-id")).to_contain_text('"Tidak berpotensi tsunami"')
        expect(card.locator(".alert-text-id")).to_contain_text("III Sukabumi")
        card.locator("form.approve button").click()
        expect(card.locator(".first-approval")).to_contain_text("approver")
        page.screenshot(path=str(dashboard.SHOTS / "alert-first-approval.png"), full_page=True)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"

    with dashboard.signed_in_page(base, "admin", "/events/1") as (page, csp_errors):
        page.locator("article.alert-draft form.approve button").click()
        approved = page.locator("article.alert-draft[data-state=approved]")
        expect(approved).to_have_count(1)
        approved.locator("form.publish button").click()
        expect(approved.locator(".published")).to_have_count(1)
        with page.expect_download() as download:
            page.click("#cap-download")
        target = tmp_path / "alert.xml"
        download.value.save_as(target)
        root = etree.fromstring(target.read_bytes())
        assert schema().validate(root), schema().error_log
        assert root.findtext(f"{_C}msgType") == "Alert"

        # an urgent Update: one approver is enough, and the waiver is audited
        page.select_option("#draft-alert select[name=msg_type]", "Update")
        page.check("#draft-alert input[name=urgent]")
        page.click("#draft-alert button[type=submit]")
        urgent = page.locator("article.alert-draft[data-state=in_review]")
        expect(urgent.locator(".urgent")).to_have_count(1)
        urgent.locator("form.approve button").click()
        expect(page.locator("article.alert-draft[data-state=approved]")).to_have_count(2)
        page.screenshot(path=str(dashboard.SHOTS / "alert-approved.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#cap-download")
        download.value.save_as(target)
        root = etree.fromstring(target.read_bytes())
        assert schema().validate(root), schema().error_log
        assert root.findtext(f"{_C}msgType") == "Update"
        assert root.findtext(f"{_C}references", "").count(",") == 2  # the first alert
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
    with open_store(db_url) as store:
        (waiver,) = store.audit.query(action="four_eyes_waived")
        assert waiver.actor == "admin"
        assert [p.channel for p in store.publications.recent(limit=10)] == ["dry-run"]
