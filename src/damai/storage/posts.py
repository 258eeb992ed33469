"""The post repository: write batches of posts, read them back for the CLI, API and pages.

Writing a batch is one transaction: new posts (idempotent on platform + platform id; a post with a
tombstone is never stored again), their flagged labels (``post_flags``), the claim each repeats
(``post_claims``), the places it names (``post_places``), its hashtags, links and domains
(``post_terms``), the summary tables,
refreshed engagement for posts seen before, quarantined records and platform notices. Every read
is bounded or streamed, and pages never read the ``raw`` column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select, tuple_, update
from sqlalchemy.engine import Connection

from damai.errors import InputError
from damai.records import Notice, Post, PostKey, RecordFailure
from damai.storage.base import (
    PAGE_COLUMNS,
    POST_COLUMNS,
    PostCursor,
    PostPage,
    PostQuery,
    Stats,
    StoredPost,
    WriteResult,
    filters_posts,
    post_to_row,
    row_to_post,
)
from damai.storage.engine import Repository
from damai.storage.filters import flag_conditions, label_page, newest_first, where
from damai.storage.places import insert_places
from damai.storage.quarantine import insert_failures
from damai.storage.schema import (
    post_claims,
    post_daily,
    post_flags,
    post_tombstones,
    posts,
    quarantine,
    source_notices,
)
from damai.storage.summaries import Summary
from damai.storage.terms import insert_terms
from damai.storage.triage_queue import mark_stale, reweigh

__all__ = ["PostRepository"]

_ALL = (posts.c.id, *(posts.c[c] for c in POST_COLUMNS))
_PAGE = (posts.c.id, *(posts.c[c] for c in PAGE_COLUMNS))
_RECENT: dict[str, ColumnElement[bool]] = {"flagged": posts.c.flags.isnot(None),
                                           "geo": posts.c.geo.isnot(None)}
#: what :meth:`PostRepository.recent_fields` reads: the JSON fields the overview counts, and the
#: time that bounds its drill-down links
_JSON_FIELDS = frozenset({"hashtags", "links", "geo", "created_at"})
_CHUNK = 500
_STREAM_PAGE = 1000
_REFRESH = (update(posts)
            .where(posts.c.platform == bindparam("k_platform"),
                   posts.c.platform_id == bindparam("k_platform_id"),
                   or_(posts.c.fetched_at.is_(None), posts.c.fetched_at < bindparam("k_fetched")))
            .values(engagement=bindparam("engagement"), fetched_at=bindparam("fetched_at")))


def _now() -> datetime:
    return datetime.now(UTC)


def _unique(batch: list[Post], result: WriteResult) -> dict[PostKey, Post]:
    unique: dict[PostKey, Post] = {}
    for post in batch:
        if post.key in unique:
            result.duplicates += 1
        else:
            unique[post.key] = post
    return unique


class PostRepository(Repository):
    # -- writing ---------------------------------------------------------------------------
    def write_batch(self, batch: list[Post], failures: list[tuple[RecordFailure, str | None]],
                    notices: list[tuple[str, Notice]]) -> WriteResult:
        """In one transaction: store new posts, count known ones as duplicates (refreshing their
        engagement when the fetch is newer), quarantine failures and record notices."""
        now = _now()
        result = WriteResult()
        unique = _unique(batch, result)
        with self.db.write() as conn:
            gone = self._tombstoned(conn, list(unique))
            fresh = [p for k, p in unique.items() if k not in gone]
            ids = self._insert(conn, fresh, now)
            self._refresh(conn, [p for p in fresh if p.key not in ids])
            insert_failures(conn, self.dialect, failures, now)
            if notices:
                conn.execute(source_notices.insert(), [
                    {"ingest_batch": b, "kind": n.kind, "detail": n.detail, "created_at": now}
                    for b, n in notices])
        result.stored += len(ids)
        result.duplicates += len(unique) - len(ids)
        return result

    @staticmethod
    def _tombstoned(conn: Connection, keys: list[PostKey]) -> set[PostKey]:
        """The keys of posts deleted by their platform or erased: never stored again."""
        if not keys or conn.scalar(select(post_tombstones.c.platform).limit(1)) is None:
            return set()
        found: set[PostKey] = set()
        key = tuple_(post_tombstones.c.platform, post_tombstones.c.platform_id)
        for start in range(0, len(keys), _CHUNK):
            rows = conn.execute(select(post_tombstones.c.platform, post_tombstones.c.platform_id)
                                .where(key.in_(keys[start:start + _CHUNK])))
            found.update((r[0], r[1]) for r in rows)
        return found

    def _insert(self, conn: Connection, fresh: list[Post], now: datetime) -> dict[PostKey, int]:
        """Insert the posts not stored yet (the others are left as they are); their flags and
        summaries follow. Returns the new posts' ids by key."""
        if not fresh:
            return {}
        rows = self.dialect.insert_posts(conn, [post_to_row(p, now) for p in fresh])
        ids = {(r[1], r[2]): int(r[0]) for r in rows}
        if not ids:
            return ids
        self.dialect.index_new_posts(conn, min(ids.values()))
        stored = [p for p in fresh if p.key in ids]
        flags = [{"post_id": ids[p.key], "label": label, "score": float(p.labels.get(label, 1.0)),
                  "created_at": p.created_at} for p in stored for label in p.flags]
        if flags:
            conn.execute(post_flags.insert(), flags)
            mark_stale(conn, self.dialect, sorted({ids[p.key] for p in stored if p.flags}))
        matched = [{"post_id": ids[p.key], "claim_id": p.claim.claim_id, "score": p.claim.score,
                    "verdict": p.claim.verdict, "suggestion": p.claim.suggestion,
                    "matched_at": now} for p in stored if p.claim is not None]
        if matched:
            conn.execute(post_claims.insert(), matched)
        insert_places(conn, ids, stored)
        insert_terms(conn, ids, stored)
        summary = Summary()
        summary.add_posts(stored)
        summary.apply(conn, self.dialect)
        return ids

    def _refresh(self, conn: Connection, seen: list[Post]) -> None:
        rows = [{"k_platform": p.platform, "k_platform_id": p.platform_id,
                 "k_fetched": p.fetched_at, "engagement": p.engagement,
                 "fetched_at": p.fetched_at} for p in seen if p.fetched_at is not None]
        if rows:
            conn.execute(_REFRESH, rows)
            reweigh(conn, [p.key for p in seen if p.fetched_at is not None])

    # -- reading one -----------------------------------------------------------------------
    def get(self, platform: str, platform_id: str) -> Post | None:
        with self.db.read() as conn:
            row = conn.execute(select(*_ALL).where(posts.c.platform == platform,
                                                   posts.c.platform_id == platform_id)).first()
        return row_to_post(row) if row else None

    def row_id(self, platform: str, platform_id: str) -> int | None:
        """The row id of a post (what other tables refer to), or None."""
        with self.db.read() as conn:
            return conn.execute(select(posts.c.id).where(
                posts.c.platform == platform, posts.c.platform_id == platform_id)).scalar()

    def get_by_id(self, post_id: int) -> StoredPost | None:
        with self.db.read() as conn:
            row = conn.execute(select(*_PAGE).where(posts.c.id == post_id)).first()
        return StoredPost(int(row.id), row_to_post(row)) if row else None

    def get_many(self, post_ids: Sequence[int]) -> list[StoredPost]:
        """The stored posts of ``post_ids`` (at most a page's worth), newest id first; ids
        with no post are left out."""
        if not post_ids:
            return []
        with self.db.read() as conn:
            rows = conn.execute(select(*_PAGE).where(posts.c.id.in_(list(post_ids)))
                                .order_by(posts.c.id.desc())).all()
        return [StoredPost(int(r.id), row_to_post(r)) for r in rows]

    # -- reading many ----------------------------------------------------------------------
    def _select(self, conn: Connection, query: PostQuery, columns: Any = _ALL) -> Any:
        fast = label_page(query)
        conditions = [fast] if fast is not None else where(conn, self.dialect, query,
                                                           ordered=True)
        statement = newest_first(select(*columns).where(*conditions))
        if query.limit is not None and fast is None:
            statement = statement.limit(query.limit).offset(query.offset)
        return conn.execute(statement)

    def query(self, query: PostQuery) -> list[Post]:
        with self.db.read() as conn:
            return [row_to_post(r) for r in self._select(conn, query)]

    def iterate(self, query: PostQuery) -> Iterator[Post]:
        """Stream posts in keyset pages, holding no transaction open between pages."""
        remaining = query.limit
        page = replace(query, limit=_STREAM_PAGE if remaining is None
                       else min(_STREAM_PAGE, remaining))
        while page.limit:
            with self.db.read() as conn:
                rows = [(r.id, row_to_post(r)) for r in self._select(conn, page)]
            yield from (post for _, post in rows)
            if len(rows) < page.limit:
                return
            remaining = None if remaining is None else remaining - len(rows)
            last_id, last = rows[-1]
            page = replace(page, offset=0, before=PostCursor(last.created_at, int(last_id)),
                           limit=_STREAM_PAGE if remaining is None
                           else min(_STREAM_PAGE, remaining))

    def page(self, query: PostQuery) -> PostPage:
        """One page (``query.limit``) of posts newest first, after ``query.before``, and the
        cursor of the next page (None on the last)."""
        size = query.limit or 50
        with self.db.read() as conn:
            rows = self._select(conn, replace(query, limit=size + 1, offset=0), _PAGE).all()
        items = [StoredPost(int(r.id), row_to_post(r)) for r in rows[:size]]
        last = items[-1] if len(rows) > size else None
        return PostPage(items, PostCursor(last.post.created_at, last.id) if last else None)

    def count(self, query: PostQuery) -> int:
        with self.db.read() as conn:
            rows = flag_conditions(query)
            if rows is not None and not filters_posts(query):  # the index alone counts
                return int(conn.scalar(select(func.count()).select_from(post_flags)
                                       .where(*rows)) or 0)
            conditions = where(conn, self.dialect, query)
            return int(conn.scalar(select(func.count()).select_from(posts)
                                   .where(*conditions)) or 0)

    def recent(self, kind: str, limit: int) -> list[StoredPost]:
        """The newest ``limit`` posts that are ``flagged`` (any label) or carry a ``geo``."""
        if kind not in _RECENT:
            raise InputError(f"unknown kind {kind!r}; choose {', '.join(_RECENT)}")
        with self.db.read() as conn:
            rows = conn.execute(select(*_PAGE).where(_RECENT[kind])
                                .order_by(posts.c.created_at.desc()).limit(limit)).all()
        return [StoredPost(int(r.id), row_to_post(r)) for r in rows]

    def recent_fields(self, kind: str, fields: tuple[str, ...],
                      limit: int) -> list[dict[str, Any]]:
        """Only the JSON ``fields`` (``hashtags``, ``links``, ``geo``, and ``created_at``) of
        :meth:`recent`, decoded: what the overview counts, without building whole posts."""
        if kind not in _RECENT or not set(fields) <= _JSON_FIELDS:
            raise InputError(f"unknown kind {kind!r} or fields {fields!r}")
        with self.db.read() as conn:
            rows = conn.execute(select(*(posts.c[f] for f in fields)).where(_RECENT[kind])
                                .order_by(posts.c.created_at.desc()).limit(limit)).all()
        return [dict(r._mapping) for r in rows]

    # -- counts ----------------------------------------------------------------------------
    def stats(self) -> Stats:
        stats = Stats()
        with self.db.read() as conn:
            stats.total = int(conn.scalar(select(func.count()).select_from(posts)) or 0)
            for target, expr in ((stats.by_platform, posts.c.platform),
                                 (stats.by_day, self.dialect.day(posts.c.created_at)),
                                 (stats.by_language, func.coalesce(posts.c.language, "unknown"))):
                key = expr.label("k")
                counts = conn.execute(select(key, func.count()).group_by(key)).all()
                target.update({str(k): int(n) for k, n in sorted(counts, key=lambda r: str(r[0]))})
            stats.quarantined = int(conn.scalar(select(func.count()).select_from(quarantine)
                                                .where(quarantine.c.resolved.is_(False))) or 0)
        return stats

    def post_counts(self) -> dict[str, dict[str, int]]:
        """Posts per ``platform`` and per ``language`` (``unknown`` when not detected), from the
        summary table every write keeps."""
        counts: dict[str, dict[str, int]] = {"platform": {}, "language": {}}
        with self.db.read() as conn:
            for column in ("platform", "language"):
                total = func.sum(post_daily.c.n).label("n")
                rows = conn.execute(select(post_daily.c[column], total)
                                    .group_by(post_daily.c[column])).all()
                for key, n in sorted(rows, key=lambda r: (-int(r[1]), str(r[0]))):
                    if int(n):
                        counts[column][str(key or "unknown")] = int(n)
        return counts

    # -- maintenance -----------------------------------------------------------------------
    def purge_raw(self, older_than: datetime) -> int:
        """Drop raw JSON of posts ingested before ``older_than``; return how many."""
        with self.db.write() as conn:
            done = conn.execute(update(posts).where(posts.c.raw.isnot(None),
                                                    posts.c.ingested_at < older_than)
                                .values(raw=None))
        return int(done.rowcount)

    def _stale(self, model_version: str | None) -> list[ColumnElement[bool]]:
        if model_version is None:
            return []
        return [posts.c.model_version.is_distinct_from(model_version)]

    def iter_unlabelled(self, model_version: str | None, batch: int) -> Iterator[list[Post]]:
        """Posts not scored by ``model_version`` (never scored, or by another model), in id
        order, ``batch`` at a time. ``None`` means every post. Each page is read after the
        previous one was handed out, so updating a page while iterating is safe."""
        after = 0
        while True:
            with self.db.read() as conn:
                rows = conn.execute(select(*_ALL).where(posts.c.id > after,
                                                        *self._stale(model_version))
                                    .order_by(posts.c.id).limit(batch)).all()
            if not rows:
                return
            after = int(rows[-1].id)
            yield [row_to_post(r) for r in rows]

    def count_unlabelled(self, model_version: str | None) -> int:
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(posts)
                                   .where(*self._stale(model_version))) or 0)
