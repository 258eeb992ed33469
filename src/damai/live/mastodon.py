"""Mastodon hashtag and public timelines, polled with ``since_id`` through Mastodon.py.

The cursor is the newest status id seen on that instance (ids are local to an instance, so the
instance is part of the source's name). Each poll asks ``GET /api/v1/timelines/tag/:hashtag`` or
``/api/v1/timelines/public`` for statuses newer than the cursor (``since_id``), newest first, and
pages back with ``max_id`` (keeping ``since_id``) until a page comes back empty, at most
``max_pages`` pages; hitting the limit leaves a ``gap`` notice. The first poll (no cursor) takes one
page. The raw statuses go through :class:`damai.sources.mastodon.MastodonSource` ``map_item``, the
same mapping as a file of statuses.

Client settings, and why:

- ``ratelimit_method="throw"``: Mastodon.py's ``"wait"`` mode sleeps with ``time.sleep`` and retries
  without bound, and ``"pace"`` refuses to run once a reset time has passed between two polls.
  Damai's :func:`~damai.live.base.call_with_retries` waits instead, as long as the 429's
  ``X-RateLimit-Reset`` says, with a bounded number of attempts and an injectable sleep.
- our own ``requests.Session`` with a response hook: Mastodon.py turns statuses into objects with
  ``datetime`` fields; the hook keeps the exact JSON the server sent, which is what gets mapped and
  stored as ``raw``, and the headers of a failed answer.
- Mastodon.py asks ``GET /api/v2/instance`` once to check the timeline is open to this client. A
  closed timeline comes back as a ``platform_warning`` notice (and an HTTP error with a hint).

To point it at a local server, pass ``http://127.0.0.1:PORT`` as the instance URL.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
    MastodonWarning,
)

from damai.errors import RecordError
from damai.live.base import (
    USER_AGENT,
    PollResult,
    Problem,
    RetryPolicy,
    absorb,
    call_with_retries,
    failure_of,
    gap_notice,
)
from damai.records import Notice
from damai.sources.mastodon import MastodonSource

__all__ = ["MastodonTimelineSource", "sample_pages"]

_TOKEN_HINT = ("set DAMAI_MASTODON_ACCESS_TOKEN to an access token of an account on this instance "
               "(Preferences > Development > New application, scope read)")


class MastodonTimelineSource:
    """One Mastodon timeline on one instance: a hashtag, the public or the local timeline."""

    platform: ClassVar[str] = "mastodon"
    format: ClassVar[str] = "mastodon"

    def __init__(self, base_url: str, *, tag: str | None = None, local: bool = False,
                 access_token: str | None = None, policy: RetryPolicy | None = None,
                 page_size: int = 40, max_pages: int = 5, timeout: float = 30.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.base_url = base_url.rstrip("/")
        self.tag = tag.lstrip("#").lower() if tag else None
        self.local = local
        self.policy = policy or RetryPolicy()
        self.page_size, self.max_pages = page_size, max_pages
        self.clock = clock
        stream = f"tag:{self.tag}" if self.tag else ("local" if local else "public")
        self.name = f"mastodon:{stream}@{self.base_url}"
        self._session = requests.Session()
        self._session.hooks["response"].append(self._remember)
        self._last: requests.Response | None = None
        self._notices: list[Notice] = []
        self._client = Mastodon(api_base_url=self.base_url, access_token=access_token or None,
                                ratelimit_method="throw", request_timeout=timeout,
                                session=self._session, user_agent=USER_AGENT)

    def poll(self, cursor: str | None) -> PollResult:
        result = PollResult(next_cursor=cursor)
        fetched_at = self.clock()
        self._notices.clear()
        statuses: list[dict[str, Any]] = []
        max_id: str | None = None
        while True:
            page = call_with_retries(partial(self._fetch, cursor, max_id), source=self.name,
                                     policy=self.policy, errors=(MastodonError,),
                                     classify=self._classify)
            result.requests += 1
            statuses.extend(page)
            if cursor is None or not page:
                break
            if result.requests >= self.max_pages:
                result.notices.append(gap_notice(self.name, result.requests, cursor))
                break
            max_id = _oldest(page)
        result.notices.extend(self._notices)
        self._notices.clear()
        for status in statuses:
            self._map(status, result, fetched_at)
        result.next_cursor = _newest([cursor, *(_id(s) for s in statuses)])
        return result

    def close(self) -> None:
        self._session.close()

    # --- internals ---

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def _fetch(self, since_id: str | None, max_id: str | None) -> list[dict[str, Any]]:
        self._last = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MastodonWarning)
            if self.tag:
                self._client.timeline_hashtag(self.tag, since_id=since_id, max_id=max_id,
                                              limit=self.page_size)
            else:
                self._client.timeline_public(since_id=since_id, max_id=max_id,
                                             limit=self.page_size, local=self.local)
        for warning in caught:
            if issubclass(warning.category, MastodonWarning):
                self._notices.append(Notice("platform_warning", {"message": str(warning.message)}))
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
        body = self._last.json() if self._last is not None else None
        if not isinstance(body, list):
            raise MastodonAPIError("the timeline answer is not a JSON array of statuses")
        return [status for status in body if isinstance(status, dict)]

    def _map(self, status: dict[str, Any], result: PollResult, fetched_at: datetime) -> None:
        location = f"status {_id(status) or '?'}"
        try:
            mapped = MastodonSource().map_item(status)
        except RecordError as exc:
            result.failures.append(failure_of(self.name, location, exc, status))
            return
        absorb(result, mapped, source=self.name, location=location, fetched_at=fetched_at)

    def _classify(self, exc: Exception) -> Problem:
        response = self._last
        headers = dict(response.headers) if response is not None else {}
        status = response.status_code if response is not None else None
        detail = f"HTTP {status}" if status else type(exc).__name__
        if isinstance(exc, MastodonRatelimitError):
            return Problem("rate_limited", detail, status, headers)
        if isinstance(exc, MastodonServerError):
            return Problem("server", detail, status, headers)
        if isinstance(exc, MastodonNetworkError):
            return Problem("network", f"no answer from {self.base_url}: {_first_line(exc)}")
        if isinstance(exc, MastodonUnauthorizedError) or status in (401, 403, 422):
            return Problem("rejected", detail, status, headers, _TOKEN_HINT)
        if isinstance(exc, MastodonNotFoundError):
            return Problem("rejected", detail, status, headers,
                           "check the instance URL; is it a Mastodon server?")
        return Problem("rejected", f"{detail}: {_first_line(exc)}", status, headers)


def _id(status: dict[str, Any]) -> str | None:
    value = status.get("id")
    return str(value) if value not in (None, "") else None


def _key(status_id: str) -> tuple[int, str]:
    """Sort key for status ids: numeric strings (Mastodon) and fixed-width flake ids (Pleroma)."""
    return (len(status_id), status_id)


def _newest(ids: list[str | None]) -> str | None:
    present = [i for i in ids if i]
    return max(present, key=_key) if present else None


def _oldest(page: list[dict[str, Any]]) -> str | None:
    present = [i for i in (_id(s) for s in page) if i]
    return min(present, key=_key) if present else None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def sample_pages(tag: str = "gempa", host: str = "mastodon.example") -> list[list[dict[str, Any]]]:
    """Two canned timeline pages (newest first) for ``damai watch --dry-run``."""
    def status(n: int, text: str, minute: int) -> dict[str, Any]:
        sid = str(113500000000000000 + n)
        return {
            "id": sid, "created_at": f"2026-11-01T08:{minute:02d}:00.000Z",
            "in_reply_to_id": None, "in_reply_to_account_id": None, "sensitive": False,
            "spoiler_text": "", "visibility": "public", "language": "id",
            "uri": f"https://{host}/users/relawan/statuses/{sid}",
            "url": f"https://{host}/@relawan/{sid}", "replies_count": 0,
            "reblogs_count": n, "favourites_count": 2 * n, "edited_at": None,
            "content": f'<p>{text} <a href="https://{host}/tags/{tag}" class="mention hashtag" '
                       f'rel="tag">#<span>{tag}</span></a></p>',
            "reblog": None, "account": {
                "id": "109000000000000001", "username": "relawan", "acct": "relawan",
                "display_name": "Relawan Siaga", "url": f"https://{host}/@relawan",
                "uri": f"https://{host}/users/relawan", "bot": False, "locked": False,
                "created_at": "2022-11-01T00:00:00.000Z", "followers_count": 10,
                "following_count": 5, "statuses_count": 42, "note": "", "emojis": [],
                "fields": []},
            "media_attachments": [], "mentions": [],
            "tags": [{"name": tag, "url": f"https://{host}/tags/{tag}"}],
            "emojis": [], "card": None, "poll": None,
        }
    return [
        [status(2, "Tetap tenang, jauhi bangunan yang retak.", 5),
         status(1, "Gempa terasa cukup kuat di Cianjur pagi ini.", 1)],
        [status(3, "Posko pengungsian dibuka di balai desa.", 20)],
    ]
