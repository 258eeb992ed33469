"""Dashboard reads, triage and corrections: the SQL both backends share.

A backend mixes in :class:`DashboardQueries` and supplies ``_q`` (run one statement written with
``?`` placeholders, return dict rows), ``_tx`` (a transaction) and ``_tp`` (a time parameter).
Every read here is bounded (``LIMIT``) and served by an index or a small summary table:

- ``post_daily`` (day, platform, language → posts) and ``flag_daily`` (label, day → flagged
  posts) are kept by every write of the backend, so the overview never scans ``posts``;
- the partial indexes ``posts_flagged`` and ``posts_geo`` list the newest flagged posts and the
  newest posts with a place.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from damai.errors import InputError
from damai.storage.base import (
    POST_COLUMNS,
    TRIAGE_STATUSES,
    StoredPost,
    TriageState,
    load_json,
    parse_time,
    row_to_post,
)

__all__ = ["POST_SELECT", "DashboardQueries"]

#: posts for pages: every column but the raw JSON, which no page shows (and is slow to parse)
POST_SELECT = "SELECT " + ", ".join("NULL AS raw" if c == "raw" else f"posts.{c}"
                                    for c in ("id", *POST_COLUMNS))
_JSON_FIELDS = frozenset({"hashtags", "links", "geo"})
_RECENT = {"flagged": "posts.flags IS NOT NULL", "geo": "posts.geo IS NOT NULL"}


def _stored(row: dict[str, Any]) -> StoredPost:
    return StoredPost(int(row["id"]), row_to_post(row))


def _state(row: dict[str, Any], prefix: str = "") -> TriageState | None:
    if row.get(prefix + "status") is None:
        return None
    updated = parse_time(row[prefix + "updated_at"])
    assert updated is not None
    return TriageState(row[prefix + "status"], row[prefix + "assignee"],
                       row[prefix + "updated_by"], updated)


class DashboardQueries:
    @abstractmethod
    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    @abstractmethod
    def _tx(self) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def _tp(self, value: datetime) -> Any: ...

    # -- reads -----------------------------------------------------------------------------
    def get_post_by_id(self, post_id: int) -> StoredPost | None:
        rows = self._q(f"{POST_SELECT} FROM posts WHERE posts.id = ?", (post_id,))
        return _stored(rows[0]) if rows else None

    def recent_posts(self, kind: str, limit: int) -> list[StoredPost]:
        if kind not in _RECENT:
            raise InputError(f"unknown kind {kind!r}; choose {', '.join(_RECENT)}")
        rows = self._q(f"{POST_SELECT} FROM posts WHERE {_RECENT[kind]} "
                       "ORDER BY posts.created_at DESC LIMIT ?", (limit,))
        return [_stored(r) for r in rows]

    def recent_fields(self, kind: str, fields: tuple[str, ...],
                      limit: int) -> list[dict[str, Any]]:
        """Only the JSON ``fields`` (``hashtags``, ``links``, ``geo``) of :meth:`recent_posts`,
        decoded: what the overview counts, without building whole posts."""
        if kind not in _RECENT or not set(fields) <= _JSON_FIELDS:
            raise InputError(f"unknown kind {kind!r} or fields {fields!r}")
        rows = self._q(f"SELECT {', '.join('posts.' + f for f in fields)} FROM posts "
                       f"WHERE {_RECENT[kind]} ORDER BY posts.created_at DESC LIMIT ?", (limit,))
        return [{f: load_json(r[f]) for f in fields} for r in rows]

    def flag_volume(self, since: datetime | None = None) -> dict[str, dict[str, int]]:
        day = since.astimezone(UTC).strftime("%Y-%m-%d") if since else ""
        volume: dict[str, dict[str, int]] = {}
        for row in self._q("SELECT label, day, n FROM flag_daily WHERE day >= ? AND n > 0 "
                           "ORDER BY label, day", (day,)):
            volume.setdefault(str(row["label"]), {})[str(row["day"])] = int(row["n"])
        return volume

    def post_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {"platform": {}, "language": {}}
        for column in ("platform", "language"):
            for row in self._q(f"SELECT {column} AS k, sum(n) AS n FROM post_daily "
                               f"GROUP BY {column} ORDER BY 2 DESC, 1"):
                if int(row["n"]):
                    counts[column][str(row["k"] or "unknown")] = int(row["n"])
        return counts

    # -- triage ----------------------------------------------------------------------------
    def triage_queue(self, limit: int) -> list[tuple[StoredPost, TriageState | None]]:
        rows = self._q(
            f"{POST_SELECT}, t.status AS t_status, t.assignee AS t_assignee, "
            "t.updated_by AS t_updated_by, t.updated_at AS t_updated_at FROM posts "
            "LEFT JOIN triage t ON t.post_id = posts.id WHERE posts.flags IS NOT NULL "
            "AND (t.status IS NULL OR t.status = 'open') "
            "ORDER BY posts.created_at DESC LIMIT ?", (limit,))
        return [(_stored(r), _state(r, "t_")) for r in rows]

    def get_triage(self, post_id: int) -> TriageState | None:
        rows = self._q("SELECT status, assignee, updated_by, updated_at FROM triage "
                       "WHERE post_id = ?", (post_id,))
        return _state(rows[0]) if rows else None

    def set_triage(self, post_id: int, *, status: str, assignee: str | None,
                   user: str) -> TriageState:
        if status not in TRIAGE_STATUSES:
            raise InputError(f"unknown triage status {status!r}; choose "
                             f"{', '.join(TRIAGE_STATUSES)}")
        now = datetime.now(UTC)
        with self._tx():
            self._q("INSERT INTO triage (post_id, status, assignee, updated_by, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (post_id) DO UPDATE SET "
                    "status = excluded.status, assignee = excluded.assignee, "
                    "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    (post_id, status, assignee, user, self._tp(now)))
        return TriageState(status, assignee, user, now)

    def add_corrections(self, post_id: int, labels: dict[str, int], user: str) -> int:
        now = self._tp(datetime.now(UTC))
        with self._tx():
            for label, value in sorted(labels.items()):
                if value not in (0, 1):
                    raise InputError(f"a correction is 0 or 1, not {value!r}")
                self._q("INSERT INTO corrections (post_id, label, value, user_name, at) "
                        "VALUES (?, ?, ?, ?, ?)", (post_id, label, value, user, now))
        return len(labels)

    def iter_corrections(self) -> Iterator[tuple[str, dict[str, int]]]:
        current: int | None = None
        text = ""
        labels: dict[str, int] = {}
        for row in self._q("SELECT c.post_id, p.text, c.label, c.value FROM corrections c "
                           "JOIN posts p ON p.id = c.post_id ORDER BY c.post_id, c.id"):
            if row["post_id"] != current:
                if current is not None:
                    yield text, labels
                current, text, labels = row["post_id"], row["text"], {}
            labels[str(row["label"])] = int(row["value"])
        if current is not None:
            yield text, labels
