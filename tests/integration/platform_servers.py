"""Fake Mastodon, Bluesky and X servers on 127.0.0.1, for testing the real client libraries.

Each server is a stdlib ``ThreadingHTTPServer`` on a random port, in a background thread. It
answers with the JSON shapes, status codes and headers the real platform sends, records every
request (``server.seen``), and plays scripted answers first: ``server.fail("/path", reply, ...)``
queues replies (a 503, a 429 with rate-limit headers, ...) that the next requests to that path get
before the normal answer. Use them as context managers; ``close`` shuts the server down and
closes its socket.

The shapes follow the platforms' documentation:

- Mastodon: ``GET /api/v1/timelines/tag/:hashtag`` and ``/api/v1/timelines/public`` (``since_id``,
  ``max_id``, ``min_id``, ``limit``; newest first; ``Link`` and ``X-RateLimit-*`` headers; 429 with
  an ISO 8601 ``X-RateLimit-Reset``), ``GET /api/v1/instance`` and ``/api/v2/instance`` (Mastodon.py
  reads ``configuration.timelines_access`` before a timeline call).
- Bluesky: ``GET /xrpc/app.bsky.feed.searchPosts`` (``q``, ``sort``, ``since``, ``limit``,
  ``cursor``; ``posts`` + ``cursor`` + ``hitsTotal``; ``ratelimit-*`` headers) and ``POST
  /xrpc/com.atproto.server.createSession``.
- X: ``GET /2/tweets/search/recent`` (``since_id``, ``max_results`` 10-100, ``next_token``,
  expansions; ``data``/``includes``/``meta`` with ``newest_id``/``oldest_id``/``next_token``;
  ``x-rate-limit-*`` headers; 401, 429 and invalid-``since_id`` 400 problem documents).
"""

from __future__ import annotations

import base64
import contextlib
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import orjson

JSON = "application/json; charset=utf-8"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@dataclass(slots=True)
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds to stall before answering (to test client timeouts)
    delay: float = 0.0


@dataclass(slots=True)
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    #: every value of each query parameter (``query`` keeps the last one)
    params: dict[str, list[str]] = field(default_factory=dict)

    def json(self) -> Any:
        return orjson.loads(self.body) if self.body else None


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


class FakePlatform:
    """The shared machinery; subclasses implement ``route``."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._script: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                platform._handle(self, "GET")

            def do_POST(self) -> None:
                platform._handle(self, "POST")

            def do_DELETE(self) -> None:
                platform._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail(self, path: str, *replies: Reply) -> None:
        """Answer the next requests whose path starts with ``path`` with ``replies``, in order."""
        with self._lock:
            self._script[path].extend(replies)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(path)]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def route(self, seen: Seen) -> Reply:
        raise NotImplementedError

    def base_headers(self) -> dict[str, str]:
        return {}

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        seen = Seen(method, parts.path, query, {k.lower(): v for k, v in handler.headers.items()},
                    body, parse_qs(parts.query))
        with self._lock:
            self.seen.append(seen)
            scripted = next((q for p, q in self._script.items() if parts.path.startswith(p) and q),
                            None)
            reply = scripted.popleft() if scripted else None
        if reply is None:
            reply = self.route(seen)
        if reply.delay:
            time.sleep(reply.delay)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(handler, reply)  # fails only when the client gave up waiting

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if isinstance(reply.body, bytes):
            payload, kind = reply.body, "text/html; charset=utf-8"
        else:
            payload, kind = orjson.dumps(reply.body), JSON
        # send_response adds Server and Date
        headers = {"Content-Type": kind, **self.base_headers(), **reply.headers,
                   "Content-Length": str(len(payload))}
        handler.send_response(reply.status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)


def service_unavailable() -> Reply:
    return Reply(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>",
                 {"Retry-After": "1"})


def bad_gateway() -> Reply:
    return Reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>")


# --- Mastodon ------------------------------------------------------------------------------------


class MastodonServer(FakePlatform):
    """A Mastodon 4.4 instance with hashtag and public timelines."""

    host = "social.example.id"

    def __init__(self, *, token: str | None = None, public_feed: str = "public") -> None:
        self.statuses: list[dict[str, Any]] = []
        self.token = token
        self.public_feed = public_feed
        self.remaining = 300
        super().__init__()

    def add_status(self, text: str, *, tags: tuple[str, ...] = (), minutes: int | None = None,
                   user: str = "relawan", **extra: Any) -> dict[str, Any]:
        n = len(self.statuses) + 1
        sid = str(113500000000000000 + n * 1000)
        created = T0 + timedelta(minutes=n if minutes is None else minutes)
        links = " ".join(f'<a href="https://{self.host}/tags/{t}" class="mention hashtag" '
                         f'rel="tag">#<span>{t}</span></a>' for t in tags)
        status: dict[str, Any] = {
            "id": sid, "created_at": iso(created), "in_reply_to_id": None,
            "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
            "visibility": "public", "language": "id",
            "uri": f"https://{self.host}/users/{user}/statuses/{sid}",
            "url": f"https://{self.host}/@{user}/{sid}", "replies_count": 0,
            "reblogs_count": n % 3, "favourites_count": n % 5, "quotes_count": 0,
            "edited_at": None, "favourited": False, "reblogged": False, "muted": False,
            "bookmarked": False, "content": f"<p>{text} {links}</p>".replace(" </p>", "</p>"),
            "filtered": [], "reblog": None,
            "application": {"name": "Web", "website": None},
            "account": self._account(user), "media_attachments": [], "mentions": [],
            "tags": [{"name": t, "url": f"https://{self.host}/tags/{t}"} for t in tags],
            "emojis": [], "quote": None, "card": None, "poll": None,
        }
        status.update(extra)
        self.statuses.append(status)
        return status

    def _account(self, user: str) -> dict[str, Any]:
        return {
            "id": "109000000000000001", "username": user, "acct": user,
            "display_name": user.title(), "locked": False, "bot": False, "discoverable": True,
            "indexable": True, "group": False, "created_at": "2022-11-01T00:00:00.000Z",
            "note": "<p>Relawan kebencanaan</p>", "url": f"https://{self.host}/@{user}",
            "uri": f"https://{self.host}/users/{user}",
            "avatar": f"https://{self.host}/avatars/original/missing.png",
            "avatar_static": f"https://{self.host}/avatars/original/missing.png",
            "header": f"https://{self.host}/headers/original/missing.png",
            "header_static": f"https://{self.host}/headers/original/missing.png",
            "followers_count": 120, "following_count": 80, "statuses_count": 3000,
            "last_status_at": "2026-11-01", "hide_collections": False, "noindex": False,
            "emojis": [], "roles": [], "fields": [],
        }

    def rate_limited(self, reset_in: float = 2.0) -> Reply:
        reset = datetime.now(UTC) + timedelta(seconds=reset_in)
        return Reply(429, {"error": "Too many requests"},
                     {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                      "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")})

    def base_headers(self) -> dict[str, str]:
        reset = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": reset, "Cache-Control": "private, no-store",
                "Vary": "Accept, Origin"}

    def route(self, seen: Seen) -> Reply:
        path = seen.path.rstrip("/")
        if path == "/api/v2/instance":
            return Reply(200, self._instance_v2())
        if path == "/api/v1/instance":
            return Reply(200, self._instance_v1())
        if self.token and seen.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"error": "The access token is invalid"})
        self.remaining = max(self.remaining - 1, 0)
        if path.startswith("/api/v1/timelines/tag/"):
            tag = path.rsplit("/", 1)[1].lower()
            chosen = [s for s in self.statuses if tag in {t["name"] for t in s["tags"]}]
            return self._timeline(path, seen.query, chosen)
        if path == "/api/v1/timelines/public":
            return self._timeline(path, seen.query, list(self.statuses))
        return Reply(404, {"error": "Record not found"})

    def _timeline(self, path: str, query: dict[str, str],
                  statuses: list[dict[str, Any]]) -> Reply:
        def key(status: dict[str, Any]) -> int:
            return int(status["id"])

        limit = min(int(query.get("limit") or 20), 40)
        chosen = sorted(statuses, key=key, reverse=True)
        if query.get("max_id"):
            chosen = [s for s in chosen if key(s) < int(query["max_id"])]
        if query.get("since_id"):
            chosen = [s for s in chosen if key(s) > int(query["since_id"])]
        if query.get("min_id"):
            chosen = sorted((s for s in chosen if key(s) > int(query["min_id"])), key=key)[:limit]
            chosen.sort(key=key, reverse=True)
        page = chosen[:limit]
        headers = {}
        if page:
            base = f"https://{self.host}{path}"
            headers["Link"] = (f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                               f'<{base}?min_id={page[0]["id"]}>; rel="prev"')
        return Reply(200, page, headers)

    def _instance_v2(self) -> dict[str, Any]:
        access = {"local": "public", "remote": "public"}
        live = {"local": self.public_feed, "remote": self.public_feed}
        return {
            "domain": self.host, "title": "Sosial Contoh", "version": "4.4.3",
            "api_versions": {"mastodon": 6}, "source_url": "https://github.com/mastodon/mastodon",
            "description": "Server Mastodon untuk uji.", "usage": {"users": {"active_month": 42}},
            "thumbnail": {"url": f"https://{self.host}/packs/media/images/preview.png"},
            "languages": ["id", "en"],
            "configuration": {
                "urls": {"streaming": f"wss://{self.host}", "status": None},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": {"max_characters": 500, "max_media_attachments": 4,
                             "characters_reserved_per_url": 23},
                "media_attachments": {"supported_mime_types": ["image/jpeg"],
                                      "image_size_limit": 16777216},
                "polls": {"max_options": 4, "max_characters_per_option": 50,
                          "min_expiration": 300, "max_expiration": 2629746},
                "translation": {"enabled": False},
                "timelines_access": {"live_feeds": live, "hashtag_feeds": access,
                                     "trending_link_feeds": access},
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "contact": {"email": f"admin@{self.host}", "account": None},
            "rules": [{"id": "1", "text": "Tidak ada ujaran kebencian.", "hint": ""}],
        }

    def _instance_v1(self) -> dict[str, Any]:
        return {
            "uri": self.host, "title": "Sosial Contoh", "short_description": "",
            "description": "Server Mastodon untuk uji.", "email": f"admin@{self.host}",
            "version": "4.4.3", "urls": {"streaming_api": f"wss://{self.host}"},
            "stats": {"user_count": 42, "status_count": len(self.statuses), "domain_count": 1},
            "thumbnail": None, "languages": ["id"], "registrations": False,
            "approval_required": False, "invites_enabled": False, "configuration": {},
            "contact_account": None, "rules": [],
        }


# --- Bluesky -------------------------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()


def fake_jwt(did: str, scope: str, lifetime: int = 7200) -> str:
    now = int(time.time())
    header = _b64({"typ": "at+jwt", "alg": "ES256K"})
    payload = _b64({"scope": scope, "sub": did, "iat": now, "exp": now + lifetime,
                    "aud": "did:web:bsky.example"})
    return f"{header}.{payload}.c2lnbmF0dXJl"


class BlueskyServer(FakePlatform):
    """An AppView (searchPosts) that is also a PDS (createSession)."""

    did = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"

    def __init__(self, *, account: tuple[str, str] | None = None,
                 require_auth: bool = False) -> None:
        self.views: list[dict[str, Any]] = []
        self.account = account
        self.require_auth = require_auth
        self.access_jwt = fake_jwt(self.did, "com.atproto.appPass") if account else None
        super().__init__()

    def add_post(self, text: str, *, minutes: float, indexed_delay: float = 1.0,
                 tags: tuple[str, ...] = ()) -> dict[str, Any]:
        n = len(self.views) + 1
        created = T0 + timedelta(minutes=minutes)
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": iso(created),
                                  "langs": ["id"], "text": text}
        facets = []
        for tag in tags:
            start = text.encode().find(f"#{tag}".encode())
            if start >= 0:
                facets.append({"$type": "app.bsky.richtext.facet",
                               "index": {"byteStart": start, "byteEnd": start + len(tag) + 1},
                               "features": [{"$type": "app.bsky.richtext.facet#tag",
                                             "tag": tag}]})
        if facets:
            record["facets"] = facets
        view = {
            "uri": f"at://{self.did}/app.bsky.feed.post/3lbq6c2ex{n:04d}",
            "cid": f"bafyreihkxzr3vh3ujojuvoh7vqnc7xrvbo4bk5ymnbmhjtxu6hzf4x{n:04d}",
            "author": {"did": self.did, "handle": "relawan.bsky.social",
                       "displayName": "Relawan Siaga",
                       "avatar": f"https://cdn.bsky.app/img/avatar/plain/{self.did}/a@jpeg",
                       "associated": {"chat": {"allowIncoming": "following"}},
                       "labels": [], "createdAt": "2023-05-01T00:00:00.000Z"},
            "record": record, "bookmarkCount": 0, "replyCount": 0, "repostCount": n % 3,
            "likeCount": n % 7, "quoteCount": 0,
            "indexedAt": iso(created + timedelta(seconds=indexed_delay)), "labels": [],
        }
        self.views.append(view)
        return view

    def rate_limited(self, reset_in: int = 2) -> Reply:
        reset = int(time.time()) + reset_in
        return Reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                     {"ratelimit-limit": "3000", "ratelimit-remaining": "0",
                      "ratelimit-reset": str(reset), "ratelimit-policy": "3000;w=300"})

    def base_headers(self) -> dict[str, str]:
        return {"ratelimit-limit": "3000", "ratelimit-remaining": "2999",
                "ratelimit-reset": str(int(time.time()) + 300), "ratelimit-policy": "3000;w=300"}

    def route(self, seen: Seen) -> Reply:
        if seen.path == "/xrpc/com.atproto.server.createSession" and seen.method == "POST":
            return self._create_session(seen.json() or {})
        if seen.path == "/xrpc/app.bsky.feed.searchPosts":
            if self.require_auth and seen.headers.get("authorization") != (
                    f"Bearer {self.access_jwt}"):
                return Reply(403, {"error": "Forbidden", "message": "Forbidden"})
            return self._search(seen.query)
        return Reply(501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"})

    def _create_session(self, body: dict[str, Any]) -> Reply:
        if not self.account or (body.get("identifier"), body.get("password")) != self.account:
            return Reply(401, {"error": "AuthenticationRequired",
                               "message": "Invalid identifier or password"})
        return Reply(200, {"did": self.did, "handle": self.account[0],
                           "email": "relawan@example.id", "emailConfirmed": True,
                           "accessJwt": self.access_jwt,
                           "refreshJwt": fake_jwt(self.did, "com.atproto.refresh", 86400),
                           "active": True})

    def _search(self, query: dict[str, str]) -> Reply:
        q = query.get("q", "").lower()
        if not q:
            return Reply(400, {"error": "InvalidRequest", "message": 'Error: Params must have the '
                               'property "q"'})
        limit = min(int(query.get("limit") or 25), 100)
        offset = int(query.get("cursor") or 0)

        def sort_at(view: dict[str, Any]) -> str:
            record = view.get("record")
            created = record.get("createdAt") if isinstance(record, dict) else None
            indexed = str(view["indexedAt"])
            return min(str(created or indexed), indexed)

        chosen = sorted((v for v in self.views if q in orjson.dumps(v).decode().lower()),
                        key=sort_at, reverse=True)
        if query.get("since"):
            chosen = [v for v in chosen if sort_at(v) >= query["since"]]
        page = chosen[offset:offset + limit]
        body: dict[str, Any] = {"posts": page, "hitsTotal": len(chosen)}
        if offset + limit < len(chosen):
            body["cursor"] = str(offset + limit)
        return Reply(200, body)


# --- X -------------------------------------------------------------------------------------------


class XServer(FakePlatform):
    """X API v2 recent search."""

    def __init__(self, *, token: str = "test-bearer-token",
                 oldest_since_id: int | None = None) -> None:
        self.tweets: list[dict[str, Any]] = []
        self.token = token
        self.oldest_since_id = oldest_since_id
        super().__init__()

    def add_tweet(self, text: str, *, author: str = "2244994945", **extra: Any) -> dict[str, Any]:
        n = len(self.tweets) + 1
        tid = str(1852000000000000000 + n * 1000)
        tweet: dict[str, Any] = {
            "id": tid, "text": text, "author_id": author,
            "created_at": iso(T0 + timedelta(minutes=n)), "conversation_id": tid, "lang": "in",
            "edit_history_tweet_ids": [tid], "possibly_sensitive": False,
            "reply_settings": "everyone",
            "public_metrics": {"retweet_count": n % 3, "reply_count": 0, "like_count": n % 5,
                               "quote_count": 0, "bookmark_count": 0,
                               "impression_count": 100 * n},
        }
        tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)}
                for m in re.finditer(r"#(\w+)", text)]
        if tags:
            tweet["entities"] = {"hashtags": tags}
        tweet.update(extra)
        self.tweets.append(tweet)
        return tweet

    def rate_limited(self, reset_in: int = 2) -> Reply:
        return Reply(429, {"title": "Too Many Requests", "detail": "Too Many Requests",
                           "type": "about:blank", "status": 429},
                     {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0",
                      "x-rate-limit-reset": str(int(time.time()) + reset_in)})

    def base_headers(self) -> dict[str, str]:
        return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449",
                "x-rate-limit-reset": str(int(time.time()) + 900), "x-response-time": "42"}

    def route(self, seen: Seen) -> Reply:
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                               "detail": "Unauthorized"})
        if seen.path != "/2/tweets/search/recent":
            return Reply(404, {"errors": [{"message": "Sorry, that page does not exist"}],
                               "title": "Not Found Error", "status": 404})
        return self._search(seen.query)

    def _invalid(self, name: str, value: str, message: str) -> Reply:
        return Reply(400, {"errors": [{"parameters": {name: [value]}, "message": message}],
                           "title": "Invalid Request",
                           "detail": "One or more parameters to your request was invalid.",
                           "type": "https://api.twitter.com/2/problems/invalid-request"})

    def _search(self, query: dict[str, str]) -> Reply:
        size = int(query.get("max_results") or 10)
        if not 10 <= size <= 100:
            return self._invalid("max_results", str(size), f"The `max_results` query parameter "
                                 f"value [{size}] is not between 10 and 100")
        since = query.get("since_id")
        if since and self.oldest_since_id and int(since) < self.oldest_since_id:
            return self._invalid("since_id", since, f"Invalid 'since_id':'{since}'. 'since_id' "
                                 "must be a tweet id created after 2026-10-25T00:00Z. Please use "
                                 "a 'start_time' instead.")
        words = [w for w in query.get("query", "").lower().split() if ":" not in w]
        chosen = sorted((t for t in self.tweets if all(w in t["text"].lower() for w in words)),
                        key=lambda t: int(t["id"]), reverse=True)
        if since:
            chosen = [t for t in chosen if int(t["id"]) > int(since)]
        offset = int(query["next_token"].removeprefix("b26v89c19zqg8o3f")) \
            if query.get("next_token") else 0
        page = chosen[offset:offset + size]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        meta: dict[str, Any] = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"],
                                "result_count": len(page)}
        if offset + size < len(chosen):
            meta["next_token"] = f"b26v89c19zqg8o3f{offset + size}"
        authors = sorted({t["author_id"] for t in page})
        users = [{"id": a, "name": f"Warga {a[-3:]}", "username": f"warga{a[-3:]}",
                  "created_at": "2015-03-01T00:00:00.000Z", "protected": False,
                  "verified": False, "description": "",
                  "public_metrics": {"followers_count": 10, "following_count": 5,
                                     "tweet_count": 99, "listed_count": 0}} for a in authors]
        body: dict[str, Any] = {"data": page, "meta": meta}
        if "author_id" in query.get("expansions", ""):
            body["includes"] = {"users": users}
        return Reply(200, body)


# --- helpers for the tests ------------------------------------------------------------------------


def fast_policy(waits: list[float], attempts: int = 3) -> Any:
    """A retry policy that records the waits instead of sleeping."""
    from damai.live.base import RetryPolicy

    return RetryPolicy(attempts=attempts, backoff=0.5, max_backoff=4.0, sleep=waits.append)
