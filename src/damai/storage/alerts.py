"""Alerts of hazard events (issue #13 part 5): the rows, and their review through #7's responses.

An alert is one ``alerts`` row and the ``responses`` row it owns, written in one transaction
(:meth:`AlertRepository.create`): the response holds the text that is reviewed and published
(Indonesian, then English) and its state; the alert holds the CAP message's parts (``msg_type``,
``identifier``, the first alert it refers to, ``urgent``) and the six texts of its two CAP
``<info>`` blocks. An alert's state is its response's.

Two approvers: :meth:`AlertRepository.first_approval` records the first approver (a conditional
``UPDATE``: two racing approvers cannot both be first), audited as ``alert_first_approval``; the
second, another person, approves the response itself (:meth:`damai.storage.responses.
ResponseRepository.decide`). Who may do which lives in :mod:`damai.pipeline.alerts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update

from damai.errors import ReviewRefused
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.responses import HarmCheck, NewResponse, Response, ResponseRepository
from damai.storage.schema import alerts

__all__ = ["Alert", "AlertRepository", "NewAlert"]

_A = alerts.c
#: the six texts of an alert, as its columns are named
TEXTS: tuple[str, ...] = ("headline_id", "description_id", "instruction_id", "headline_en",
                          "description_en", "instruction_en")
#: what an alert's text is checked with: Damai's own templates, not a model's score
TEMPLATE_CHECK = HarmCheck(None, {}, "template")


@dataclass(frozen=True, slots=True)
class NewAlert:
    event_id: int
    msg_type: str
    urgent: bool
    hazard: str
    texts: dict[str, str]
    text: str  # what is reviewed and published (Indonesian, then English)
    created_by: str


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    event_id: int
    msg_type: str
    identifier: str
    first_alert_id: int | None
    urgent: bool
    hazard: str
    texts: dict[str, str]
    created_by: str
    created_at: datetime
    first_approved_by: str | None
    first_approved_at: datetime | None
    response: Response

    @property
    def state(self) -> str:
        return self.response.state

    def to_dict(self) -> dict[str, Any]:
        """What ``GET /api/v1/events/{id}/alerts`` lists."""
        r = self.response
        return {"id": self.id, "event_id": self.event_id, "msg_type": self.msg_type,
                "identifier": self.identifier, "references_alert": self.first_alert_id,
                "urgent": self.urgent, "hazard": self.hazard, "state": r.state,
                "response_id": r.id, "text": r.text, **self.texts,
                "created_by": self.created_by, "created_at": self.created_at,
                "first_approved_by": self.first_approved_by,
                "first_approved_at": self.first_approved_at, "decided_by": r.decided_by,
                "decided_at": r.decided_at, "reason": r.reason, "publishable": r.publishable}


def _alert(row: Any, response: Response) -> Alert:
    m = row._mapping
    return Alert(int(m["id"]), int(m["event_id"]), m["msg_type"], m["identifier"],
                 m["first_alert_id"], bool(m["urgent"]), m["hazard"],
                 {name: m[name] for name in TEXTS}, m["created_by"], m["created_at"],
                 m["first_approved_by"], m["first_approved_at"], response)


class AlertRepository(Repository):
    def create(self, new: NewAlert, *, ip: str | None = None) -> Alert:
        """Store an alert and its response (in review), audited as ``alert_draft``. A follow-up
        refers to the event's first alert; its identifier is ``damai-event-E-N`` (N counts the
        event's alerts, so a racing second writer fails on the unique identifier)."""
        with self.db.write() as conn:
            first = conn.scalar(select(func.min(_A.id)).where(_A.event_id == new.event_id))
            count = conn.scalar(select(func.count()).where(_A.event_id == new.event_id)) or 0
            response_id = ResponseRepository.insert(conn, NewResponse(
                new.text, new.created_by, event_id=str(new.event_id), drafter="template"),
                TEMPLATE_CHECK, ip=ip)
            identifier = f"damai-event-{new.event_id}-{count + 1}"
            (alert_id,) = conn.execute(alerts.insert().returning(_A.id), {
                "event_id": new.event_id, "response_id": response_id,
                "msg_type": new.msg_type, "identifier": identifier, "first_alert_id": first,
                "urgent": new.urgent, "hazard": new.hazard, **new.texts,
                "created_by": new.created_by, "created_at": datetime.now(UTC)}).one()
            append(conn, new.created_by, "alert_draft", f"alert:{alert_id}",
                   {"event_id": new.event_id, "msg_type": new.msg_type, "urgent": new.urgent,
                    "response_id": response_id}, ip)
        found = self.get(int(alert_id))
        assert found is not None
        return found

    def get(self, alert_id: int) -> Alert | None:
        with self.db.read() as conn:
            row = conn.execute(select(alerts).where(_A.id == alert_id)).first()
        return self._with_response(row) if row is not None else None

    def for_event(self, event_id: int) -> list[Alert]:
        """The event's alerts, oldest first."""
        with self.db.read() as conn:
            rows = conn.execute(select(alerts).where(_A.event_id == event_id)
                                .order_by(_A.id)).all()
        return [self._with_response(row) for row in rows]

    def has_alert(self, event_id: int) -> bool:
        with self.db.read() as conn:
            return conn.scalar(select(func.count()).where(_A.event_id == event_id)) != 0

    def of_responses(self, response_ids: Iterable[int]) -> set[int]:
        """Which of ``response_ids`` are the review of an alert (a hoax-watch correction also
        names its event, but is an ordinary response)."""
        wanted = sorted(set(response_ids))
        if not wanted:
            return set()
        with self.db.read() as conn:
            return set(conn.scalars(select(_A.response_id).where(_A.response_id.in_(wanted))))

    def first_approval(self, alert: Alert, actor: str, *, ip: str | None = None) -> Alert:
        """Record ``actor`` as the first of two approvers (see the module doc)."""
        with self.db.write() as conn:
            done = conn.execute(update(alerts).where(
                _A.id == alert.id, _A.first_approved_by.is_(None)).values(
                first_approved_by=actor, first_approved_at=datetime.now(UTC)))
            if done.rowcount != 1:
                raise ReviewRefused("wrong_state", (
                    f"peringatan {alert.id} baru saja disetujui orang lain; muat ulang / alert "
                    f"{alert.id} was just approved by someone else; reload"))
            append(conn, actor, "alert_first_approval", f"alert:{alert.id}",
                   {"response_id": alert.response.id, "event_id": alert.event_id}, ip)
        found = self.get(alert.id)
        assert found is not None
        return found

    def _with_response(self, row: Any) -> Alert:
        response = self.responses.get(int(row._mapping["response_id"]))
        assert response is not None  # the foreign key
        return _alert(row, response)

    @property
    def responses(self) -> ResponseRepository:
        return ResponseRepository(self.db)
