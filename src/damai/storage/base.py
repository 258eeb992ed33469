"""The records the repositories take and return, and how a ``Post`` becomes a row and back.

Nothing here knows a database: the tables are in :mod:`damai.storage.schema`, the queries in the
repositories (:mod:`damai.storage.posts` and its neighbours).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from damai.errors import InputError
from damai.records import Geo, Post, RecordFailure
from damai.storage.schema import TRIAGE_STATUSES
from damai.storage.types import format_time, parse_time

__all__ = [
    "ACCOUNT_ROLES",
    "PAGE_COLUMNS",
    "POST_COLUMNS",
    "TRIAGE_STATUSES",
    "Account",
    "LabelUpdate",
    "PostCursor",
    "PostPage",
    "PostQuery",
    "QuarantineEntry",
    "Stats",
    "StoredPost",
    "TriageState",
    "WriteResult",
    "drill_down",
    "filters_posts",
    "fingerprint",
    "format_time",
    "normalise_handle",
    "parse_time",
    "post_to_row",
    "row_to_post",
]

#: stored columns of a post, in the order of :func:`post_to_row`
POST_COLUMNS: tuple[str, ...] = (
    "platform", "platform_id", "url", "author_key", "author_handle", "created_at", "text",
    "language", "reply_to_id", "quote_of_id", "repost_of_id", "conversation_id", "hashtags",
    "mentions", "links", "media_count", "geo", "engagement", "fetched_at", "ingest_batch", "raw",
    "ingested_at", "labels", "flags", "model_version", "truncated",
)
#: what a page of posts reads: everything but the raw platform JSON, which no page shows and
#: which is the largest column by far
PAGE_COLUMNS: tuple[str, ...] = tuple(c for c in POST_COLUMNS if c != "raw")


#: why a team registers an account; only registered accounts keep their handle
ACCOUNT_ROLES: tuple[str, ...] = ("official", "ambassador", "partner")


@dataclass(frozen=True, slots=True)
class Account:
    """An account the team registered: its handle is stored on its posts."""

    platform: str
    handle: str
    role: str
    added_at: datetime


def normalise_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


@dataclass(frozen=True, slots=True)
class PostCursor:
    """A keyset position in the newest-first order ``(created_at DESC, id DESC)``: a page after
    it holds only older posts. Encoded as an opaque URL-safe string for links and APIs."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{format_time(self.created_at)}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> PostCursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            when, _, ident = raw.partition("|")
            created = parse_time(when)
            assert created is not None
            return cls(created, int(ident))
        except (ValueError, AssertionError, UnicodeDecodeError):
            raise InputError("kursor halaman tidak sah; mulai lagi dari halaman pertama / "
                             "invalid page cursor; start again from the first page") from None


@dataclass(frozen=True, slots=True)
class StoredPost:
    """A post with its storage id (what pages link to and triage refers to)."""

    id: int
    post: Post


@dataclass(slots=True)
class PostPage:
    items: list[StoredPost]
    next: PostCursor | None


@dataclass(frozen=True, slots=True)
class TriageState:
    status: str
    assignee: str | None
    updated_by: str
    updated_at: datetime


@dataclass(slots=True)
class PostQuery:
    """Filters for ``damai posts``, exports and the API. All are optional.

    ``label`` keeps posts scored on that label. Alone it means *flagged*; with ``min_score`` or
    ``max_score`` (both inclusive) it keeps any score in range; ``flagged`` True or False asks
    for flagged or unflagged posts explicitly. The score filters need ``label``. Flagged posts
    are found through the ``post_flags`` index; unflagged scores are read from each post's
    ``labels`` (see :mod:`damai.storage.filters`).
    """

    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    platform: str | None = None
    language: str | None = None
    ingest_batch: str | None = None
    limit: int | None = 50
    offset: int = 0
    label: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    flagged: bool | None = None
    #: keyset pagination: only posts older than this position (see :class:`PostCursor`)
    before: PostCursor | None = None
    #: drill-down filters (issue #14): a hashtag (any case, with or without ``#``), a link (the
    #: exact URL), a domain (the host, ``www.`` ignored) and a province (its official name, from
    #: the places the post names)
    hashtag: str | None = None
    link: str | None = None
    domain: str | None = None
    province: str | None = None


@dataclass(frozen=True, slots=True)
class LabelUpdate:
    """New classifier output for one stored post (what ``damai reclassify`` writes)."""

    platform: str
    platform_id: str
    language: str | None
    labels: dict[str, float]
    flags: list[str]
    model_version: str | None
    truncated: bool = False

    @classmethod
    def of(cls, post: Post) -> LabelUpdate:
        return cls(post.platform, post.platform_id, post.language, dict(post.labels),
                   list(post.flags), post.model_version, post.truncated)


@dataclass(slots=True)
class WriteResult:
    stored: int = 0
    duplicates: int = 0


@dataclass(slots=True)
class QuarantineEntry:
    id: int
    path: str
    location: str
    format: str | None
    reason: str
    message: str
    raw: bytes
    created_at: datetime
    retries: int = 0
    resolved: bool = False


@dataclass(slots=True)
class Stats:
    total: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)
    by_day: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "by_platform": self.by_platform, "by_day": self.by_day,
                "by_language": self.by_language, "quarantined": self.quarantined}


def post_to_row(post: Post, ingested_at: datetime) -> dict[str, Any]:
    """The stored columns of one post (the column types serialise JSON and times)."""
    return {
        "platform": post.platform, "platform_id": post.platform_id, "url": post.url,
        "author_key": post.author_key, "author_handle": post.author_handle,
        "created_at": post.created_at, "text": post.text, "language": post.language,
        "reply_to_id": post.reply_to_id, "quote_of_id": post.quote_of_id,
        "repost_of_id": post.repost_of_id, "conversation_id": post.conversation_id,
        "hashtags": post.hashtags, "mentions": post.mentions, "links": post.links,
        "media_count": post.media_count, "geo": post.geo.to_dict() if post.geo else None,
        "engagement": post.engagement, "fetched_at": post.fetched_at,
        "ingest_batch": post.ingest_batch, "raw": post.raw, "ingested_at": ingested_at,
        "labels": post.labels or None, "flags": post.flags or None,
        "model_version": post.model_version, "truncated": post.truncated,
    }


def row_to_post(row: Any) -> Post:
    """A post from a row (a mapping, or a SQLAlchemy row) holding :data:`PAGE_COLUMNS` and
    perhaps ``raw``."""
    m = row._mapping if hasattr(row, "_mapping") else row
    return Post(
        platform=m["platform"], platform_id=m["platform_id"], text=m["text"],
        created_at=m["created_at"], url=m["url"], author_key=m["author_key"],
        author_handle=m["author_handle"], language=m["language"],
        reply_to_id=m["reply_to_id"], quote_of_id=m["quote_of_id"],
        repost_of_id=m["repost_of_id"], conversation_id=m["conversation_id"],
        hashtags=m["hashtags"] or [], mentions=m["mentions"] or [], links=m["links"] or [],
        media_count=m["media_count"] or 0, geo=Geo.from_dict(m["geo"]),
        engagement=m["engagement"] or {}, fetched_at=m["fetched_at"],
        ingest_batch=m["ingest_batch"], raw=m.get("raw"), labels=m["labels"] or {},
        flags=m["flags"] or [], model_version=m["model_version"], truncated=bool(m["truncated"]),
    )


def filters_posts(query: PostQuery) -> bool:
    """Whether ``query`` filters on columns of ``posts`` (not only on labels); without such
    filters a flagged-label query is counted on the ``post_flags`` index alone."""
    return any((query.text, query.platform, query.language, query.ingest_batch, query.since,
                query.until, *drill_down(query)))


def drill_down(query: PostQuery) -> tuple[str | None, ...]:
    """The drill-down filters of ``query`` (hashtag, link, domain, province), in that order."""
    return query.hashtag, query.link, query.domain, query.province


def fingerprint(failure: RecordFailure) -> str:
    """What makes a quarantined record the same record again: its path (or the name the
    pipeline gave its stream), location and bytes."""
    digest = hashlib.sha256()
    for part in (failure.path.encode(), failure.location.encode(), failure.raw_bytes):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
