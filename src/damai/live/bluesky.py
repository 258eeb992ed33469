"""Bluesky post search (``app.bsky.feed.searchPosts``) through the ``atproto`` SDK.

The cursor is a time: the newest ``sortAt`` seen (the earlier of a post's ``createdAt`` and
``indexedAt``, which is what the AppView sorts and filters on), minus ``overlap`` seconds. Each
poll searches ``sort=latest`` with ``since=<cursor>`` and pages with the response's ``cursor``
until the results run out, at most ``max_pages`` pages (then a ``gap`` notice). The overlap
catches posts indexed late with an earlier ``createdAt``; the posts seen twice are counted as
duplicates and cost nothing. The first poll (no cursor) takes one page.

Each ``PostView`` goes through :func:`damai.sources.bluesky.map_post_view`, the same mapping as a
saved searchPosts file. The SDK's ``client.app.bsky.feed.search_posts`` returns pydantic models
whose dump adds ``$type`` keys the server never sent, so the source calls the same query through
the SDK's ``client.invoke_query`` (same auth, session refresh and error mapping) and keeps the
JSON as received.

Login is optional: with ``DAMAI_BLUESKY_HANDLE`` and ``DAMAI_BLUESKY_PASSWORD`` (an app password)
the client logs in once (``com.atproto.server.createSession``) and searches through the account's
PDS; without them it searches the public AppView, which may refuse unauthenticated searches.

To point it at a local server, pass ``base_url="http://127.0.0.1:PORT"`` (the SDK appends
``/xrpc``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, ClassVar

import httpx
from atproto import Client, Request, models
from atproto.exceptions import (
    AtProtocolError,
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)

from damai.errors import RecordError
from damai.live.base import (
    PollResult,
    Problem,
    RetryPolicy,
    absorb,
    call_with_retries,
    failure_of,
    gap_notice,
)
from damai.sources.base import Mapped
from damai.sources.bluesky import map_post_view

__all__ = ["LOGIN_URL", "PUBLIC_URL", "BlueskySearchSource", "sample_pages"]

#: the public AppView, for searches without login
PUBLIC_URL = "https://public.api.bsky.app"
#: where an account logs in when no URL is given (the SDK then follows the account's PDS)
LOGIN_URL = "https://bsky.social"

_LOGIN_HINT = ("set DAMAI_BLUESKY_HANDLE and DAMAI_BLUESKY_PASSWORD (an app password from "
               "Settings > Privacy and security > App passwords)")


class _BadAnswer(Exception):
    """The server answered 2xx with something that is not a searchPosts JSON object."""


class BlueskySearchSource:
    """Posts matching one search query, newest first, resumable by time."""

    platform: ClassVar[str] = "bluesky"
    format: ClassVar[str] = "bluesky"

    def __init__(self, query: str, *, base_url: str | None = None, handle: str | None = None,
                 password: str | None = None, policy: RetryPolicy | None = None,
                 page_size: int = 100, max_pages: int = 5, overlap: float = 60.0,
                 timeout: float = 30.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.query = query
        self.handle, self._password = handle or None, password or None
        default = LOGIN_URL if self.handle and self._password else PUBLIC_URL
        self.base_url = (base_url or default).rstrip("/")
        self.policy = policy or RetryPolicy()
        self.page_size, self.max_pages = page_size, max_pages
        self.overlap = timedelta(seconds=overlap)
        self.clock = clock
        self.name = f"bluesky:search:{query}" + (f"@{self.base_url}" if base_url else "")
        self._client = Client(base_url=self.base_url, request=Request(timeout=timeout))
        self._logged_in = False

    def poll(self, cursor: str | None) -> PollResult:
        self._login_once()
        result = PollResult(next_cursor=cursor)
        fetched_at = self.clock()
        views: dict[str, dict[str, Any]] = {}
        page_cursor: str | None = None
        while True:
            page = call_with_retries(partial(self._search, cursor, page_cursor),
                                     source=self.name, policy=self.policy,
                                     errors=(AtProtocolError, httpx.TransportError, _BadAnswer),
                                     classify=_classify)
            result.requests += 1
            posts = [v for v in page.get("posts") or [] if isinstance(v, dict)]
            for view in posts:
                views.setdefault(str(view.get("uri")), view)
            page_cursor = page.get("cursor") if isinstance(page.get("cursor"), str) else None
            if cursor is None or not posts or not page_cursor:
                break
            if result.requests >= self.max_pages:
                result.notices.append(gap_notice(self.name, result.requests, cursor))
                break
        for view in views.values():
            self._map(view, result, fetched_at)
        result.next_cursor = self._next_cursor(cursor, list(views.values()))
        return result

    def close(self) -> None:
        self._client.request.close()

    # --- internals ---

    def _login_once(self) -> None:
        if self._logged_in or not (self.handle and self._password):
            return
        handle, password = self.handle, self._password
        call_with_retries(lambda: self._client.login(handle, password, fetch_bsky_profile=False),
                          source=self.name, policy=self.policy,
                          errors=(AtProtocolError, httpx.TransportError), classify=_classify_login)
        self._logged_in = True

    def _search(self, since: str | None, page_cursor: str | None) -> dict[str, Any]:
        params = models.AppBskyFeedSearchPosts.Params(
            q=self.query, sort="latest", limit=self.page_size, since=since, cursor=page_cursor)
        response = self._client.invoke_query("app.bsky.feed.searchPosts", params=params,
                                             output_encoding="application/json")
        content = response.content
        if not isinstance(content, dict):
            raise _BadAnswer(f"HTTP {response.status_code} without a JSON object")
        return content

    def _map(self, view: dict[str, Any], result: PollResult, fetched_at: datetime) -> None:
        location = f"post {view.get('uri') or '?'}"
        try:
            post = map_post_view(view)
        except RecordError as exc:
            result.failures.append(failure_of(self.name, location, exc, view))
            return
        absorb(result, Mapped(posts=[post]), source=self.name, location=location,
               fetched_at=fetched_at)

    def _next_cursor(self, cursor: str | None, views: list[dict[str, Any]]) -> str | None:
        times = [t for t in (_sort_at(v) for v in views) if t is not None]
        if not times:
            return cursor
        candidate = max(times) - self.overlap
        previous = _parse_time(cursor)
        if previous is not None and previous >= candidate:
            return cursor
        return candidate.strftime("%Y-%m-%dT%H:%M:%S.") + f"{candidate.microsecond // 1000:03d}Z"


def _sort_at(view: dict[str, Any]) -> datetime | None:
    record = view.get("record")
    created = _parse_time(record.get("createdAt")) if isinstance(record, dict) else None
    indexed = _parse_time(view.get("indexedAt"))
    present = [t for t in (created, indexed) if t is not None]
    return min(present) if present else None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _classify(exc: Exception) -> Problem:
    if isinstance(exc, _BadAnswer):
        return Problem("server", str(exc))
    if isinstance(exc, httpx.TransportError):  # the SDK passes some through unwrapped
        return Problem("network", f"no answer ({type(exc).__name__})")
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    status: int | None = response.status_code if response is not None else None
    headers: dict[str, str] = dict(response.headers) if response is not None else {}
    detail = f"HTTP {status}: {exc}"[:200] if status else type(exc).__name__
    if isinstance(exc, RateLimitExceededError):
        return Problem("rate_limited", detail, status, headers)
    if isinstance(exc, InvokeTimeoutError) or (isinstance(exc, NetworkError) and status is None):
        return Problem("network", f"no answer ({type(exc).__name__})")
    if status is not None and (status >= 500 or isinstance(exc, NetworkError)):
        return Problem("server", detail, status, headers)
    if isinstance(exc, UnauthorizedError):
        return Problem("rejected", detail, status, headers,
                       f"this server does not allow searching without login: {_LOGIN_HINT}")
    if isinstance(exc, BadRequestError):
        return Problem("rejected", detail, status, headers, "check the search query")
    return Problem("rejected", detail, status, headers)


def _classify_login(exc: Exception) -> Problem:
    problem = _classify(exc)
    if problem.kind == "rejected":
        return Problem("rejected", f"login failed, {problem.detail}", problem.status,
                       problem.headers, _LOGIN_HINT)
    return problem


def sample_pages(query: str = "banjir") -> list[dict[str, Any]]:
    """Two canned searchPosts responses for ``damai watch --dry-run``."""
    def view(n: int, text: str, minute: int) -> dict[str, Any]:
        did = "did:plc:relawansiagabencana01"
        when = f"2026-11-01T09:{minute:02d}:00.000Z"
        return {
            "uri": f"at://{did}/app.bsky.feed.post/3lbq6c2ex2s{n:02d}",
            "cid": f"bafyreihkxzr3vh3ujojuvoh7vqnc7xrvbo4bk5ymnbmhjtxu6hzf4xj2{n:02d}",
            "author": {"did": did, "handle": "relawan.bsky.social", "displayName": "Relawan",
                       "labels": [], "createdAt": "2023-05-01T00:00:00.000Z"},
            "record": {"$type": "app.bsky.feed.post", "createdAt": when, "langs": ["id"],
                       "text": f"{text} #{query}"},
            "replyCount": 0, "repostCount": n, "likeCount": 2 * n, "quoteCount": 0,
            "indexedAt": when, "labels": [],
        }
    return [
        {"posts": [view(2, "Air mulai surut di Kampung Melayu.", 10),
                   view(1, "Banjir setinggi lutut di Kemang, hindari jalan ini.", 5)],
         "cursor": "2"},
        {"posts": [view(3, "Posko dapur umum buka di masjid raya.", 30)]},
    ]
