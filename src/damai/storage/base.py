"""The narrow storage interface every backend implements.

Two implementations exist: :mod:`damai.storage.sqlite` (the embedded default) and
:mod:`damai.storage.postgres`. Nothing outside ``damai.storage`` knows which one it talks to.
Shared row conversion lives here so both backends map posts the same way.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from damai.errors import InputError
from damai.records import Geo, Post
from damai.sources.base import Notice, RecordFailure

__all__ = [
    "ACCOUNT_ROLES",
    "LABEL_NAMES_SQL",
    "PAGE_COLUMNS",
    "POST_COLUMNS",
    "TRIAGE_STATUSES",
    "Account",
    "LabelUpdate",
    "Migration",
    "PostCursor",
    "PostPage",
    "PostQuery",
    "QuarantineEntry",
    "Stats",
    "Store",
    "StoredPost",
    "TriageState",
    "WriteResult",
    "filters_posts",
    "fingerprint",
    "format_time",
    "label_clause",
    "load_json",
    "normalise_handle",
    "parse_time",
    "post_to_row",
    "row_to_post",
]

#: stored columns, in the order of :func:`post_to_row`
POST_COLUMNS: tuple[str, ...] = (
    "platform", "platform_id", "url", "author_key", "author_handle", "created_at", "text",
    "language", "reply_to_id", "quote_of_id", "repost_of_id", "conversation_id", "hashtags",
    "mentions", "links", "media_count", "geo", "engagement", "fetched_at", "ingest_batch", "raw",
    "ingested_at", "labels", "flags", "model_version", "truncated",
)
#: what a page of posts reads: everything but the raw platform JSON, which no page shows and
#: which is the largest column by far
PAGE_COLUMNS: tuple[str, ...] = tuple(c for c in POST_COLUMNS if c != "raw")

#: the distinct labels in ``post_labels``, found by a loose index scan (fast on millions of rows)
LABEL_NAMES_SQL = (
    "WITH RECURSIVE names(label) AS (SELECT min(label) FROM post_labels UNION ALL "
    "SELECT (SELECT min(label) FROM post_labels WHERE label > names.label) FROM names "
    "WHERE names.label IS NOT NULL) SELECT label FROM names WHERE label IS NOT NULL")


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
class Migration:
    """A named schema change. Applied once, in order, and recorded in ``schema_migrations``."""

    name: str
    statements: tuple[str, ...]


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


#: triage states of a flagged post; ``open`` is the default of a post with no triage row
TRIAGE_STATUSES: tuple[str, ...] = ("open", "reviewed", "dismissed")


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
    for flagged or unflagged posts explicitly. The score filters need ``label``.
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


class Store(Protocol):
    url: str

    def migrate(self) -> list[str]:
        """Apply pending migrations; return the names applied now."""
        ...

    def applied_migrations(self) -> list[str]: ...

    def write_batch(self, posts: list[Post], failures: list[tuple[RecordFailure, str | None]],
                    notices: list[tuple[str, Notice]]) -> WriteResult:
        """In one transaction: upsert posts (idempotent on platform + platform id), quarantine
        failures (idempotent on path, location and bytes) and record notices."""
        ...

    def query_posts(self, query: PostQuery) -> list[Post]: ...

    def iter_posts(self, query: PostQuery) -> Iterator[Post]: ...

    def count_posts(self, query: PostQuery) -> int: ...

    def get_post(self, platform: str, platform_id: str) -> Post | None: ...

    def stats(self) -> Stats: ...

    def list_quarantine(self, *, include_resolved: bool = False,
                        limit: int | None = None) -> list[QuarantineEntry]: ...

    def mark_quarantine(self, ids: list[int], *, resolved: bool) -> None:
        """Record a re-try: resolved entries leave the open list; others count one more try."""
        ...

    def purge_raw(self, older_than: datetime) -> int:
        """Drop raw JSON of posts ingested before ``older_than``; return how many."""
        ...

    def get_cursor(self, name: str) -> str | None: ...

    def add_account(self, platform: str, handle: str, role: str) -> None:
        """Register an account (idempotent; a second call updates the role)."""
        ...

    def remove_account(self, platform: str, handle: str) -> bool: ...

    def list_accounts(self) -> list[Account]: ...

    def set_cursor(self, name: str, value: str) -> None: ...

    def set_labels(self, updates: list[LabelUpdate]) -> int:
        """In one transaction: store each post's new scores, flags, language and model version
        (replacing its ``post_labels`` rows); return how many stored posts were updated."""
        ...

    def iter_unlabelled(self, model_version: str | None, batch: int) -> Iterator[list[Post]]:
        """Posts not scored by ``model_version`` (never scored, or by another model), in id
        order, ``batch`` at a time. ``None`` means every post. Each page is read after the
        previous one was handed out, so updating a page while iterating is safe."""
        ...

    def count_unlabelled(self, model_version: str | None) -> int: ...

    def label_names(self) -> list[str]:
        """Every label some stored post was scored on, sorted."""
        ...

    # -- dashboard reads (bounded and indexed: fast on millions of posts) ------------------
    def page_posts(self, query: PostQuery) -> PostPage:
        """One page (``query.limit``) of posts newest first, after ``query.before``, and the
        cursor of the next page (None on the last)."""
        ...

    def get_post_by_id(self, post_id: int) -> StoredPost | None: ...

    def recent_posts(self, kind: str, limit: int) -> list[StoredPost]:
        """The newest ``limit`` posts that are ``flagged`` (any label) or carry a ``geo``."""
        ...

    def recent_fields(self, kind: str, fields: tuple[str, ...],
                      limit: int) -> list[dict[str, Any]]:
        """The JSON ``fields`` (``hashtags``, ``links``, ``geo``) of the newest ``limit`` posts
        of ``kind``, decoded."""
        ...

    def flag_volume(self, since: datetime | None = None) -> dict[str, dict[str, int]]:
        """Flagged posts per label per UTC day (``YYYY-MM-DD``), from a summary table kept by
        every write."""
        ...

    def post_counts(self) -> dict[str, dict[str, int]]:
        """Posts per ``platform`` and per ``language`` (``unknown`` when not detected), from a
        summary table kept by every write."""
        ...

    # -- triage and corrections ------------------------------------------------------------
    def triage_queue(self, limit: int) -> list[tuple[StoredPost, TriageState | None]]:
        """The newest ``limit`` flagged posts still open (never triaged, or assigned only)."""
        ...

    def get_triage(self, post_id: int) -> TriageState | None: ...

    def set_triage(self, post_id: int, *, status: str, assignee: str | None,
                   user: str) -> TriageState:
        """Record a post's triage status and assignee (one row per post, replaced)."""
        ...

    def add_corrections(self, post_id: int, labels: dict[str, int], user: str) -> int:
        """Record human labels (0 or 1) for a post, e.g. 0 for each label of a dismissed flag;
        return how many were recorded."""
        ...

    def iter_corrections(self) -> Iterator[tuple[str, dict[str, int]]]:
        """Each corrected post's text and its latest human label per label, oldest first."""
        ...

    def close(self) -> None: ...


def format_time(value: datetime | None) -> str | None:
    """UTC, fixed width, sorts as text: ``2024-05-01T08:30:00.000000Z``."""
    if value is None:
        return None
    if value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return orjson.dumps(value).decode("utf-8")


def post_to_row(post: Post, ingested_at: datetime) -> tuple[Any, ...]:
    """The values of :data:`POST_COLUMNS` for one post (JSON fields as text, times as text)."""
    return (
        post.platform, post.platform_id, post.url, post.author_key, post.author_handle,
        format_time(post.created_at), post.text, post.language, post.reply_to_id,
        post.quote_of_id, post.repost_of_id, post.conversation_id, _json(post.hashtags),
        _json(post.mentions), _json(post.links), post.media_count,
        _json(post.geo.to_dict() if post.geo else None), _json(post.engagement),
        format_time(post.fetched_at), post.ingest_batch,
        orjson.dumps(post.raw) if post.raw is not None else None, format_time(ingested_at),
        _json(post.labels or None), _json(post.flags or None), post.model_version,
        post.truncated,
    )


def load_json(value: Any) -> Any:
    """A JSON column's value: text or bytes (SQLite) decoded, already decoded (PostgreSQL)
    kept."""
    if value is None:
        return None
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return orjson.loads(bytes(value) if isinstance(value, memoryview) else value)
    return value  # already decoded (PostgreSQL jsonb)


def row_to_post(row: dict[str, Any]) -> Post:
    created = parse_time(row["created_at"])
    assert created is not None
    return Post(
        platform=row["platform"], platform_id=row["platform_id"], text=row["text"],
        created_at=created, url=row["url"], author_key=row["author_key"],
        author_handle=row["author_handle"], language=row["language"],
        reply_to_id=row["reply_to_id"], quote_of_id=row["quote_of_id"],
        repost_of_id=row["repost_of_id"], conversation_id=row["conversation_id"],
        hashtags=load_json(row["hashtags"]) or [], mentions=load_json(row["mentions"]) or [],
        links=load_json(row["links"]) or [], media_count=row["media_count"] or 0,
        geo=Geo.from_dict(load_json(row["geo"])), engagement=load_json(row["engagement"]) or {},
        fetched_at=parse_time(row["fetched_at"]), ingest_batch=row["ingest_batch"],
        raw=load_json(row.get("raw")), labels=load_json(row["labels"]) or {},
        flags=load_json(row["flags"]) or [], model_version=row["model_version"],
        truncated=bool(row["truncated"]),
    )


def filters_posts(query: PostQuery) -> bool:
    """Whether ``query`` filters on columns of ``posts`` (not only on labels); without such
    filters a label query is counted on the ``post_labels`` index alone."""
    return any((query.text, query.platform, query.language, query.ingest_batch, query.since,
                query.until))


def label_clause(query: PostQuery, mark: str) -> tuple[str | None, list[Any]]:
    """The condition on ``post_labels`` rows of ``query``'s label filters, or ``None`` without a
    label (``mark`` is the backend's placeholder)."""
    if query.label is None:
        if query.min_score is not None or query.max_score is not None or query.flagged is not None:
            raise InputError("a score or flag filter needs a label: add --label NAME")
        return None, []
    flagged = query.flagged
    if flagged is None and query.min_score is None and query.max_score is None:
        flagged = True
    conditions: list[str] = [f"label = {mark}"]
    params: list[Any] = [query.label]
    # naming both flag values lets the (label, flagged, score) index serve a score range
    conditions.append(f"flagged = {mark}" if flagged is not None
                      else f"flagged IN ({mark}, {mark})")
    params += [flagged] if flagged is not None else [False, True]
    for op, bound in ((">=", query.min_score), ("<=", query.max_score)):
        if bound is not None:
            conditions.append(f"score {op} {mark}")
            params.append(float(bound))
    return " AND ".join(conditions), params


def fingerprint(failure: RecordFailure) -> str:
    digest = hashlib.sha256()
    for part in (failure.path.encode(), failure.location.encode(), failure.raw_bytes):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
