"""Publishing to an X account through tweepy (API v2 ``POST /2/tweets``).

Images go first to ``POST /2/media/upload`` (and their alt text to ``/2/media/metadata``), then
the tweet names them. X takes no idempotency key. :meth:`XPublisher.find` reads the account's
own tweets (``GET /2/users/me``, then ``GET /2/users/:id/tweets`` with ``start_time`` a little
before the publication was recorded, paged with ``pagination_token``) and matches the text, with
links left out (X rewrites them to t.co) and HTML entities undone (X sends ``&amp;``). X also
refuses a tweet whose text repeats a recent one of the account (403, duplicate content), a
second guard.

Client settings, as for the live source (:mod:`damai.live.x`): the token is an OAuth 2.0 *user*
access token sent as the bearer (``user_auth=False``), ``return_type=requests.Response`` (the raw
JSON and headers), ``wait_on_rate_limit=False`` (the pipeline waits as ``x-rate-limit-reset``
says, bounded), :class:`~damai.httpclient.RebasedSession` for the base URL and the timeout, and
a logging filter that keeps the token out of tweepy's debug log.

Counts (issue #12 part 6): :meth:`XPublisher.metrics` looks up to 100 tweets per call
(``GET /2/tweets?ids=...&tweet.fields=public_metrics``, tweepy's ``get_tweets``):
``like_count``, ``retweet_count``, ``reply_count``, ``quote_count`` and ``impression_count``
(views; X gives them with a user token). A deleted tweet comes back under ``errors``, not
``data``, and is left out.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from datetime import UTC, timedelta
from functools import partial
from typing import Any

import requests
import tweepy

from damai.errors import PublishError
from damai.httpclient import TWEEPY_HOST, RebasedSession, RedactSecret
from damai.publishers.base import Channel, Media, Metrics, Outgoing, Posted

__all__ = ["XPublisher", "comparable"]

#: pages of 100 tweets a lookup reads at most (see :data:`damai.publishers.mastodon.MAX_PAGES`)
MAX_PAGES = 10
SKEW = timedelta(minutes=2)
#: most tweets one ``GET /2/tweets`` call takes
LOOKUP_LIMIT = 100


def comparable(text: str) -> str:
    """A tweet's text without links and entities, spaces collapsed: what X cannot change."""
    return " ".join(re.sub(r"https?://\S+", " ", html.unescape(text)).split())


class XPublisher:
    def __init__(self, channel: Channel, *, base_url: str, token: str,
                 timeout: float = 30.0) -> None:
        self.channel = channel
        self._client = tweepy.Client(bearer_token=token, return_type=requests.Response,
                                     wait_on_rate_limit=False)
        self._client.session.close()
        self._client.session = RebasedSession(base_url, timeout=timeout)
        self._redact = RedactSecret(token)
        logging.getLogger("tweepy.client").addFilter(self._redact)

    def post(self, item: Outgoing) -> Posted:
        media_ids = [self._upload(m) for m in item.media]
        body = self._call(lambda: self._client.create_tweet(
            text=item.text, media_ids=media_ids or None, user_auth=False))
        return self._posted(str(body["data"]["id"]))

    def find(self, item: Outgoing) -> Posted | None:
        me = self._call(lambda: self._client.get_me(user_auth=False))["data"]["id"]
        wanted = comparable(item.text)
        start = ((item.since or item.recorded_at) - SKEW).astimezone(UTC).replace(microsecond=0)
        token: str | None = None
        for _ in range(MAX_PAGES):
            page = self._call(partial(
                self._client.get_users_tweets, me, start_time=start.isoformat().replace(
                    "+00:00", "Z"), max_results=100, pagination_token=token,
                tweet_fields=["created_at"], user_auth=False))
            for tweet in page.get("data") or []:
                if comparable(str(tweet.get("text", ""))) == wanted:
                    return self._posted(str(tweet["id"]))
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return None  # every tweet since the record was read: not there
        raise PublishError("unknown", f"more than {MAX_PAGES * 100} tweets since the "
                           "publication was recorded")

    def metrics(self, post_ids: Sequence[str]) -> dict[str, Metrics]:
        found: dict[str, Metrics] = {}
        for start in range(0, len(post_ids), LOOKUP_LIMIT):
            batch = list(post_ids[start:start + LOOKUP_LIMIT])
            body = self._call(partial(self._client.get_tweets, batch,
                                      tweet_fields=["public_metrics"], user_auth=False))
            for tweet in body.get("data") or []:
                counts = tweet.get("public_metrics") or {}
                found[str(tweet["id"])] = Metrics(
                    likes=counts.get("like_count"), reposts=counts.get("retweet_count"),
                    replies=counts.get("reply_count"), quotes=counts.get("quote_count"),
                    views=counts.get("impression_count"))
        return found

    def delete(self, post_id: str) -> bool:
        """``DELETE /2/tweets/:id`` (``{"data": {"deleted": true}}``); a 404 is ``False``."""
        try:
            body = self._call(lambda: self._client.delete_tweet(post_id, user_auth=False))
        except PublishError as exc:
            if exc.status == 404:
                return False
            raise
        if (body.get("data") or {}).get("deleted") is not True:
            raise PublishError("server", f"X did not delete tweet {post_id}: {body}"[:300])
        return True

    def close(self) -> None:
        self._client.session.close()
        logging.getLogger("tweepy.client").removeFilter(self._redact)

    # --- internals ---

    def _upload(self, media: Media) -> str:
        """``POST /2/media/upload`` (multipart; tweepy's Client has no v2 upload, and its API
        class only the v1.1 one with OAuth 1.0a), through tweepy's own session and token."""
        session = self._client.session
        body = self._call(lambda: _checked(session.post(
            f"{TWEEPY_HOST}/2/media/upload", data={"media_category": "tweet_image"},
            files={"media": (media.name, media.data, media.mime)},
            headers={"Authorization": f"Bearer {self._client.bearer_token}"})))
        media_id = str(body["data"]["id"])
        if media.alt:
            self._call(lambda: _checked(session.post(
                f"{TWEEPY_HOST}/2/media/metadata", json={
                    "id": media_id, "metadata": {"alt_text": {"text": media.alt[:1000]}}},
                headers={"Authorization": f"Bearer {self._client.bearer_token}"})))
        return media_id

    def _posted(self, tweet_id: str) -> Posted:
        return Posted(tweet_id, f"https://x.com/{self.channel.account}/status/{tweet_id}")

    @staticmethod
    def _call(call: Any) -> dict[str, Any]:
        try:
            response = call()
            body = response.json()
        except (tweepy.TweepyException, requests.RequestException, ValueError) as exc:
            raise _problem(exc) from None
        if not isinstance(body, dict):
            raise PublishError("server", "the answer is not a JSON object")
        return body


def _checked(response: requests.Response) -> requests.Response:
    """Raise tweepy's exception for an error answer, as tweepy's own calls do."""
    if response.status_code == 429:
        raise tweepy.TooManyRequests(response)
    if response.status_code >= 500:
        raise tweepy.TwitterServerError(response)
    if response.status_code in (401, 403):
        raise (tweepy.Unauthorized if response.status_code == 401 else tweepy.Forbidden)(
            response)
    if response.status_code >= 400:
        raise tweepy.BadRequest(response)
    return response


def _problem(exc: Exception) -> PublishError:
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return PublishError("network", type(exc).__name__)
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    headers = dict(response.headers) if isinstance(response, requests.Response) else {}
    messages = "; ".join(getattr(exc, "api_messages", []) or []) or _detail(response) \
        or type(exc).__name__
    if isinstance(exc, tweepy.TooManyRequests):
        return PublishError("rate_limited", messages, status=status, headers=headers)
    if isinstance(exc, tweepy.TwitterServerError) or status is None:
        return PublishError("server", messages, status=status, headers=headers)
    if isinstance(exc, tweepy.Forbidden) and "duplicate" in messages.lower():
        return PublishError("invalid", messages, status=status)
    if isinstance(exc, tweepy.Unauthorized | tweepy.Forbidden):
        return PublishError("auth", messages, status=status)
    return PublishError("invalid", messages, status=status)


def _detail(response: Any) -> str | None:
    try:
        body = response.json() if isinstance(response, requests.Response) else None
    except ValueError:
        return None
    return str(body.get("detail") or body.get("title")) if isinstance(body, dict) else None
