"""A :class:`~damai.storage.base.PostQuery` as SQLAlchemy conditions on ``posts``.

Label filters take one of two roads:

- **flagged** (a label alone, or ``flagged=True``): the ``post_flags`` rows, one per flagged label
  of a post, indexed on ``(label, created_at, score)``;
- **any score** (``flagged=False``, or a score range without ``flagged``): the score is read from
  the post's ``labels`` JSON (every label's score is kept there), so a query on unflagged scores
  walks the posts its other filters and its order select. A page newest first is found after a
  few dozen posts for common cases (most posts are unflagged on most labels).

Drill-down filters (issue #14) read a post's ``post_terms`` rows (hashtags, links and link
domains; :mod:`damai.storage.terms`) and its ``post_places`` rows: the matching ids are taken from
the tables' indexes, or, on SQLite, each post is checked in turn when a value is held by many
posts (as for a dense label). A link too long to be kept in ``post_terms`` is looked for in each
post's ``links`` JSON (``Dialect.elements``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from damai.errors import InputError
from damai.storage.base import PostQuery, drill_down
from damai.storage.dialects import Dialect
from damai.storage.schema import post_flags, post_places, post_terms, posts
from damai.storage.terms import indexed, normal_domain, normal_hashtag
from damai.storage.types import SafeText

__all__ = ["flag_conditions", "label_page", "where"]

#: the language filter's name for posts whose language was not detected
UNKNOWN_LANGUAGE = "unknown"
#: flagged-label filters matching this many posts or more are checked post by post on SQLite
_DENSE = 2000


def time_conditions(query: PostQuery, time: Any, ident: Any) -> list[ColumnElement[bool]]:
    """``query``'s time range and keyset position on the columns ``time`` and ``ident`` (of
    ``posts``, or the copies in ``post_flags``)."""
    out: list[ColumnElement[bool]] = []
    if query.since:
        out.append(time >= query.since)
    if query.until:
        out.append(time < query.until)
    if query.before:
        at = query.before.created_at
        out.append(and_(time <= at, or_(time < at, ident < query.before.id)))
    return out


def _wants_flagged(query: PostQuery) -> bool | None:
    """True for the flagged road, False for any score; ``None`` without a label."""
    if query.label is None:
        if query.min_score is not None or query.max_score is not None or query.flagged is not None:
            raise InputError("a score or flag filter needs a label: add --label NAME")
        return None
    if query.flagged is None:
        return query.min_score is None and query.max_score is None
    return query.flagged


def _bounds(query: PostQuery, score: Any) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if query.min_score is not None:
        out.append(score >= float(query.min_score))
    if query.max_score is not None:
        out.append(score <= float(query.max_score))
    return out


def flag_conditions(query: PostQuery) -> list[ColumnElement[bool]] | None:
    """Conditions on ``post_flags`` rows for a flagged-road query; ``None`` for any other."""
    if not _wants_flagged(query):
        return None
    return [post_flags.c.label == query.label, *_bounds(query, post_flags.c.score)]


def _matches_at_least(conn: Connection, conditions: list[ColumnElement[bool]], n: int,
                      column: Any = post_flags.c.post_id) -> bool:
    inner = select(column).where(*conditions).limit(n).subquery()
    return int(conn.scalar(select(func.count()).select_from(inner)) or 0) >= n


def _text(value: str) -> Any:
    """``value`` bound as text the way stored text is (PostgreSQL refuses NUL bytes)."""
    return bindparam(None, value, type_=SafeText())


def _any_item(dialect: Dialect, column: Any,
              test: Any) -> ColumnElement[bool]:
    """Whether any item of the JSON array ``column`` passes ``test(item)``."""
    items = dialect.elements(column)
    return exists(select(literal(1)).select_from(items).where(test(items.c.value)))


def _rows_of(conn: Connection, dialect: Dialect, query: PostQuery, column: Any,
             rows: list[ColumnElement[bool]], *, ordered: bool) -> ColumnElement[bool]:
    """Posts with a row of ``column``'s table passing ``rows``: their ids collected from the
    table's index, or (on SQLite, for a search or a value many posts hold, read newest first)
    each post checked in turn, as :func:`label_filter` does for labels."""
    if dialect.dense_first and (query.text or (ordered and _matches_at_least(
            conn, rows, _DENSE, column))):
        return exists().where(column == posts.c.id, *rows)
    return posts.c.id.in_(select(column).where(*rows))


def _term(conn: Connection, dialect: Dialect, query: PostQuery, kind: str, value: str,
          *, ordered: bool) -> ColumnElement[bool]:
    """Posts holding hashtag, link or domain ``value`` (normalised), from ``post_terms``; a
    value too long to be kept there is looked for in each post's JSON."""
    if indexed(value):
        rows = [post_terms.c.kind == kind, post_terms.c.value == _text(value)]
        return _rows_of(conn, dialect, query, post_terms.c.post_id, rows, ordered=ordered)
    if kind == "hashtag":
        return _any_item(dialect, posts.c.hashtags,
                         lambda v: func.lower(func.ltrim(v, "#")) == _text(value))
    return _any_item(dialect, posts.c.links, lambda v: v == _text(value))


def drill_conditions(conn: Connection, dialect: Dialect, query: PostQuery,
                     *, ordered: bool) -> list[ColumnElement[bool]]:
    """The hashtag, link, domain and province filters as conditions on ``posts``."""
    out: list[ColumnElement[bool]] = []
    for kind, value in (("hashtag", query.hashtag and normal_hashtag(query.hashtag)),
                        ("link", query.link),
                        ("domain", query.domain and normal_domain(query.domain))):
        if value:
            out.append(_term(conn, dialect, query, kind, value, ordered=ordered))
    if query.province:
        out.append(_rows_of(conn, dialect, query, post_places.c.post_id,
                            [post_places.c.province == query.province], ordered=ordered))
    return out


def label_filter(conn: Connection, dialect: Dialect, query: PostQuery,
                 *, ordered: bool) -> ColumnElement[bool] | None:
    """The label filter as a condition on ``posts``, in the form that is fast for its size.

    On the flagged road the matching ids are collected from the ``post_flags`` index by default.
    Each post is checked instead when the other filters drive: a full-text search (few posts), or
    rows read newest first for a label that matches many posts (a page of 50 is then found after a
    few hundred checks, where collecting and sorting every match would take a second on a million
    posts). SQLite's planner cannot tell these cases apart, so a bounded count decides.
    """
    flagged = _wants_flagged(query)
    if flagged is None:
        return None
    label = str(query.label)
    if not flagged:
        score = dialect.score(label)
        conditions = [score.isnot(None), *_bounds(query, score)]
        if query.flagged is False:
            conditions.append(~exists().where(post_flags.c.post_id == posts.c.id,
                                              post_flags.c.label == label))
        return and_(*conditions)
    rows = flag_conditions(query) or []
    if dialect.dense_first and (query.text or (ordered and _matches_at_least(conn, rows, _DENSE))):
        return exists().where(post_flags.c.post_id == posts.c.id, *rows)
    return posts.c.id.in_(select(post_flags.c.post_id).where(*rows))


def label_page(query: PostQuery) -> ColumnElement[bool] | None:
    """For a bounded page filtered by a flagged label and time only: the condition that takes the
    page's ids from the ``post_flags_time`` index in order (label, then newest first), so no post
    outside the page is read. ``None`` for any other query."""
    rows = flag_conditions(query)
    if (rows is None or query.limit is None or query.text or query.platform or query.language
            or query.ingest_batch or any(drill_down(query))):
        return None
    rows += time_conditions(query, post_flags.c.created_at, post_flags.c.post_id)
    inner = (select(post_flags.c.post_id).where(*rows)
             .order_by(post_flags.c.created_at.desc(), post_flags.c.post_id.desc())
             .limit(query.limit).offset(query.offset))
    return posts.c.id.in_(inner)


def where(conn: Connection, dialect: Dialect, query: PostQuery,
          *, ordered: bool = False) -> list[ColumnElement[bool]]:
    """Every condition of ``query`` on ``posts``; the cheap column checks come first."""
    out: list[ColumnElement[bool]] = []
    if query.text:
        out.append(dialect.search(query.text))
    for column, value in (("platform", query.platform), ("language", query.language),
                          ("ingest_batch", query.ingest_batch)):
        if value == UNKNOWN_LANGUAGE and column == "language":  # what the counts call no language
            out.append(posts.c.language.is_(None))
        elif value:
            out.append(posts.c[column] == value)
    out += time_conditions(query, posts.c.created_at, posts.c.id)
    out += drill_conditions(conn, dialect, query, ordered=ordered)
    label = label_filter(conn, dialect, query, ordered=ordered)
    if label is not None:
        out.append(label)
    return out


def newest_first(statement: Select[Any]) -> Select[Any]:
    return statement.order_by(posts.c.created_at.desc(), posts.c.id.desc())
