"""Citizen disaster posts and the events they are linked to (issue #13 part 4).

:meth:`ReportRepository.candidates` reads the posts flagged ``disaster`` in a time range (through
the ``post_flags`` index) with their flags, scores and places: what the linker
(:mod:`damai.pipeline.linking`) and the map page work from. :meth:`ReportRepository.link` writes
the linker's choices, one event per post (an upsert on the post: a post's link moves when a better
event appears, and a second run with the same choices changes nothing).
:func:`reports_of_events` gives each event its linked reports, for ``StoredEvent.to_dict()``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from damai.records import Place
from damai.storage.engine import Repository
from damai.storage.places import PlaceRepository
from damai.storage.schema import event_reports, post_flags, posts

__all__ = ["Candidate", "Link", "Report", "ReportRepository", "reports_of_events"]

_R = event_reports.c
#: the label every citizen disaster post carries
DISASTER = "disaster"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored post flagged ``disaster``: its time, flags, scores and the places it names."""

    post_id: int
    created_at: datetime
    flags: tuple[str, ...]
    labels: dict[str, float]
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """A citizen report (the rules are in :mod:`damai.pipeline.linking`): a flagged post's
    hazard, kinds of information, and the most specific place it names."""

    post_id: int
    posted_at: datetime
    hazard: str
    info: tuple[str, ...]
    place: Place

    @property
    def call_for_help(self) -> bool:
        return "call_for_help" in self.info


@dataclass(frozen=True, slots=True)
class Link:
    """One report linked to an event, ``distance_km`` from the event's point."""

    event_id: int
    report: Report
    distance_km: float | None

    def row(self, now: datetime) -> dict[str, Any]:
        r, p = self.report, self.report.place
        return {"event_id": self.event_id, "post_id": r.post_id, "hazard": r.hazard,
                "info": list(r.info), "call_for_help": r.call_for_help,
                "place": p.name, "province": p.province, "regency": p.regency, "lat": p.lat,
                "lon": p.lon, "distance_km": (None if self.distance_km is None
                                              else round(self.distance_km, 1)),
                "posted_at": r.posted_at, "linked_at": now}


_SAME = ("event_id", "hazard", "info", "call_for_help", "place", "distance_km")


def _report(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {"post_id": int(m["post_id"]), "post": f"{m['platform']}:{m['platform_id']}",
            "hazard": m["hazard"], "info": list(m["info"]),
            "call_for_help": bool(m["call_for_help"]), "place": m["place"],
            "province": m["province"], "regency": m["regency"], "lat": m["lat"],
            "lon": m["lon"], "distance_km": m["distance_km"],
            "posted_at": m["posted_at"].isoformat()}


def reports_of_events(conn: Connection, event_ids: Sequence[int]
                      ) -> dict[int, list[dict[str, Any]]]:
    """Each event's linked reports, oldest first (calls for help are in them, marked)."""
    found: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    ids = list(event_ids)
    for start in range(0, len(ids), 500):
        rows = conn.execute(select(event_reports, posts.c.platform, posts.c.platform_id)
                            .join(posts, posts.c.id == _R.post_id)
                            .where(_R.event_id.in_(ids[start:start + 500]))
                            .order_by(_R.event_id, _R.posted_at, _R.post_id))
        for row in rows:
            found[int(row.event_id)].append(_report(row))
    return dict(found)


class ReportRepository(Repository):
    def candidates(self, since: datetime, until: datetime,
                   limit: int = 100_000) -> list[Candidate]:
        """Posts flagged ``disaster`` created in ``[since, until)``, oldest first, with their
        places (none for a post that names no place); the newest ``limit`` when there are more."""
        query = (select(posts.c.id, posts.c.created_at, posts.c.flags, posts.c.labels)
                 .join(post_flags, post_flags.c.post_id == posts.c.id)
                 .where(post_flags.c.label == DISASTER, post_flags.c.created_at >= since,
                        post_flags.c.created_at < until)
                 .order_by(post_flags.c.created_at.desc(), posts.c.id.desc()).limit(limit))
        with self.db.read() as conn:
            rows = conn.execute(query).all()[::-1]
        places = PlaceRepository(self.db).of_posts([int(r.id) for r in rows])
        return [Candidate(int(r.id), r.created_at, tuple(r.flags or ()), dict(r.labels or {}),
                          places.get(int(r.id), ())) for r in rows]

    def links(self, post_ids: Sequence[int]) -> dict[int, int]:
        """The event each of ``post_ids`` is linked to, if any."""
        found: dict[int, int] = {}
        ids = list(post_ids)
        with self.db.read() as conn:
            for start in range(0, len(ids), 500):
                found.update((int(p), int(e)) for p, e in conn.execute(
                    select(_R.post_id, _R.event_id).where(_R.post_id.in_(ids[start:start + 500]))))
        return found

    def post_keys(self, post_ids: Sequence[int]) -> dict[int, str]:
        """``platform:platform_id`` of each of ``post_ids`` (the dashboard's post link)."""
        found: dict[int, str] = {}
        ids = list(post_ids)
        with self.db.read() as conn:
            for start in range(0, len(ids), 500):
                found.update((int(i), f"{p}:{pid}") for i, p, pid in conn.execute(
                    select(posts.c.id, posts.c.platform, posts.c.platform_id)
                    .where(posts.c.id.in_(ids[start:start + 500]))))
        return found

    def link(self, found: Sequence[Link], now: datetime) -> int:
        """Write each link, replacing the post's earlier one; return how many changed."""
        if not found:
            return 0
        rows = [link.row(now) for link in found]
        with self.db.write() as conn:
            old = {int(r.post_id): r for r in conn.execute(select(event_reports).where(
                _R.post_id.in_([r["post_id"] for r in rows])))}
            changed = [r for r in rows if r["post_id"] not in old
                       or any(_value(old[r["post_id"]], n) != r[n] for n in _SAME)]
            if changed:
                insert = self.dialect.insert(event_reports)
                conn.execute(insert.on_conflict_do_update(
                    index_elements=[_R.post_id],
                    set_={n: insert.excluded[n] for n in rows[0] if n != "post_id"}), changed)
        return len(changed)

    def of_events(self, event_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        with self.db.read() as conn:
            return reports_of_events(conn, event_ids)


def _value(row: Any, name: str) -> Any:
    value = row._mapping[name]
    return list(value) if name == "info" else value
