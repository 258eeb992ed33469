"""What every live source is: a resumable ``poll`` over a platform's API, and its fake twin.

A live source asks one platform for what is new since a *cursor* (a string the source alone
understands: a status id, a tweet id, a timestamp) and returns the posts, the notices, the records
it could not map, and the next cursor. The watch loop (:mod:`damai.live.watch`) stores the posts and
only then saves the cursor, so a crash re-fetches a poll instead of losing it.

Every network call goes through :func:`call_with_retries`: a 5xx answer or a broken connection is
retried with exponential backoff, a 429 waits as long as the platform's ``Retry-After`` /
``x-rate-limit-reset`` / ``x-ratelimit-reset`` / ``ratelimit-reset`` header says, and when the
attempts run out the source raises :class:`damai.errors.SourceError` saying what to do next. The
clock and the sleep are injectable, so tests wait for nothing.

Mapping is not done here: each live source feeds the raw JSON it received to the pure mapper of the
matching file source (:mod:`damai.sources.mastodon`, :mod:`damai.sources.bluesky`,
:mod:`damai.sources.twarc2`), so a file and a live poll of the same data give the same posts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from damai.errors import RecordError, SourceError
from damai.httpclient import Problem, RetryPolicy, wait_from_headers
from damai.records import Notice, Post, RecordFailure
from damai.sources.base import Mapped, sort_notices

__all__ = [
    "GAP",
    "USER_AGENT",
    "FakeLiveSource",
    "LiveSource",
    "PollResult",
    "Problem",
    "RetryPolicy",
    "absorb",
    "call_with_retries",
    "failure_of",
    "gap_notice",
    "wait_from_headers",
]

log = logging.getLogger("damai.live")

#: ``User-Agent`` the live clients send, so instance admins can tell who is polling
USER_AGENT = "damai-watch/0.1 (+https://github.com/damai-id/damai)"
#: ``Notice.kind`` when a poll stopped at its page limit and older new posts were not fetched
GAP = "gap"


@dataclass(slots=True)
class PollResult:
    """What one poll brought back.

    ``received = len(posts) + len(failures)``; ``ignored`` counts records that are valid but are
    not posts (a skipped event). ``next_cursor`` is ``None`` only while nothing was ever seen.
    """

    posts: list[Post] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    next_cursor: str | None = None
    failures: list[RecordFailure] = field(default_factory=list)
    ignored: int = 0
    requests: int = 0
    #: posts the platform reported deleted (see ``SortedNotices.deletions``)
    deletions: list[dict[str, Any]] = field(default_factory=list)


class LiveSource(Protocol):
    #: the cursor key and the canonical spec (``mastodon:tag:gempa@https://mastodon.social``)
    name: str

    @property
    def platform(self) -> str:
        """Value of ``Post.platform`` this source produces."""
        ...

    @property
    def format(self) -> str:
        """The file format (``damai ingest --format``) of its raw records, for quarantine."""
        ...

    def poll(self, cursor: str | None) -> PollResult:
        """Fetch what is new since ``cursor`` (everything recent when ``None``)."""
        ...

    def close(self) -> None:
        """Release the HTTP connections."""
        ...


# --- retries (the policy and the wait headers are in damai.httpclient) -------------------------


def call_with_retries[T](call: Callable[[], T], *, source: str, policy: RetryPolicy,
                         errors: tuple[type[Exception], ...],
                         classify: Callable[[Exception], Problem]) -> T:
    """Run ``call``; retry what ``classify`` calls transient; raise ``SourceError`` at the end.

    Only exceptions of the types in ``errors`` are judged; anything else is a bug and propagates.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except errors as exc:
            problem = classify(exc)
        if problem.kind == "rejected" or attempt >= max(policy.attempts, 1):
            raise _give_up(source, problem, attempt)
        wait = policy.delay(problem, attempt)
        log.warning("%s: %s; retrying in %.1f s (attempt %d of %d)", source, problem.detail,
                    wait, attempt + 1, policy.attempts)
        policy.sleep(wait)


def _give_up(source: str, problem: Problem, attempts: int) -> SourceError:
    hint = f"; {problem.hint}" if problem.hint else ""
    if problem.kind == "rejected":
        return SourceError(f"{source}: the platform refused the request ({problem.detail})"
                           f"{hint}", code="E303")
    tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    if problem.kind == "rate_limited":
        return SourceError(f"{source}: still rate limited ({problem.detail}) {tries}; wait a few "
                           "minutes and run `damai watch` again with a longer --interval"
                           f"{hint}", code="E301")
    return SourceError(f"{source}: the platform kept failing ({problem.detail}) {tries}; check "
                       f"the URL and the platform's status page, then run `damai watch` again"
                       f"{hint}", code="E302")


# --- turning mapped records into a poll result ---------------------------------------------------


def failure_of(source: str, location: str, error: RecordError, raw: Any) -> RecordFailure:
    """A quarantine entry for one raw record a mapper refused."""
    return RecordFailure(source, location, error.reason, error.message, orjson.dumps(raw))


def absorb(result: PollResult, mapped: Mapped, *, source: str, location: str,
           fetched_at: datetime) -> None:
    """Add one mapper's output to ``result``, the way file ingest accounts for it.

    ``quarantine`` notices (one bad item in a record that also held good ones) become failures,
    ``skipped_event`` notices are counted as ignored, other notices are kept.
    """
    for post in mapped.posts:
        if post.fetched_at is None:
            post.fetched_at = fetched_at
    result.posts.extend(mapped.posts)
    sorted_notices = sort_notices(mapped.notices, path=source, location=location)
    result.failures.extend(sorted_notices.failures)
    result.ignored += sorted_notices.ignored
    result.notices.extend(sorted_notices.notices)
    result.deletions.extend(sorted_notices.deletions)


def gap_notice(source: str, pages: int, cursor: str | None) -> Notice:
    """The notice for a poll that hit its page limit before reaching the previous cursor."""
    return Notice(GAP, {"source": source, "pages": pages, "cursor": cursor,
                        "message": "more new posts than the page limit; poll more often "
                                   "(shorter --interval) to close the gap"})


# --- the fake twin -------------------------------------------------------------------------------


class FakeLiveSource:
    """Replays canned raw pages from memory through a real mapper; the twin of a live source.

    The cursor is the index of the next page, so a stored cursor resumes where the last run
    stopped, exactly like a live source. ``fail`` maps a 1-based poll number to the
    ``SourceError`` that poll raises, to rehearse failures.
    """

    def __init__(self, name: str, pages: Sequence[Any], map_page: Callable[[Any], Mapped], *,
                 platform: str = "fake", fmt: str = "fake",
                 fail: Mapping[int, SourceError] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.name = name
        self.platform = platform
        self.format = fmt
        self.pages = list(pages)
        self.map_page = map_page
        self.fail = dict(fail or {})
        self.clock = clock
        self.polls: list[str | None] = []
        self.closed = False

    def poll(self, cursor: str | None) -> PollResult:
        self.polls.append(cursor)
        if len(self.polls) in self.fail:
            raise self.fail[len(self.polls)]
        index = int(cursor) if cursor and cursor.isdigit() else 0
        result = PollResult(next_cursor=cursor, requests=1)
        if index >= len(self.pages):
            return result
        try:
            mapped = self.map_page(self.pages[index])
        except RecordError as exc:
            result.failures.append(failure_of(self.name, f"page {index}", exc, self.pages[index]))
        else:
            absorb(result, mapped, source=self.name, location=f"page {index}",
                   fetched_at=self.clock())
        result.next_cursor = str(index + 1)
        return result

    def close(self) -> None:
        self.closed = True
