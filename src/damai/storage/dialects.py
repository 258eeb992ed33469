"""The few places where SQLite and PostgreSQL truly differ, one small function per dialect.

Every other query is written once in SQLAlchemy Core. :data:`DIALECTS` bundles, per database:

- ``search``: full-text search (FTS5 ``MATCH`` against the ``tsvector`` column, ``simple``
  configuration);
- ``index_new_posts``: SQLite indexes new posts for search in one statement after a batch insert
  (three times faster than a row trigger); PostgreSQL's generated column needs nothing;
- ``score``: one label's score read from a post's ``labels`` JSON (for queries on unflagged scores);
- ``day``: the UTC day of a time column as ``YYYY-MM-DD``;
- ``insert``: the dialect's ``INSERT`` construct, which has ``ON CONFLICT`` upserts;
- ``dense_first``: whether the planner needs Damai's help choosing how to apply a label filter
  (see :func:`damai.storage.filters.label_filter`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Table, bindparam, cast, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from damai.storage.schema import posts
from damai.storage.types import SafeText

__all__ = ["DIALECTS", "Dialect"]


def fts_query(words: str) -> str:
    """User words as an FTS5 query: every word must match; quotes keep words literal."""
    parts = [w for w in words.replace('"', " ").split() if w]
    return " ".join(f'"{w}"' for w in parts) or '""'


def _search_sqlite(words: str) -> ColumnElement[bool]:
    return text("posts.id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH :fts)").bindparams(
        bindparam("fts", fts_query(words), type_=SafeText()))  # type: ignore[return-value]


def _search_postgresql(words: str) -> ColumnElement[bool]:
    return text("posts.text_search @@ plainto_tsquery('simple', :fts)").bindparams(
        bindparam("fts", words, type_=SafeText()))  # type: ignore[return-value]


def _index_sqlite(conn: Connection, first_id: int) -> None:
    conn.exec_driver_sql("INSERT INTO posts_fts(rowid, text) SELECT id, text FROM posts "
                         "WHERE id >= ?", (first_id,))


def _index_postgresql(conn: Connection, first_id: int) -> None:
    return None  # the generated tsvector column is kept by the server


def _score_sqlite(label: str) -> ColumnElement[Any]:
    path = '$."' + label.replace('"', "") + '"'
    return func.json_extract(posts.c.labels, path, type_=Float())


def _score_postgresql(label: str) -> ColumnElement[Any]:
    return cast(posts.c.labels.op("->>")(bindparam(None, label, type_=SafeText())), Float())


def _day_sqlite(column: ColumnElement[Any]) -> ColumnElement[str]:
    return func.substr(column, 1, 10)


def _day_postgresql(column: ColumnElement[Any]) -> ColumnElement[str]:
    return func.to_char(column.op("AT TIME ZONE")(text("'UTC'")), "YYYY-MM-DD")


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    search: Callable[[str], ColumnElement[bool]]
    index_new_posts: Callable[[Connection, int], None]
    score: Callable[[str], ColumnElement[Any]]
    day: Callable[[ColumnElement[Any]], ColumnElement[str]]
    #: the dialect's ``insert`` (with ``on_conflict_do_nothing`` / ``on_conflict_do_update``)
    insert: Callable[[Table], Any]
    #: SQLite's planner cannot tell a dense label from a sparse one; PostgreSQL's statistics can
    dense_first: bool


DIALECTS: dict[str, Dialect] = {
    "sqlite": Dialect("sqlite", _search_sqlite, _index_sqlite, _score_sqlite, _day_sqlite,
                      sqlite.insert, dense_first=True),
    "postgresql": Dialect("postgresql", _search_postgresql, _index_postgresql, _score_postgresql,
                          _day_postgresql, postgresql.insert, dense_first=False),
}
