"""Twitter / X API v2 data, as twarc2 and most v2 clients write it.

Three shapes are read, one JSON value per line (JSONL), or as one pretty-printed document, or as
a JSON array:

* **Response pages**: ``{"data": [...] | {...}, "includes": {...}, "errors": [...], "meta": {...},
  "__twarc": {...}}``, what ``twarc2 search`` writes. Users in ``includes.users`` give handles;
  tweets in ``includes.tweets`` (the tweets that ``data`` replies to, quotes or retweets) become
  posts too, and the referencing post points at them through ``reply_to_id`` / ``quote_of_id`` /
  ``repost_of_id``; places in ``includes.places`` give ``Geo``.
* **Flattened tweets** (``twarc2 flatten``): one tweet per line with ``author`` expanded inline,
  each ``referenced_tweets[i]`` merged with the referenced tweet's own fields (which become a
  post as well), ``geo`` merged with its place, and the page's ``__twarc`` copied onto the tweet.
* **Bare tweet objects**, one per line (also what Damai writes to quarantine for a single tweet).

``errors`` objects in a page (deleted or protected tweets, suspended users) are not fatal: each
one comes back as ``Notice(kind="platform_error", detail=<the error object>)``.

Quarantine convention for records holding several tweets
--------------------------------------------------------
One bad tweet must not sink the good ones in its page. So ``map_item`` raises
:class:`RecordError` only when the record yields no post at all (the whole record goes to
quarantine). When some tweets map and others do not, the good ones are returned as posts and each
bad one as ``Notice(kind="quarantine", detail={"reason": <slug>, "message": <text>, "raw":
<the tweet object>, "where": <e.g. "data[3]">})``; the ingest pipeline quarantines those
notices as records of their own, so no tweet is lost silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from damai.errors import RecordError
from damai.identity import x_url
from damai.records import Geo, Post, utc
from damai.sources.base import Mapped, Notice, RawRecord, RecordFailure
from damai.sources.reader import (
    DEFAULT_MAX_LINE,
    container_kind,
    iter_json_array,
    iter_json_document,
    iter_jsonl,
)

__all__ = [
    "PLATFORM_ERROR",
    "QUARANTINE",
    "Twarc2Source",
    "quarantine_notice",
    "tweet_to_post",
]

#: ``Notice.kind`` for an ``errors`` object the platform put in a response page
PLATFORM_ERROR = "platform_error"
#: ``Notice.kind`` for one bad item inside a record that also held good ones (see module doc)
QUARANTINE = "quarantine"

JsonDict = dict[str, Any]

_REFERENCE_FIELDS = {"replied_to": "reply_to_id", "quoted": "quote_of_id",
                     "retweeted": "repost_of_id"}
_METRICS = {"like_count": "likes", "retweet_count": "reposts", "reply_count": "replies",
            "quote_count": "quotes", "impression_count": "views"}
_TWEET_MARKERS = ("author_id", "__twarc", "edit_history_tweet_ids")
# Tweet ids since November 2010 are "snowflakes": milliseconds since this epoch, shifted left 22.
_SNOWFLAKE_EPOCH_MS = 1288834974657
_SNOWFLAKE_MIN = 1 << 40
_MAX_REFERENCE_DEPTH = 3


@dataclass(frozen=True, slots=True)
class _Context:
    """What a page's ``includes`` and ``__twarc`` add to each tweet in it."""

    users: dict[str, JsonDict] = field(default_factory=dict)
    places: dict[str, JsonDict] = field(default_factory=dict)
    fetched_at: datetime | None = None


class Twarc2Source:
    """Twitter API v2 pages, twarc2 flattened tweets and bare v2 tweet objects."""

    name: ClassVar[str] = "twarc2"
    platform: ClassVar[str] = "x"
    description: ClassVar[str] = (
        "Twitter/X API v2 JSON as written by twarc2: response pages, flattened tweets, "
        "or one tweet object per line")

    def sniff(self, first: Any) -> bool:
        return isinstance(first, dict) and (_looks_like_page(first) or _looks_like_tweet(first))

    def records(self, path: Path, *, max_line_bytes: int = DEFAULT_MAX_LINE,
                encoding: str | None = None) -> Iterator[RawRecord | RecordFailure]:
        kind = container_kind(path)
        if kind == "array":
            return iter_json_array(path, encoding=encoding)
        if kind == "document":
            return iter_json_document(path, encoding=encoding)
        return iter_jsonl(path, max_bytes=max_line_bytes, encoding=encoding)

    def map_item(self, raw: Any) -> Mapped:
        if not isinstance(raw, dict):
            raise RecordError("unmappable", f"expected a JSON object (a tweet or an API v2 "
                                            f"response page), got {_kind(raw)}")
        if _is_page(raw):
            return _map_page(raw)
        return _map_flat(raw)


def tweet_to_post(tweet: JsonDict, *, users: dict[str, JsonDict] | None = None,
                  places: dict[str, JsonDict] | None = None,
                  fetched_at: datetime | None = None) -> Post:
    """Map one v2 tweet object to a ``Post``. Pure; raises ``RecordError``.

    ``users`` and ``places`` are a page's ``includes`` keyed by id (a flattened tweet carries its
    own ``author`` and place instead). Live clients can use this for tweets they fetch.
    """
    return _to_post(tweet, _Context(users or {}, places or {}, fetched_at))


def quarantine_notice(error: RecordError, raw: Any, where: str) -> Notice:
    """The notice that asks the pipeline to quarantine one item of a multi-item record."""
    return Notice(kind=QUARANTINE, detail={"reason": error.reason, "message": error.message,
                                           "raw": raw, "where": where})


# --- recognising shapes --------------------------------------------------------------------


def _looks_like_page(data: JsonDict) -> bool:
    if isinstance(data.get("data"), list | dict):
        return True
    return "errors" in data and ("meta" in data or "includes" in data)


def _looks_like_tweet(data: JsonDict) -> bool:
    return "id" in data and "text" in data and any(k in data for k in _TWEET_MARKERS)


def _is_page(data: JsonDict) -> bool:
    if any(k in data for k in ("data", "includes", "meta")):
        return True
    return "errors" in data and "id" not in data and "text" not in data


def _kind(value: Any) -> str:
    names = {list: "a list", str: "a string", type(None): "null", bool: "a boolean"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "a value")


# --- pages and flattened tweets ---------------------------------------------------------------


def _map_page(page: JsonDict) -> Mapped:
    includes = _dict(page.get("includes"))
    context = _Context(users=_by_id(includes.get("users")),
                       places=_by_id(includes.get("places")),
                       fetched_at=_retrieved_at(page))
    items = _data_items(page.get("data"))
    items += [(f"includes.tweets[{i}]", tweet) for i, tweet in enumerate(
        _list(includes.get("tweets")))]
    notices = [Notice(kind=PLATFORM_ERROR, detail=e if isinstance(e, dict) else {"value": e})
               for e in _list(page.get("errors"))]
    return _collect(items, context, notices)


def _data_items(data: Any) -> list[tuple[str, Any]]:
    if data is None:
        return []
    if isinstance(data, list):
        return [(f"data[{i}]", tweet) for i, tweet in enumerate(data)]
    return [("data", data)]


def _map_flat(tweet: JsonDict) -> Mapped:
    items: list[tuple[str, Any]] = [("tweet", tweet)]
    items += _inline_references(tweet, "tweet", _MAX_REFERENCE_DEPTH)
    return _collect(items, _Context(fetched_at=_retrieved_at(tweet)), [])


def _inline_references(tweet: JsonDict, where: str, depth: int) -> list[tuple[str, Any]]:
    """Referenced tweets that ``twarc2 flatten`` merged into ``referenced_tweets[i]``."""
    found: list[tuple[str, Any]] = []
    if depth <= 0:
        return found
    for i, ref in enumerate(_list(tweet.get("referenced_tweets"))):
        if not isinstance(ref, dict) or not ("text" in ref or "note_tweet" in ref):
            continue  # only {type, id}: the tweet itself was not included (deleted, protected)
        body = {k: v for k, v in ref.items() if k != "type"}
        here = f"{where}.referenced_tweets[{i}]"
        found.append((here, body))
        found += _inline_references(body, here, depth - 1)
    return found


def _collect(items: list[tuple[str, Any]], context: _Context, notices: list[Notice]) -> Mapped:
    posts: list[Post] = []
    seen: set[str] = set()
    failures: list[tuple[str, RecordError]] = []
    bad: list[Notice] = []
    for where, tweet in items:
        try:
            post = _to_post(tweet, context)
        except RecordError as exc:
            failures.append((where, exc))
            bad.append(quarantine_notice(exc, tweet, where))
            continue
        if post.platform_id not in seen:
            seen.add(post.platform_id)
            posts.append(post)
    if failures and not posts:
        raise _whole_record_error(failures, len(items))
    return Mapped(posts=posts, notices=notices + bad)


def _whole_record_error(failures: list[tuple[str, RecordError]], total: int) -> RecordError:
    where, first = failures[0]
    if total == 1:
        return first
    more = f" (and {len(failures) - 1} more bad tweets)" if len(failures) > 1 else ""
    return RecordError(first.reason, f"{where}: {first.message}{more}")


# --- one tweet ------------------------------------------------------------------------------


def _to_post(tweet: Any, context: _Context) -> Post:
    if not isinstance(tweet, dict):
        raise RecordError("unmappable", f"expected a tweet object, got {_kind(tweet)}")
    tweet_id = _tweet_id(tweet)
    text, entities = _text_and_entities(tweet)
    user = _author(tweet, context)
    handle = _str(user.get("username"))
    references = _references(tweet)
    return Post(
        platform=Twarc2Source.platform,
        platform_id=tweet_id,
        text=text,
        created_at=_created_at(tweet, tweet_id),
        url=x_url(tweet_id),  # handle-free; damai.privacy puts a kept handle back
        author_id=_str(tweet.get("author_id")) or _str(user.get("id")),
        author_handle=handle,
        reply_to_id=references.get("reply_to_id"),
        quote_of_id=references.get("quote_of_id"),
        repost_of_id=references.get("repost_of_id"),
        conversation_id=_str(tweet.get("conversation_id")),
        hashtags=_entity_values(entities, "hashtags", ("tag",)),
        mentions=_entity_values(entities, "mentions", ("username",)),
        links=_links(entities),
        media_count=len(_list(_dict(tweet.get("attachments")).get("media_keys"))),
        geo=_geo(tweet, context),
        engagement=_engagement(tweet),
        fetched_at=_retrieved_at(tweet) or context.fetched_at,
        raw=tweet,
    )


def _tweet_id(tweet: JsonDict) -> str:
    tweet_id = _str(tweet.get("id"))
    if tweet_id is None:
        raise RecordError("missing_id", "tweet has no 'id'; without it the post cannot be "
                                        "stored or linked (check the export tool's output)")
    return tweet_id


def _text_and_entities(tweet: JsonDict) -> tuple[str, JsonDict]:
    """The full text (``note_tweet`` holds it for tweets over 280 characters) and its entities."""
    note = _dict(tweet.get("note_tweet"))
    note_text = note.get("text")
    if isinstance(note_text, str) and note_text.strip():
        return note_text, _dict(note.get("entities")) or _dict(tweet.get("entities"))
    text = tweet.get("text")
    if not isinstance(text, str) or not text.strip():
        if "username" in tweet and "text" not in tweet:
            raise RecordError("unmappable", "this is a user object (twarc2 users or followers "
                                            "output), not a tweet; Damai ingests tweets only")
        raise RecordError("missing_text", f"tweet {tweet.get('id')} has no text")
    return text, _dict(tweet.get("entities"))


def _created_at(tweet: JsonDict, tweet_id: str) -> datetime:
    value = tweet.get("created_at")
    if value is None:
        return _snowflake_time(tweet_id)
    if isinstance(value, str):
        try:
            return utc(datetime.fromisoformat(value))
        except (ValueError, OverflowError):  # overflow: 9999-12-31T23:59:59-05:00 in UTC
            pass
    raise RecordError("bad_time", f"tweet {tweet_id} has created_at {value!r}, which is not an "
                                  "ISO 8601 time such as 2024-05-02T13:20:05.000Z")


def _snowflake_time(tweet_id: str) -> datetime:
    """``created_at`` is not a default v2 field; a snowflake id still tells when it was made."""
    if tweet_id.isdigit() and int(tweet_id) >= _SNOWFLAKE_MIN:
        millis = (int(tweet_id) >> 22) + _SNOWFLAKE_EPOCH_MS
        try:
            return datetime.fromtimestamp(millis / 1000, tz=UTC)
        except (ValueError, OverflowError, OSError):
            pass
    raise RecordError("bad_time", f"tweet {tweet_id} has no created_at and its id is too old to "
                                  "carry a timestamp; request tweet.fields=created_at")


def _retrieved_at(data: JsonDict) -> datetime | None:
    value = _dict(data.get("__twarc")).get("retrieved_at")
    if not isinstance(value, str):
        return None
    try:
        return utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        return None


def _author(tweet: JsonDict, context: _Context) -> JsonDict:
    inline = _dict(tweet.get("author"))
    if inline:
        return inline
    return context.users.get(_str(tweet.get("author_id")) or "", {})


def _references(tweet: JsonDict) -> dict[str, str]:
    found: dict[str, str] = {}
    for ref in _list(tweet.get("referenced_tweets")):
        ref = _dict(ref)
        target = _REFERENCE_FIELDS.get(str(ref.get("type")))
        ref_id = _str(ref.get("id"))
        if target and ref_id and target not in found:
            found[target] = ref_id
    return found


def _entity_values(entities: JsonDict, kind: str, keys: tuple[str, ...]) -> list[str]:
    values: list[str] = []
    for entity in _list(entities.get(kind)):
        entity = _dict(entity)
        value = next((v for k in keys if (v := _str(entity.get(k)))), None)
        if value and value not in values:
            values.append(value)
    return values


def _links(entities: JsonDict) -> list[str]:
    """Outbound links; the ``pic.x.com`` links of the tweet's own media are left out."""
    urls = [u for u in _list(entities.get("urls")) if not _dict(u).get("media_key")]
    return _entity_values({"urls": urls}, "urls", ("expanded_url", "url"))


def _geo(tweet: JsonDict, context: _Context) -> Geo | None:
    geo = _dict(tweet.get("geo"))
    if not geo:
        return None
    place = context.places.get(_str(geo.get("place_id")) or "") or geo  # flattened: merged in
    lon, lat = _point(geo)
    result = Geo(lat=lat, lon=lon, place=_str(place.get("full_name")),
                 country_code=_str(place.get("country_code")))
    return result if result.to_dict() else None


def _point(geo: JsonDict) -> tuple[float | None, float | None]:
    """``geo.coordinates`` is a GeoJSON point: ``[longitude, latitude]``."""
    point = _list(_dict(geo.get("coordinates")).get("coordinates"))
    if len(point) != 2 or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                  for v in point):
        return None, None
    return float(point[0]), float(point[1])


def _engagement(tweet: JsonDict) -> dict[str, int]:
    metrics = _dict(tweet.get("public_metrics"))
    return {ours: value for theirs, ours in _METRICS.items()
            if isinstance(value := metrics.get(theirs), int) and not isinstance(value, bool)}


# --- small JSON helpers ---------------------------------------------------------------------


def _dict(value: Any) -> JsonDict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    """A non-empty string id or name; numbers (some tools write ids as numbers) become strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _by_id(items: Any) -> dict[str, JsonDict]:
    return {key: item for item in _list(items)
            if isinstance(item, dict) and (key := _str(item.get("id")))}
