"""Publishing to a Mastodon account through Mastodon.py (``POST /api/v1/statuses``).

Images are uploaded first (``POST /api/v2/media``, with their alt text), then attached by id.

Exactly once, on Mastodon's side: every post sends the publication's key as Mastodon's
``Idempotency-Key`` header, which the server honours for an hour (a retry with the same key gets
the first status back). On Damai's side, :meth:`MastodonPublisher.find` reads the account's own
statuses (``GET /api/v1/accounts/verify_credentials``, then ``/api/v1/accounts/:id/statuses``
paged with ``max_id``) back to the moment the publication was recorded and matches the text.

Counts (issue #12 part 6): :meth:`MastodonPublisher.metrics` reads each status
(``GET /api/v1/statuses/:id``, Mastodon.py's ``status()``, one call per post: the API has no
batch read) for ``favourites_count``, ``reblogs_count``, ``replies_count`` and, since Mastodon
4.4, ``quotes_count``. Mastodon gives no views. A status that is gone (404) is left out.

Client settings, as for the live source (:mod:`damai.live.mastodon`): ``ratelimit_method="throw"``
(Damai's pipeline waits as long as ``X-RateLimit-Reset`` says, bounded), our own
``requests.Session`` with a response hook that keeps the last answer's status, headers and JSON
(the error's reason and the 429's reset time), and ``version_check_mode="none"`` (no
``/api/v2/instance`` round trip before posting).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
)

from damai.errors import PublishError
from damai.publishers.base import Channel, Metrics, Outgoing, Posted

__all__ = ["MastodonPublisher", "comparable", "plain_text"]

USER_AGENT = "damai-publish/0.1 (+https://github.com/damai-id/damai)"
#: how many pages of the account's statuses :meth:`MastodonPublisher.find` reads at most (40
#: each: a busy account posts a few hundred in the two minutes of :data:`SKEW`; a lookup is
#: rare, after a lost answer, so reading far back is cheap next to an ``uncertain`` row)
MAX_PAGES = 25
#: clock skew allowed between Damai and the instance when matching by time
SKEW = timedelta(minutes=2)


def plain_text(content: str) -> str:
    """A status's HTML as the words and links a person typed, spaces collapsed, mentions
    without their domain (Mastodon shows ``@user@host`` as ``@user``)."""
    text = re.sub(r"<br\s*/?>|</p>\s*<p>", " ", content)
    return comparable(html.unescape(re.sub(r"<[^>]+>", "", text)))


def comparable(text: str) -> str:
    """The typed text as :func:`plain_text` gives it back."""
    return " ".join(re.sub(r"(@\w+)@[\w.-]+\w", r"\1", text).split())


class MastodonPublisher:
    def __init__(self, channel: Channel, *, base_url: str, token: str,
                 timeout: float = 30.0) -> None:
        self.channel = channel
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()
        self._session.hooks["response"].append(self._remember)
        self._last: requests.Response | None = None
        self._client = Mastodon(api_base_url=self.base_url, access_token=token or None,
                                ratelimit_method="throw", request_timeout=timeout,
                                session=self._session, user_agent=USER_AGENT,
                                version_check_mode="none")

    def post(self, item: Outgoing) -> Posted:
        media_ids = [self._call(partial(
            self._client.media_post, io.BytesIO(m.data), mime_type=m.mime, description=m.alt,
            file_name=m.name))["id"] for m in item.media]
        status = self._call(lambda: self._client.status_post(
            item.text, idempotency_key=item.key, visibility="public",
            media_ids=media_ids or None))
        return Posted(str(status["id"]), status.get("url") or status.get("uri"))

    def find(self, item: Outgoing) -> Posted | None:
        me = self._call(self._client.account_verify_credentials)
        wanted, since = comparable(item.text), (item.since or item.recorded_at) - SKEW
        max_id: str | None = None
        for _ in range(MAX_PAGES):
            page = self._call(partial(self._client.account_statuses, me["id"], max_id=max_id,
                                      limit=40, exclude_reblogs=True))
            for status in page:
                if _created(status) >= since and plain_text(status["content"]) == wanted:
                    return Posted(str(status["id"]), status.get("url") or status.get("uri"))
            if not page or _created(page[-1]) < since:
                return None  # the account's statuses are read back past the record: not there
            max_id = str(page[-1]["id"])
        raise PublishError("unknown", f"more than {MAX_PAGES * 40} statuses since the "
                           "publication was recorded")

    def metrics(self, post_ids: Sequence[str]) -> dict[str, Metrics]:
        found: dict[str, Metrics] = {}
        for post_id in post_ids:
            try:
                status = self._call(partial(self._client.status, post_id))
            except PublishError as exc:
                if exc.status == 404:
                    continue  # deleted, or never on this instance
                raise
            found[post_id] = Metrics(likes=_count(status, "favourites_count"),
                                     reposts=_count(status, "reblogs_count"),
                                     replies=_count(status, "replies_count"),
                                     quotes=_count(status, "quotes_count"))
        return found

    def delete(self, post_id: str) -> bool:
        """``DELETE /api/v1/statuses/:id``; a 404 (deleted already) is ``False``."""
        try:
            self._call(partial(self._client.status_delete, post_id))
        except PublishError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def close(self) -> None:
        self._session.close()

    # --- internals ---

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def _call(self, call: Any) -> Any:
        self._last = None
        try:
            return call()
        except MastodonError as exc:
            raise self._problem(exc) from None

    def _problem(self, exc: MastodonError) -> PublishError:
        last = self._last
        status = last.status_code if last is not None else None
        headers = dict(last.headers) if last is not None else {}
        if isinstance(exc, MastodonNetworkError):
            return PublishError("network", _first_line(exc))
        detail = _reason(last) or _first_line(exc)
        if isinstance(exc, MastodonRatelimitError) or status == 429:
            return PublishError("rate_limited", detail, status=status, headers=headers)
        if isinstance(exc, MastodonServerError) or (status or 0) >= 500:
            return PublishError("server", detail, status=status, headers=headers)
        if status in (401, 403):
            return PublishError("auth", detail, status=status)
        return PublishError("invalid", detail, status=status)


def _created(status: Any) -> datetime:
    value = status["created_at"]
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _count(status: Any, name: str) -> int | None:
    value = status.get(name)
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _reason(response: requests.Response | None) -> str | None:
    if response is None:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body["error"]) if isinstance(body, dict) and body.get("error") else None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
