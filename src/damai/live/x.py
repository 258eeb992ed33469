"""X (Twitter) API v2 recent search through tweepy, with a bearer token.

The cursor is the newest tweet id seen (``meta.newest_id``). Each poll calls
``GET /2/tweets/search/recent`` with ``since_id=<cursor>`` and the expansions and fields below, so
every answer is a real v2 response page (``data``, ``includes``, ``errors``, ``meta``); it pages
with ``next_token`` (keeping ``since_id``) at most ``max_pages`` pages (then a ``gap`` notice). The
first poll (no cursor) takes one page. Each raw page goes to
:class:`damai.sources.twarc2.Twarc2Source` ``map_item``, the same mapping as a twarc2 file. Recent
search only reaches back seven days: when X refuses a stale ``since_id``, the poll starts afresh
and leaves a ``cursor_reset`` notice.

Client settings, and why:

- ``return_type=requests.Response``: the raw page and its headers, not tweepy's objects.
- ``wait_on_rate_limit=False``: tweepy would ``time.sleep`` and retry a 429 without bound (by
  recursion). :func:`~damai.live.base.call_with_retries` waits instead, as long as
  ``x-rate-limit-reset`` says, with bounded attempts and an injectable sleep.
- **Base URL.** tweepy hard-codes the host: ``BaseClient.request`` builds every URL from a local
  variable ``host = "https://api.twitter.com"`` (tweepy 4.14-4.17), so there is no attribute to
  override. It does send every request through the instance attribute ``client.session`` (a
  ``requests.Session``), so :class:`RebasedSession` replaces that session and rewrites the
  ``https://api.twitter.com`` prefix to another base URL: ``https://api.x.com``, or a local test
  server such as ``http://127.0.0.1:PORT``. The same session adds the request timeout tweepy
  leaves out.
- tweepy logs every request's headers at DEBUG level, bearer token included; a logging filter on
  the ``tweepy.client`` logger replaces the token with ``[redacted]`` while the source is open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar

import requests
import tweepy

from damai.errors import ConfigError, RecordError
from damai.httpclient import TWEEPY_HOST, RebasedSession, RedactSecret
from damai.live.base import (
    PollResult,
    Problem,
    RetryPolicy,
    absorb,
    call_with_retries,
    failure_of,
    gap_notice,
)
from damai.records import Notice
from damai.sources.twarc2 import Twarc2Source

__all__ = ["EXPANSIONS", "TWEEPY_HOST", "RebasedSession", "XSearchSource", "sample_pages"]

EXPANSIONS = ("author_id,referenced_tweets.id,referenced_tweets.id.author_id,"
              "in_reply_to_user_id,attachments.media_keys,geo.place_id,entities.mentions.username")
TWEET_FIELDS = ("attachments,author_id,conversation_id,created_at,edit_history_tweet_ids,entities,"
                "geo,id,in_reply_to_user_id,lang,possibly_sensitive,public_metrics,"
                "referenced_tweets,reply_settings,source,text")
USER_FIELDS = ("created_at,description,id,location,name,protected,public_metrics,username,"
               "verified")
MEDIA_FIELDS = "media_key,type,url,preview_image_url,alt_text"
PLACE_FIELDS = "contained_within,country,country_code,full_name,geo,id,name,place_type"

_TOKEN_HINT = "check DAMAI_X_BEARER_TOKEN (the app's bearer token from the X developer portal)"


class XSearchSource:
    """Tweets matching one recent-search query, resumable by ``since_id``."""

    platform: ClassVar[str] = "x"
    format: ClassVar[str] = "twarc2"

    def __init__(self, query: str, *, bearer_token: str, base_url: str | None = None,
                 policy: RetryPolicy | None = None, page_size: int = 100, max_pages: int = 5,
                 timeout: float = 30.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if not bearer_token:
            raise ConfigError("X search needs a bearer token: set DAMAI_X_BEARER_TOKEN (or put "
                              "x_bearer_token=... in the DAMAI_SECRETS_FILE)")
        self.query = query
        self.base_url = base_url.rstrip("/") if base_url else None
        self.policy = policy or RetryPolicy()
        self.page_size, self.max_pages = page_size, max_pages
        self.clock = clock
        self.name = f"x:search:{query}" + (f"@{self.base_url}" if self.base_url else "")
        self._client = tweepy.Client(bearer_token=bearer_token, return_type=requests.Response,
                                     wait_on_rate_limit=False)
        self._client.session.close()
        self._client.session = RebasedSession(self.base_url, timeout=timeout)
        self._redact = RedactSecret(bearer_token)
        logging.getLogger("tweepy.client").addFilter(self._redact)

    def poll(self, cursor: str | None) -> PollResult:
        result = PollResult(next_cursor=cursor)
        fetched_at = self.clock()
        pages: list[dict[str, Any]] = []
        since_id, token = cursor, None
        while True:
            try:
                page = self._call(since_id, token)
            except _StaleCursor:
                result.notices.append(Notice("cursor_reset", {
                    "source": self.name, "cursor": since_id,
                    "message": "X refused the saved since_id (older than 7 days?); started "
                               "again from the newest tweets"}))
                since_id = None
                continue
            result.requests += 1
            pages.append(page)
            meta = page.get("meta")
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if since_id is None or not token or not page.get("data"):
                break
            if result.requests >= self.max_pages:
                result.notices.append(gap_notice(self.name, result.requests, since_id))
                break
        for number, page in enumerate(pages):
            self._map(page, number, result, fetched_at)
        result.next_cursor = _newest([since_id, *(_page_newest(p) for p in pages)])
        return result

    def close(self) -> None:
        self._client.session.close()
        logging.getLogger("tweepy.client").removeFilter(self._redact)

    # --- internals ---

    def _call(self, since_id: str | None, token: str | None) -> dict[str, Any]:
        return call_with_retries(partial(self._search, since_id, token), source=self.name,
                                 policy=self.policy,
                                 errors=(tweepy.TweepyException, requests.RequestException,
                                         ValueError),
                                 classify=_classify)

    def _search(self, since_id: str | None, token: str | None) -> dict[str, Any]:
        try:
            response = self._client.search_recent_tweets(
                self.query, since_id=since_id, next_token=token, max_results=self.page_size,
                expansions=EXPANSIONS, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS,
                media_fields=MEDIA_FIELDS, place_fields=PLACE_FIELDS)
        except tweepy.BadRequest as exc:
            if since_id and "since_id" in str(exc):
                raise _StaleCursor from exc
            raise
        page = response.json()
        if not isinstance(page, dict):
            raise ValueError("the search answer is not a JSON object")
        return page

    def _map(self, page: dict[str, Any], number: int, result: PollResult,
             fetched_at: datetime) -> None:
        location = f"page {number + 1}"
        try:
            mapped = Twarc2Source().map_item(page)
        except RecordError as exc:
            result.failures.append(failure_of(self.name, location, exc, page))
            return
        absorb(result, mapped, source=self.name, location=location, fetched_at=fetched_at)


class _StaleCursor(Exception):
    """X answered 400 because ``since_id`` is outside the recent-search window."""


def _classify(exc: Exception) -> Problem:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    headers = dict(response.headers) if isinstance(response, requests.Response) else {}
    detail = f"HTTP {status}" if status else type(exc).__name__
    if isinstance(exc, tweepy.TooManyRequests):
        return Problem("rate_limited", detail, status, headers)
    if isinstance(exc, tweepy.TwitterServerError):
        return Problem("server", detail, status, headers)
    if isinstance(exc, requests.JSONDecodeError) or (
            isinstance(exc, ValueError) and not isinstance(exc, requests.RequestException)):
        return Problem("server", f"{detail}: not a JSON page", status, headers)
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return Problem("network", f"no answer ({type(exc).__name__})")
    if isinstance(exc, requests.RequestException) and status is None:
        return Problem("rejected", f"{type(exc).__name__}: {exc}"[:200],
                       hint="check the @URL of the source")
    messages = "; ".join(getattr(exc, "api_messages", []) or [])[:200]
    detail = f"{detail}: {messages}" if messages else detail
    if isinstance(exc, tweepy.Unauthorized):
        return Problem("rejected", detail, status, headers, _TOKEN_HINT)
    if isinstance(exc, tweepy.Forbidden):
        return Problem("rejected", detail, status, headers,
                       "the app's X API access level may not include recent search")
    if isinstance(exc, tweepy.BadRequest):
        return Problem("rejected", detail, status, headers,
                       "check the search query syntax (docs.x.com, search operators)")
    return Problem("rejected", detail, status, headers)


def _page_newest(page: dict[str, Any]) -> str | None:
    meta = page.get("meta")
    newest = meta.get("newest_id") if isinstance(meta, dict) else None
    if newest:
        return str(newest)
    data = page.get("data")
    ids = [str(t["id"]) for t in data if isinstance(t, dict) and t.get("id")] \
        if isinstance(data, list) else []
    return _newest(list(ids)) if ids else None


def _newest(ids: list[str | None]) -> str | None:
    present = [i for i in ids if i and i.isdigit()]
    return max(present, key=int) if present else None


def sample_pages(query: str = "gempa") -> list[dict[str, Any]]:
    """Two canned recent-search pages for ``damai watch --dry-run``."""
    def tweet(n: int, text: str, minute: int) -> dict[str, Any]:
        tid = str(1852000000000000000 + n)
        return {"id": tid, "text": f"{text} #{query}", "author_id": "2244994945",
                "created_at": f"2026-11-01T10:{minute:02d}:00.000Z", "conversation_id": tid,
                "lang": "in", "edit_history_tweet_ids": [tid],
                "public_metrics": {"retweet_count": n, "reply_count": 0, "like_count": 2 * n,
                                   "quote_count": 0, "impression_count": 100 * n}}
    users = {"users": [{"id": "2244994945", "name": "Info Bencana", "username": "infobencana"}]}
    first = [tweet(2, "Gempa M5,2 terasa di Sukabumi, tetap tenang.", 7),
             tweet(1, "Cek info resmi BMKG sebelum membagikan kabar.", 2)]
    second = [tweet(3, "Tidak ada potensi tsunami menurut BMKG.", 15)]
    return [
        {"data": first, "includes": users,
         "meta": {"newest_id": first[0]["id"], "oldest_id": first[1]["id"], "result_count": 2}},
        {"data": second, "includes": users,
         "meta": {"newest_id": second[0]["id"], "oldest_id": second[0]["id"],
                  "result_count": 1}},
    ]
