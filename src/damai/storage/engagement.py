"""Engagement of published and credited posts (issue #12 parts 6 and 7): a time series of each
post's public counts, one row per post per collection, and what measurement reads from it.

A *target* is a post whose counts are collected: a publication Damai sent to a real channel (it
has the platform's ``post_id``), or a stored post credited to an active ambassador. Only targets
posted since a cut-off are listed, so collection stays bounded however long Damai runs. Rows
are only added; :meth:`EngagementRepository.latest` reads the newest row per post (the highest
id: rows are written in collection order).

:meth:`EngagementRepository.observations` joins each post's latest counts to what measurement
groups by: the message (library entry or response), its campaign and A/B variant, its themes,
and for credited posts the ambassador and their province. A withdrawn ambassador's credits are
left out, as everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from damai.storage.engine import Repository
from damai.storage.schema import (
    ambassador_credits,
    ambassador_kits,
    ambassadors,
    campaign_messages,
    campaign_slots,
    campaigns,
    engagement_samples,
    library_entries,
    posts,
    publications,
    responses,
)

__all__ = ["COUNTS", "EngagementRepository", "Observation", "Sample", "Target"]

_E, _P = engagement_samples.c, publications.c
#: the counts a sample holds; ``None`` where the platform does not give one
COUNTS: tuple[str, ...] = ("likes", "reposts", "replies", "quotes", "views")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Target:
    """A post to collect counts for: a publication (``publication_id``, read through its own
    ``channel``) or a credited stored post (``post_id``, read through a channel of its
    platform)."""

    platform: str
    platform_post_id: str
    posted_at: datetime
    publication_id: int | None = None
    post_id: int | None = None
    channel: str | None = None

    @property
    def key(self) -> str:
        return (f"publication:{self.publication_id}" if self.publication_id is not None
                else f"post:{self.post_id}")


@dataclass(frozen=True, slots=True)
class Sample:
    """One collection's counts of one target."""

    target: Target
    collected_at: datetime
    counts: dict[str, int | None]


@dataclass(frozen=True, slots=True)
class Observation:
    """A post's latest counts and what it is grouped by in measurement."""

    key: str
    platform: str
    collected_at: datetime
    counts: dict[str, int | None]
    #: ``entry:ID`` or ``response:ID``; ``None`` for a credited post
    message: str | None = None
    entry_id: str | None = None
    campaign_id: str | None = None
    campaign_name: str | None = None
    #: ``POSITION:VARIANT`` of a campaign message (A/B variants share a position)
    variant: str | None = None
    themes: tuple[str, ...] = ()
    ambassador_id: int | None = None
    ambassador_name: str | None = None
    province: str | None = None


def _target(row: Any, kind: str) -> Target:
    m = row._mapping
    if kind == "publication":
        return Target(str(m["channel"]).partition(":")[0], str(m["post_id"]),
                      _aware(m["posted_at"]),
                      publication_id=int(m["id"]), channel=str(m["channel"]))
    return Target(m["platform"], str(m["platform_id"]), _aware(m["created_at"]),
                  post_id=int(m["id"]))


class EngagementRepository(Repository):
    def targets(self, since: datetime) -> list[Target]:
        """Publications sent to a real channel, and posts credited to active ambassadors,
        posted at or after ``since``, oldest first."""
        posted_at = func.coalesce(_P.updated_at, _P.created_at)
        sent = (select(_P.id, _P.channel, _P.post_id, posted_at.label("posted_at"))
                .where(_P.state == "sent", _P.post_id.isnot(None), _P.channel != "dry-run",
                       posted_at >= since).order_by(_P.id))
        c, a = ambassador_credits.c, ambassadors.c
        credited = (select(posts.c.id, posts.c.platform, posts.c.platform_id,
                           posts.c.created_at).distinct()
                    .select_from(ambassador_credits.join(posts, posts.c.id == c.post_id)
                                 .join(ambassadors, a.id == c.ambassador_id))
                    .where(a.withdrawn_at.is_(None), posts.c.created_at >= since)
                    .order_by(posts.c.id))
        with self.db.read() as conn:
            found = [_target(r, "publication") for r in conn.execute(sent)]
            found += [_target(r, "post") for r in conn.execute(credited)]
        return sorted(found, key=lambda t: t.posted_at)

    def record(self, samples: Iterable[Sample]) -> int:
        """Add one row per sample; return how many."""
        values = [{"publication_id": s.target.publication_id, "post_id": s.target.post_id,
                   "platform": s.target.platform, "platform_post_id": s.target.platform_post_id,
                   "collected_at": s.collected_at,
                   **{k: s.counts.get(k) for k in COUNTS}} for s in samples]
        if not values:
            return 0
        with self.db.write() as conn:
            conn.execute(engagement_samples.insert(), values)
        return len(values)

    def series(self, *, publication_id: int | None = None, post_id: int | None = None
               ) -> list[tuple[datetime, dict[str, int | None]]]:
        """Every sample of one post, oldest first."""
        statement = select(engagement_samples).order_by(_E.id)
        statement = (statement.where(_E.publication_id == publication_id)
                     if publication_id is not None else statement.where(_E.post_id == post_id))
        with self.db.read() as conn:
            return [(_aware(r.collected_at), {k: getattr(r, k) for k in COUNTS})
                    for r in conn.execute(statement)]

    def count(self) -> int:
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(engagement_samples)) or 0)

    def observations(self) -> list[Observation]:
        """Every collected post's latest counts with what measurement groups it by."""
        newest = (select(func.max(_E.id)).group_by(_E.publication_id, _E.post_id)
                  .scalar_subquery())
        with self.db.read() as conn:
            rows = list(conn.execute(select(engagement_samples).where(_E.id.in_(newest))))
            published = _publication_context(conn, [r.publication_id for r in rows
                                                    if r.publication_id is not None])
            credited = _credit_context(conn, [r.post_id for r in rows if r.post_id is not None])
            themes = _themes(conn, {str(v["entry_id"]) for v in [*published.values(),
                                                                  *credited.values()]
                                    if v.get("entry_id")})
        found = []
        for r in rows:
            context = (published.get(r.publication_id, {}) if r.publication_id is not None
                       else credited.get(r.post_id))
            if context is None:
                continue  # the ambassador withdrew: their credits are left out
            key = (f"publication:{r.publication_id}" if r.publication_id is not None
                   else f"post:{r.post_id}")
            entry = context.get("entry_id")
            found.append(Observation(key, r.platform, _aware(r.collected_at),
                                     {k: getattr(r, k) for k in COUNTS},
                                     themes=themes.get(entry, ()) if entry else (),
                                     **context))
        return found

    def publication_delays(self, limit: int = 10_000) -> list[float]:
        """Seconds from when Damai stored (and flagged) each answered post to when its response
        went out, for the newest ``limit`` sent publications of responses to a post."""
        r = responses.c
        sent_at = func.coalesce(_P.updated_at, _P.created_at)
        with self.db.read() as conn:
            rows = conn.execute(
                select(sent_at, posts.c.ingested_at)
                .select_from(publications.join(responses, r.id == _P.response_id)
                             .join(posts, posts.c.id == r.post_id))
                .where(_P.state == "sent").order_by(_P.id.desc()).limit(limit)).all()
        return [max((_aware(s) - _aware(i)).total_seconds(), 0.0) for s, i in rows]


def _publication_context(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per publication: its message, entry, and campaign slot (campaign, variant)."""
    if not ids:
        return {}
    s, m, c, r = campaign_slots.c, campaign_messages.c, campaigns.c, responses.c
    statement = (select(_P.id, _P.entry_id, _P.response_id, r.entry_id.label("response_entry"),
                        s.campaign_id, c.name, m.position, m.variant)
                 .select_from(publications.outerjoin(responses, r.id == _P.response_id)
                              .outerjoin(campaign_slots, s.publication_id == _P.id)
                              .outerjoin(campaign_messages, m.id == s.message_id)
                              .outerjoin(campaigns, c.id == s.campaign_id))
                 .where(_P.id.in_(list(ids))))
    found: dict[int, dict[str, Any]] = {}
    for row in conn.execute(statement):
        message = (f"entry:{row.entry_id}" if row.entry_id is not None
                   else f"response:{row.response_id}")
        found[int(row.id)] = {
            "message": message, "entry_id": row.entry_id or row.response_entry,
            "campaign_id": str(row.campaign_id) if row.campaign_id is not None else None,
            "campaign_name": row.name,
            "variant": f"{row.position}:{row.variant}" if row.variant is not None else None}
    return found


def _credit_context(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per credited post of an active ambassador: the ambassador, province and campaign."""
    if not ids:
        return {}
    c, k, a = ambassador_credits.c, ambassador_kits.c, ambassadors.c
    statement = (select(c.post_id, a.id, a.name, a.province, k.campaign_id)
                 .select_from(ambassador_credits.join(ambassador_kits, k.id == c.kit_id)
                              .join(ambassadors, a.id == c.ambassador_id))
                 .where(c.post_id.in_(list(ids)), a.withdrawn_at.is_(None))
                 .order_by(c.post_id, c.kit_id))
    found: dict[int, dict[str, Any]] = {}
    for row in conn.execute(statement):
        found.setdefault(int(row.post_id), {
            "ambassador_id": int(row.id), "ambassador_name": row.name,
            "province": row.province, "campaign_id": row.campaign_id})
    return found


def _themes(conn: Connection, entry_ids: set[str]) -> dict[str, tuple[str, ...]]:
    if not entry_ids:
        return {}
    e = library_entries.c
    return {str(row.entry_id): tuple(row.themes or ()) for row in conn.execute(
        select(e.entry_id, e.themes).where(e.entry_id.in_(sorted(entry_ids)), e.is_current))}
