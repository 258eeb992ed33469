"""Issue #12 part 4 in a real browser: an admin creates a campaign in the form, activates it,
the scheduler inside ``damai serve`` publishes its slot to the dry-run channel, and the campaign
page, the calendar and the outbox show it once, on Debian's Chromium.

The slot is planned two minutes ahead (a campaign starts when it is activated: earlier slots
are not written); rather than wait for the wall clock, the test moves that one slot's time to
now in the database, as if the two minutes had passed, and the server's scheduler (looking
every 0.2 s here) sends it. Screenshots go to ``build/screenshots/``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from damai.storage import open_store
from damai.storage.types import format_time
from tests.browser import test_dashboard as dashboard

pytestmark = pytest.mark.browser


def _fill(db_url: str) -> None:
    from damai.pipeline.library import import_library

    with open_store(db_url) as store:
        import_library(store, None, actor="cli:test")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("browser-campaigns")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAMAI_SCHEDULER_INTERVAL", "0.2")
        with dashboard.running_server(tmp, _fill) as base:
            yield base, str(tmp / "damai.sqlite3")


def test_campaign_schedule_publish_on_the_dry_run_channel_in_chromium(
        server: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    base, db_path = server
    ahead = datetime.now(UTC).astimezone(ZoneInfo("Asia/Makassar")) + timedelta(minutes=2)
    with open_store(f"sqlite:///{db_path}") as store:
        entry = store.library.current(status="approved")[0].entry.id
    with dashboard.signed_in_page(base, "admin", "/campaigns") as (page, csp_errors):
        page.click("#new-campaign")
        page.fill("input[name=name]", "Damai di kota kita")
        page.fill("textarea[name=goal]", "Ajak warga saling menghormati")
        page.check("input[name=themes][value=tolerance]")
        page.fill("#campaign-messages", f"entry:{entry}")
        page.fill("input[name=start]", ahead.date().isoformat())
        page.fill("input[name=end]", ahead.date().isoformat())
        page.fill("input[name=times]", ahead.strftime("%H:%M"))
        page.select_option("select[name=timezone]", "WITA")
        page.click("#campaign-save")
        expect(page.locator("#campaign-state")).to_have_attribute("data-state", "draft")
        page.click("#campaign-activate")
        expect(page.locator("#campaign-state")).to_have_attribute("data-state", "active")
        expect(page.locator("#slots tbody tr[data-state=scheduled]")).to_have_count(1)
        page.screenshot(path=str(dashboard.SHOTS / "campaign-scheduled.png"), full_page=True)

        with sqlite3.connect(db_path) as db:  # the two minutes pass
            db.execute("UPDATE campaign_slots SET scheduled_at = ?",
                       (format_time(datetime.now(UTC)),))
        for _ in range(50):  # bounded: the scheduler looks every 0.2 s
            page.reload()
            if page.locator("#slots tbody tr[data-state=sent]").count():
                break
            page.wait_for_timeout(200)
        expect(page.locator("#slots tbody tr[data-state=sent]")).to_have_count(1)
        page.click("#campaign-calendar")
        expect(page.locator("#calendar .slot[data-state=sent]")).to_have_count(1)
        page.screenshot(path=str(dashboard.SHOTS / "campaign-calendar.png"), full_page=True)
        page.goto(base + "/outbox")
        expect(page.locator("#outbox tbody tr")).to_have_count(1)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
