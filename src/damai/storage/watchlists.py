"""Watchlists (issue #14 part 5): saved searches, the spike notifications they raise, the posts
behind each, and each notification's deliveries by e-mail or Telegram.

A watchlist matches a post when the post has all its ``words`` (full-text search), is flagged on
any of its ``labels`` and names any of its ``provinces`` (each part optional, at least one set).
:meth:`WatchlistRepository.counts` counts the matches of several consecutive windows in one pass.
A notification is written with its posts and its deliveries in one transaction, and only when the
watchlist has none whose window is still open (one spike, one notification). A delivery stays
``pending`` until its way took it; a failure that may pass only moves its ``next_try_at``, and
one the way refused for good makes it ``failed``, with the reason. Each user reads
notifications for themselves (``notification_reads``): the bell counts what they have not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, literal, select, update
from sqlalchemy.engine import Connection

from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import (
    notification_deliveries,
    notification_posts,
    notification_reads,
    notifications,
    post_flags,
    post_places,
    posts,
    watchlists,
)

__all__ = ["Delivery", "Notification", "WatchSpec", "Watchlist", "WatchlistRepository"]

_W, _N, _D, _R = watchlists.c, notifications.c, notification_deliveries.c, notification_reads.c


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """What a watchlist matches: all ``words``, any of ``labels``, any of ``provinces``."""

    words: str | None = None
    labels: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"words": self.words, "labels": list(self.labels),
                "provinces": list(self.provinces)}


@dataclass(frozen=True, slots=True)
class Watchlist:
    id: int
    name: str
    query: str
    spec: WatchSpec
    created_by: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "query": self.query, **self.spec.to_dict(),
                "created_by": self.created_by, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    notification_id: int
    way: str
    state: str
    attempts: int
    next_try_at: datetime
    last_error: str | None
    sent_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"way": self.way, "state": self.state, "attempts": self.attempts,
                "next_try_at": self.next_try_at.isoformat(), "last_error": self.last_error,
                "sent_at": self.sent_at.isoformat() if self.sent_at else None}


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    watchlist_id: int
    watchlist_name: str
    window_start: datetime
    window_end: datetime
    count: int
    baseline: float
    p_value: float
    created_at: datetime
    deliveries: list[Delivery] = field(default_factory=list)
    #: whether the user it was read for has read it (None: read for nobody, as the CLI does)
    read: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "watchlist_id": self.watchlist_id,
                "watchlist": self.watchlist_name, "window_start": self.window_start.isoformat(),
                "window_end": self.window_end.isoformat(), "count": self.count,
                "baseline": round(self.baseline, 4), "p_value": self.p_value,
                "created_at": self.created_at.isoformat(),
                "deliveries": [d.to_dict() for d in self.deliveries],
                **({} if self.read is None else {"read": self.read})}


def _watchlist(row: Any) -> Watchlist:
    spec = WatchSpec(row.words, tuple(row.labels or ()), tuple(row.provinces or ()))
    return Watchlist(int(row.id), row.name, row.query, spec, row.created_by, row.created_at)


def _delivery(row: Any) -> Delivery:
    return Delivery(int(row.id), int(row.notification_id), row.way, row.state,
                    int(row.attempts), row.next_try_at, row.last_error, row.sent_at)


_NOTIFIED = select(*notifications.c, _W.name.label("watchlist_name")).join(
    watchlists, _W.id == _N.watchlist_id)


def _read_by(user_id: int) -> ColumnElement[bool]:
    """The notification (of the outer query) was read by ``user_id``."""
    return select(_R.notification_id).where(_R.notification_id == _N.id,
                                            _R.user_id == user_id).exists()


class WatchlistRepository(Repository):
    # -- watchlists --------------------------------------------------------------------------
    def add(self, name: str, query: str, spec: WatchSpec, *, actor: str, now: datetime,
            ip: str | None = None) -> Watchlist:
        """Save a watchlist whose query was checked already, audited as ``watchlist_add``."""
        values = {"name": name, "query": query, **spec.to_dict(), "created_by": actor,
                  "created_at": now}
        with self.db.write() as conn:
            new_id = int(conn.execute(watchlists.insert().values(**values)
                                      .returning(_W.id)).scalar_one())
            append(conn, actor, "watchlist_add", f"watchlist:{new_id}",
                   {"name": name, "query": query}, ip)
        return Watchlist(new_id, name, query, spec, actor, now)

    def listing(self) -> list[Watchlist]:
        with self.db.read() as conn:
            return [_watchlist(r) for r in conn.execute(select(watchlists).order_by(_W.id))]

    def get(self, watchlist_id: int) -> Watchlist | None:
        with self.db.read() as conn:
            row = conn.execute(select(watchlists).where(_W.id == watchlist_id)).first()
        return _watchlist(row) if row is not None else None

    def remove(self, watchlist_id: int, *, actor: str, ip: str | None = None) -> bool:
        """Delete a watchlist with its notifications, audited as ``watchlist_remove``."""
        with self.db.write() as conn:
            row = conn.execute(select(_W.name).where(_W.id == watchlist_id)).first()
            if row is None:
                return False
            ids = select(_N.id).where(_N.watchlist_id == watchlist_id).scalar_subquery()
            conn.execute(delete(notification_deliveries).where(_D.notification_id.in_(ids)))
            conn.execute(delete(notification_reads).where(_R.notification_id.in_(ids)))
            conn.execute(delete(notification_posts).where(
                notification_posts.c.notification_id.in_(ids)))
            conn.execute(delete(notifications).where(_N.watchlist_id == watchlist_id))
            conn.execute(delete(watchlists).where(_W.id == watchlist_id))
            append(conn, actor, "watchlist_remove", f"watchlist:{watchlist_id}",
                   {"name": row.name}, ip)
        return True

    # -- matching posts ----------------------------------------------------------------------
    def _matches(self, spec: WatchSpec) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if spec.words:
            out.append(self.dialect.search(spec.words))
        if spec.labels:
            out.append(posts.c.id.in_(select(post_flags.c.post_id).where(
                post_flags.c.label.in_(spec.labels))))
        if spec.provinces:
            out.append(posts.c.id.in_(select(post_places.c.post_id).where(
                post_places.c.province.in_(spec.provinces))))
        return out

    def counts(self, spec: WatchSpec, edges: Sequence[datetime]) -> list[int]:
        """The matches in each window ``[edges[i], edges[i + 1])``, in one pass over the posts
        of the whole span."""
        at = posts.c.created_at
        sums = [func.coalesce(func.sum(case((and_(at >= a, at < b), 1), else_=0)), 0)
                for a, b in pairwise(edges)]
        with self.db.read() as conn:
            row = conn.execute(select(*sums).where(at >= edges[0], at < edges[-1],
                                                   *self._matches(spec))).one()
        return [int(n) for n in row]

    def matching(self, spec: WatchSpec, start: datetime, end: datetime,
                 limit: int) -> list[int]:
        """The ids of the newest ``limit`` matches posted in ``[start, end)``."""
        with self.db.read() as conn:
            return _matching(conn, self._matches(spec), start, end, limit)

    # -- notifications -----------------------------------------------------------------------
    def notify(self, watchlist_id: int, *, start: datetime, end: datetime, count: int,
               baseline: float, p_value: float, post_ids: Sequence[int], ways: Sequence[str],
               now: datetime) -> Notification | None:
        """Record a spike with its posts and one pending delivery per way; None when the
        watchlist already has a notification whose window ends after ``start`` (the same
        spike, seen again), or the watchlist is gone."""
        with self.db.write() as conn:
            if conn.execute(select(_W.id).where(_W.id == watchlist_id)).first() is None:
                return None
            if conn.execute(select(_N.id).where(_N.watchlist_id == watchlist_id,
                                                _N.window_end > start)).first() is not None:
                return None
            new_id = int(conn.execute(notifications.insert().values(
                watchlist_id=watchlist_id, window_start=start, window_end=end, count=count,
                baseline=baseline, p_value=p_value, created_at=now).returning(_N.id))
                .scalar_one())
            if post_ids:
                conn.execute(notification_posts.insert(), [
                    {"notification_id": new_id, "post_id": p} for p in post_ids])
            if ways:
                conn.execute(notification_deliveries.insert(), [
                    {"notification_id": new_id, "way": w, "state": "pending", "attempts": 0,
                     "next_try_at": now} for w in ways])
        return self.notification(new_id)

    def notifications(self, *, limit: int = 50, watchlist_id: int | None = None,
                      reader: int | None = None) -> list[Notification]:
        """The newest notifications first, each with its deliveries, and whether the user
        ``reader`` (an id) read it when one is given."""
        statement = _NOTIFIED.order_by(_N.created_at.desc(), _N.id.desc()).limit(limit)
        if reader is not None:
            statement = statement.add_columns(_read_by(reader).label("read"))
        if watchlist_id is not None:
            statement = statement.where(_N.watchlist_id == watchlist_id)
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
            return _with_deliveries(conn, rows)

    def notification(self, notification_id: int) -> Notification | None:
        with self.db.read() as conn:
            rows = conn.execute(_NOTIFIED.where(_N.id == notification_id)).all()
            found = _with_deliveries(conn, rows)
        return found[0] if found else None

    def posts_of(self, notification_id: int) -> list[int]:
        """The ids of the posts behind a notification, newest first."""
        np = notification_posts.c
        with self.db.read() as conn:
            return [int(r[0]) for r in conn.execute(
                select(np.post_id).join(posts, posts.c.id == np.post_id)
                .where(np.notification_id == notification_id)
                .order_by(posts.c.created_at.desc(), posts.c.id.desc()))]

    def unread(self, user_id: int, since: datetime) -> int:
        """How many notifications raised since ``since`` the user has not read (the bell)."""
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(notifications)
                                   .where(_N.created_at >= since, ~_read_by(user_id))) or 0)

    def mark_read(self, user_id: int, now: datetime, *, notification_id: int | None = None,
                  upto: int | None = None) -> int:
        """Mark one notification read for the user, or every one up to the id ``upto`` (those
        a page showed; one raised after it stays unread); return how many became read."""
        chosen = _N.id == notification_id if notification_id is not None else _N.id <= (upto or 0)
        new = select(_N.id, literal(user_id), literal(now, notification_reads.c.read_at.type)
                     ).where(chosen, ~_read_by(user_id))
        insert = self.dialect.insert(notification_reads).from_select(
            ["notification_id", "user_id", "read_at"], new).on_conflict_do_nothing()
        with self.db.write() as conn:  # (a driver may not count an INSERT … SELECT: -1)
            return len(conn.execute(insert.returning(_R.notification_id)).all())

    # -- deliveries --------------------------------------------------------------------------
    def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Pending deliveries whose time to try came, the longest waiting first."""
        with self.db.read() as conn:
            return [_delivery(r) for r in conn.execute(
                select(notification_deliveries).where(_D.state == "pending",
                                                      _D.next_try_at <= now)
                .order_by(_D.next_try_at, _D.id).limit(limit))]

    def pending(self) -> int:
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(notification_deliveries)
                                   .where(_D.state == "pending")) or 0)

    def sent(self, delivery_id: int, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(update(notification_deliveries).where(_D.id == delivery_id).values(
                state="sent", attempts=_D.attempts + 1, sent_at=now, last_error=None))

    def retry_later(self, delivery_id: int, error: str, next_try_at: datetime) -> None:
        """A failed attempt that may work later: still pending, tried again at
        ``next_try_at``."""
        self._attempted(delivery_id, error, next_try_at=next_try_at)

    def failed(self, delivery_id: int, error: str) -> None:
        """An attempt the way refused for good: ``failed``, never tried again."""
        self._attempted(delivery_id, error, state="failed")

    def _attempted(self, delivery_id: int, error: str, **values: Any) -> None:
        with self.db.write() as conn:
            conn.execute(update(notification_deliveries).where(_D.id == delivery_id).values(
                attempts=_D.attempts + 1, last_error=error[:500], **values))


def _matching(conn: Connection, conditions: list[ColumnElement[bool]], start: datetime,
              end: datetime, limit: int) -> list[int]:
    at = posts.c.created_at
    return [int(r[0]) for r in conn.execute(
        select(posts.c.id).where(at >= start, at < end, *conditions)
        .order_by(at.desc(), posts.c.id.desc()).limit(limit))]


def _with_deliveries(conn: Connection, rows: Sequence[Any]) -> list[Notification]:
    ids = [int(r.id) for r in rows]
    by_note: dict[int, list[Delivery]] = {i: [] for i in ids}
    if ids:
        for r in conn.execute(select(notification_deliveries)
                              .where(_D.notification_id.in_(ids)).order_by(_D.id)):
            by_note[int(r.notification_id)].append(_delivery(r))
    return [Notification(int(r.id), int(r.watchlist_id), r.watchlist_name, r.window_start,
                         r.window_end, int(r.count), float(r.baseline), float(r.p_value),
                         r.created_at, by_note[int(r.id)],
                         bool(r.read) if "read" in r._fields else None) for r in rows]
