"""The few places where SQLite and PostgreSQL truly differ, one small function per dialect.

Every other query is written once in SQLAlchemy Core. :data:`DIALECTS` bundles, per database:

- ``search``: full-text search (FTS5 ``MATCH`` against the ``tsvector`` column, ``simple``
  configuration);
- ``insert_posts``: the ingest hot path (the driver's ``executemany`` on SQLite, Core's
  ``insertmanyvalues`` with ``RETURNING`` on PostgreSQL);
- ``index_new_posts``: SQLite indexes new posts for search in one statement after a batch insert
  (three times faster than a row trigger); PostgreSQL's generated column needs nothing;
- ``score``: one label's score read from a post's ``labels`` JSON (for queries on unflagged scores);
- ``day``: the UTC day of a time column as ``YYYY-MM-DD``;
- ``insert``: the dialect's ``INSERT`` construct, which has ``ON CONFLICT`` upserts;
- ``elements``: the items of a JSON array column as a table with one ``value`` column (for the
  hashtag, link and domain filters of issue #14);
- ``dense_first``: whether the planner needs Damai's help choosing how to apply a label filter
  (see :func:`damai.storage.filters.label_filter`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Table, bindparam, cast, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Dialect as SQLDialect
from sqlalchemy.sql.selectable import TableValuedAlias

from damai.storage.base import POST_COLUMNS
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


def _insert_posts_sqlite(conn: Connection, rows: list[dict[str, Any]]) -> list[Any]:
    """The ingest hot path: one ``executemany`` through the driver (SQLAlchemy's per-row
    parameter handling cost a third of ingest time). Writers are serialised (``BEGIN
    IMMEDIATE``), so the rows from the first new id on are this batch's."""
    sql, values_of, processors = _prepared_insert(conn.dialect)
    for row in rows:  # fresh dicts from post_to_row: processed in place
        for column, process in processors:
            row[column] = process(row[column])
    first = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM posts").scalar_one())
    conn.exec_driver_sql(sql, [values_of(row) for row in rows])
    return list(conn.exec_driver_sql("SELECT id, platform, platform_id FROM posts "
                                     "WHERE id >= ?", (first,)))


@functools.cache
def _prepared_insert(dialect: SQLDialect) -> tuple[str, Callable[[dict[str, Any]], Any],
                                                   list[tuple[str, Any]]]:
    """The compiled ``INSERT … ON CONFLICT DO NOTHING`` of every post column, a getter of its
    parameters in order, and the columns' bind processors (from the column types, so values are
    stored exactly as Core stores them)."""
    statement = sqlite.insert(posts).on_conflict_do_nothing()
    compiled = statement.compile(dialect=dialect, column_keys=list(POST_COLUMNS))
    order = list(compiled.positiontup or [])
    processors = [(c, p) for c in order if (p := posts.c[c].type.bind_processor(dialect))]
    return str(compiled), operator.itemgetter(*order), processors


def _insert_posts_postgresql(conn: Connection, rows: list[dict[str, Any]]) -> list[Any]:
    """Core's ``insertmanyvalues``: batches of multi-row ``INSERT … RETURNING``, so a post
    another process inserted first is simply not returned."""
    statement = (postgresql.insert(posts).on_conflict_do_nothing()
                 .returning(posts.c.id, posts.c.platform, posts.c.platform_id))
    return list(conn.execute(statement, rows))


def _score_sqlite(label: str) -> ColumnElement[Any]:
    path = '$."' + label.replace('"', "") + '"'
    return func.json_extract(posts.c.labels, path, type_=Float())


def _score_postgresql(label: str) -> ColumnElement[Any]:
    return cast(posts.c.labels.op("->>")(bindparam(None, label, type_=SafeText())), Float())


def _day_sqlite(column: ColumnElement[Any]) -> ColumnElement[str]:
    return func.substr(column, 1, 10)


def _day_postgresql(column: ColumnElement[Any]) -> ColumnElement[str]:
    return func.to_char(column.op("AT TIME ZONE")(text("'UTC'")), "YYYY-MM-DD")


def _elements_sqlite(column: ColumnElement[Any]) -> TableValuedAlias:
    return func.json_each(column).table_valued("value")


def _elements_postgresql(column: ColumnElement[Any]) -> TableValuedAlias:
    return func.jsonb_array_elements_text(column).table_valued("value")


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    search: Callable[[str], ColumnElement[bool]]
    #: insert post rows (ON CONFLICT DO NOTHING); return ``(id, platform, platform_id)`` of the
    #: rows inserted
    insert_posts: Callable[[Connection, list[dict[str, Any]]], list[Any]]
    index_new_posts: Callable[[Connection, int], None]
    score: Callable[[str], ColumnElement[Any]]
    day: Callable[[ColumnElement[Any]], ColumnElement[str]]
    #: the dialect's ``insert`` (with ``on_conflict_do_nothing`` / ``on_conflict_do_update``)
    insert: Callable[[Table], Any]
    elements: Callable[[ColumnElement[Any]], TableValuedAlias]
    #: SQLite's planner cannot tell a dense label from a sparse one; PostgreSQL's statistics can
    dense_first: bool


DIALECTS: dict[str, Dialect] = {
    "sqlite": Dialect("sqlite", _search_sqlite, _insert_posts_sqlite, _index_sqlite,
                      _score_sqlite, _day_sqlite, sqlite.insert, _elements_sqlite,
                      dense_first=True),
    "postgresql": Dialect("postgresql", _search_postgresql, _insert_posts_postgresql,
                          _index_postgresql, _score_postgresql,
                          _day_postgresql, postgresql.insert,
                          _elements_postgresql, dense_first=False),
}
