"""Bluesky: Jetstream events and ``app.bsky.feed.searchPosts`` responses.

Accepted files (recognised from their content, never their name):

- Jetstream JSONL, one event per line: ``{"did", "time_us", "kind": "commit", "commit": {"rev",
  "operation", "collection", "rkey", "record", "cid"}}``;
- ``searchPosts`` (or any ``{"posts": [PostView, ...], "cursor": ...}``) responses, one per line
  or as one JSON document. ``records`` splits a response into one record per ``PostView``, so one
  bad post is quarantined alone; a truncated document keeps every complete post before the cut;
- a JSON array of PostViews or of Jetstream events.

Only ``create`` and ``update`` commits to ``app.bsky.feed.post`` are posts. A ``delete`` of one
is the author deleting it: ``map_jetstream`` returns ``Notice(kind="deletion",
detail={"platform": "bluesky", "platform_id": URI})`` and the pipeline tombstones the stored post.
Every other event (likes, follows, reposts, ``identity`` and ``account`` events) is accounted as
received-and-skipped: no post and one ``Notice(kind="skipped_event", detail={"kind",
"collection", "operation"})``.

``platform_id`` is the ``at://`` URI, ``author_id`` the DID, ``url`` the bsky.app link by DID (a
kept handle is put back by :mod:`damai.privacy`). ``mentions`` hold the mentioned DIDs from the
facets, ``hashtags`` the facet tags plus the record's ``tags``, ``links`` the facet links plus an
external embed's URI.
``conversation_id`` is the thread root's URI (the post's own for a thread start). ``language`` is
left empty for the understand stage; the record's ``langs`` stay in ``raw``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import orjson

from damai.errors import RecordError
from damai.identity import bluesky_url
from damai.records import Post, utc
from damai.sources.base import Mapped, Notice, RawRecord, RecordFailure
from damai.sources.reader import (
    DEFAULT_MAX_LINE,
    container_kind,
    iter_json_array,
    iter_json_document,
    iter_jsonl,
)

__all__ = [
    "BlueskySource",
    "map_jetstream",
    "map_post_view",
    "post_url",
]

PLATFORM = "bluesky"
POST_NSID = "app.bsky.feed.post"
#: what the AppView shows for an account whose handle does not verify
INVALID_HANDLE = "handle.invalid"
_FACET = "app.bsky.richtext.facet#"
_ENGAGEMENT = (("likeCount", "likes"), ("repostCount", "reposts"),
               ("replyCount", "replies"), ("quoteCount", "quotes"))


class BlueskySource:
    """File source for Bluesky Jetstream events and searchPosts responses."""

    name: ClassVar[str] = "bluesky"
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = (
        "Bluesky Jetstream events (JSONL) and app.bsky.feed.searchPosts responses")

    def sniff(self, first: Any) -> bool:
        return is_jetstream_event(first) or is_post_view(first) or is_search_page(first)

    def records(self, path: Path, *, max_line_bytes: int = DEFAULT_MAX_LINE,
                encoding: str | None = None) -> Iterator[RawRecord | RecordFailure]:
        kind = container_kind(path)
        if kind == "array":
            yield from iter_json_array(path, encoding=encoding)
        elif kind == "jsonl":
            for record in iter_jsonl(path, max_bytes=max_line_bytes, encoding=encoding):
                yield from _split_page(record)
        elif kind == "document":
            yield from _document_records(path, encoding)

    def map_item(self, raw: Any) -> Mapped:
        if is_jetstream_event(raw):
            return map_jetstream(raw)
        if is_search_page(raw):
            return Mapped(posts=[map_post_view(_view(item)) for item in raw["posts"]])
        if isinstance(raw, dict) and ("uri" in raw or "record" in raw):
            return Mapped(posts=[map_post_view(raw)])
        raise RecordError("unmappable", "expected a Bluesky PostView, searchPosts response or "
                          f"Jetstream event, got {type(raw).__name__}")


def is_jetstream_event(data: Any) -> bool:
    return isinstance(data, dict) and "did" in data and "kind" in data and "time_us" in data


def is_post_view(data: Any) -> bool:
    return (isinstance(data, dict) and str(data.get("uri", "")).startswith("at://")
            and isinstance(data.get("record"), dict))


def is_search_page(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        return False
    posts = data["posts"]
    return is_post_view(posts[0]) if posts else "cursor" in data or len(data) == 1


def map_jetstream(event: dict[str, Any]) -> Mapped:
    """Map one Jetstream event: a post for a post create/update, else a skipped_event notice."""
    commit = _dict(event.get("commit"))
    collection = commit.get("collection")
    operation = commit.get("operation")
    if event.get("kind") == "commit" and collection == POST_NSID and operation == "delete":
        did, rkey = _str(event.get("did")), _str(commit.get("rkey"))
        if did and rkey:
            uri = f"at://{did}/{POST_NSID}/{rkey}"
            return Mapped(posts=[], notices=[Notice("deletion", {"platform": PLATFORM,
                                                                 "platform_id": uri})])
    if (event.get("kind") != "commit" or collection != POST_NSID
            or operation not in ("create", "update")):
        detail = {"kind": event.get("kind"), "collection": collection, "operation": operation}
        return Mapped(posts=[], notices=[Notice("skipped_event", detail)])
    did, rkey = _str(event.get("did")), _str(commit.get("rkey"))
    if not did or not rkey:
        raise RecordError("missing_id", "the Jetstream commit has no did or rkey, so the post "
                          "has no at:// URI")
    record = commit.get("record")
    if not isinstance(record, dict):
        raise RecordError("unmappable", f"the Jetstream {operation} has no post record")
    uri = f"at://{did}/{POST_NSID}/{rkey}"
    fallback = _from_micros(event.get("time_us"))
    post = _map_record(record, uri=uri, did=did, handle=None, fallback_time=fallback)
    post.raw = event
    return Mapped(posts=[post])


def map_post_view(view: dict[str, Any]) -> Post:
    """Map one ``app.bsky.feed.defs#postView`` (as in searchPosts and feeds) to a post."""
    uri = _str(view.get("uri"))
    if not uri:
        raise RecordError("missing_id", "the post view has no uri; check that the file holds "
                          "Bluesky searchPosts responses")
    author = _dict(view.get("author"))
    did = _str(author.get("did")) or _did_of(uri)
    record = view.get("record")
    if not isinstance(record, dict):
        raise RecordError("unmappable", f"post {uri} has no record")
    fallback = _parse_time(view.get("indexedAt"))
    handle = _str(author.get("handle"))
    post = _map_record(record, uri=uri, did=did, fallback_time=fallback,
                       handle=None if handle == INVALID_HANDLE else handle)
    post.engagement = {name: value for key, name in _ENGAGEMENT
                       if isinstance(value := view.get(key), int) and not isinstance(value, bool)}
    post.raw = view
    return post


def post_url(uri: str) -> str | None:
    """The bsky.app address of a post, by DID, never by handle: :mod:`damai.privacy` puts a
    kept handle back (:func:`damai.identity.url_with_handle`)."""
    return bluesky_url(uri)


def _map_record(record: dict[str, Any], *, uri: str, did: str, handle: str | None,
                fallback_time: datetime | None) -> Post:
    text = str(record.get("text") or "").strip()
    embed = _dict(record.get("embed"))
    media_count = _media_count(embed)
    if not text and not media_count:
        raise RecordError("missing_text", f"post {uri} has no text and no media")
    created_at = _parse_time(record.get("createdAt")) or fallback_time
    if created_at is None:
        raise RecordError("unmappable", f"post {uri} has no valid createdAt")
    features = list(_features(record.get("facets")))
    reply = _dict(record.get("reply"))
    return Post(
        platform=PLATFORM,
        platform_id=uri,
        text=text,
        created_at=created_at,
        url=post_url(uri),
        author_id=did,
        author_handle=handle,
        reply_to_id=_str(_dict(reply.get("parent")).get("uri")),
        conversation_id=_str(_dict(reply.get("root")).get("uri")) or uri,
        quote_of_id=_quoted_uri(embed),
        hashtags=_unique([*_facet_values(features, "tag", "tag"), *_strs(record.get("tags"))]),
        mentions=_unique(_facet_values(features, "mention", "did")),
        links=_unique([*_facet_values(features, "link", "uri"), _external_uri(embed)]),
        media_count=media_count,
    )


def _features(facets: Any) -> Iterator[dict[str, Any]]:
    for facet in _dicts(facets):
        yield from _dicts(facet.get("features"))


def _facet_values(features: list[dict[str, Any]], kind: str, key: str) -> list[str | None]:
    return [_str(f.get(key)) for f in features if f.get("$type") == _FACET + kind]


def _media_count(embed: dict[str, Any]) -> int:
    kind = embed.get("$type")
    if kind == "app.bsky.embed.images":
        return len(_dicts(embed.get("images")))
    if kind == "app.bsky.embed.video":
        return 1
    if kind == "app.bsky.embed.recordWithMedia":
        return _media_count(_dict(embed.get("media")))
    return 0


def _quoted_uri(embed: dict[str, Any]) -> str | None:
    kind = embed.get("$type")
    if kind == "app.bsky.embed.record":
        return _str(_dict(embed.get("record")).get("uri"))
    if kind == "app.bsky.embed.recordWithMedia":
        return _str(_dict(_dict(embed.get("record")).get("record")).get("uri"))
    return None


def _external_uri(embed: dict[str, Any]) -> str | None:
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        return _external_uri(_dict(embed.get("media")))
    if embed.get("$type") == "app.bsky.embed.external":
        return _str(_dict(embed.get("external")).get("uri"))
    return None


def _split_page(record: RawRecord | RecordFailure) -> Iterator[RawRecord | RecordFailure]:
    """One record per PostView of a searchPosts response; anything else passes through."""
    if isinstance(record, RecordFailure) or not is_search_page(record.data):
        yield record
        return
    for index, item in enumerate(record.data["posts"]):
        yield RawRecord(record.path, f"{record.location} posts[{index}]", item,
                        orjson.dumps(item))


def _document_records(path: Path, encoding: str | None) -> Iterator[RawRecord | RecordFailure]:
    """A single-document file; when it is broken, salvage the complete posts before the break."""
    for record in iter_json_document(path, encoding=encoding):
        if isinstance(record, RawRecord):
            yield from _split_page(record)
            continue
        salvaged = list(iter_json_array(path, "posts.item", location="posts",
                                        encoding=encoding))
        yield from salvaged
        if not any(isinstance(item, RecordFailure) for item in salvaged):
            yield record


def _view(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RecordError("unmappable", "a searchPosts response holds a post that is not an "
                          "object")
    return item


def _did_of(uri: str) -> str:
    return uri.removeprefix("at://").split("/", 1)[0]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        return None


def _from_micros(value: Any) -> datetime | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value / 1_000_000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _strs(value: Any) -> list[str | None]:
    return [_str(item) for item in value] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))
