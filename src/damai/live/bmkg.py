"""Polling BMKG's earthquake feeds (issue #13): ``damai bmkg poll``.

Each poll asks every feed URL once, conditionally: ``If-None-Match`` with the ETag and
``If-Modified-Since`` with the Last-Modified the feed sent last time (kept in the store, so a
restart does not re-download). A ``304`` costs nothing; a ``200`` is parsed by
:func:`damai.sources.bmkg.parse_feed` and its events merged into the store, where the same
earthquake listed by several feeds becomes one event.

A 5xx answer, a 429 or a broken connection is retried with backoff (:func:`call_with_retries`);
when the tries run out, or the body is no feed (cut short, not JSON or XML), the feed is
recorded as failing, its validators are kept as they were (so the next poll downloads it whole),
and the other feeds are polled as usual. A feed failing for ``DAMAI_BMKG_DOWN_MINUTES`` or longer
is *down*: the CLI, the events page and ``GET /api/v1/events`` say so. Every new event gets its
first alert draft at once (:func:`damai.pipeline.alerts.draft_new`), in review.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx

from damai import settings
from damai.errors import SourceError
from damai.live.base import USER_AGENT, Problem, RetryPolicy, call_with_retries
from damai.pipeline.alerts import draft_new
from damai.sources.bmkg import FeedUnreadable, parse_feed
from damai.storage import Store
from damai.storage.events import FeedState

log = logging.getLogger("damai.bmkg")

__all__ = ["FeedPoller", "FeedReport", "default_feeds", "down_after", "poll_feeds"]


@dataclass(frozen=True, slots=True)
class FeedReport:
    """One feed's poll: ``fetched`` (a body was read), ``not_modified`` (304) or ``failed``."""

    url: str
    status: Literal["fetched", "not_modified", "failed"]
    events: int = 0
    new: int = 0
    updated: int = 0
    error: str | None = None
    #: the alerts drafted for the new events (issue #13 part 5)
    drafted: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"url": self.url, "status": self.status, "events": self.events, "new": self.new,
                "updated": self.updated, "error": self.error, "drafted": list(self.drafted)}


class _Answered(Exception):
    """A 429 or 5xx answer, judged by :func:`_classify`."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def default_feeds() -> list[str]:
    """The feeds ``DAMAI_BMKG_FEEDS`` names (by default BMKG's official three)."""
    return [u.strip() for u in settings.get("bmkg_feeds").split(",") if u.strip()]


def down_after() -> timedelta:
    return timedelta(minutes=settings.get_float("bmkg_down_minutes"))


def _classify(exc: Exception) -> Problem:
    if isinstance(exc, _Answered):
        status = exc.response.status_code
        kind: Literal["rate_limited", "server", "rejected"] = (
            "rate_limited" if status == 429 else "server" if status >= 500 else "rejected")
        return Problem(kind, f"HTTP {status}", status, dict(exc.response.headers))
    return Problem("network", f"{type(exc).__name__}: {exc}")


def _get(client: httpx.Client, url: str, state: FeedState | None) -> httpx.Response:
    headers = {"User-Agent": USER_AGENT}
    if state is not None and state.etag:
        headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    response = client.get(url, headers=headers)
    if response.status_code in (200, 304):
        return response
    raise _Answered(response)


def _poll_one(store: Store, client: httpx.Client, url: str, now: datetime,
              policy: RetryPolicy) -> FeedReport:
    state = store.events.feed(url)
    try:
        response = call_with_retries(lambda: _get(client, url, state), source=f"bmkg {url}",
                                     policy=policy, errors=(httpx.HTTPError, _Answered),
                                     classify=_classify)
        if response.status_code == 304:
            store.events.record_feed(url, now)
            return FeedReport(url, "not_modified")
        found = parse_feed(response.content)
    except (SourceError, FeedUnreadable) as exc:
        # the retry helper's advice names `damai watch`: keep only what happened
        error = exc.message.split("; check the URL")[0]
        store.events.record_feed(url, now, error=error)
        return FeedReport(url, "failed", error=error)
    saved = store.events.save(found, url, now)
    store.events.record_feed(url, now, etag=response.headers.get("etag"),
                             last_modified=response.headers.get("last-modified"))
    drafted = draft_new(store, saved.new_ids)
    return FeedReport(url, "fetched", len(found), saved.new, saved.updated,
                      drafted=tuple(a.id for a in drafted))


def poll_feeds(store: Store, urls: Sequence[str], *, client: httpx.Client | None = None,
               policy: RetryPolicy | None = None,
               clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> list[FeedReport]:
    """Poll each feed once (see the module doc); one report per feed, in the order given."""
    policy = policy or RetryPolicy(attempts=3, max_wait=60.0)
    own = client is None
    client = client or httpx.Client(timeout=settings.get_float("bmkg_timeout"),
                                    follow_redirects=True)
    try:
        return [_poll_one(store, client, url, clock(), policy) for url in urls]
    finally:
        if own:
            client.close()


class FeedPoller:
    """:func:`poll_feeds` every ``interval`` seconds on a thread, until :meth:`stop`: what
    ``damai serve`` starts when ``DAMAI_BMKG_SERVE`` is on. Its own thread, beside the campaign
    scheduler's (:mod:`damai.pipeline.scheduler` sits below this layer and cannot call it), so a
    slow feed never delays a scheduled send. A failed poll is logged and tried again."""

    def __init__(self, store: Store, urls: Sequence[str] | None = None, *,
                 interval: float | None = None, client: httpx.Client | None = None) -> None:
        self.store, self.client = store, client
        self.urls = list(urls) if urls is not None else default_feeds()
        self.interval = (interval if interval is not None
                         else settings.get_float("bmkg_interval"))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                poll_feeds(self.store, self.urls, client=self.client)
            except Exception:  # the database went away: keep the loop, log, try again
                log.exception("BMKG poll failed")
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="damai-bmkg", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
