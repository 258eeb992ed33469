"""Fake platforms that accept posts, on 127.0.0.1 (issue #12), for the real client libraries.

They extend the listening fakes of :mod:`tests.integration.platform_servers` with the endpoints
a publisher calls, in the platforms' documented shapes:

- Mastodon: ``POST /api/v1/statuses`` (honours ``Idempotency-Key``; 422 ``Validation failed``
  past 500 characters), ``GET /api/v1/accounts/verify_credentials`` and
  ``/api/v1/accounts/:id/statuses``.
- Bluesky: ``POST /xrpc/com.atproto.repo.createRecord`` (the client's ``rkey``; 400
  ``InvalidRequest`` past 300 graphemes) and ``GET /xrpc/com.atproto.repo.getRecord`` (400
  ``RecordNotFound``).
- X: ``POST /2/tweets`` (201; 403 duplicate content; 400 too long), ``GET /2/users/me`` and
  ``/2/users/:id/tweets`` (``start_time``, ``max_results``, ``pagination_token``).
- Counts (issue #12 part 6): Mastodon ``GET /api/v1/statuses/:id`` (404 ``Record not found``),
  Bluesky ``GET /xrpc/app.bsky.feed.getPosts`` (``uris`` repeated; post views named by DID,
  a missing post left out), X ``GET /2/tweets?ids=...`` (``public_metrics``; a missing tweet
  under ``errors``).
- Telegram: ``POST /bot<TOKEN>/sendMessage`` (``{"ok": ..., "result" | "error_code",
  "description", "parameters": {"retry_after"}}``).

Retraction: Mastodon ``DELETE /api/v1/statuses/:id`` (the deleted status; 404 ``Record not
found``), Bluesky ``POST /xrpc/com.atproto.repo.deleteRecord`` (200 whether the record was there
or not, as a PDS answers), X ``DELETE /2/tweets/:id`` (``{"data": {"deleted": true}}``; 404
problem document), Telegram ``POST /bot<TOKEN>/deleteMessage`` (``{"ok": true, "result":
true}``; 400 "message to delete not found"; 400 "message can't be deleted" for a message a
test marks as older than 48 hours in ``too_old``).

``hold_before`` stalls a post before the platform accepts it, ``hold_after`` after it accepted
it and before it answers: the two moments a worker can die (or a client time out) at.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs

import orjson

from tests.integration.platform_servers import (
    BlueskyServer,
    FakePlatform,
    MastodonServer,
    Reply,
    Seen,
    XServer,
    iso,
)

__all__ = ["BlueskyPDS", "Holds", "MastodonInstance", "TelegramBotAPI", "XAccount"]


class Holds:
    """Stalls of a post: before it is accepted, after it is accepted (seconds, then 0).

    ``drop()`` ends a stall before acceptance with the post never accepted (the request died
    with its client), so a test that killed the client leaves nothing half-done behind.
    """

    def __init__(self) -> None:
        self.before = 0.0
        self.after = 0.0
        self.arrived = threading.Event()
        self.accepted = threading.Event()
        self._dropped = threading.Event()

    def drop(self) -> None:
        self._dropped.set()

    def accept(self) -> bool:
        """Stall as told; whether the post is to be accepted."""
        self.arrived.set()
        wait, self.before = self.before, 0.0
        return not self._dropped.wait(wait) if wait else True

    def answer(self, reply: Reply) -> Reply:
        self.accepted.set()
        wait, self.after = self.after, 0.0
        reply.delay = wait
        return reply


def _form_or_json(seen: Seen) -> dict[str, Any]:
    if seen.headers.get("content-type", "").startswith("application/json"):
        body = seen.json()
        return body if isinstance(body, dict) else {}
    return {k: v if k.endswith("[]") else v[-1]
            for k, v in parse_qs(seen.body.decode()).items()}


def _field(multipart: bytes, name: str) -> str | None:
    """The value of a text field of a multipart/form-data body."""
    marker = f'name="{name}"'.encode()
    if marker not in multipart:
        return None
    part = multipart.split(marker, 1)[1].split(b"\r\n\r\n", 1)[1]
    return part.split(b"\r\n--", 1)[0].decode()


class MastodonInstance(MastodonServer):
    """A Mastodon instance where ``damai`` (account id 109000000000000001) posts."""

    def __init__(self, *, token: str = "mastodon-token", user: str = "damai") -> None:
        self.user = user
        self.holds = Holds()
        self.keys: dict[str, dict[str, Any]] = {}
        self.media: dict[str, bytes] = {}
        super().__init__(token=token)

    def posts(self) -> list[dict[str, Any]]:
        return [s for s in self.statuses if s["account"]["username"] == self.user]

    def route(self, seen: Seen) -> Reply:
        if self.token and seen.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"error": "The access token is invalid"})
        path = seen.path.rstrip("/")
        if path == "/api/v1/statuses" and seen.method == "POST":
            return self._post(seen)
        if path.startswith("/api/v1/statuses/") and seen.method == "DELETE":
            return self._delete(path.rsplit("/", 1)[-1])
        if path == "/api/v2/media" and seen.method == "POST":
            media_id = str(110000000000000000 + len(self.media) + 1)
            self.media[media_id] = seen.body
            return Reply(200, {"id": media_id, "type": "image", "url": f"https://{self.host}/"
                               f"system/media/{media_id}.png", "preview_url": None,
                               "remote_url": None, "text_url": None, "meta": {},
                               "description": _field(seen.body, "description"),
                               "blurhash": None})
        if path.startswith("/api/v1/statuses/") and seen.method == "GET":
            return self._status(path.rsplit("/", 1)[1])
        if path == "/api/v1/accounts/verify_credentials":
            return Reply(200, self._account(self.user))
        if path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            return self._timeline(path, seen.query, self.posts())
        return super().route(seen)

    def _post(self, seen: Seen) -> Reply:
        key = seen.headers.get("idempotency-key")
        if key and key in self.keys:
            return Reply(200, self.keys[key])
        form = _form_or_json(seen)
        text = str(form.get("status", ""))
        if len(text) > 500:
            return Reply(422, {"error": "Validation failed: Text character limit of 500 "
                                        "exceeded"})
        if not self.holds.accept():
            return Reply(503, {"error": "dropped"})
        status = self.add_status(text, user=self.user,
                                 created_at=iso(datetime.now(UTC)))
        status["id"] = str(int(status["id"]) + 10**15)  # newer than any listening fixture
        status["url"] = f"https://{self.host}/@{self.user}/{status['id']}"
        attached = form.get("media_ids[]") or form.get("media_ids") or []
        status["media_attachments"] = [{"id": m, "type": "image"} for m in (
            attached if isinstance(attached, list) else [attached])]
        if key:
            self.keys[key] = status
        return self.holds.answer(Reply(200, status))


    def _status(self, status_id: str) -> Reply:
        found = next((s for s in self.statuses if s["id"] == status_id), None)
        return Reply(200, found) if found else Reply(404, {"error": "Record not found"})

    def _delete(self, status_id: str) -> Reply:
        found = next((s for s in self.posts() if s["id"] == status_id), None)
        if found is None:
            return Reply(404, {"error": "Record not found"})
        self.statuses.remove(found)
        return Reply(200, found | {"text": found.get("content", "")})


class BlueskyPDS(BlueskyServer):
    """A PDS where ``damai.bsky.social`` writes ``app.bsky.feed.post`` records."""

    def __init__(self, *, handle: str = "damai.bsky.social", password: str = "app-pass") -> None:
        self.records: dict[str, dict[str, Any]] = {}
        #: per record key: the counts ``getPosts`` gives (``likeCount``, ...; 0 if not set)
        self.counts: dict[str, dict[str, int]] = {}
        self.blobs: dict[str, bytes] = {}
        self.holds = Holds()
        super().__init__(account=(handle, password))

    def route(self, seen: Seen) -> Reply:
        if seen.path.startswith("/xrpc/com.atproto.repo."):
            if seen.headers.get("authorization") != f"Bearer {self.access_jwt}":
                return Reply(401, {"error": "AuthenticationRequired",
                                   "message": "Authentication Required"})
            if seen.path.endswith(".createRecord") and seen.method == "POST":
                return self._create(seen.json() or {})
            if seen.path.endswith(".uploadBlob") and seen.method == "POST":
                link = f"bafkreih{len(self.blobs):052d}"
                self.blobs[link] = seen.body
                return Reply(200, {"blob": {"$type": "blob", "ref": {"$link": link},
                                            "mimeType": seen.headers.get("content-type"),
                                            "size": len(seen.body)}})
            if seen.path.endswith(".getRecord"):
                return self._get(seen.query)
            if seen.path.endswith(".deleteRecord") and seen.method == "POST":
                rkey = str((seen.json() or {}).get("rkey", ""))
                if self.records.pop(rkey, None) is None:
                    return Reply(200, {})  # a PDS deletes a missing record without a word
                return Reply(200, {"commit": {"cid": f"bafyreid{len(self.records):050d}",
                                              "rev": "3lbq6c2ex3333"}})
        if seen.path == "/xrpc/app.bsky.feed.getPosts":
            if seen.headers.get("authorization") != f"Bearer {self.access_jwt}":
                return Reply(401, {"error": "AuthenticationRequired",
                                   "message": "Authentication Required"})
            return self._posts(seen.params.get("uris", []))
        return super().route(seen)

    def _posts(self, uris: list[str]) -> Reply:
        """``app.bsky.feed.getPosts``: a view per record still there, named by DID."""
        views = []
        for uri in uris:
            rkey = uri.rsplit("/", 1)[-1]
            found = self.records.get(rkey)
            if found is None:
                continue
            counts = self.counts.get(rkey, {})
            views.append({
                "uri": found["uri"], "cid": found["cid"],
                "author": {"did": self.did, "handle": self.account[0] if self.account else "",
                           "displayName": "Damai", "labels": [],
                           "createdAt": "2023-05-01T00:00:00.000Z"},
                "record": found["value"], "bookmarkCount": 0,
                "replyCount": counts.get("replyCount", 0),
                "repostCount": counts.get("repostCount", 0),
                "likeCount": counts.get("likeCount", 0),
                "quoteCount": counts.get("quoteCount", 0),
                "indexedAt": iso(datetime.now(UTC)), "labels": []})
        return Reply(200, {"posts": views})

    def _create(self, body: dict[str, Any]) -> Reply:
        text = str((body.get("record") or {}).get("text", ""))
        if len(text) > 300:
            return Reply(400, {"error": "InvalidRequest", "message": "Invalid app.bsky.feed."
                               "post record: Record/text must not be longer than 300 "
                               "graphemes"})
        rkey = str(body.get("rkey") or f"3l{len(self.records):011d}")
        if rkey in self.records:
            return Reply(400, {"error": "InvalidRequest",
                               "message": f"Record already exists: {rkey}"})
        if not self.holds.accept():
            return Reply(503, {"error": "dropped"})
        uri = f"at://{self.did}/{body.get('collection')}/{rkey}"
        cid = f"bafyreib{len(self.records):050d}"
        self.records[rkey] = {"uri": uri, "cid": cid, "value": body.get("record")}
        return self.holds.answer(Reply(200, {
            "uri": uri, "cid": cid, "validationStatus": "valid",
            "commit": {"cid": f"bafyreic{len(self.records):050d}", "rev": "3lbq6c2ex2222"}}))

    def _get(self, query: dict[str, str]) -> Reply:
        found = self.records.get(query.get("rkey", ""))
        if found is None:
            return Reply(400, {"error": "RecordNotFound", "message": "Could not locate record: "
                               f"at://{query.get('repo')}/{query.get('collection')}/"
                               f"{query.get('rkey')}"})
        return Reply(200, found)


class XAccount(XServer):
    """X API v2 where the user ``damai_id`` (id 2244994945) tweets."""

    me = "2244994945"

    def __init__(self, *, token: str = "x-user-token") -> None:
        self.holds = Holds()
        self.media: dict[str, dict[str, Any]] = {}
        super().__init__(token=token)

    def posts(self) -> list[dict[str, Any]]:
        return [t for t in self.tweets if t["author_id"] == self.me]

    def route(self, seen: Seen) -> Reply:
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return super().route(seen)
        if seen.path == "/2/tweets" and seen.method == "POST":
            body = seen.json() or {}
            return self._tweet(str(body.get("text", "")), (body.get("media") or {}).get(
                "media_ids") or [])
        if seen.path == "/2/media/upload" and seen.method == "POST":
            media_id = str(1880028106020515840 + len(self.media))
            self.media[media_id] = {"body": seen.body, "alt": None}
            return Reply(200, {"data": {"id": media_id, "media_key": f"3_{media_id}",
                                        "size": len(seen.body), "expires_after_secs": 86400,
                                        "image": {"image_type": "image/png", "w": 1, "h": 1}}})
        if seen.path == "/2/media/metadata" and seen.method == "POST":
            body = seen.json() or {}
            self.media[body["id"]]["alt"] = body["metadata"]["alt_text"]["text"]
            return Reply(200, {"data": {"id": body["id"], "associated_metadata": True}})
        if seen.path == "/2/tweets" and seen.method == "GET":
            return self._lookup(seen.query.get("ids", "").split(","))
        if seen.path == "/2/users/me":
            return Reply(200, {"data": {"id": self.me, "name": "Damai", "username": "damai_id"}})
        if seen.path.startswith("/2/tweets/") and seen.method == "DELETE":
            return self._delete(seen.path.rsplit("/", 1)[-1])
        if seen.path == f"/2/users/{self.me}/tweets":
            return self._timeline(seen.query)
        return super().route(seen)

    def _tweet(self, text: str, media_ids: list[str]) -> Reply:
        if len(text) > 280:
            return Reply(400, {"errors": [{"parameters": {"text": [text[:20]]},
                                           "message": "Tweet text is too long."}],
                               "title": "Invalid Request", "detail": "One or more parameters "
                               "to your request was invalid.",
                               "type": "https://api.twitter.com/2/problems/invalid-request"})
        if any(t["text"] == text for t in self.posts()):
            return Reply(403, {"detail": "You are not allowed to create a Tweet with duplicate "
                               "content.", "type": "about:blank", "title": "Forbidden",
                               "status": 403})
        if not self.holds.accept():
            return Reply(503, {"title": "dropped"})
        tweet = self.add_tweet(text, author=self.me, created_at=iso(datetime.now(UTC)))
        if media_ids:
            tweet["attachments"] = {"media_keys": [f"3_{m}" for m in media_ids]}
        return self.holds.answer(Reply(201, {"data": {
            "id": tweet["id"], "text": text, "edit_history_tweet_ids": [tweet["id"]]}}))

    def _lookup(self, ids: list[str]) -> Reply:
        """``GET /2/tweets?ids=...``: the tweets found in ``data``, the rest in ``errors``."""
        found = {t["id"]: t for t in self.tweets}
        data = [{"id": i, "text": found[i]["text"], "edit_history_tweet_ids": [i],
                 "public_metrics": found[i]["public_metrics"]} for i in ids if i in found]
        errors = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].",
                   "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                   "resource_id": i,
                   "type": "https://api.twitter.com/2/problems/resource-not-found"}
                  for i in ids if i not in found]
        body: dict[str, Any] = {"data": data} if data else {}
        return Reply(200, body | ({"errors": errors} if errors else {}))

    def _delete(self, tweet_id: str) -> Reply:
        found = next((t for t in self.posts() if t["id"] == tweet_id), None)
        if found is None:
            return Reply(404, {"errors": [{"value": tweet_id, "detail": "Could not find tweet "
                                           f"with id: [{tweet_id}].", "title": "Not Found Error",
                                           "resource_type": "tweet", "parameter": "id",
                                           "resource_id": tweet_id,
                                           "type": "https://api.twitter.com/2/problems/"
                                                   "resource-not-found"}],
                               "title": "Not Found Error", "detail": "Could not find tweet "
                               f"with id: [{tweet_id}].", "type": "https://api.twitter.com/2/"
                               "problems/resource-not-found"})
        self.tweets.remove(found)
        return Reply(200, {"data": {"deleted": True}})

    def _timeline(self, query: dict[str, str]) -> Reply:
        since = query.get("start_time", "")
        chosen = sorted((t for t in self.posts() if t["created_at"] >= since),
                        key=lambda t: int(t["id"]), reverse=True)
        size = int(query.get("max_results") or 10)
        offset = int(query.get("pagination_token") or 0)
        page = chosen[offset:offset + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if offset + size < len(chosen):
            meta["next_token"] = str(offset + size)
        return Reply(200, {"data": page, "meta": meta} if page else {"meta": meta})


class TelegramBotAPI(FakePlatform):
    """The Bot API for a bot that is an administrator of ``@damai_channel``."""

    chat: ClassVar[dict[str, Any]] = {"id": -1001234567890, "title": "Damai",
                                      "username": "damai_channel", "type": "channel"}

    def __init__(self, *, token: str = "123456:ABC-bot-token") -> None:
        self.token = token
        self.messages: list[dict[str, Any]] = []
        #: message ids posted more than 48 hours ago (a bot may no longer delete them)
        self.too_old: set[int] = set()
        self.holds = Holds()
        super().__init__()

    METHODS: ClassVar[tuple[str, ...]] = ("sendMessage", "sendPhoto", "deleteMessage")

    def rate_limited(self, retry_after: int = 3) -> Reply:
        return Reply(429, {"ok": False, "error_code": 429, "description": "Too Many Requests: "
                           f"retry after {retry_after}",
                           "parameters": {"retry_after": retry_after}})

    @staticmethod
    def error(code: int, description: str) -> Reply:
        return Reply(code, {"ok": False, "error_code": code, "description": description})

    def route(self, seen: Seen) -> Reply:
        method = seen.path.rsplit("/", 1)[-1]
        if seen.path != f"/bot{self.token}/{method}" or method not in self.METHODS:
            if seen.path.startswith("/bot") and method in self.METHODS:
                return self.error(401, "Unauthorized")
            return self.error(404, "Not Found")
        if method == "sendPhoto":
            return self._photo(seen.body)
        if method == "deleteMessage":
            return self._delete(orjson.loads(seen.body or b"{}"))
        body = orjson.loads(seen.body or b"{}")
        if body.get("chat_id") not in ("@damai_channel", self.chat["id"]):
            return self.error(400, "Bad Request: chat not found")
        text = str(body.get("text", ""))
        if len(text) > 4096:
            return self.error(400, "Bad Request: message is too long")
        if not self.holds.accept():
            return self.error(503, "dropped")
        message = {"message_id": len(self.messages) + 1, "sender_chat": self.chat,
                   "chat": self.chat, "date": int(time.time()), "text": text}
        self.messages.append(message)
        return self.holds.answer(Reply(200, {"ok": True, "result": message}))

    def _delete(self, body: dict[str, Any]) -> Reply:
        if body.get("chat_id") not in ("@damai_channel", self.chat["id"]):
            return self.error(400, "Bad Request: chat not found")
        found = next((m for m in self.messages if m["message_id"] == body.get("message_id")),
                     None)
        if found is None:
            return self.error(400, "Bad Request: message to delete not found")
        if found["message_id"] in self.too_old:
            return self.error(400, "Bad Request: message can't be deleted")
        self.messages.remove(found)
        return Reply(200, {"ok": True, "result": True})

    def _photo(self, multipart: bytes) -> Reply:
        if _field(multipart, "chat_id") != "@damai_channel":
            return self.error(400, "Bad Request: chat not found")
        caption = _field(multipart, "caption") or ""
        if len(caption) > 1024:
            return self.error(400, "Bad Request: message caption is too long")
        message = {"message_id": len(self.messages) + 1, "sender_chat": self.chat,
                   "chat": self.chat, "date": int(time.time()), "caption": caption,
                   "photo": [{"file_id": "AgACAgUAAx0CZ", "file_unique_id": "AQADr7",
                              "file_size": len(multipart), "width": 1, "height": 1}]}
        self.messages.append(message)
        return Reply(200, {"ok": True, "result": message})

