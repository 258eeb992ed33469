"""Alerts of hazard events (issue #13 part 5): draft, approve, reject, publish, and CAP.

- :func:`draft` writes an alert of an event from Damai's templates (:mod:`damai.respond.alerts`)
  and puts it in review: an ``Alert``, or a follow-up ``Update`` or ``Cancel`` (the all clear),
  which refers to the event's first alert and needs one. The poller and ``damai alerts
  import-cap`` call :func:`draft_new` for every event they store as new.
- :func:`approve`: through the review workflow of #7 (a response row). While the ``four_eyes``
  setting is on (the default), an alert needs two approvers, two different people, neither of
  them its proposer: the first is recorded, the second approves. An **urgent** alert is approved
  by any one approver, its proposer too; four-eyes is then waived, and the waiver is audited
  (``four_eyes_waived``) in the approval's own transaction.
- :func:`publish_alert`: through :func:`damai.pipeline.publishing.publish`, so the publishing
  boundary (only what is approved goes out) holds for alerts too.
- :func:`current_cap`: the CAP 1.2 XML of the event's current alert, its newest approved one,
  with ``<references>`` to the event's earlier approved messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from damai import settings
from damai.errors import NotFound, ReviewRefused
from damai.pipeline.publishing import publish
from damai.pipeline.responses import Actor
from damai.respond.alerts import HAZARDS, MSG_TYPES, alert_texts
from damai.sources.cap import CapInfo, CapMessage, alert_cap
from damai.storage import Store
from damai.storage.alerts import Alert, NewAlert
from damai.storage.events import StoredEvent
from damai.storage.publications import Publication

__all__ = ["POLLER", "approve", "current_cap", "draft", "draft_new", "event_of", "publish_alert",
           "reject", "sent_time"]

#: who drafts the alerts of new events (the poller, ``damai alerts import-cap``)
POLLER = "damai:alerts"


def event_of(store: Store, event_id: int) -> StoredEvent:
    found = store.events.get(event_id)
    if found is None:
        raise NotFound(f"kejadian {event_id} tidak ada; lihat `damai alerts list` / no event "
                       f"{event_id}; see `damai alerts list`")
    return found


def _alert(store: Store, alert_id: int) -> Alert:
    found = store.alerts.get(alert_id)
    if found is None:
        raise NotFound(f"peringatan {alert_id} tidak ada / no alert {alert_id}")
    return found


def draft(store: Store, actor: Actor, event_id: int, *, msg_type: str = "Alert",
          urgent: bool = False) -> Alert:
    """A new alert of the event, in review (see the module doc)."""
    actor.require("analyst", "menyusun peringatan / draft alerts")
    assert msg_type in MSG_TYPES
    found = event_of(store, event_id)
    if msg_type != "Alert" and not store.alerts.has_alert(event_id):
        raise ReviewRefused("wrong_state", (
            f"kejadian {event_id} belum punya peringatan pertama: buat dulu dengan `damai alerts "
            f"draft {event_id}` / event {event_id} has no first alert yet: draft one first "
            f"with `damai alerts draft {event_id}`"))
    texts = alert_texts(found.event, msg_type)
    columns = {name: getattr(texts, name) for name in (
        "headline_id", "description_id", "instruction_id", "headline_en", "description_en",
        "instruction_en")}
    return store.alerts.create(NewAlert(event_id, msg_type, urgent, texts.hazard, columns,
                                        texts.text, actor.name), ip=actor.ip)


def draft_new(store: Store, event_ids: Iterable[int]) -> list[Alert]:
    """The first alert of each newly stored event, drafted by :data:`POLLER`."""
    poller = Actor(POLLER, "analyst")
    return [draft(store, poller, event_id) for event_id in event_ids]


def approve(store: Store, actor: Actor, alert_id: int) -> Alert:
    """One approval of an alert in review (see the module doc for the two-approver rule)."""
    actor.require("approver", "menyetujui peringatan / approve alerts")
    found = _alert(store, alert_id)
    response = found.response
    if response.state != "in_review":
        raise ReviewRefused("wrong_state", (
            f"peringatan {alert_id} berstatus {response.state}: tidak bisa disetujui / alert "
            f"{alert_id} is {response.state}: it cannot be approved"))
    four_eyes = bool(store.settings.get("four_eyes"))
    if four_eyes and not found.urgent and response.proposed_by == actor.name:
        raise ReviewRefused("four_eyes", (
            f"Anda menyusun peringatan {alert_id}: approver lain yang harus menyetujuinya / you "
            f"drafted alert {alert_id}: other approvers must approve it"))
    if found.urgent and four_eyes:
        store.responses.decide(response.id, "approved", actor=actor.name, four_eyes=False,
                               ip=actor.ip, waived={"alert": alert_id, "urgent": True,
                                                    "event_id": found.event_id})
    elif four_eyes and found.first_approved_by is None:
        return store.alerts.first_approval(found, actor.name, ip=actor.ip)
    elif four_eyes and found.first_approved_by == actor.name:
        raise ReviewRefused("four_eyes", (
            f"Anda sudah menyetujui peringatan {alert_id}: approver kedua harus orang lain / "
            f"you already approved alert {alert_id}: the second approver must be someone else"))
    else:
        store.responses.decide(response.id, "approved", actor=actor.name, four_eyes=four_eyes,
                               ip=actor.ip)
    return _alert(store, alert_id)


def reject(store: Store, actor: Actor, alert_id: int, reason: str | None = None) -> Alert:
    actor.require("approver", "menolak peringatan / reject alerts")
    found = _alert(store, alert_id)
    store.responses.decide(found.response.id, "rejected", actor=actor.name,
                           reason=(reason or "").strip()[:500] or None, ip=actor.ip)
    return _alert(store, alert_id)


def publish_alert(store: Store, actor: Actor, alert_id: int, channel: str = "dry-run"
                  ) -> tuple[Publication, bool]:
    """Publish an approved alert's text (Indonesian, then English) to ``channel``."""
    found = _alert(store, alert_id)
    return publish(store, actor, channel, response_id=found.response.id)


def _message(alert: Alert, earlier: list[Alert]) -> CapMessage:
    t = alert.texts
    names = HAZARDS[alert.hazard]
    infos = (CapInfo("id-ID", names.name_id, t["headline_id"], t["description_id"],
                     t["instruction_id"]),
             CapInfo("en-US", names.name_en, t["headline_en"], t["description_en"],
                     t["instruction_en"]))
    references = tuple((a.identifier, sent_time(a)) for a in earlier)
    return CapMessage(alert.identifier, sent_time(alert), alert.msg_type, alert.urgent, infos,
                      references if alert.msg_type != "Alert" else ())


def current_cap(store: Store, event_id: int) -> tuple[Alert, bytes]:
    """The event's current (newest approved) alert and its CAP 1.2 XML, validated;
    :class:`ReviewRefused` (``not_approved``) when no alert of the event is approved."""
    found = event_of(store, event_id)
    approved = [a for a in store.alerts.for_event(event_id) if a.response.publishable]
    if not approved:
        raise ReviewRefused("not_approved", (
            f"kejadian {event_id} belum punya peringatan yang disetujui: setujui drafnya dulu "
            f"(`damai alerts approve ID`) / event {event_id} has no approved alert yet: "
            f"approve its draft first (`damai alerts approve ID`)"))
    current = approved[-1]
    xml = alert_cap(_message(current, approved[:-1]), found.event,
                    sender=settings.get("cap_sender"))
    return current, xml


def sent_time(alert: Alert) -> datetime:
    """The CAP ``<sent>`` of an alert: when it was approved (its issue), else drafted."""
    return alert.response.decided_at or alert.created_at
