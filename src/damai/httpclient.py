"""HTTP client helpers the live sources and the publishers share (issues #5 and #12).

- :class:`Problem` and :class:`RetryPolicy`: how a failed call is judged and how long to wait
  before the next attempt; the clock and the sleep are injectable, so tests wait for nothing.
- :func:`wait_from_headers`: the wait a platform asked for, from each platform's own header.
- :class:`RebasedSession`: a ``requests.Session`` that sends tweepy's hard-coded
  ``https://api.twitter.com`` to another base URL (``https://api.x.com``, or a local test server)
  and adds the timeout tweepy leaves out.
- :class:`RedactSecret`: a logging filter that keeps a token out of client libraries' debug logs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import requests

__all__ = ["TWEEPY_HOST", "Problem", "RebasedSession", "RedactSecret", "RetryPolicy",
           "wait_from_headers"]

#: the host tweepy writes into every URL
TWEEPY_HOST = "https://api.twitter.com"


@dataclass(frozen=True, slots=True)
class Problem:
    """How a failed call should be handled, as judged from the client library's exception.

    ``kind``: ``rate_limited`` (429), ``server`` (5xx), ``network`` (no answer) are retried;
    ``rejected`` (401, 403, 404, 400 ...) is not. ``hint`` says what the user can do about it.
    """

    kind: Literal["rate_limited", "server", "network", "rejected"]
    detail: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    hint: str = ""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. ``sleep`` and ``clock`` are injectable so tests take no time."""

    attempts: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    #: longest wait honoured for one 429 (X windows are 15 minutes)
    max_wait: float = 900.0
    #: shortest wait after a 429, even when the reset time has already passed
    min_wait: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time

    def delay(self, problem: Problem, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        backoff = min(self.backoff * 2.0 ** (attempt - 1), self.max_backoff)
        if problem.kind == "rate_limited":
            told = wait_from_headers(problem.headers, self.clock())
            return min(max(told if told is not None else backoff, self.min_wait), self.max_wait)
        # a 503 may say Retry-After; the rate-limit reset headers on it describe the window only
        told = wait_from_headers(problem.headers, self.clock(), reset=False)
        return min(max(told, backoff), self.max_wait) if told is not None else backoff


def wait_from_headers(headers: Mapping[str, str], now: float, *,
                      reset: bool = True) -> float | None:
    """Seconds the server asked us to wait, from the usual headers; ``None`` if it did not say.

    ``Retry-After`` (seconds or an HTTP date) wins; then, unless ``reset`` is false,
    ``x-rate-limit-reset`` (X, epoch seconds), ``ratelimit-reset`` (Bluesky, epoch seconds; the
    IETF draft's delta seconds when small) and ``x-ratelimit-reset`` (Mastodon, an ISO 8601 time).
    Reset times are taken relative to the server's ``Date`` header when there is one, so a skewed
    local clock does not matter.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    server_now = _http_date(lower.get("date")) or now
    retry_after = lower.get("retry-after")
    if retry_after:
        if retry_after.strip().isdigit():
            return float(retry_after)
        when = _http_date(retry_after)
        if when is not None:
            return when - server_now
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset") if reset else ():
        value = lower.get(name)
        if value:
            at = _reset_time(value, server_now)
            if at is not None:
                return at - server_now
    return None


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


def _reset_time(value: str, now: float) -> float | None:
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    return number if number > 1e9 else now + number



class RebasedSession(requests.Session):
    """A ``requests.Session`` for tweepy: another base URL, and a timeout.

    URLs starting with ``https://api.twitter.com`` go to ``base_url`` instead (unchanged when it is
    ``None``). tweepy passes no timeout, so a stalled connection would hang the watch; this
    session adds ``timeout`` to every request that has none.
    """

    def __init__(self, base_url: str | None = None, *, timeout: float = 30.0) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        text = url.decode() if isinstance(url, bytes) else url
        if self.base_url and text.startswith(TWEEPY_HOST):
            text = self.base_url + text[len(TWEEPY_HOST):]
        if not args and kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, text, *args, **kwargs)


class RedactSecret(logging.Filter):
    """Replaces ``secret`` with ``[redacted]`` in every record of the logger it filters."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "[redacted]"), None
        return True
