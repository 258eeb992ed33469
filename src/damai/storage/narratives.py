"""Narratives (issue #14 part 2): groups of posts that say the same thing, and the MinHash
signatures the grouping's LSH index is rebuilt from.

The grouping itself (which post joins which narrative) is decided in
:mod:`damai.pipeline.narratives`; this repository only stores its decisions
(:meth:`NarrativeRepository.record`, one transaction per batch) and reads them back for the
list, the narrative page, the coordination signals and the GEXF export. Every read is bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, func, select, tuple_
from sqlalchemy.orm import aliased

from damai.records import PostKey
from damai.storage.base import PAGE_COLUMNS, StoredPost, row_to_post
from damai.storage.engine import Repository
from damai.storage.schema import (
    narrative_posts,
    narrative_signatures,
    narratives,
    post_flags,
    post_places,
    posts,
    responses,
)
from damai.storage.triage_queue import regroup
from damai.storage.types import UtcTime

__all__ = ["Member", "Membership", "NarrativeRepository", "NarrativeSummary", "NewNarrative",
           "RepostPair"]

_N, _M, _S, _P = narratives.c, narrative_posts.c, narrative_signatures.c, posts.c
_CHUNK = 500
_PAGE = (_P.id, *(_P[c] for c in PAGE_COLUMNS))
_GROW = (narratives.update().where(_N.id == bindparam("nid")).values(
    size=_N.size + bindparam("n"),
    first_seen=case((_N.first_seen > bindparam("f", type_=UtcTime()),
                     bindparam("f", type_=UtcTime())), else_=_N.first_seen),
    last_seen=case((_N.last_seen < bindparam("l", type_=UtcTime()),
                    bindparam("l", type_=UtcTime())), else_=_N.last_seen)))


class Member(NamedTuple):
    """What a narrative's page counts of each of its posts (no text, no JSON: cheap to read for
    tens of thousands of posts), and how the post joined. A tuple: made 20,000 times a page."""

    id: int
    created_at: datetime
    platform: str
    author_key: str | None
    repost: bool
    how: str


@dataclass(frozen=True, slots=True)
class NewNarrative:
    """A narrative a batch starts; ``placeholder`` (negative) stands for its id until stored."""

    placeholder: int
    title: str
    embedding: bytes | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    """A post joining a narrative (a stored id, or a :class:`NewNarrative`'s placeholder).
    ``signature``: its MinHash, when it is kept as one of the narrative's representatives."""

    post_id: int
    narrative: int
    how: str
    created_at: datetime
    score: float | None = None
    signature: bytes | None = None
    #: the post's facts a narrative's page counts (:class:`Member`)
    platform: str = ""
    author_key: str | None = None
    repost: bool = False


@dataclass(frozen=True, slots=True)
class NarrativeSummary:
    id: int
    title: str
    size: int
    first_seen: datetime
    last_seen: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "size": self.size,
                "first_seen": self.first_seen.isoformat(), "last_seen": self.last_seen.isoformat()}


@dataclass(frozen=True, slots=True)
class RepostPair:
    """One account reposting another's posts (both pseudonymised keys), ``n`` times."""

    reposter: str
    original: str
    n: int


def _summary(row: Any) -> NarrativeSummary:
    return NarrativeSummary(int(row.id), row.title, int(row.size), row.first_seen, row.last_seen)


class NarrativeRepository(Repository):
    # -- writing ---------------------------------------------------------------------------
    def record(self, new: Sequence[NewNarrative], members: Sequence[Membership],
               now: datetime) -> dict[int, int]:
        """Store a batch's new narratives and memberships in one transaction; return each
        placeholder's stored id. A post already grouped keeps its narrative (skipped)."""
        with self.db.write() as conn:
            known = self._grouped(conn, [m.post_id for m in members])
            fresh = [m for m in members if m.post_id not in known]
            grown = _growth(fresh)
            ids = self._insert_new(conn, new, grown, now)
            if fresh:
                conn.execute(narrative_posts.insert(), [
                    {"post_id": m.post_id, "narrative_id": ids.get(m.narrative, m.narrative),
                     "how": m.how, "score": m.score, "created_at": m.created_at,
                     "platform": m.platform, "author_key": m.author_key, "repost": m.repost}
                    for m in fresh])
                regroup(conn, [(m.post_id, ids.get(m.narrative, m.narrative)) for m in fresh])
                sigs = [{"post_id": m.post_id, "narrative_id": ids.get(m.narrative, m.narrative),
                         "signature": m.signature} for m in fresh if m.signature is not None]
                if sigs:
                    conn.execute(narrative_signatures.insert(), sigs)
            older = [row for nid, row in grown.items() if nid > 0]
            if older:
                conn.execute(_GROW, older)
        return ids

    @staticmethod
    def _insert_new(conn: Any, new: Sequence[NewNarrative], grown: dict[int, dict[str, Any]],
                    now: datetime) -> dict[int, int]:
        """Insert the new narratives in one statement, their counts included."""
        if not new:
            return {}
        empty = {"n": 0, "f": now, "l": now}
        rows = [{"title": n.title[:280], "size": grown.get(n.placeholder, empty)["n"],
                 "first_seen": grown.get(n.placeholder, empty)["f"],
                 "last_seen": grown.get(n.placeholder, empty)["l"], "created_at": now,
                 "embedding": n.embedding} for n in new]
        made = conn.execute(narratives.insert().returning(_N.id, sort_by_parameter_order=True),
                            rows).scalars().all()
        return {n.placeholder: int(i) for n, i in zip(new, made, strict=True)}

    @staticmethod
    def _grouped(conn: Any, post_ids: list[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(post_ids), _CHUNK):
            found.update(conn.execute(select(_M.post_id).where(
                _M.post_id.in_(post_ids[start:start + _CHUNK]))).scalars())
        return found

    # -- what the grouping reads -----------------------------------------------------------
    def signatures_after(self, post_id: int, limit: int = 50_000
                         ) -> list[tuple[int, int, bytes]]:
        """Representatives' ``(post_id, narrative_id, signature)`` after ``post_id``, in order."""
        with self.db.read() as conn:
            return [(int(r[0]), int(r[1]), bytes(r[2])) for r in conn.execute(
                select(_S.post_id, _S.narrative_id, _S.signature).where(_S.post_id > post_id)
                .order_by(_S.post_id).limit(limit))]

    def embeddings(self) -> list[tuple[int, bytes]]:
        """``(narrative_id, embedding)`` of every narrative that has one (flagged ones)."""
        with self.db.read() as conn:
            return [(int(r[0]), bytes(r[1])) for r in conn.execute(
                select(_N.id, _N.embedding).where(_N.embedding.isnot(None)).order_by(_N.id))]

    def flagged_labels(self) -> dict[int, set[str]]:
        """The flagged labels of each narrative that has an embedding."""
        found: dict[int, set[str]] = {}
        with self.db.read() as conn:
            rows = conn.execute(select(_M.narrative_id, post_flags.c.label).distinct()
                                .join(post_flags, post_flags.c.post_id == _M.post_id)
                                .join(narratives, _N.id == _M.narrative_id)
                                .where(_N.embedding.isnot(None)))
            for narrative, label in rows:
                found.setdefault(int(narrative), set()).add(str(label))
        return found

    def of_posts(self, keys: Sequence[PostKey]) -> dict[PostKey, int]:
        """The narrative of each stored, grouped post among ``keys``."""
        return self._by_key(keys, _M.narrative_id, joined=True)

    def ids_of(self, keys: Sequence[PostKey]) -> dict[PostKey, int]:
        """The row id of each stored post among ``keys``."""
        return self._by_key(keys, _P.id, joined=False)

    def _by_key(self, keys: Sequence[PostKey], column: Any, *, joined: bool
                ) -> dict[PostKey, int]:
        found: dict[PostKey, int] = {}
        key = tuple_(_P.platform, _P.platform_id)
        query = select(_P.platform, _P.platform_id, column)
        if joined:
            query = query.join(narrative_posts, _M.post_id == _P.id)
        with self.db.read() as conn:
            for start in range(0, len(keys), _CHUNK):
                rows = conn.execute(query.where(key.in_(list(keys[start:start + _CHUNK]))))
                found.update({(r[0], r[1]): int(r[2]) for r in rows})
        return found

    def ungrouped(self, after_id: int, limit: int) -> list[StoredPost]:
        """Stored posts in no narrative, by id after ``after_id`` (``damai narratives build``)."""
        with self.db.read() as conn:
            rows = conn.execute(select(*_PAGE).outerjoin(narrative_posts, _M.post_id == _P.id)
                                .where(_M.post_id.is_(None), _P.id > after_id)
                                .order_by(_P.id).limit(limit)).all()
        return [StoredPost(int(r.id), row_to_post(r)) for r in rows]

    # -- reading ---------------------------------------------------------------------------
    def get(self, narrative_id: int) -> NarrativeSummary | None:
        with self.db.read() as conn:
            row = conn.execute(select(narratives).where(_N.id == narrative_id)).first()
        return None if row is None else _summary(row)

    def listing(self, *, order: str = "size", limit: int = 50, offset: int = 0,
                min_size: int = 1) -> list[NarrativeSummary]:
        """Narratives with at least ``min_size`` posts, largest (``size``) or newest
        (``recent``) first."""
        key = (_N.size.desc(), _N.id.desc()) if order == "size" else (_N.last_seen.desc(),
                                                                       _N.id.desc())
        with self.db.read() as conn:
            rows = conn.execute(select(narratives).where(_N.size >= min_size).order_by(*key)
                                .limit(limit).offset(offset))
            return [_summary(r) for r in rows]

    def count(self, min_size: int = 1) -> int:
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(narratives)
                                   .where(_N.size >= min_size)) or 0)

    def member_facts(self, narrative_id: int, limit: int) -> list[Member]:
        """The narrative's posts as :class:`Member` facts, oldest first, at most ``limit`` (from
        the ``narrative_posts_time`` index alone)."""
        with self.db.read() as conn:
            rows = conn.execute(select(_M.post_id, _M.created_at, _M.platform, _M.author_key,
                                       _M.repost, _M.how)
                                .where(_M.narrative_id == narrative_id)
                                .order_by(_M.created_at, _M.post_id).limit(limit)).all()
        return [Member(*r) for r in rows]

    def tallies(self, narrative_id: int, accounts: int = 500) -> dict[str, dict[str, int]]:
        """Posts of the narrative per UTC ``day``, ``platform``, ``how`` they joined and
        ``account`` (the ``accounts`` with most posts), most first, over all its posts (grouped
        in SQL on the ``narrative_posts_time`` index)."""
        columns = {"day": self.dialect.day(_M.created_at), "platform": _M.platform,
                   "how": _M.how, "account": _M.author_key}
        out: dict[str, dict[str, int]] = {}
        with self.db.read() as conn:
            for name, column in columns.items():
                posts_of = func.count()
                query = (select(column, posts_of)
                         .where(_M.narrative_id == narrative_id, column.isnot(None))
                         .group_by(column).order_by(posts_of.desc(), column))
                if name == "account":
                    query = query.limit(accounts)
                out[name] = {str(key): int(n) for key, n in conn.execute(query)}
        return out

    def provinces(self, narrative_id: int) -> dict[str, int]:
        """Posts of the narrative per province they name (their stored ``post_places``), most
        first."""
        posts_of = func.count(func.distinct(post_places.c.post_id))
        with self.db.read() as conn:
            rows = conn.execute(select(post_places.c.province, posts_of)
                                .join(narrative_posts, _M.post_id == post_places.c.post_id)
                                .where(_M.narrative_id == narrative_id)
                                .group_by(post_places.c.province)
                                .order_by(posts_of.desc(), post_places.c.province))
            return {str(r[0]): int(r[1]) for r in rows}

    def labels(self, narrative_id: int) -> dict[str, int]:
        """Flagged posts of the narrative per label, most first."""
        with self.db.read() as conn:
            rows = conn.execute(select(post_flags.c.label, func.count())
                                .join(narrative_posts, _M.post_id == post_flags.c.post_id)
                                .where(_M.narrative_id == narrative_id)
                                .group_by(post_flags.c.label).order_by(func.count().desc()))
            return {str(r[0]): int(r[1]) for r in rows}

    def responses(self, narrative_id: int) -> list[dict[str, Any]]:
        """The responses that answer the whole narrative, newest first."""
        r = responses.c
        with self.db.read() as conn:
            rows = conn.execute(select(r.id, r.state, r.text).where(
                r.narrative_id == str(narrative_id)).order_by(r.id.desc()).limit(50))
            return [{"id": int(x.id), "state": x.state, "text": x.text} for x in rows]

    def repost_pairs(self, authors: Sequence[str] | None = None,
                     limit: int = 200_000) -> list[RepostPair]:
        """Who reposted whom, counted (pseudonymised keys, both known); limited to reposts by
        ``authors`` when given."""
        orig = aliased(posts)
        query = (select(_P.author_key, orig.c.author_key, func.count())
                 .join(orig, (orig.c.platform == _P.platform)
                       & (orig.c.platform_id == _P.repost_of_id))
                 .where(_P.repost_of_id.isnot(None), _P.author_key.isnot(None),
                        orig.c.author_key.isnot(None))
                 .group_by(_P.author_key, orig.c.author_key).limit(limit))
        if authors is not None:
            query = query.where(_P.author_key.in_(list(authors)[:_CHUNK]))
        with self.db.read() as conn:
            return [RepostPair(str(r[0]), str(r[1]), int(r[2])) for r in conn.execute(query)]

    def reposts_by(self, authors: Sequence[str]) -> dict[str, int]:
        """How many reposts each of ``authors`` made in the store."""
        with self.db.read() as conn:
            rows = conn.execute(select(_P.author_key, func.count())
                                .where(_P.author_key.in_(list(authors)[:_CHUNK]),
                                       _P.repost_of_id.isnot(None))
                                .group_by(_P.author_key))
            return {str(r[0]): int(r[1]) for r in rows}

    def hashtag_lists(self, narrative_id: int | None = None,
                      limit: int = 200_000) -> list[list[str]]:
        """The hashtags of posts with two or more (of one narrative, when given)."""
        query = select(_P.hashtags).where(_P.hashtags.isnot(None)).order_by(_P.id.desc())
        if narrative_id is not None:
            query = query.join(narrative_posts, _M.post_id == _P.id).where(
                _M.narrative_id == narrative_id)
        with self.db.read() as conn:
            rows = conn.execute(query.limit(limit)).scalars()
            return [list(tags) for tags in rows if tags and len(tags) > 1]


def _growth(fresh: Sequence[Membership]) -> dict[int, dict[str, Any]]:
    """Per narrative (stored id, or a new one's placeholder): posts joining, first and last."""
    grown: dict[int, dict[str, Any]] = {}
    for m in fresh:
        row = grown.setdefault(m.narrative, {"nid": m.narrative, "n": 0, "f": m.created_at,
                                             "l": m.created_at})
        row["n"] += 1
        row["f"], row["l"] = min(row["f"], m.created_at), max(row["l"], m.created_at)
    return grown
