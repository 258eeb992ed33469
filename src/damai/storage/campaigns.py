"""Campaigns and their scheduled slots (issue #12 part 4): the rows, the state changes with their
audit entries, and the claim that lets exactly one worker send a slot.

A campaign moves ``draft → active → paused | ended``; its slots are written once, when it is
first activated (:meth:`CampaignRepository.activate`). Sending is three short transactions,
driven by :mod:`damai.pipeline.scheduler`: :meth:`~CampaignRepository.claim` (a conditional
``UPDATE scheduled → sending``, so two workers never both win a slot), the publishing boundary
itself (its idempotency key makes a repeat a no-op), and :meth:`~CampaignRepository.finish`.
A worker killed between the two last steps leaves the slot ``sending``; it is claimed again once
its lease ran out, and the boundary answers with the publication it already wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import Connection

from damai.errors import NotFound, ReviewRefused
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import (
    CAMPAIGN_STATES,
    SLOT_STATES,
    campaign_messages,
    campaign_slots,
    campaigns,
)

__all__ = ["CAMPAIGN_STATES", "SLOT_STATES", "Campaign", "CampaignRepository", "Message",
           "NewCampaign", "Slot"]

_C, _M, _S = campaigns.c, campaign_messages.c, campaign_slots.c


@dataclass(frozen=True, slots=True)
class Message:
    """One variant of one campaign message: an approved response or library entry."""

    position: int
    variant: str
    response_id: int | None = None
    entry_id: str | None = None
    id: int | None = None

    @property
    def ref(self) -> str:
        return f"response:{self.response_id}" if self.response_id else f"entry:{self.entry_id}"


@dataclass(frozen=True, slots=True)
class NewCampaign:
    """A campaign as checked by :func:`damai.pipeline.campaigns.check_campaign`."""

    name: str
    themes: tuple[str, ...]
    channels: tuple[str, ...]
    timezone: str
    start_date: date
    end_date: date
    times: tuple[str, ...]
    messages: tuple[Message, ...]
    goal: str | None = None


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    name: str
    goal: str | None
    themes: list[str]
    channels: list[str]
    timezone: str
    start_date: date
    end_date: date
    times: list[str]
    state: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    activated_by: str | None = None
    messages: list[Message] = field(default_factory=list)
    slot_counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "goal": self.goal, "themes": self.themes,
                "channels": self.channels, "timezone": self.timezone,
                "start": self.start_date.isoformat(), "end": self.end_date.isoformat(),
                "times": self.times, "state": self.state, "created_by": self.created_by,
                "created_at": self.created_at, "updated_at": self.updated_at,
                "activated_by": self.activated_by,
                "messages": [{"position": m.position, "variant": m.variant, "ref": m.ref}
                             for m in self.messages],
                "slots": self.slot_counts}


@dataclass(frozen=True, slots=True)
class Slot:
    id: int
    campaign_id: int
    message_id: int
    channel: str
    original_at: datetime
    scheduled_at: datetime
    state: str
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    publication_id: int | None = None
    error: str | None = None
    decided_by: str | None = None
    message: Message | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "campaign_id": self.campaign_id, "channel": self.channel,
                "original_at": self.original_at, "scheduled_at": self.scheduled_at,
                "state": self.state, "sent_at": self.sent_at,
                "publication_id": self.publication_id, "error": self.error,
                "decided_by": self.decided_by,
                "message": self.message.ref if self.message else None,
                "variant": self.message.variant if self.message else None}


def _message(row: Any) -> Message:
    m = row._mapping
    return Message(int(m["position"]), str(m["variant"]), m["response_id"], m["entry_id"],
                   int(m["id"]))


def _slot(row: Any) -> Slot:
    m = row._mapping
    values = {k: m[k] for k in Slot.__dataclass_fields__ if k != "message"}
    message = Message(int(m["position"]), str(m["variant"]), m["response_id"], m["entry_id"],
                      int(m["message_id"]))
    return Slot(**values, message=message)


_SLOTS = select(campaign_slots, _M.position, _M.variant, _M.response_id, _M.entry_id).select_from(
    campaign_slots.join(campaign_messages, _M.id == _S.message_id))


def wrong_state(found: Campaign, step: str) -> ReviewRefused:
    return ReviewRefused("wrong_state", (
        f"kampanye {found.id} berstatus {found.state}: tidak bisa {step} / campaign "
        f"{found.id} is {found.state}: it cannot be {step}"))


class CampaignRepository(Repository):
    def create(self, new: NewCampaign, *, actor: str, ip: str | None = None) -> Campaign:
        """Store a draft campaign and its messages, audited as ``campaign_create``."""
        now = datetime.now(UTC)
        with self.db.write() as conn:
            (cid,) = conn.execute(campaigns.insert().returning(_C.id), {
                "name": new.name, "goal": new.goal, "themes": list(new.themes),
                "channels": list(new.channels), "timezone": new.timezone,
                "start_date": new.start_date, "end_date": new.end_date,
                "times": list(new.times), "state": "draft", "created_by": actor,
                "created_at": now, "updated_at": now}).one()
            conn.execute(campaign_messages.insert(), [
                {"campaign_id": cid, "position": m.position, "variant": m.variant,
                 "response_id": m.response_id, "entry_id": m.entry_id} for m in new.messages])
            append(conn, actor, "campaign_create", f"campaign:{cid}",
                   {"name": new.name, "messages": [m.ref for m in new.messages]}, ip)
            return self._get(conn, int(cid))

    def get(self, campaign_id: int) -> Campaign | None:
        with self.db.read() as conn:
            exists = conn.scalar(select(_C.id).where(_C.id == campaign_id))
            return self._get(conn, campaign_id) if exists is not None else None

    def names(self) -> set[str]:
        with self.db.read() as conn:
            return {str(n) for (n,) in conn.execute(select(_C.name))}

    def recent(self, *, state: str | None = None) -> list[Campaign]:
        """Campaigns, newest first."""
        statement = select(_C.id).order_by(_C.id.desc())
        if state is not None:
            statement = statement.where(_C.state == state)
        with self.db.read() as conn:
            return [self._get(conn, int(i)) for (i,) in conn.execute(statement)]

    def activate(self, campaign_id: int, slots: Sequence[tuple[int, str, datetime]], *,
                 actor: str, ip: str | None = None) -> Campaign:
        """``draft → active`` with its slots (``(position, channel, when)``; each slot's variant
        is chosen here, alternating), or ``paused → active``; audited as
        ``campaign_activate``."""
        with self.db.write() as conn:
            found = self._locked(conn, campaign_id)
            if found.state not in ("draft", "paused"):
                raise wrong_state(found, "diaktifkan / activated")
            if found.state == "draft":
                self._insert_slots(conn, found, slots)
            self._set_state(conn, found, "active", activated_by=actor)
            append(conn, actor, "campaign_activate", f"campaign:{campaign_id}",
                   {"was": found.state, "slots": len(slots) if found.state == "draft" else 0},
                   ip)
            return self._get(conn, campaign_id)

    @staticmethod
    def _insert_slots(conn: Connection, found: Campaign,
                      slots: Sequence[tuple[int, str, datetime]]) -> None:
        variants: dict[int, list[Message]] = {}
        for m in found.messages:
            variants.setdefault(m.position, []).append(m)
        turns: dict[tuple[int, str], int] = {}
        rows = []
        for position, channel, when in slots:
            turn = turns.get((position, channel), 0)
            turns[(position, channel)] = turn + 1
            options = variants[position]
            rows.append({"campaign_id": found.id, "message_id": options[turn % len(options)].id,
                         "channel": channel, "original_at": when, "scheduled_at": when,
                         "state": "scheduled"})
        if rows:
            conn.execute(campaign_slots.insert(), rows)

    def change_state(self, campaign_id: int, state: str, *, actor: str,
                     ip: str | None = None) -> Campaign:
        """``active → paused`` (``campaign_pause``) or ``→ ended`` (``campaign_end``; slots not
        yet sent are ``cancelled``)."""
        allowed = {"paused": ("active",), "ended": ("draft", "active", "paused")}[state]
        with self.db.write() as conn:
            found = self._locked(conn, campaign_id)
            if found.state not in allowed:
                raise wrong_state(found, "dijeda / paused" if state == "paused"
                                  else "diakhiri / ended")
            if state == "ended":
                conn.execute(update(campaign_slots).where(
                    _S.campaign_id == campaign_id, _S.state.in_(("scheduled", "missed")))
                    .values(state="cancelled", decided_by=actor))
            self._set_state(conn, found, state)
            action = "campaign_pause" if state == "paused" else "campaign_end"
            append(conn, actor, action, f"campaign:{campaign_id}", {"was": found.state}, ip)
            return self._get(conn, campaign_id)

    @staticmethod
    def _set_state(conn: Connection, found: Campaign, state: str, **values: Any) -> None:
        conn.execute(update(campaigns).where(_C.id == found.id)
                     .values(state=state, updated_at=datetime.now(UTC), **values))

    # -- slots --------------------------------------------------------------------------------
    def slots(self, *, campaign_id: int | None = None, states: Sequence[str] = (),
              since: datetime | None = None, until: datetime | None = None,
              limit: int = 5000) -> list[Slot]:
        statement = _SLOTS.order_by(_S.scheduled_at, _S.id).limit(limit)
        if campaign_id is not None:
            statement = statement.where(_S.campaign_id == campaign_id)
        if states:
            statement = statement.where(_S.state.in_(list(states)))
        if since is not None:
            statement = statement.where(_S.scheduled_at >= since)
        if until is not None:
            statement = statement.where(_S.scheduled_at < until)
        with self.db.read() as conn:
            return [_slot(r) for r in conn.execute(statement)]

    def mark_missed(self, before: datetime) -> int:
        """Slots of active campaigns still ``scheduled`` for a time before ``before`` (the
        grace window's start) become ``missed``: listed for a human, never sent in a burst."""
        active = select(_C.id).where(_C.state == "active").scalar_subquery()
        with self.db.write() as conn:
            return int(conn.execute(update(campaign_slots).where(
                _S.state == "scheduled", _S.scheduled_at < before, _S.campaign_id.in_(active))
                .values(state="missed")).rowcount)

    def due(self, since: datetime, until: datetime, stale_before: datetime, limit: int
            ) -> list[Slot]:
        """Slots of active campaigns to send now: ``scheduled`` for a time in ``[since,
        until]``, and ``sending`` slots whose claim is older than ``stale_before`` (a worker
        died holding them), oldest first."""
        scheduled = and_(_S.state == "scheduled", _S.scheduled_at >= since,
                         _S.scheduled_at <= until)
        stale = and_(_S.state == "sending", _S.claimed_at < stale_before)
        statement = (_SLOTS.join(campaigns, _C.id == _S.campaign_id)
                     .where(_C.state == "active", scheduled | stale)
                     .order_by(_S.scheduled_at, _S.id).limit(limit))
        with self.db.read() as conn:
            return [_slot(r) for r in conn.execute(statement)]

    def claim(self, slot: Slot, worker: str, now: datetime) -> bool:
        """Take ``slot`` for ``worker``: true for exactly one of any number of racing workers,
        and only while its campaign is active (a pause between the look and the claim wins)."""
        condition = (_S.state == "scheduled" if slot.state == "scheduled"
                     else and_(_S.state == "sending", _S.claimed_at == slot.claimed_at))
        active = select(_C.id).where(_C.state == "active").scalar_subquery()
        with self.db.write() as conn:
            done = conn.execute(update(campaign_slots).where(
                _S.id == slot.id, condition, _S.campaign_id.in_(active))
                .values(state="sending", claimed_by=worker, claimed_at=now))
            return done.rowcount == 1

    def finish(self, slot_id: int, state: str, *, now: datetime,
               publication_id: int | None = None, error: str | None = None) -> None:
        assert state in ("sent", "duplicate", "failed")
        with self.db.write() as conn:
            conn.execute(update(campaign_slots).where(_S.id == slot_id, _S.state == "sending")
                         .values(state=state, sent_at=now if state != "failed" else None,
                                 publication_id=publication_id, error=error))

    def publication_taken(self, publication_id: int, slot_id: int) -> bool:
        """Whether another slot already sent ``publication_id`` (so this one is a duplicate)."""
        with self.db.read() as conn:
            return conn.scalar(select(func.count()).where(
                _S.publication_id == publication_id, _S.id != slot_id,
                _S.state == "sent")) != 0

    def confirm_missed(self, campaign_id: int, *, actor: str, start: datetime,
                       spacing: timedelta, skip: bool = False, ip: str | None = None
                       ) -> list[Slot]:
        """A human's answer to the missed slots of a campaign: re-schedule them one
        ``spacing`` apart from ``start`` (never at once), or ``skip`` them; audited as
        ``campaign_confirm_missed``."""
        with self.db.write() as conn:
            found = self._locked(conn, campaign_id)
            missed = [_slot(r) for r in conn.execute(_SLOTS.where(
                _S.campaign_id == campaign_id, _S.state == "missed")
                .order_by(_S.original_at, _S.id))]
            for n, slot in enumerate(missed):
                values: dict[str, Any] = ({"state": "skipped"} if skip else
                                          {"state": "scheduled",
                                           "scheduled_at": start + n * spacing})
                conn.execute(update(campaign_slots).where(_S.id == slot.id, _S.state == "missed")
                             .values(decided_by=actor, **values))
            append(conn, actor, "campaign_confirm_missed", f"campaign:{found.id}",
                   {"slots": [s.id for s in missed], "skip": skip,
                    "spacing_s": spacing.total_seconds()}, ip)
            return [_slot(r) for r in conn.execute(_SLOTS.where(
                _S.id.in_([s.id for s in missed])).order_by(_S.scheduled_at))]

    # -- reading one --------------------------------------------------------------------------
    def _locked(self, conn: Connection, campaign_id: int) -> Campaign:
        row = conn.execute(select(_C.id).where(_C.id == campaign_id).with_for_update()).first()
        if row is None:
            raise NotFound(f"kampanye {campaign_id} tidak ada / no campaign {campaign_id}")
        return self._get(conn, campaign_id)

    @staticmethod
    def _get(conn: Connection, campaign_id: int) -> Campaign:
        m = conn.execute(select(campaigns).where(_C.id == campaign_id)).one()._mapping
        messages = [_message(r) for r in conn.execute(
            select(campaign_messages).where(_M.campaign_id == campaign_id)
            .order_by(_M.position, _M.variant))]
        counts = {str(s): int(n) for s, n in conn.execute(
            select(_S.state, func.count()).where(_S.campaign_id == campaign_id)
            .group_by(_S.state))}
        return Campaign(
            id=int(m["id"]), name=m["name"], goal=m["goal"], themes=list(m["themes"]),
            channels=list(m["channels"]), timezone=m["timezone"], start_date=m["start_date"],
            end_date=m["end_date"], times=list(m["times"]), state=m["state"],
            created_by=m["created_by"], created_at=m["created_at"],
            updated_at=m["updated_at"],
            activated_by=m["activated_by"], messages=messages, slot_counts=counts)
