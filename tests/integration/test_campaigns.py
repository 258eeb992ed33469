"""Issue #12 part 4, on both backends: campaigns and the scheduler, with a faked clock.

create → activate → slots due → the scheduler sends through the dry-run channel exactly once; a
restart after downtime lists the missed slots and sends none of them until a human confirms; a
clock jump forward sends no burst; WIB, WITA and WIT posting times; every validation problem
with its row and field.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from damai.errors import NotFound, ReviewRefused
from damai.pipeline import campaigns as camp
from damai.pipeline.responses import Actor, edit
from damai.pipeline.scheduler import tick
from damai.respond.entries import ImportRefused
from damai.storage import Store
from tests.integration import test_store_contract as contract
from tests.integration.test_library_store import ENTRY
from tests.integration.test_publishing_boundary import MODEL, approved

store_url, db = contract.store_url, contract.db

APPROVER = Actor("budi", "approver")
ANALYST = Actor("ani", "analyst")
GRACE = timedelta(minutes=10)
# 2026-12-01 00:00 WIB = 2026-11-30 17:00 UTC
DAY0 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def entries(db: Store, n: int, status: str = "approved") -> list[str]:
    made = [replace(ENTRY, id=f"cn-{i}", title=f"Damai {i}", status=status,
                    text_id=f"Pesan damai nomor {i}: kita bisa berbeda tanpa saling melukai.")
            for i in range(n)]
    db.library.save(made, actor="cli:ani", action="library_import")
    return [e.id for e in made]


def row(messages: list[str], **extra: Any) -> dict[str, Any]:
    return {"name": "Desember damai", "goal": "Ajak menolak kekerasan",
            "themes": ["anti_violence", "tolerance"], "messages": messages,
            "channels": ["dry-run"], "start": "2026-12-01", "end": "2026-12-03",
            "times": ["08:00", "19:30"], "timezone": "WIB", **extra}


def activated(db: Store, messages: list[str], clock: Clock, **extra: Any) -> int:
    (made,) = camp.create_campaigns(db, ANALYST, [row(messages, **extra)])
    return camp.activate(db, APPROVER, made.id, now=clock).id


def states(db: Store, campaign_id: int) -> list[str]:
    return [s.state for s in db.campaigns.slots(campaign_id=campaign_id)]


def test_create_activate_and_each_due_slot_is_published_once(db: Store) -> None:
    ids = entries(db, 6)
    clock = Clock(DAY0)
    cid = activated(db, [f"entry:{i}" for i in ids], clock)
    slots = db.campaigns.slots(campaign_id=cid)
    assert len(slots) == 6 and states(db, cid) == ["scheduled"] * 6
    # 08:00 WIB on 1 December is 01:00 UTC
    assert slots[0].scheduled_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert [s.message.entry_id for s in slots if s.message] == ids

    clock.at = slots[0].scheduled_at + timedelta(minutes=1)
    first = tick(db, now=clock, grace=GRACE)
    assert (len(first.sent), first.missed) == (1, 0)
    again = tick(db, now=clock, grace=GRACE)  # the same minute, a second worker's look
    assert again.sent == [] and again.duplicate == []
    outbox = db.publications.recent(channel="dry-run")
    assert [p.entry_id for p in outbox] == [ids[0]]
    sent = db.campaigns.slots(campaign_id=cid, states=["sent"])
    assert sent[0].publication_id == outbox[0].id
    actions = [e.action for e in db.audit.query()]
    assert {"campaign_create", "campaign_activate", "publish"} <= set(actions)
    published = [e for e in db.audit.query() if e.action == "publish"]
    assert [e.actor for e in published] == ["scheduler:budi"]


def test_a_restart_after_downtime_lists_missed_slots_and_sends_them_only_after_a_confirm(
        db: Store) -> None:
    ids = entries(db, 6)
    clock = Clock(DAY0)
    cid = activated(db, [f"entry:{i}" for i in ids], clock)
    # down from before the first slot until the evening of 2 December (four slots passed)
    clock.at = datetime(2026, 12, 2, 12, 40, tzinfo=UTC)  # 19:40 WIB: the 19:30 slot is late
    report = tick(db, now=clock, grace=GRACE)
    assert report.missed == 3 and len(report.sent) == 1  # 19:30 WIB is inside the grace
    assert states(db, cid) == ["missed", "missed", "missed", "sent", "scheduled", "scheduled"]
    assert len(db.publications.recent()) == 1
    assert tick(db, now=clock, grace=GRACE).sent == []  # missed stays missed

    with pytest.raises(ReviewRefused):
        camp.confirm_missed(db, ANALYST, cid, now=clock)
    rescheduled = camp.confirm_missed(db, APPROVER, cid, now=clock)
    gaps = {b.scheduled_at - a.scheduled_at for a, b in pairwise(rescheduled)}
    assert len(rescheduled) == 3 and gaps == {timedelta(minutes=10)}
    assert all(s.decided_by == "budi" and s.original_at < s.scheduled_at for s in rescheduled)
    sent = [len(tick(db, now=clock, grace=GRACE).sent)]
    for _ in range(3):
        clock.at += timedelta(minutes=10)
        sent.append(len(tick(db, now=clock, grace=GRACE).sent))
    assert sent == [1, 1, 1, 0]  # one at a time, never a burst
    assert len(db.publications.recent()) == 4


def test_a_clock_jump_forward_sends_no_burst(db: Store) -> None:
    ids = entries(db, 6)
    clock = Clock(DAY0)
    cid = activated(db, [f"entry:{i}" for i in ids], clock)
    clock.at = DAY0 + timedelta(days=30)
    report = tick(db, now=clock, grace=GRACE)
    assert report.sent == [] and report.missed == 6
    assert db.publications.recent() == []
    clock.at = DAY0  # and back: nothing is sent twice, nothing missed comes back by itself
    assert tick(db, now=clock, grace=GRACE).sent == []
    assert states(db, cid) == ["missed"] * 6


def test_skipping_missed_slots_and_pause_and_end(db: Store) -> None:
    ids = entries(db, 2)
    clock = Clock(DAY0)
    cid = activated(db, [f"entry:{i}" for i in ids], clock)
    camp.pause(db, APPROVER, cid)
    clock.at = datetime(2026, 12, 1, 1, 1, tzinfo=UTC)
    assert tick(db, now=clock, grace=GRACE).sent == []  # paused: nothing goes out
    assert camp.activate(db, APPROVER, cid, now=clock).state == "active"
    clock.at += timedelta(hours=1)
    tick(db, now=clock, grace=GRACE)
    assert camp.confirm_missed(db, APPROVER, cid, skip=True, now=clock)[0].state == "skipped"
    ended = camp.end(db, APPROVER, cid)
    assert ended.state == "ended" and set(states(db, cid)) == {"skipped", "cancelled"}
    with pytest.raises(ReviewRefused):
        camp.pause(db, APPROVER, cid)


def test_ab_variants_alternate_and_each_slot_is_its_own_publication(db: Store) -> None:
    ids = entries(db, 2)
    clock = Clock(DAY0)
    cid = activated(db, [f"entry:{ids[0]} | entry:{ids[1]}"], clock)
    slots = db.campaigns.slots(campaign_id=cid)
    assert [s.message.variant for s in slots if s.message] == ["A", "B"] * 3
    for s in slots:
        clock.at = s.scheduled_at
        tick(db, now=clock, grace=GRACE)
    assert states(db, cid) == ["sent"] * 6  # a repeated text goes out again at its own slot
    published = db.publications.recent()
    assert len(published) == 6 and len({p.idempotency_key for p in published}) == 6
    assert {p.idempotency_key.rsplit(":slot:", 1)[1] for p in published} == {
        str(s.id) for s in slots}
    for s in slots:  # a second look sends nothing again
        clock.at = s.scheduled_at
        assert tick(db, now=clock, grace=GRACE).sent == []
    assert len(db.publications.recent()) == 6


def test_a_response_edited_after_approval_fails_its_slot_visibly(db: Store) -> None:
    rid = approved(db)
    clock = Clock(DAY0)
    cid = activated(db, [f"response:{rid}"], clock)
    edit(db, MODEL, Actor("ani", "analyst"), rid, "Teks baru yang belum disetujui.")
    clock.at = db.campaigns.slots(campaign_id=cid)[0].scheduled_at
    report = tick(db, now=clock, grace=GRACE)
    failed = db.campaigns.slots(campaign_id=cid, states=["failed"])
    assert report.failed and failed[0].error and "approved" in failed[0].error
    assert db.publications.recent() == []


@pytest.mark.parametrize(("zone", "utc_hour"), [("WIB", 1), ("WITA", 0), ("WIT", 23)])
def test_posting_times_are_local_to_wib_wita_and_wit(db: Store, zone: str,
                                                     utc_hour: int) -> None:
    ids = entries(db, 1)
    cid = activated(db, [f"entry:{ids[0]}"], Clock(DAY0 - timedelta(days=1)), timezone=zone,
                    times=["08:00"], end="2026-12-01")
    (slot,) = db.campaigns.slots(campaign_id=cid)
    day = 1 if utc_hour < 23 else 30
    assert slot.scheduled_at == datetime(2026, 12 if day == 1 else 11, day, utc_hour, 0,
                                         tzinfo=UTC)


def test_the_iana_names_are_accepted_and_stored_as_the_indonesian_codes() -> None:
    made, problems = camp.check_campaign(row(["entry:x"], timezone="Asia/Makassar"), 1)
    assert problems == [] and made is not None and made.timezone == "WITA"
    assert made.start_date == date(2026, 12, 1)


def test_every_problem_is_reported_with_its_row_and_field(db: Store) -> None:
    ids = entries(db, 1)
    db.library.save([replace(ENTRY, id="cn-draft", status="draft")], actor="cli:ani",
                    action="library_import")
    rows: list[object] = [
        row([f"entry:{ids[0]}"], start="2026-12-05", end="2026-12-01"),
        row(["entry:cn-draft", "response:999", "tweet:1"], name="Kedua", themes=["perang"],
            timezone="UTC+7", times=["25:00"], channels=["fax"]),
        row([f"entry:{ids[0]}"], name="Ketiga", start="0001-01-01"),
    ]
    with pytest.raises(ImportRefused) as info:
        camp.create_campaigns(db, ANALYST, rows)
    found = {(p.row, p.field) for p in info.value.problems}
    assert found == {(1, "end"), (2, "themes"), (2, "timezone"), (2, "times"),
                     (2, "channels"), (2, "messages"), (3, "start")}
    assert db.campaigns.recent() == []
    with pytest.raises(ImportRefused) as approval:
        camp.create_campaigns(db, ANALYST, [row(["entry:cn-draft", "response:999"])])
    messages = [p.message for p in approval.value.problems]
    assert [p.field for p in approval.value.problems] == ["messages", "messages"]
    assert "draft" in messages[0] and "does not exist" in messages[1]


def test_a_viewer_cannot_create_and_an_analyst_cannot_activate(db: Store) -> None:
    ids = entries(db, 1)
    with pytest.raises(ReviewRefused):
        camp.create_campaigns(db, Actor("v", "viewer"), [row([f"entry:{ids[0]}"])])
    (made,) = camp.create_campaigns(db, ANALYST, [row([f"entry:{ids[0]}"])])
    with pytest.raises(ReviewRefused):
        camp.activate(db, ANALYST, made.id)
    with pytest.raises(NotFound):
        camp.activate(db, APPROVER, 999)


def test_one_claim_wins_and_a_pause_between_the_look_and_the_claim_holds(db: Store) -> None:
    ids = entries(db, 2)
    clock = Clock(DAY0)
    cid = activated(db, [f"entry:{i}" for i in ids], clock)
    at = db.campaigns.slots(campaign_id=cid)[1].scheduled_at
    first, second = db.campaigns.due(at - timedelta(days=1), at, at - GRACE, 10)
    assert db.campaigns.claim(first, "w1", at) and not db.campaigns.claim(first, "w2", at)
    camp.pause(db, APPROVER, cid)
    assert not db.campaigns.claim(second, "w1", at)
    assert states(db, cid)[:2] == ["sending", "scheduled"]
    # the first worker dies holding its slot: after the lease another one takes it, once
    camp.activate(db, APPROVER, cid, now=Clock(at))
    later = at + timedelta(minutes=3)
    report = tick(db, now=Clock(later), grace=timedelta(days=1), lease=timedelta(minutes=2))
    assert len(report.sent) == 2 and states(db, cid)[:2] == ["sent", "sent"]
    assert len(db.publications.recent()) == 2
