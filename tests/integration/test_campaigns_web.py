"""Issue #12 part 4 in the dashboard: an analyst creates a campaign through the form (every
problem shown with its field, 422), an approver activates it, the scheduler sends what is due,
the campaign's page and the calendar show scheduled and sent slots, and missed slots are listed
and re-scheduled only by an approver's click."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from damai.pipeline.campaigns import zone_of
from damai.pipeline.scheduler import tick
from damai.respond.entries import STARTER, read_entries
from damai.storage import open_store
from damai.storage.campaigns import Slot
from damai.web.app import create_app
from damai.web.campaigns import month_grid
from tests.integration.web_helpers import add_users, client_for, login

APPROVED = [e.id for e in read_entries(STARTER) if e.status == "approved"][:2]


def _db(db_url: str) -> str:
    from damai.pipeline.library import import_library

    with open_store(db_url) as store:
        import_library(store, None, actor="cli:test")
    add_users(db_url)
    return db_url


def _form(csrf: str, **extra: str) -> dict[str, object]:
    today = datetime.now(UTC).date()
    return {"csrf_token": csrf, "name": "Damai sepekan", "goal": "Tolak kekerasan",
            "themes": ["tolerance"], "channels": ["dry-run"],
            "messages": f"entry:{APPROVED[0]} | entry:{APPROVED[1]}",
            "start": str(today), "end": str(today + timedelta(days=2)),
            "times": "00:00, 23:59", "timezone": "WIT", **extra}


def _signed_in(db_url: str, name: str) -> tuple[TestClient, str]:
    client = client_for(db_url)
    return client, login(client, name)


def test_create_activate_send_and_see_it_on_the_calendar(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_SCHEDULER", "false")  # the test drives the scheduler itself
    _db(db_url)
    analyst, csrf = _signed_in(db_url, "analyst")
    bad = analyst.post("/campaigns", data=_form(csrf, end="2000-01-01", timezone="CET"))
    assert bad.status_code == 422
    assert 'data-field="end"' in bad.text and 'data-field="timezone"' in bad.text
    made = analyst.post("/campaigns", data=_form(csrf))
    assert made.status_code == 303, made.text[-800:]
    page = made.headers["location"]
    cid = int(page.rsplit("/", 1)[1])
    assert analyst.post(f"/campaigns/{cid}/activate",
                        data={"csrf_token": csrf}).status_code == 403

    approver, csrf2 = _signed_in(db_url, "approver")
    assert approver.post(f"/campaigns/{cid}/activate",
                         data={"csrf_token": csrf2}).status_code == 303
    shown = approver.get(page).text
    assert 'data-state="active"' in shown and 'data-state="scheduled"' in shown
    with open_store(db_url) as store:
        first = store.campaigns.slots(campaign_id=cid)[0]
        tick(store, now=lambda: first.scheduled_at)
        assert len(store.publications.recent(channel="dry-run")) == 1
    shown = approver.get(page).text
    assert 'data-state="sent"' in shown and "/outbox#publication-" in shown
    month = first.scheduled_at.astimezone(zone_of("WIT")).strftime("%Y-%m")
    cal = approver.get(f"/campaigns/calendar?month={month}&tz=WIT&campaign={cid}")
    assert cal.status_code == 200 and 'id="calendar"' in cal.text
    assert len(re.findall(r'class="slot small" data-state="sent"', cal.text)) == 1
    assert approver.get("/campaigns/calendar?month=garbage").status_code == 200

    # long downtime: everything else is missed, listed, and re-scheduled on a click only
    with open_store(db_url) as store:
        tick(store, now=lambda: first.scheduled_at + timedelta(days=10))
        missed = len(store.campaigns.slots(campaign_id=cid, states=["missed"]))
    assert missed > 0
    listing = approver.get("/campaigns").text
    assert 'id="missed-slots"' in listing
    assert analyst.post(f"/campaigns/{cid}/confirm-missed",
                        data={"csrf_token": csrf}).status_code == 403
    assert approver.post(f"/campaigns/{cid}/confirm-missed",
                         data={"csrf_token": csrf2}).status_code == 303
    with open_store(db_url) as store:
        assert len(store.campaigns.slots(campaign_id=cid, states=["scheduled"])) == missed
    assert 'id="missed-slots"' not in approver.get("/campaigns").text
    assert approver.get("/campaigns/999").status_code == 404


def test_the_month_grid_puts_each_slot_on_its_local_day() -> None:
    # 23:30 UTC on 30 November is 06:30 on 1 December in WIB and 08:30 in WIT
    at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    slot = Slot(1, 1, 1, "dry-run", at, at, "scheduled")
    weeks = month_grid(2026, 12, [slot], "WIT")
    days = {c.day: c.slots for w in weeks for c in w if c.day}
    assert days[date(2026, 12, 1)] == [("08:30", slot)]
    assert len(days) == 31 and all(len(w) == 7 for w in weeks)
    assert month_grid(2026, 11, [slot], "WIB")[-1][-1].slots == []


@pytest.mark.parametrize("on", [True, False])
def test_serve_runs_the_scheduler_thread_unless_it_is_turned_off(
        db_url: str, monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    import threading

    monkeypatch.setenv("DAMAI_SCHEDULER", "true" if on else "false")

    def running() -> bool:
        return any(t.name == "damai-scheduler" and t.is_alive() for t in threading.enumerate())

    with TestClient(create_app(db_url)) as client:
        assert client.get("/healthz").status_code == 200
        assert running() is on
    assert not running()  # stopped with the app
