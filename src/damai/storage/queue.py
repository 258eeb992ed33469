"""The publishing queue in the database (issue #12 part 3): rate limits per account, paused
channels, and the rows a crash left behind.

A publication to a real channel is written ``queued``. A delivery run takes queued rows with
:meth:`QueueRepository.claim_queued`, which in *one* transaction locks the channel's row in
``publish_channels``, counts the calls made to post on that channel in the rate limit's window
(``publish_calls``), and moves at most the free allowance of due rows (``not_before`` passed) to
``pending``, writing one call each. Two workers (``damai serve`` and ``damai worker``, or two of
them) never pass one limit together, and since the queue is rows, it survives restarts.

After the call, the pipeline settles the row (:meth:`~damai.storage.publications.
PublicationRepository.settle`) or puts it back with :meth:`QueueRepository.requeue`: after a 429
(not before the platform's time), a 5xx (after a back-off, looked up first next time), or a
refused credential (then the channel is paused, and nothing is lost: its rows wait).
:meth:`QueueRepository.requeue_stale` puts back what a dead worker held (``pending`` for longer
than a lease), to be looked up on the platform before anything is posted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Connection

from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.publications import Publication, publication_of
from damai.storage.schema import publications, publish_calls, publish_channels
from damai.storage.types import parse_time

__all__ = ["ChannelState", "QueueRepository"]

_P, _C, _K = publications.c, publish_calls.c, publish_channels.c
#: added to every window: a call is recorded just before it leaves, and arrives a little later,
#: so a window that has just freed on Damai's clock may not have on the platform's
MARGIN = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class ChannelState:
    """A real channel as the queue sees it: paused or not (and why), and what waits on it."""

    channel: str
    paused: bool = False
    reason: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None
    queued: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "paused": self.paused, "reason": self.reason,
                "updated_by": self.updated_by, "updated_at": self.updated_at,
                "queued": self.queued}


class QueueRepository(Repository):
    def _lock(self, conn: Connection, channel: str) -> Any:
        conn.execute(self.dialect.insert(publish_channels).values(channel=channel, paused=False)
                     .on_conflict_do_nothing(index_elements=["channel"]))
        return conn.execute(select(publish_channels).where(_K.channel == channel)
                            .with_for_update()).one()

    @staticmethod
    def _used(conn: Connection, channel: str, since: datetime) -> list[datetime]:
        """The times of the calls to post on ``channel`` since ``since``, oldest first."""
        return [r for (r,) in conn.execute(select(_C.at).where(
            _C.channel == channel, _C.at > since).order_by(_C.at))]

    def claim_queued(self, channel: str, *, count: int, window: timedelta, now: datetime,
                     only: int | None = None, batch: int = 50) -> list[Publication]:
        """Move up to the rate limit's free allowance (at most ``count`` calls in any
        ``window``) of ``channel``'s due ``queued`` rows to ``pending``, oldest first, each with
        one call recorded; none while the channel is paused (module doc). ``only``: that row."""
        with self.db.write() as conn:
            if self._lock(conn, channel).paused:
                return []
            free = min(count - len(self._used(conn, channel, now - window - MARGIN)), batch)
            if free <= 0:
                return []
            due = select(_P.id).where(
                _P.channel == channel, _P.state == "queued",
                or_(_P.not_before.is_(None), _P.not_before <= now)).order_by(_P.id).limit(free)
            if only is not None:
                due = due.where(_P.id == only)
            ids = [i for (i,) in conn.execute(due)]
            if not ids:
                return []
            rows = conn.execute(update(publications).where(
                _P.id.in_(ids), _P.state == "queued").values(
                state="pending", attempts=_P.attempts + 1, updated_at=now)
                .returning(*publications.c)).all()
            claimed = sorted((publication_of(r) for r in rows), key=lambda p: p.id)
            if claimed:
                conn.execute(publish_calls.insert(), [
                    {"channel": channel, "at": now, "publication_id": p.id} for p in claimed])
        return claimed

    def next_turn(self, channel: str, *, count: int, window: timedelta, now: datetime,
                  only: int | None = None) -> datetime | None:
        """When a queued row of ``channel`` (``only``: that one) may next be claimed: the later
        of its ``not_before`` and the moment the window has room; ``None`` if nothing is queued
        or the channel is paused."""
        with self.db.read() as conn:
            state = conn.execute(select(_K.paused).where(_K.channel == channel)).first()
            if state is not None and state.paused:
                return None
            waiting = select(func.min(func.coalesce(_P.not_before, _P.created_at))).where(
                _P.channel == channel, _P.state == "queued")
            if only is not None:
                waiting = waiting.where(_P.id == only)
            earliest = conn.execute(waiting).scalar()
            if earliest is None:
                return None
            used = self._used(conn, channel, now - window - MARGIN)
        room = now if len(used) < count else used[len(used) - count] + window + MARGIN
        return max(parse_time(earliest) or now, room)

    def requeue(self, publication_id: int, *, reason: str, now: datetime,
                not_before: datetime | None = None, lookup_first: bool = False,
                failed_call: bool = False) -> Publication:
        """Put a ``pending`` row back in the queue with why (module doc)."""
        with self.db.write() as conn:
            row = conn.execute(update(publications).where(
                _P.id == publication_id, _P.state == "pending").values(
                state="queued", reason=reason, not_before=not_before,
                lookup_first=lookup_first, updated_at=now,
                failures=_P.failures + (1 if failed_call else 0))
                .returning(*publications.c)).one()
        return publication_of(row)

    def mark_call(self, publication: Publication, at: datetime) -> None:
        """The call claimed for ``publication`` (at its claim time, ``updated_at``) is made now,
        at ``at``: the window counts when a call reached the platform, not when a batch was
        claimed (a batch's last call may go out seconds after its claim)."""
        if publication.updated_at is None or at <= publication.updated_at:
            return
        with self.db.write() as conn:
            conn.execute(update(publish_calls).where(
                _C.publication_id == publication.id, _C.at == publication.updated_at)
                .values(at=at))

    def put_back(self, ids: list[int], *, reason: str, now: datetime,
                 not_before: datetime | None) -> int:
        """Return claimed rows no call was made for (their batch stopped: a 429, a refused
        credential) to the queue as they were, and forget their calls."""
        if not ids:
            return 0
        with self.db.write() as conn:
            conn.execute(delete(publish_calls).where(_C.publication_id.in_(ids), _C.at == now))
            return int(conn.execute(update(publications).where(
                _P.id.in_(ids), _P.state == "pending").values(
                state="queued", reason=reason, not_before=not_before, updated_at=now,
                attempts=_P.attempts - 1)).rowcount or 0)

    def requeue_stale(self, before: datetime, *, now: datetime) -> list[Publication]:
        """Put back every ``pending`` row untouched since ``before`` (its worker died, or its
        answer was never recorded), to be looked up before it is posted again."""
        touched = func.coalesce(_P.updated_at, _P.created_at)
        with self.db.write() as conn:
            rows = conn.execute(update(publications).where(
                _P.state == "pending", touched < before).values(
                state="queued", lookup_first=True, not_before=None, updated_at=now)
                .returning(*publications.c)).all()
        return sorted((publication_of(r) for r in rows), key=lambda p: p.id)

    def due_channels(self, now: datetime) -> list[str]:
        """Channels with a queued row whose time has come (paused ones included: the caller
        reports them)."""
        with self.db.read() as conn:
            return [c for (c,) in conn.execute(select(_P.channel).distinct().where(
                _P.state == "queued", or_(_P.not_before.is_(None), _P.not_before <= now))
                .order_by(_P.channel))]

    def requeue_failed(self, publication_id: int, *, now: datetime) -> Publication | None:
        """A ``failed`` row back in the queue (``damai publish`` of it again), its failures
        forgotten; ``None`` if it is no longer ``failed``."""
        with self.db.write() as conn:
            row = conn.execute(update(publications).where(
                _P.id == publication_id, _P.state == "failed").values(
                state="queued", not_before=None, failures=0, updated_at=now)
                .returning(*publications.c)).first()
        return publication_of(row) if row is not None else None

    def pause(self, channel: str, reason: str, *, actor: str, now: datetime,
              ip: str | None = None) -> bool:
        """Pause ``channel`` (audited as ``channel_pause``); whether it was running."""
        with self.db.write() as conn:
            if self._lock(conn, channel).paused:
                return False
            conn.execute(update(publish_channels).where(_K.channel == channel).values(
                paused=True, reason=reason, updated_by=actor, updated_at=now))
            append(conn, actor, "channel_pause", f"channel:{channel}", {"reason": reason}, ip)
        return True

    def resume(self, channel: str, *, actor: str, now: datetime, ip: str | None = None) -> bool:
        """Let ``channel`` send again (audited as ``channel_resume``); whether it was paused."""
        with self.db.write() as conn:
            if not self._lock(conn, channel).paused:
                return False
            conn.execute(update(publish_channels).where(_K.channel == channel).values(
                paused=False, reason=None, updated_by=actor, updated_at=now))
            append(conn, actor, "channel_resume", f"channel:{channel}", {}, ip)
        return True

    def channels(self) -> list[ChannelState]:
        """Every real channel that was paused or has publications queued, with its count."""
        with self.db.read() as conn:
            queued: dict[str, int] = dict(conn.execute(select(_P.channel, func.count()).where(
                _P.state == "queued").group_by(_P.channel)).all())
            states = {r.channel: r for r in conn.execute(select(publish_channels))}
        names = sorted(set(queued) | {c for c, r in states.items() if r.paused or c in queued})
        return [ChannelState(c, bool(states[c].paused), states[c].reason, states[c].updated_by,
                             states[c].updated_at, int(queued.get(c, 0))) if c in states
                else ChannelState(c, queued=int(queued.get(c, 0))) for c in names]

    def paused(self) -> list[ChannelState]:
        return [c for c in self.channels() if c.paused]

    def first_call(self, publication_id: int) -> datetime | None:
        """When the first call to post ``publication_id`` was made (lookups start there)."""
        with self.db.read() as conn:
            return parse_time(conn.execute(select(func.min(_C.at)).where(
                _C.publication_id == publication_id)).scalar())

    def calls(self, channel: str, since: datetime) -> list[datetime]:
        """When calls to post on ``channel`` were made since ``since`` (the bench's proof)."""
        with self.db.read() as conn:
            return self._used(conn, channel, since)

    def prune_calls(self, before: datetime) -> int:
        """Forget calls older than ``before`` (older than every window)."""
        with self.db.write() as conn:
            return int(conn.execute(delete(publish_calls).where(_C.at < before)).rowcount or 0)

