"""Hazard events (issue #13): BMKG earthquakes and CAP alerts, and the health of each feed.

:meth:`EventRepository.save` merges every sighting of one event (the same ``key``) into one row:
a value a feed gives replaces the stored one (BMKG revises its first figures), a value it does
not give (``None``) keeps the stored one, ``problems`` and ``feeds`` gather every sighting's.
Two pollers writing the same new event at once: the second one's insert fails on the unique
key and its poll reports the feed as failing; the next poll merges it.

:meth:`EventRepository.record_feed` keeps each feed's validators (ETag, Last-Modified) for the
next conditional request, and since when it has been failing; :meth:`EventRepository.down` lists
the feeds failing for longer than a given time, which the events page and the CLI warn about.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from damai.records import HazardEvent
from damai.storage.engine import Repository
from damai.storage.reports import reports_of_events
from damai.storage.schema import event_feeds, events

__all__ = ["EventRepository", "FeedState", "SaveResult", "StoredEvent"]

_E, _F = events.c, event_feeds.c
#: the columns that hold one of the event's values (merged one by one)
_VALUES: tuple[str, ...] = ("hazard", "time", "magnitude", "depth_km", "lat", "lon", "region",
                            "tsunami_potential", "felt", "headline", "shakemap")


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A stored event, its id, and where and when it was seen."""

    id: int
    event: HazardEvent
    feeds: tuple[str, ...]
    first_seen_at: datetime
    updated_at: datetime
    #: the citizen reports linked to it (issue #13 part 4; :mod:`damai.storage.reports`)
    reports: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The listing's shape (``damai alerts list --json``, ``GET /api/v1/events``)."""
        e = self.event
        return {"id": self.id, "source": e.source, "hazard": e.hazard,
                "time": e.time.isoformat() if e.time else None, "magnitude": e.magnitude,
                "depth_km": e.depth_km, "lat": e.lat, "lon": e.lon, "region": e.region,
                "tsunami_potential": e.tsunami_potential, "felt": e.felt,
                "headline": e.headline, "shakemap": e.shakemap, "problems": list(e.problems),
                "feeds": list(self.feeds), "reports": list(self.reports),
                "calls_for_help": sum(1 for r in self.reports if r["call_for_help"]),
                "first_seen_at": self.first_seen_at.isoformat()}


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the poller knows of one feed."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    checked_at: datetime | None = None
    last_ok_at: datetime | None = None
    failing_since: datetime | None = None
    last_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "last_ok_at": _iso(self.last_ok_at),
                "failing_since": _iso(self.failing_since), "last_error": self.last_error}


@dataclass(frozen=True, slots=True)
class SaveResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    #: the ids of the new events (their alerts are drafted from these)
    new_ids: tuple[int, ...] = ()


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _union(*groups: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _stored(row: Any) -> StoredEvent:
    m = row._mapping
    event = HazardEvent(source=m["source"], key=m["key"], problems=tuple(m["problems"]),
                        raw=m["raw"] or {}, **{name: m[name] for name in _VALUES})
    return StoredEvent(int(m["id"]), event, tuple(m["feeds"]), m["first_seen_at"],
                       m["updated_at"])


def _merged(old: HazardEvent, new: HazardEvent) -> HazardEvent:
    values = {name: getattr(new, name) if getattr(new, name) is not None else getattr(old, name)
              for name in _VALUES}
    return replace(old, problems=_union(old.problems, new.problems),
                   raw=new.raw or old.raw, **values)


def _row(event: HazardEvent) -> dict[str, Any]:
    return {"source": event.source, "key": event.key, "problems": list(event.problems),
            "raw": event.raw, **{name: getattr(event, name) for name in _VALUES}}


class EventRepository(Repository):
    def save(self, found: list[HazardEvent], feed: str, now: datetime) -> SaveResult:
        """Insert each new event and merge each known one (see the module doc)."""
        new_ids: list[int] = []
        updated = unchanged = 0
        with self.db.write() as conn:
            for event in found:
                outcome = self._save_one(conn, event, feed, now)
                if isinstance(outcome, int):
                    new_ids.append(outcome)
                updated, unchanged = (updated + (outcome == "updated"),
                                      unchanged + (outcome == "unchanged"))
        return SaveResult(len(new_ids), updated, unchanged, tuple(new_ids))

    def _save_one(self, conn: Connection, event: HazardEvent, feed: str, now: datetime
                  ) -> str | int:
        """The new event's id, or ``updated`` or ``unchanged``."""
        row = conn.execute(select(events).where(_E.key == event.key)).first()
        if row is None:
            return int(conn.execute(events.insert().returning(_E.id).values(
                **_row(event), feeds=[feed], first_seen_at=now, updated_at=now)).scalar_one())
        stored = _stored(row)
        merged, feeds = _merged(stored.event, event), _union(stored.feeds, [feed])
        if _same(merged, stored.event) and feeds == stored.feeds:
            return "unchanged"
        conn.execute(events.update().where(_E.id == stored.id).values(
            **_row(merged), feeds=list(feeds), updated_at=now))
        return "updated"

    def get(self, event_id: int) -> StoredEvent | None:
        with self.db.read() as conn:
            row = conn.execute(select(events).where(_E.id == event_id)).first()
            return None if row is None else _with_reports(conn, [_stored(row)])[0]

    def recent(self, limit: int = 200, source: str | None = None) -> list[StoredEvent]:
        """The newest events first (by the event's time; events without one last)."""
        query = select(events).order_by(_E.time.desc().nulls_last(), _E.id.desc()).limit(limit)
        if source is not None:
            query = query.where(_E.source == source)
        with self.db.read() as conn:
            return _with_reports(conn, [_stored(row) for row in conn.execute(query)])

    def feed(self, url: str) -> FeedState | None:
        with self.db.read() as conn:
            row = conn.execute(select(event_feeds).where(_F.url == url)).first()
        return None if row is None else FeedState(**row._mapping)

    def feeds(self) -> list[FeedState]:
        with self.db.read() as conn:
            return [FeedState(**row._mapping)
                    for row in conn.execute(select(event_feeds).order_by(_F.url))]

    def record_feed(self, url: str, now: datetime, *, error: str | None = None,
                    etag: str | None = None, last_modified: str | None = None) -> FeedState:
        """Record one poll of ``url``: answered (``error`` None; the validators are replaced
        when given) or failed (the validators stay; ``failing_since`` keeps the first
        failure's time)."""
        old = self.feed(url) or FeedState(url)
        if error is None:
            state = replace(old, etag=etag or old.etag,
                            last_modified=last_modified or old.last_modified, checked_at=now,
                            last_ok_at=now, failing_since=None, last_error=None)
        else:
            state = replace(old, checked_at=now, failing_since=old.failing_since or now,
                            last_error=error[:500])
        values = {f.name: getattr(state, f.name) for f in fields(FeedState)}
        with self.db.write() as conn:
            insert = self.dialect.insert(event_feeds).values(**values)
            conn.execute(insert.on_conflict_do_update(
                index_elements=[_F.url],
                set_={name: insert.excluded[name] for name in values if name != "url"}))
        return state

    def down(self, now: datetime, after: timedelta) -> list[FeedState]:
        """The feeds that have been failing for ``after`` or longer."""
        return [f for f in self.feeds()
                if f.failing_since is not None and now - f.failing_since >= after]


def _with_reports(conn: Connection, found: list[StoredEvent]) -> list[StoredEvent]:
    reports = reports_of_events(conn, [e.id for e in found])
    return [replace(e, reports=tuple(reports.get(e.id, ()))) for e in found]


def _same(a: HazardEvent, b: HazardEvent) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in (*_VALUES, "problems"))
