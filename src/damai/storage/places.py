"""The places each post names (issue #13), as :mod:`damai.understand.geoparse` found them.

New posts get theirs in the transaction that stores them (:func:`insert_places`, called by the
post repository's batch write). Posts stored before migration ``0016_places`` get theirs from
``damai places backfill``: :meth:`PlaceRepository.unplaced` pages through the posts that have no
place row, in id order, and :meth:`PlaceRepository.add` writes what the geoparser found, skipping
a post that has rows already (a second run, or two at once, writes nothing twice). A post that
names no place has no row, so a second backfill parses it again and finds nothing again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from damai.records import Place, Post, PostKey
from damai.storage.engine import Repository
from damai.storage.schema import post_places, posts

__all__ = ["PlaceRepository", "insert_places", "place_rows"]

_P = post_places.c


def place_rows(post_id: int, places: Sequence[Place]) -> list[dict[str, Any]]:
    return [{"post_id": post_id, "ordinal": i, "level": p.level, "name": p.name,
             "province": p.province, "regency": p.regency, "district": p.district,
             "lat": p.lat, "lon": p.lon} for i, p in enumerate(places)]


def insert_places(conn: Connection, ids: Mapping[PostKey, int], stored: Sequence[Post]) -> None:
    """The place rows of newly stored posts (in the post write's transaction)."""
    rows = [row for p in stored if p.places for row in place_rows(ids[p.key], p.places)]
    if rows:
        conn.execute(post_places.insert(), rows)


def _place(row: Any) -> Place:
    m = row._mapping
    return Place(m["name"], m["level"], m["province"], m["regency"], m["district"],
                 float(m["lat"]), float(m["lon"]))


class PlaceRepository(Repository):
    def add(self, found: Mapping[int, Sequence[Place]]) -> int:
        """Write the places of posts that have none yet; return how many posts got places."""
        wanted = {post_id: places for post_id, places in found.items() if places}
        if not wanted:
            return 0
        with self.db.write() as conn:
            have = set(conn.scalars(select(_P.post_id).distinct()
                                    .where(_P.post_id.in_(list(wanted)))))
            rows = [row for post_id, places in wanted.items() if post_id not in have
                    for row in place_rows(post_id, places)]
            if rows:
                conn.execute(post_places.insert(), rows)
        return len(wanted) - len(have)

    def unplaced(self, after_id: int, limit: int) -> list[tuple[int, str]]:
        """``(id, text)`` of up to ``limit`` posts after ``after_id`` with no place row."""
        placed = select(_P.post_id).where(_P.post_id == posts.c.id).exists()
        with self.db.read() as conn:
            rows = conn.execute(select(posts.c.id, posts.c.text)
                                .where(posts.c.id > after_id, ~placed)
                                .order_by(posts.c.id).limit(limit)).all()
        return [(int(r[0]), str(r[1])) for r in rows]

    def of_posts(self, post_ids: Sequence[int]) -> dict[int, tuple[Place, ...]]:
        """The places of each of ``post_ids`` that has any, in the order the post names them."""
        found: defaultdict[int, list[Place]] = defaultdict(list)
        ids = list(dict.fromkeys(post_ids))
        with self.db.read() as conn:
            for start in range(0, len(ids), 500):
                rows = conn.execute(select(post_places).where(
                    _P.post_id.in_(ids[start:start + 500])).order_by(_P.post_id, _P.ordinal))
                for row in rows:
                    found[int(row.post_id)].append(_place(row))
        return {post_id: tuple(places) for post_id, places in found.items()}

    def province_counts(self, since: datetime | None = None,
                        until: datetime | None = None) -> dict[str, int]:
        """Posts that name a place in each province (a post naming two provinces counts in
        both), of posts created in ``[since, until)`` when given; most first."""
        query = select(_P.province, func.count(_P.post_id.distinct())).group_by(_P.province)
        if since is not None or until is not None:
            query = query.join(posts, posts.c.id == _P.post_id)
            if since is not None:
                query = query.where(posts.c.created_at >= since)
            if until is not None:
                query = query.where(posts.c.created_at < until)
        with self.db.read() as conn:
            counts = {str(name): int(n) for name, n in conn.execute(query)}
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def recent_province_counts(self, limit: int) -> tuple[dict[str, int], int]:
        """Posts per province among the newest ``limit`` posts that name a place (a post naming
        two provinces counts in both), most first, and how many posts that sample holds: what
        the overview's map draws, and what ``province=`` on the post list finds."""
        placed = select(_P.post_id).where(_P.post_id == posts.c.id).exists()
        newest = (select(posts.c.id).where(placed).order_by(posts.c.created_at.desc())
                  .limit(limit).subquery())
        query = (select(_P.province, func.count(_P.post_id.distinct()))
                 .where(_P.post_id.in_(select(newest.c.id))).group_by(_P.province))
        with self.db.read() as conn:
            counts = {str(name): int(n) for name, n in conn.execute(query)}
            sample = int(conn.scalar(select(func.count()).select_from(newest)) or 0)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))), sample
