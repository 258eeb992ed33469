"""Publishing to a Bluesky account through the atproto SDK (``com.atproto.repo.createRecord``).

Exactly once, by the record key: a post's record key is a TID that Damai derives from the
publication (the microsecond it was recorded, and its id as the clock id), not one the server
picks. Every attempt for one publication writes the same ``at://HANDLE/app.bsky.feed.post/RKEY``,
so the repository can hold it at most once (a second ``createRecord`` with that key is refused),
and :meth:`BlueskyPublisher.find` asks for exactly that record
(``com.atproto.repo.getRecord``): there, or ``RecordNotFound``, never a guess.

Images are uploaded first (``com.atproto.repo.uploadBlob``) and embedded with their alt text
(``app.bsky.embed.images``). The client logs in once with the account's app password
(``createSession``); ``repo`` is the handle, which the PDS resolves. The text goes out as
written: no facets are computed (mentions would need a handle lookup per mention, a network
call).

Counts (issue #12 part 6): :meth:`BlueskyPublisher.metrics` asks the AppView, through the PDS,
for up to 25 posts per call (``app.bsky.feed.getPosts``, the SDK's ``get_posts``):
``likeCount``, ``repostCount``, ``replyCount``, ``quoteCount``. Bluesky gives no views. The
answer names a post by its DID, Damai's id by the handle, so the two are matched on what follows
the authority (``app.bsky.feed.post/RKEY``); a post that is gone is not in the answer.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

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

from damai.errors import PublishError
from damai.publishers.base import Channel, Metrics, Outgoing, Posted

__all__ = ["BlueskyPublisher", "record_key"]

COLLECTION = "app.bsky.feed.post"
#: most posts one ``app.bsky.feed.getPosts`` call takes
GET_POSTS_LIMIT = 25
_S32 = "234567abcdefghijklmnopqrstuvwxyz"


def record_key(publication_id: int, recorded_at: datetime) -> str:
    """The TID of a publication's record: 53 bits of microseconds since 1970, 10 of clock id,
    in base32-sortable (13 characters), as the AT Protocol specifies record keys of posts."""
    micros = int(recorded_at.astimezone(UTC).timestamp() * 1_000_000)
    value = ((micros & ((1 << 53) - 1)) << 10) | (publication_id % 1024)
    return "".join(_S32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


class BlueskyPublisher:
    def __init__(self, channel: Channel, *, base_url: str, password: str,
                 timeout: float = 30.0) -> None:
        self.channel = channel
        self._password = password
        self._client = Client(base_url=base_url.rstrip("/"), request=Request(timeout=timeout))
        self._logged_in = False

    def post(self, item: Outgoing) -> Posted:
        self._login()
        rkey = record_key(item.publication_id, item.recorded_at)
        images = [models.AppBskyEmbedImages.Image(alt=m.alt, image=self._upload(m.data))
                  for m in item.media]
        record = models.AppBskyFeedPost.Record(
            text=item.text, langs=["id"], created_at=self._client.get_current_time_iso(),
            embed=models.AppBskyEmbedImages.Main(images=images) if images else None)
        data = models.ComAtprotoRepoCreateRecord.Data(repo=self.channel.account,
                                                      collection=COLLECTION, rkey=rkey,
                                                      record=record)
        self._call(lambda: self._client.com.atproto.repo.create_record(data))
        return self._posted(rkey)

    def find(self, item: Outgoing) -> Posted | None:
        self._login()
        rkey = record_key(item.publication_id, item.recorded_at)
        return self._posted(rkey) if self._holds(self.channel.account, COLLECTION, rkey) \
            else None

    def delete(self, post_id: str) -> bool:
        """``com.atproto.repo.deleteRecord`` of the post's record (``at://REPO/COLLECTION/RKEY``).
        A PDS deletes a missing record without a word, so the record is looked up first
        (``getRecord``): ``RecordNotFound`` is ``False``."""
        self._login()
        repo, collection, rkey = _parts(post_id)
        if not self._holds(repo, collection, rkey):
            return False
        data = models.ComAtprotoRepoDeleteRecord.Data(repo=repo, collection=collection,
                                                      rkey=rkey)
        self._call(lambda: self._client.com.atproto.repo.delete_record(data))
        return True

    def metrics(self, post_ids: Sequence[str]) -> dict[str, Metrics]:
        self._login()
        found: dict[str, Metrics] = {}
        for start in range(0, len(post_ids), GET_POSTS_LIMIT):
            batch = list(post_ids[start:start + GET_POSTS_LIMIT])
            wanted = {_record_path(i): i for i in batch}
            answer = self._call(partial(self._client.get_posts, batch))
            for view in answer.posts:
                post_id = wanted.get(_record_path(view.uri))
                if post_id is not None:
                    found[post_id] = Metrics(likes=view.like_count, reposts=view.repost_count,
                                             replies=view.reply_count, quotes=view.quote_count)
        return found

    def close(self) -> None:
        self._client.request.close()

    # --- internals ---

    def _holds(self, repo: str, collection: str, rkey: str) -> bool:
        """Whether the repository holds the record (``getRecord``; ``RecordNotFound``: no)."""
        params = models.ComAtprotoRepoGetRecord.Params(repo=repo, collection=collection,
                                                       rkey=rkey)
        try:
            self._call(lambda: self._client.com.atproto.repo.get_record(params))
        except PublishError as exc:
            if exc.kind == "invalid" and "RecordNotFound" in exc.detail:
                return False
            raise
        return True

    def _posted(self, rkey: str) -> Posted:
        return Posted(f"at://{self.channel.account}/{COLLECTION}/{rkey}",
                      f"https://bsky.app/profile/{self.channel.account}/post/{rkey}")

    def _upload(self, data: bytes) -> Any:
        # the SDK hands the bytes to httpx as ``data=``, which httpx deprecates for raw bytes
        # (it means ``content=``); the request is the same
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Use 'content=<...>'", DeprecationWarning)
            return self._call(partial(self._client.upload_blob, data)).blob

    def _login(self) -> None:
        if not self._logged_in:
            handle, password = self.channel.account, self._password
            self._call(lambda: self._client.login(handle, password, fetch_bsky_profile=False))
            self._logged_in = True

    @staticmethod
    def _call(call: Any) -> Any:
        try:
            return call()
        except (AtProtocolError, httpx.TransportError) as exc:
            raise _problem(exc) from None


def _record_path(uri: str) -> str:
    """``COLLECTION/RKEY`` of an ``at://AUTHORITY/COLLECTION/RKEY`` (the authority a handle or
    a DID)."""
    return uri.removeprefix("at://").partition("/")[2]

def _parts(uri: str) -> tuple[str, str, str]:
    """``at://REPO/COLLECTION/RKEY`` as its three parts."""
    repo, _, rest = uri.removeprefix("at://").partition("/")
    collection, _, rkey = rest.partition("/")
    if not (repo and collection and rkey):
        raise PublishError("invalid", f"not a post's AT URI: {uri!r}")
    return repo, collection, rkey


def _problem(exc: Exception) -> PublishError:
    if isinstance(exc, httpx.TransportError | InvokeTimeoutError):
        return PublishError("network", type(exc).__name__)
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    status: int | None = response.status_code if response is not None else None
    headers: dict[str, str] = dict(response.headers) if response is not None else {}
    detail = _reason(response.content if response is not None else None) or type(exc).__name__
    if isinstance(exc, RateLimitExceededError) or status == 429:
        return PublishError("rate_limited", detail, status=status, headers=headers)
    if status is None and isinstance(exc, NetworkError):
        return PublishError("network", detail)
    if status is not None and status >= 500:
        return PublishError("server", detail, status=status, headers=headers)
    if isinstance(exc, UnauthorizedError):
        return PublishError("auth", detail, status=status)
    if isinstance(exc, BadRequestError) or status is not None:
        return PublishError("invalid", detail, status=status)
    return PublishError("network", detail)


def _reason(content: Any) -> str | None:
    error = getattr(content, "error", None) or (
        content.get("error") if isinstance(content, dict) else None)
    message = getattr(content, "message", None) or (
        content.get("message") if isinstance(content, dict) else None)
    return ": ".join(str(p) for p in (error, message) if p) or None
