"""The hashtags, links and link domains of posts as rows of ``post_terms`` (issue #14 part 3).

A drill-down from the overview (``/posts?hashtag=``, ``?link=``, ``?domain=``) looks a value up
in the ``post_terms_value`` index, so a hashtag or link that few posts hold is found at once
however many posts the store keeps. Before this table the filters read every post's ``hashtags``
and ``links`` JSON: 6.7 s for a rare link on 1,000,000 posts (``bench/web.py``).

Values are kept as the filters compare them:

- a hashtag lower case, without its ``#`` (:func:`normal_hashtag`);
- a link exactly as the post holds it;
- a domain: the host of an ``http``/``https`` link, lower case, without ``www.``
  (:func:`host_of`).

New posts get their rows in the transaction that stores them (:func:`insert_terms`, called by
the post repository's batch write); posts stored before migration ``0025_post_terms`` get theirs
from the migration itself (:func:`backfill`). A value longer than :data:`MOST_BYTES` is not kept
(an index entry has a size limit on PostgreSQL); a filter on such a value reads the JSON as
before (:func:`indexed`). Rows go with their post (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from damai.errors import InputError
from damai.records import Post, PostKey
from damai.storage.schema import post_terms, posts

__all__ = ["KINDS", "MOST_BYTES", "backfill", "host_of", "indexed", "insert_terms",
           "normal_domain", "normal_hashtag", "term_rows", "terms_of"]

KINDS = ("hashtag", "link", "domain")
#: the longest value kept, in UTF-8 bytes (PostgreSQL's B-tree entries hold at most about 2,700)
MOST_BYTES = 1000
#: characters a domain never holds: LIKE wildcards and URL separators
_NOT_HOST = re.compile(r"[%_/\\?#:@\s]")
#: the longest host name DNS allows
_LONGEST_HOST = 253
#: posts read per step of the migration's backfill
_BACKFILL_PAGE = 5000


def normal_hashtag(value: str) -> str:
    """A hashtag as the filter compares it: lower case, without its ``#``."""
    return value.strip().lstrip("#").lower()


def normal_domain(value: str) -> str:
    """A domain as the filter compares it: lower case, without ``www.``; an
    :class:`InputError` for anything that is not a host name."""
    host = value.strip().lower().removeprefix("www.")
    if not host or len(host) > _LONGEST_HOST or _NOT_HOST.search(host):
        raise InputError(f"domain: tulis nama host saja, mis. contoh.id / write a host name "
                         f"only, e.g. contoh.id (not {value[:80]!r})")
    return host


def host_of(link: str) -> str | None:
    """The domain of an ``http``/``https`` link as :func:`normal_domain` writes it; None for
    any other link (another scheme, no host, not a URL)."""
    try:
        parts = urlsplit(link.strip())
        host = parts.hostname
    except ValueError:  # an unclosed IPv6 bracket, a bad port
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    host = host.removeprefix("www.")
    return host if host and not _NOT_HOST.search(host) else None


def indexed(value: str) -> bool:
    """Whether ``value`` is short enough to be kept in ``post_terms``."""
    return len(value.encode("utf-8", "surrogatepass")) <= MOST_BYTES


def terms_of(hashtags: Iterable[Any], links: Iterable[Any]) -> set[tuple[str, str]]:
    """The ``(kind, value)`` pairs of a post's hashtags and links (items that are not text, and
    values too long to keep, are left out)."""
    found: set[tuple[str, str]] = set()
    for tag in hashtags:
        if isinstance(tag, str) and (value := normal_hashtag(tag)):
            found.add(("hashtag", value))
    for link in links:
        if isinstance(link, str) and link:
            found.add(("link", link))
            if host := host_of(link):
                found.add(("domain", host))
    return {(kind, value) for kind, value in found if indexed(value)}


def term_rows(post_id: int, hashtags: Iterable[Any], links: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"post_id": post_id, "kind": kind, "value": value}
            for kind, value in sorted(terms_of(hashtags, links))]


def insert_terms(conn: Connection, ids: Mapping[PostKey, int], stored: Sequence[Post]) -> None:
    """The term rows of newly stored posts (in the post write's transaction)."""
    rows = [row for p in stored if p.hashtags or p.links
            for row in term_rows(ids[p.key], p.hashtags, p.links)]
    if rows:
        conn.execute(post_terms.insert(), rows)


def backfill(conn: Connection) -> int:
    """Write the term rows of every post stored before ``post_terms`` existed, in id order from
    the last post that has rows (so a run cut short goes on where it stopped); return the rows
    written."""
    after = int(conn.scalar(select(func.coalesce(func.max(post_terms.c.post_id), 0))) or 0)
    written = 0
    while True:
        page = conn.execute(select(posts.c.id, posts.c.hashtags, posts.c.links)
                            .where(posts.c.id > after).order_by(posts.c.id)
                            .limit(_BACKFILL_PAGE)).all()
        if not page:
            return written
        rows = [row for r in page for row in term_rows(int(r.id), r.hashtags or (),
                                                       r.links or ())]
        if rows:
            conn.execute(post_terms.insert(), rows)
            written += len(rows)
        after = int(page[-1].id)
