"""PostgreSQL store: the same behaviour as the SQLite store, for shared and larger deployments.

Times are ``timestamptz`` (the session runs in UTC), JSON fields are ``jsonb``, and search uses a
generated ``tsvector`` column with the ``simple`` configuration (no stemming, no stop words, so
Indonesian and English words match as written). Needs PostgreSQL 12 or newer. Migrations run under
an advisory lock, so processes that start together apply each one exactly once.

PostgreSQL text cannot hold NUL characters: they are stored as U+FFFD in text and JSON fields.

As in SQLite, classifier scores are kept as ``jsonb`` on the post and as ``post_labels`` rows
(indexed on label, flag and score) derived from that JSON in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import set_json_loads

from damai.errors import StorageError
from damai.records import Post, utc
from damai.sources.base import Notice, RecordFailure
from damai.storage.base import (
    LABEL_NAMES_SQL,
    PAGE_COLUMNS,
    POST_COLUMNS,
    Account,
    LabelUpdate,
    Migration,
    PostCursor,
    PostPage,
    PostQuery,
    QuarantineEntry,
    Stats,
    StoredPost,
    WriteResult,
    filters_posts,
    fingerprint,
    label_clause,
    normalise_handle,
    post_to_row,
    row_to_post,
)
from damai.storage.dashboard import DashboardQueries

__all__ = ["MIGRATIONS", "PostgresStore", "apply_migrations", "connect_postgres"]

#: summary rows of the posts matching ``{where}`` (``{sign}`` "-" subtracts them)
_POST_DAILY_ROWS = ("SELECT to_char(created_at, 'YYYY-MM-DD'), platform, coalesce(language, ''), "
                    "{sign}count(*) FROM posts WHERE {where} GROUP BY 1, 2, 3")
_ADD_POST_DAILY = (" ON CONFLICT (day, platform, language) DO UPDATE SET "
                   "n = post_daily.n + excluded.n")
_FLAG_DAILY_ROWS = ("SELECT l.label, to_char(p.created_at, 'YYYY-MM-DD'), {sign}count(*) "
                    "FROM post_labels l JOIN posts p ON p.id = l.post_id "
                    "WHERE l.flagged AND {where} GROUP BY 1, 2")
_ADD_FLAG_DAILY = " ON CONFLICT (label, day) DO UPDATE SET n = flag_daily.n + excluded.n"

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_posts", (
        """CREATE TABLE posts (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            platform text NOT NULL,
            platform_id text NOT NULL,
            url text,
            author_key text,
            author_handle text,
            created_at timestamptz NOT NULL,
            text text NOT NULL,
            language text,
            reply_to_id text,
            quote_of_id text,
            repost_of_id text,
            conversation_id text,
            hashtags jsonb,
            mentions jsonb,
            links jsonb,
            media_count bigint NOT NULL DEFAULT 0,
            geo jsonb,
            engagement jsonb,
            fetched_at timestamptz,
            ingest_batch text,
            raw jsonb,
            ingested_at timestamptz NOT NULL,
            UNIQUE (platform, platform_id)
        )""",
        "CREATE INDEX posts_created_at ON posts (created_at)",
        "CREATE INDEX posts_language ON posts (language)",
        "CREATE INDEX posts_ingested_at ON posts (ingested_at) WHERE raw IS NOT NULL",
    )),
    Migration("0002_posts_fts", (
        "ALTER TABLE posts ADD COLUMN text_search tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
        "CREATE INDEX posts_text_search ON posts USING gin (text_search)",
    )),
    Migration("0003_quarantine", (
        """CREATE TABLE quarantine (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            fingerprint text NOT NULL UNIQUE,
            path text NOT NULL,
            location text NOT NULL,
            format text,
            reason text NOT NULL,
            message text NOT NULL,
            raw bytea NOT NULL,
            created_at timestamptz NOT NULL,
            retries integer NOT NULL DEFAULT 0,
            resolved boolean NOT NULL DEFAULT false
        )""",
        """CREATE TABLE source_notices (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            ingest_batch text NOT NULL,
            kind text NOT NULL,
            detail jsonb NOT NULL,
            created_at timestamptz NOT NULL
        )""",
        """CREATE TABLE cursors (
            name text PRIMARY KEY,
            value text NOT NULL,
            updated_at timestamptz NOT NULL
        )""",
    )),
    Migration("0004_accounts", (
        """CREATE TABLE accounts (
            platform text NOT NULL,
            handle text NOT NULL,
            role text NOT NULL,
            added_at timestamptz NOT NULL,
            PRIMARY KEY (platform, handle)
        )""",
    )),
    Migration("0005_labels", (
        "ALTER TABLE posts ADD COLUMN labels jsonb",
        "ALTER TABLE posts ADD COLUMN flags jsonb",
        "ALTER TABLE posts ADD COLUMN model_version text",
        "ALTER TABLE posts ADD COLUMN truncated boolean NOT NULL DEFAULT false",
        """CREATE TABLE post_labels (
            post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            label text NOT NULL,
            score double precision NOT NULL,
            flagged boolean NOT NULL,
            PRIMARY KEY (post_id, label)
        )""",
        "CREATE INDEX post_labels_search ON post_labels (label, flagged, score)",
    )),
    Migration("0006_dashboard", (
        """CREATE TABLE triage (
            post_id bigint PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
            status text NOT NULL CHECK (status IN ('open', 'reviewed', 'dismissed')),
            assignee text,
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL
        )""",
        """CREATE TABLE corrections (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            label text NOT NULL,
            value smallint NOT NULL CHECK (value IN (0, 1)),
            user_name text NOT NULL,
            at timestamptz NOT NULL
        )""",
        "CREATE INDEX corrections_post ON corrections (post_id, id)",
        """CREATE TABLE post_daily (
            day text NOT NULL, platform text NOT NULL, language text NOT NULL,
            n bigint NOT NULL, PRIMARY KEY (day, platform, language))""",
        """CREATE TABLE flag_daily (
            label text NOT NULL, day text NOT NULL, n bigint NOT NULL,
            PRIMARY KEY (label, day))""",
        "CREATE INDEX posts_flagged ON posts (created_at) WHERE flags IS NOT NULL",
        "CREATE INDEX posts_geo ON posts (created_at) WHERE geo IS NOT NULL",
        # newest-first pages filtered by language or platform read these in order
        "CREATE INDEX posts_language_time ON posts (language, created_at)",
        "CREATE INDEX posts_platform_time ON posts (platform, created_at)",
        "INSERT INTO post_daily " + _POST_DAILY_ROWS.format(sign="", where="true")
        + _ADD_POST_DAILY,
        "INSERT INTO flag_daily " + _FLAG_DAILY_ROWS.format(sign="", where="true")
        + _ADD_FLAG_DAILY,
    )),
    # the post's time beside its scores, so a label's newest posts come from one index
    Migration("0007_label_time", (
        "ALTER TABLE post_labels ADD COLUMN created_at timestamptz",
        "UPDATE post_labels l SET created_at = p.created_at FROM posts p WHERE p.id = l.post_id",
        "CREATE INDEX post_labels_time ON post_labels (label, created_at, score, flagged)",
    )),
)

#: first key of the migration advisory lock; the second is the schema name's hash
_LOCK_KEY = 0x64616D61  # "dama"
_TIME_COLUMNS = frozenset({"created_at", "fetched_at", "ingested_at"})
_JSON_COLUMNS = frozenset({"hashtags", "mentions", "links", "geo", "engagement", "raw",
                           "labels", "flags"})
_CASTS = {**dict.fromkeys(_TIME_COLUMNS, "::timestamptz"),
          **dict.fromkeys(_JSON_COLUMNS, "::jsonb")}
_SELECT = "SELECT id, " + ", ".join(POST_COLUMNS) + " FROM posts"
_SELECT_PAGE = "SELECT id, " + ", ".join(PAGE_COLUMNS) + " FROM posts"
_INSERT = (f"INSERT INTO posts ({', '.join(POST_COLUMNS)}) VALUES "
           f"({', '.join('%s' + _CASTS.get(c, '') for c in POST_COLUMNS)}) ON CONFLICT DO NOTHING")
_REFRESH = ("UPDATE posts SET engagement = %s::jsonb, fetched_at = %s WHERE platform = %s "
            "AND platform_id = %s AND (fetched_at IS NULL OR fetched_at < %s)")
#: a JSON ``\u0000`` escape (not preceded by an escaped backslash), which jsonb rejects
_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
_PAGE = 1000
#: ``post_labels`` rows from the posts' own JSON, for the post ids in the array parameter
_LABEL_ROWS = (
    "INSERT INTO post_labels (post_id, label, score, flagged, created_at) "
    "SELECT p.id, l.key, l.value::double precision, coalesce(p.flags @> to_jsonb(l.key), false), "
    "p.created_at "
    "FROM posts p CROSS JOIN jsonb_each_text(p.labels) l "
    "WHERE p.id = ANY(%s::bigint[]) AND jsonb_typeof(p.labels) = 'object' "
    "ON CONFLICT (post_id, label) DO NOTHING")
_SET_LABELS = (
    "UPDATE posts p SET language = coalesce(u.language, p.language), labels = u.labels::jsonb, "
    "flags = u.flags::jsonb, model_version = u.model_version, truncated = u.truncated "
    "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::boolean[]) AS u(platform, platform_id, language, labels, flags, model_version, "
    "truncated) WHERE p.platform = u.platform AND p.platform_id = u.platform_id RETURNING p.id")


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: str) -> str:
    return value.replace("\x00", "\ufffd")


def _json(value: Any) -> str:
    return _JSON_NUL.sub(r"\1\\ufffd", orjson.dumps(value).decode())


def _row(post: Post, now: datetime) -> list[Any]:
    """:func:`post_to_row` made fit for PostgreSQL: JSON as text without NUL escapes."""
    row: list[Any] = []
    for column, value in zip(POST_COLUMNS, post_to_row(post, now), strict=True):
        if isinstance(value, bytes):
            value = value.decode()
        if isinstance(value, str):
            value = (_JSON_NUL.sub(r"\1\\ufffd", value) if column in _JSON_COLUMNS
                     else _text(value))
        row.append(value)
    return row


def _summarise(cur: psycopg.Cursor[DictRow], sign: str, ids: list[int], *, posts: bool) -> None:
    """Add (``sign`` "") or subtract ("-") the posts ``ids`` in ``flag_daily`` and, with
    ``posts``, in ``post_daily``."""
    cur.execute("INSERT INTO flag_daily " + _FLAG_DAILY_ROWS.format(
        sign=sign, where="p.id = ANY(%s::bigint[])") + _ADD_FLAG_DAILY, (ids,))
    if posts:
        cur.execute("INSERT INTO post_daily " + _POST_DAILY_ROWS.format(
            sign=sign, where="id = ANY(%s::bigint[])") + _ADD_POST_DAILY, (ids,))


def _safe_url(url: str) -> str:
    """The URL for messages: host, port and database, never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the given URL"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def connect_postgres(url: str) -> psycopg.Connection[DictRow]:
    """An autocommit connection with rows as dicts, UTC times and orjson for jsonb."""
    try:
        db: psycopg.Connection[DictRow] = psycopg.connect(url, autocommit=True,
                                                          row_factory=dict_row)
    except psycopg.Error as exc:
        raise StorageError(
            f"cannot connect to PostgreSQL at {_safe_url(url)}: {exc}. Check the URL and that "
            "the server is running (tests: scripts/postgres-test-server.sh)") from None
    db.execute("SET TIME ZONE 'UTC'")
    set_json_loads(orjson.loads, db)
    return db


def apply_migrations(db: psycopg.Connection[DictRow], migrations: Sequence[Migration],
                     applied_names: Callable[[], list[str]], url: str) -> list[str]:
    """Apply the pending ``migrations`` in one transaction under an advisory lock (safe when
    several processes start at once) and record them in ``schema_migrations``."""
    applied: list[str] = []
    try:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s, hashtext(coalesce(current_schema(), "
                       "'')))", (_LOCK_KEY,))
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                       "(name text PRIMARY KEY, applied_at timestamptz NOT NULL)")
            done = set(applied_names())
            for migration in migrations:
                if migration.name in done:
                    continue
                for statement in migration.statements:
                    db.execute(statement.encode())
                db.execute("INSERT INTO schema_migrations VALUES (%s, %s)",
                           (migration.name, _now()))
                applied.append(migration.name)
    except psycopg.Error as exc:
        raise StorageError(f"cannot migrate the PostgreSQL database at {_safe_url(url)}: "
                           f"{exc}. Check that the user may create tables there") from None
    return applied


class PostgresStore(DashboardQueries):
    """``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB`` (any libpq URL or conninfo string)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._db = connect_postgres(url)

    # -- migrations ------------------------------------------------------------------------
    def applied_migrations(self) -> list[str]:
        row = self._db.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS ok")
        if not (found := row.fetchone()) or not found["ok"]:
            return []
        rows = self._db.execute("SELECT name FROM schema_migrations ORDER BY name")
        return [r["name"] for r in rows]

    def migrate(self) -> list[str]:
        return apply_migrations(self._db, MIGRATIONS, self.applied_migrations, self.url)

    # -- writing ---------------------------------------------------------------------------
    def write_batch(self, posts: list[Post], failures: list[tuple[RecordFailure, str | None]],
                    notices: list[tuple[str, Notice]]) -> WriteResult:
        now = _now()
        result = WriteResult()
        unique: dict[tuple[str, str], Post] = {}
        for post in posts:
            if post.key in unique:
                result.duplicates += 1
            else:
                unique[post.key] = post
        try:
            with self._db.transaction(), self._db.cursor() as cur:
                existing = self._existing(list(unique))
                new_rows = [_row(p, now) for k, p in unique.items() if k not in existing]
                first = cur.execute("SELECT coalesce(max(id), 0) AS n FROM posts").fetchone()
                cur.executemany(_INSERT, new_rows)
                stored = cur.rowcount if new_rows else 0
                if stored:
                    cur.execute("INSERT INTO post_daily " + _POST_DAILY_ROWS.format(
                        sign="", where="id > %s") + _ADD_POST_DAILY, (first["n"] if first else 0,))
                self._label_new(cur, [p for k, p in unique.items()
                                      if k not in existing and p.labels])
                cur.executemany(_REFRESH, [
                    (_json(p.engagement), p.fetched_at, p.platform, p.platform_id, p.fetched_at)
                    for k, p in unique.items() if k in existing and p.fetched_at is not None])
                self._quarantine(cur, failures, now)
                cur.executemany(
                    "INSERT INTO source_notices (ingest_batch, kind, detail, created_at) "
                    "VALUES (%s, %s, %s::jsonb, %s)",
                    [(_text(b), _text(n.kind), _json(n.detail), now) for b, n in notices])
        except psycopg.DataError as exc:
            raise StorageError(f"cannot write the batch: {exc}") from None
        result.stored += stored
        # a post another process inserted after the look-up is a duplicate too
        result.duplicates += len(unique) - stored
        return result

    @staticmethod
    def _label_new(cur: psycopg.Cursor[DictRow], posts: list[Post]) -> None:
        """``post_labels`` rows for the newly inserted ``posts`` that carry scores."""
        if not posts:
            return
        keys = ([_text(p.platform) for p in posts], [_text(p.platform_id) for p in posts])
        rows = cur.execute(
            "SELECT p.id FROM posts p JOIN unnest(%s::text[], %s::text[]) AS k(platform, "
            "platform_id) ON p.platform = k.platform AND p.platform_id = k.platform_id", keys)
        ids = [r["id"] for r in rows.fetchall()]
        cur.execute(_LABEL_ROWS, (ids,))
        _summarise(cur, "", ids, posts=False)

    def set_labels(self, updates: list[LabelUpdate]) -> int:
        latest = list({(u.platform, u.platform_id): u for u in updates}.values())
        if not latest:
            return 0
        columns: list[list[Any]] = [
            [_text(u.platform) for u in latest], [_text(u.platform_id) for u in latest],
            [_text(u.language) if u.language else None for u in latest],
            [_json(u.labels) if u.labels else None for u in latest],
            [_json(u.flags) if u.flags else None for u in latest],
            [_text(u.model_version) if u.model_version else None for u in latest],
            [u.truncated for u in latest]]
        try:
            with self._db.transaction(), self._db.cursor() as cur:
                # the summaries lose these posts' old language and flags, then gain the new ones
                old = [r["id"] for r in cur.execute(
                    "SELECT p.id FROM posts p JOIN unnest(%s::text[], %s::text[]) AS "
                    "k(platform, platform_id) ON p.platform = k.platform "
                    "AND p.platform_id = k.platform_id", columns[:2]).fetchall()]
                _summarise(cur, "-", old, posts=True)
                ids = [r["id"] for r in cur.execute(_SET_LABELS, columns).fetchall()]
                cur.execute("DELETE FROM post_labels WHERE post_id = ANY(%s::bigint[])", (ids,))
                cur.execute(_LABEL_ROWS, (ids,))
                _summarise(cur, "", ids, posts=True)
        except psycopg.DataError as exc:
            raise StorageError(f"cannot store the labels: {exc}") from None
        return len(ids)

    def _existing(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        if not keys:
            return set()
        rows = self._db.execute(
            "SELECT platform, platform_id FROM posts WHERE (platform, platform_id) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[]))",
            ([_text(k[0]) for k in keys], [_text(k[1]) for k in keys]))
        return {(r["platform"], r["platform_id"]) for r in rows}

    @staticmethod
    def _quarantine(cur: psycopg.Cursor[DictRow], failures: list[tuple[RecordFailure, str | None]],
                    now: datetime) -> None:
        cur.executemany(
            "INSERT INTO quarantine (fingerprint, path, location, format, reason, message, raw, "
            "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (fingerprint) DO NOTHING",
            [(fingerprint(f), _text(f.path), _text(f.location), _text(fmt) if fmt else fmt,
              _text(f.reason), _text(f.message), f.raw_bytes, now) for f, fmt in failures])

    # -- reading ---------------------------------------------------------------------------
    def _where(self, query: PostQuery) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        label, label_params = label_clause(query, "%s")
        if label:
            clauses.append(f"id IN (SELECT post_id FROM post_labels WHERE {label})")
            params += [_text(v) if isinstance(v, str) else v for v in label_params]
        if query.text:
            clauses.append("text_search @@ plainto_tsquery('simple', %s)")
            params.append(_text(query.text))
        for column, value in (("platform", query.platform), ("language", query.language),
                              ("ingest_batch", query.ingest_batch)):
            if value:
                clauses.append(f"{column} = %s")
                params.append(_text(value))
        if query.since:
            clauses.append("created_at >= %s")
            params.append(utc(query.since))
        if query.until:
            clauses.append("created_at < %s")
            params.append(utc(query.until))
        if query.before:
            clauses.append("(created_at, id) < (%s, %s)")
            params += [utc(query.before.created_at), query.before.id]
        return clauses, params

    def _page(self, query: PostQuery, after: tuple[datetime, int] | None, limit: int | None,
              offset: int, select: str = _SELECT) -> list[DictRow]:
        clauses, params = self._where(query)
        if after is not None:
            clauses.append("(created_at, id) < (%s, %s)")
            params += after
        sql = select + (" WHERE " + " AND ".join(clauses) if clauses else "")
        sql += " ORDER BY created_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        try:
            return self._db.execute(sql, params).fetchall()
        except psycopg.Error as exc:
            raise StorageError(f"query failed: {exc}") from None

    def query_posts(self, query: PostQuery) -> list[Post]:
        return [row_to_post(r) for r in self._page(query, None, query.limit, query.offset)]

    def page_posts(self, query: PostQuery) -> PostPage:
        size = query.limit or 50
        rows = self._page(query, None, size + 1, 0, _SELECT_PAGE)
        items = [StoredPost(int(r["id"]), row_to_post(r)) for r in rows[:size]]
        last = items[-1] if len(rows) > size else None
        return PostPage(items, PostCursor(last.post.created_at, last.id) if last else None)

    # -- what DashboardQueries needs -------------------------------------------------------
    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            cursor = self._db.execute(sql.replace("?", "%s").encode(),
                                      tuple(_text(v) if isinstance(v, str) else v
                                            for v in params))
        except psycopg.Error as exc:
            raise StorageError(f"query failed: {exc}") from None
        return [dict(r) for r in cursor.fetchall()] if cursor.description else []

    def _tx(self) -> AbstractContextManager[Any]:
        return self._db.transaction()

    def _tp(self, value: datetime) -> Any:
        return utc(value)

    def iter_posts(self, query: PostQuery) -> Iterator[Post]:
        """Stream posts in pages (keyset on created_at and id), holding no transaction open."""
        remaining = query.limit
        offset = query.offset if query.limit is not None else 0
        after: tuple[datetime, int] | None = None
        while remaining is None or remaining > 0:
            size = _PAGE if remaining is None else min(_PAGE, remaining)
            rows = self._page(query, after, size, offset)
            yield from (row_to_post(r) for r in rows)
            if len(rows) < size:
                return
            offset = 0
            after = (rows[-1]["created_at"], rows[-1]["id"])
            remaining = None if remaining is None else remaining - len(rows)

    def count_posts(self, query: PostQuery) -> int:
        condition, label_params = label_clause(query, "%s")
        if condition is not None and not filters_posts(query):  # the index alone counts
            return self._scalar(f"SELECT count(*) AS n FROM post_labels WHERE {condition}",
                                [_text(v) if isinstance(v, str) else v for v in label_params])
        clauses, params = self._where(query)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        return self._scalar(f"SELECT count(*) AS n FROM posts{where}", params)

    def get_post(self, platform: str, platform_id: str) -> Post | None:
        row = self._db.execute(_SELECT + " WHERE platform = %s AND platform_id = %s",
                               (_text(platform), _text(platform_id))).fetchone()
        return row_to_post(row) if row else None

    def iter_unlabelled(self, model_version: str | None, batch: int) -> Iterator[list[Post]]:
        stale = "" if model_version is None else " AND model_version IS DISTINCT FROM %s"
        after = 0
        while True:
            params: list[Any] = [after] + ([] if model_version is None
                                           else [_text(model_version)])
            rows = self._db.execute(f"{_SELECT} WHERE id > %s{stale} ORDER BY id LIMIT %s",
                                    [*params, batch]).fetchall()
            if not rows:
                return
            after = rows[-1]["id"]
            yield [row_to_post(r) for r in rows]

    def count_unlabelled(self, model_version: str | None) -> int:
        if model_version is None:
            return self._scalar("SELECT count(*) AS n FROM posts")
        return self._scalar("SELECT count(*) AS n FROM posts WHERE model_version IS DISTINCT "
                            "FROM %s", [_text(model_version)])

    def label_names(self) -> list[str]:
        return [str(r["label"]) for r in self._db.execute(LABEL_NAMES_SQL)]

    def stats(self) -> Stats:
        stats = Stats()
        stats.total = self._scalar("SELECT count(*) AS n FROM posts")
        for target, expr in ((stats.by_platform, "platform"),
                             (stats.by_day, "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
                             (stats.by_language, "coalesce(language, 'unknown')")):
            for row in self._db.execute(
                    f'SELECT {expr} AS k, count(*) AS n FROM posts GROUP BY 1 '
                    f'ORDER BY {expr} COLLATE "C"'):
                target[str(row["k"])] = int(row["n"])
        stats.quarantined = self._scalar("SELECT count(*) AS n FROM quarantine WHERE NOT resolved")
        return stats

    def _scalar(self, sql: str, params: list[Any] | None = None) -> int:
        row = self._db.execute(sql, params).fetchone()
        return int(row["n"]) if row else 0

    # -- quarantine ------------------------------------------------------------------------
    def list_quarantine(self, *, include_resolved: bool = False,
                        limit: int | None = None) -> list[QuarantineEntry]:
        sql = "SELECT * FROM quarantine" + ("" if include_resolved else " WHERE NOT resolved")
        rows = self._db.execute(sql + " ORDER BY id LIMIT %s", (limit,))
        return [
            QuarantineEntry(id=r["id"], path=r["path"], location=r["location"], format=r["format"],
                            reason=r["reason"], message=r["message"], raw=bytes(r["raw"]),
                            created_at=r["created_at"], retries=r["retries"],
                            resolved=r["resolved"])
            for r in rows
        ]

    def mark_quarantine(self, ids: list[int], *, resolved: bool) -> None:
        with self._db.transaction(), self._db.cursor() as cur:
            cur.executemany(
                "UPDATE quarantine SET retries = retries + 1, resolved = %s WHERE id = %s",
                [(resolved, i) for i in ids])

    # -- maintenance -----------------------------------------------------------------------
    def purge_raw(self, older_than: datetime) -> int:
        cur = self._db.execute(
            "UPDATE posts SET raw = NULL WHERE raw IS NOT NULL AND ingested_at < %s",
            (utc(older_than),))
        return cur.rowcount

    def get_cursor(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM cursors WHERE name = %s",
                               (_text(name),)).fetchone()
        return str(row["value"]) if row else None

    def set_cursor(self, name: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO cursors VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
            "value = excluded.value, updated_at = excluded.updated_at",
            (_text(name), _text(value), _now()))

    def add_account(self, platform: str, handle: str, role: str) -> None:
        self._db.execute(
            "INSERT INTO accounts VALUES (%s, %s, %s, %s) ON CONFLICT (platform, handle) "
            "DO UPDATE SET role = excluded.role",
            (_text(platform), _text(normalise_handle(handle)), _text(role), _now()))

    def remove_account(self, platform: str, handle: str) -> bool:
        cur = self._db.execute("DELETE FROM accounts WHERE platform = %s AND handle = %s",
                               (_text(platform), _text(normalise_handle(handle))))
        return cur.rowcount > 0

    def list_accounts(self) -> list[Account]:
        rows = self._db.execute("SELECT * FROM accounts ORDER BY platform, handle").fetchall()
        return [Account(r["platform"], r["handle"], r["role"], r["added_at"]) for r in rows]

    def close(self) -> None:
        self._db.close()
