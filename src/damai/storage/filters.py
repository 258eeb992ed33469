"""A :class:`~damai.storage.base.PostQuery` as SQLAlchemy conditions on ``posts``.

Label filters take one of two roads:

- **flagged** (a label alone, or ``flagged=True``): the ``post_flags`` rows, one per flagged label
  of a post, indexed on ``(label, created_at, score)``;
- **any score** (``flagged=False``, or a score range without ``flagged``): the score is read from
  the post's ``labels`` JSON (every label's score is kept there), so a query on unflagged scores
  walks the posts its other filters and its order select. A page newest first is found after a
  few dozen posts for common cases (most posts are unflagged on most labels).

Drill-down filters (issue #14) read a post's ``hashtags`` and ``links`` JSON arrays item by item
(``Dialect.elements``) and its ``post_places`` rows. The overview links only to hashtags, links and
domains among the newest flagged posts, so a page newest first meets its 50 matches early; a
province is taken from the ``post_places_province`` index, or checked post by post on SQLite when
it holds many posts (as for a dense label).
"""

from __future__ import annotations

import re
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
from damai.storage.schema import post_flags, post_places, posts
from damai.storage.types import SafeText

__all__ = ["flag_conditions", "label_page", "normal_domain", "normal_hashtag", "where"]

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


#: characters a domain filter never holds: LIKE wildcards and URL separators
_NOT_HOST = re.compile(r"[%_/\\?#:@\s]")


def normal_hashtag(value: str) -> str:
    """A hashtag as the filter compares it: lower case, without its ``#``."""
    return value.strip().lstrip("#").lower()


def normal_domain(value: str) -> str:
    """A domain as the filter compares it: lower case, without ``www.``; an
    :class:`InputError` for anything that is not a host name."""
    host = value.strip().lower().removeprefix("www.")
    if not host or _NOT_HOST.search(host):
        raise InputError(f"domain: tulis nama host saja, mis. contoh.id / write a host name "
                         f"only, e.g. contoh.id (not {value[:80]!r})")
    return host


def _text(value: str) -> Any:
    """``value`` bound as text the way stored text is (PostgreSQL refuses NUL bytes)."""
    return bindparam(None, value, type_=SafeText())


def _any_item(dialect: Dialect, column: Any,
              test: Any) -> ColumnElement[bool]:
    """Whether any item of the JSON array ``column`` passes ``test(item)``."""
    items = dialect.elements(column)
    return exists(select(literal(1)).select_from(items).where(test(items.c.value)))


def _host_is(host: str) -> Any:
    """A test that a URL's host is ``host`` or ``www.host``: the separators after the host
    (``/?#:``) become ``/``, so four prefixes cover the http(s) URLs."""
    def test(value: Any) -> ColumnElement[bool]:
        flat: ColumnElement[Any] = func.lower(value)
        for separator in "?#:":
            flat = func.replace(flat, separator, "/")
        flat = flat + "/"
        return or_(*(flat.like(_text(f"{scheme}///{www}{host}/%"))
                     for scheme in ("http", "https") for www in ("", "www.")))
    return test


def drill_conditions(conn: Connection, dialect: Dialect, query: PostQuery,
                     *, ordered: bool) -> list[ColumnElement[bool]]:
    """The hashtag, link, domain and province filters as conditions on ``posts``."""
    out: list[ColumnElement[bool]] = []
    if query.hashtag:
        tag = normal_hashtag(query.hashtag)
        out.append(_any_item(dialect, posts.c.hashtags,
                             lambda v: func.lower(func.ltrim(v, "#")) == _text(tag)))
    if query.link:
        link = _text(query.link)
        out.append(_any_item(dialect, posts.c.links, lambda v: v == link))
    if query.domain:
        out.append(_any_item(dialect, posts.c.links, _host_is(normal_domain(query.domain))))
    if query.province:
        rows = [post_places.c.province == query.province]
        if dialect.dense_first and (query.text or (ordered and _matches_at_least(
                conn, rows, _DENSE, post_places.c.post_id))):
            out.append(exists().where(post_places.c.post_id == posts.c.id, *rows))
        else:
            out.append(posts.c.id.in_(select(post_places.c.post_id).where(*rows)))
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
