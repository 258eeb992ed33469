"""Issue #13 part 5: alert drafts for new events, their review (two approvers, or one for an
urgent alert with the waiver audited), dry-run publishing, and the CAP of the current alert
with its follow-ups, validated against the OASIS CAP 1.2 XSD (valid and invalid), on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from damai.errors import NotFound, ReviewRefused
from damai.pipeline import alerts
from damai.pipeline.responses import Actor
from damai.sources.bmkg import parse_feed
from damai.sources.cap import CAP_NS, CapRefused
from damai.storage import Store, open_store
from tests.integration.test_cap import schema
from tests.integration.test_store_contract import store_url  # noqa: F401  (fixture)

FIXTURES = Path(__file__).parents[1] / "fixtures"
T0 = datetime(2026, 12, 2, 1, 20, tzinfo=UTC)
ANALYST, AYU, BUDI = (Actor("nia", "analyst"), Actor("ayu", "approver"),
                      Actor("budi", "approver"))
_C = f"{{{CAP_NS}}}"


@pytest.fixture
def db(store_url: str) -> Iterator[Store]:  # noqa: F811
    store = open_store(store_url)
    yield store
    store.close()


def stored_quake(store: Store) -> int:
    found = parse_feed((FIXTURES / "bmkg" / "autogempa.json").read_bytes())
    saved = store.events.save(found, "test", T0)
    assert saved.new == 1
    (event_id,) = saved.new_ids
    return event_id


def test_a_new_event_gets_one_draft_in_review(db: Store) -> None:
    event_id = stored_quake(db)
    (made,) = alerts.draft_new(db, [event_id])
    assert (made.msg_type, made.state, made.urgent) == ("Alert", "in_review", False)
    assert made.identifier == f"damai-event-{event_id}-1" and made.first_alert_id is None
    assert made.response.event_id == str(event_id) and made.response.proposed_by == "damai:alerts"
    assert '"Tidak berpotensi tsunami"' in made.response.text
    assert db.events.save(parse_feed((FIXTURES / "bmkg" / "autogempa.json").read_bytes()),
                          "test", T0).new_ids == ()  # seen again: not new, no second draft
    assert [a.id for a in db.alerts.for_event(event_id)] == [made.id]


def test_two_approvers_then_dry_run_publish(db: Store) -> None:
    (made,) = alerts.draft_new(db, [stored_quake(db)])
    with pytest.raises(ReviewRefused) as refused:
        alerts.publish_alert(db, AYU, made.id)
    assert refused.value.reason == "not_approved"
    with pytest.raises(ReviewRefused, match=r"forbidden|approver"):
        alerts.approve(db, ANALYST, made.id)
    first = alerts.approve(db, AYU, made.id)
    assert (first.state, first.first_approved_by) == ("in_review", "ayu")
    with pytest.raises(ReviewRefused) as again:
        alerts.approve(db, AYU, made.id)
    assert again.value.reason == "four_eyes"
    done = alerts.approve(db, BUDI, made.id)
    assert (done.state, done.response.decided_by) == ("approved", "budi")
    published, new = alerts.publish_alert(db, BUDI, made.id)
    assert new and published.channel == "dry-run" and published.state == "sent"
    assert published.payload["text"].startswith("Gempa bumi M5,2")
    actions = [e.action for e in db.audit.query()]
    assert {"alert_draft", "alert_first_approval", "response_approve"} <= set(actions)
    assert "four_eyes_waived" not in actions
    with pytest.raises(ReviewRefused) as late:
        alerts.approve(db, AYU, made.id)
    assert late.value.reason == "wrong_state"


def test_an_urgent_alert_needs_one_approver_and_the_waiver_is_audited(db: Store) -> None:
    event_id = stored_quake(db)
    made = alerts.draft(db, AYU, event_id, urgent=True)
    done = alerts.approve(db, AYU, made.id)  # its own drafter, alone
    assert done.state == "approved" and done.first_approved_by is None
    (waiver,) = db.audit.query(action="four_eyes_waived")
    assert waiver.actor == "ayu" and waiver.detail["alert"] == made.id
    assert waiver.detail["urgent"] is True


def test_a_drafter_cannot_approve_a_normal_alert(db: Store) -> None:
    made = alerts.draft(db, AYU, stored_quake(db))
    with pytest.raises(ReviewRefused) as refused:
        alerts.approve(db, AYU, made.id)
    assert refused.value.reason == "four_eyes"


def test_four_eyes_off_means_one_approval(db: Store) -> None:
    db.settings.set("four_eyes", False, actor="admin")
    (made,) = alerts.draft_new(db, [stored_quake(db)])
    assert alerts.approve(db, AYU, made.id).state == "approved"


def test_rejected_alerts_stay_rejected(db: Store) -> None:
    (made,) = alerts.draft_new(db, [stored_quake(db)])
    done = alerts.reject(db, AYU, made.id, "angka belum pasti")
    assert (done.state, done.response.reason) == ("rejected", "angka belum pasti")
    with pytest.raises(ReviewRefused):
        alerts.approve(db, BUDI, made.id)


def _approved(db: Store, alert_id: int) -> None:
    alerts.approve(db, AYU, alert_id)
    alerts.approve(db, BUDI, alert_id)


def test_cap_of_the_current_alert_and_its_follow_ups(db: Store) -> None:
    event_id = stored_quake(db)
    with pytest.raises(ReviewRefused, match="no approved alert"):
        alerts.current_cap(db, event_id)
    (first,) = alerts.draft_new(db, [event_id])
    _approved(db, first.id)
    current, xml = alerts.current_cap(db, event_id)
    root = etree.fromstring(xml)
    assert schema().validate(root), schema().error_log
    assert current.id == first.id and root.findtext(f"{_C}msgType") == "Alert"
    assert root.find(f"{_C}references") is None
    assert [i.findtext(f"{_C}language") for i in root.iter(f"{_C}info")] == ["id-ID", "en-US"]

    update = alerts.draft(db, ANALYST, event_id, msg_type="Update")
    assert update.first_alert_id == first.id
    assert alerts.current_cap(db, event_id)[0].id == first.id  # not approved yet
    _approved(db, update.id)
    cancel = alerts.draft(db, ANALYST, event_id, msg_type="Cancel", urgent=True)
    alerts.approve(db, AYU, cancel.id)
    current, xml = alerts.current_cap(db, event_id)
    root = etree.fromstring(xml)
    assert schema().validate(root), schema().error_log
    assert current.id == cancel.id and root.findtext(f"{_C}msgType") == "Cancel"
    references = root.findtext(f"{_C}references", "").split()
    assert [r.split(",")[1] for r in references] == [first.identifier, update.identifier]
    assert all(r.startswith("damai@localhost,") for r in references)
    assert root.find(f"{_C}info/{_C}urgency").text == "Past"


def test_a_cap_that_would_not_validate_is_refused(db: Store,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing the templates write breaks the schema today; the gate is tested with a broken
    <sent> writer, so a later change that would is refused with the validator's message."""
    event_id = stored_quake(db)
    (first,) = alerts.draft_new(db, [event_id])
    _approved(db, first.id)
    monkeypatch.setattr("damai.sources.cap._cap_time", lambda when: "tadi pagi")
    with pytest.raises(CapRefused, match=r"damai-event-\d+-1: .*'tadi pagi'"):
        alerts.current_cap(db, event_id)


def test_follow_ups_need_a_first_alert_and_unknown_ids_are_not_found(db: Store) -> None:
    event_id = stored_quake(db)
    with pytest.raises(ReviewRefused, match="no first alert"):
        alerts.draft(db, ANALYST, event_id, msg_type="Cancel")
    with pytest.raises(NotFound):
        alerts.draft(db, ANALYST, 999)
    with pytest.raises(NotFound):
        alerts.approve(db, AYU, 999)
    with pytest.raises(ReviewRefused, match=r"forbidden|analyst"):
        alerts.draft(db, Actor("vera", "viewer"), event_id)
