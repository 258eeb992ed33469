"""Mastodon: API ``Status`` entities and streaming events.

Accepted files (recognised from their content, never their name):

- a JSON array of statuses (``GET /api/v1/timelines/...`` saved to a file), streamed so that a
  truncated array keeps every complete status before the cut;
- JSONL with one status per line;
- JSONL of websocket streaming messages, ``{"stream": [...], "event": "update", "payload": "..."}``,
  where ``payload`` is the status as a JSON *string*;
- raw server-sent events text from ``/api/v1/streaming/...``: ``event: update`` / ``data: {...}``
  blocks separated by blank lines, with ``:`` heartbeat comments.

``update`` and ``status.update`` (an edited status) events become posts. A ``delete`` event is
the author deleting a status: ``Notice(kind="deletion", detail={"platform": "mastodon",
"status_id": ID})`` (the id on the streaming instance), and the pipeline tombstones the stored
post. Every other event (``notification``, ``filters_changed``, ...) is not a post: ``map_item``
returns no post and one ``Notice(kind="skipped_event", detail={"event": name})`` so the record is
accounted as received-and-skipped.

Identity is global across instances: ``platform_id`` is a SHA-256 prefix of the status ``uri``
(its ActivityPub id, which holds the account name: :func:`damai.identity.mastodon_key`),
``url`` the handle-free ``https://HOST/web/statuses/ID`` (:mod:`damai.identity`),
``author_id`` the account's profile ``url`` and ``author_handle`` / ``mentions`` the full
``user@instance`` form (Mastodon gives local accounts as bare ``user``; the instance is taken from
the account URL). ``reply_to_id`` is ``in_reply_to_id``, which is local to the instance the data
came from. ``language`` is left empty for the understand stage; the platform's value stays in
``raw``. A boost (``reblog``) yields two posts: the boost, with ``repost_of_id`` and the boosted
text, and the boosted status itself. A quote whose ``quoted_status`` is included yields the quoted
status as a post too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import orjson
from selectolax.lexbor import LexborHTMLParser, LexborNode

from damai.errors import RecordError
from damai.identity import mastodon_key, mastodon_url, migrate_reference
from damai.records import Post, utc
from damai.sources.base import Mapped, Notice, RawRecord, RecordFailure
from damai.sources.nesting import max_depth, too_deep, too_deep_message
from damai.sources.reader import (
    DEFAULT_MAX_LINE,
    container_kind,
    decode,
    iter_json_array,
    iter_json_document,
    iter_jsonl,
    iter_lines,
)

__all__ = [
    "MastodonSource",
    "html_to_text",
    "iter_sse",
    "map_event",
    "map_status",
    "posts_from_status",
]

PLATFORM = "mastodon"
#: streaming events that carry a status to map; all others are skipped with a notice
STATUS_EVENTS = frozenset({"update", "status.update"})
_ENGAGEMENT = (("favourites_count", "likes"), ("reblogs_count", "reposts"),
               ("replies_count", "replies"), ("quotes_count", "quotes"))
_BLANK_LINES = re.compile(r"\n{3,}")


class MastodonSource:
    """File source for Mastodon statuses and streaming events."""

    name: ClassVar[str] = "mastodon"
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = (
        "Mastodon API statuses (JSON array or JSONL) and streaming events (websocket JSONL or "
        "server-sent events text)")

    def sniff(self, first: Any) -> bool:
        return is_status(first) or is_stream_event(first)

    def sniff_text(self, first_line: str) -> bool:
        """True when a text file starts like a server-sent events stream."""
        line = first_line.lstrip("\ufeff").lstrip()
        return line.startswith(("event:", ":"))

    def records(self, path: Path, *, max_line_bytes: int = DEFAULT_MAX_LINE,
                encoding: str | None = None) -> Iterator[RawRecord | RecordFailure]:
        kind = container_kind(path)
        if kind == "array":
            yield from iter_json_array(path, encoding=encoding)
        elif kind == "jsonl":
            yield from iter_jsonl(path, max_bytes=max_line_bytes, encoding=encoding)
        elif kind == "document":
            yield from iter_json_document(path, encoding=encoding)
        elif kind == "text":
            yield from iter_sse(path, max_line_bytes=max_line_bytes, encoding=encoding)

    def map_item(self, raw: Any) -> Mapped:
        if is_stream_event(raw):
            return map_event(raw)
        if isinstance(raw, dict):
            return Mapped(posts=posts_from_status(raw))
        raise RecordError("unmappable", "expected a Mastodon status object or streaming event, "
                          f"got {type(raw).__name__}")


def is_status(data: Any) -> bool:
    """True for a Mastodon ``Status`` entity."""
    return isinstance(data, dict) and isinstance(data.get("account"), dict) and "content" in data


def is_stream_event(data: Any) -> bool:
    """True for a streaming message: ``{"event": name, "payload": ...}``."""
    return isinstance(data, dict) and isinstance(data.get("event"), str) and "payload" in data


def map_event(event: dict[str, Any]) -> Mapped:
    """Map one streaming event; non-status events give a ``skipped_event`` notice."""
    name = str(event.get("event"))
    if name == "delete" and isinstance(event.get("payload"), (str, int)):
        # the author deleted a status; the payload is its id on the streaming instance
        return Mapped(posts=[], notices=[Notice("deletion", {
            "platform": PLATFORM, "status_id": str(event["payload"]).strip()})])
    if name not in STATUS_EVENTS:
        return Mapped(posts=[], notices=[Notice("skipped_event", {"event": name})])
    payload = event.get("payload")
    if isinstance(payload, (str, bytes)):
        _check_depth(payload)
        try:
            payload = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise RecordError("malformed_json",
                              f"the {name} event's payload is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise RecordError("unmappable", f"the {name} event's payload is not a status object")
    return Mapped(posts=posts_from_status(payload))


def posts_from_status(status: dict[str, Any]) -> list[Post]:
    """The status as a post, plus the boosted and quoted statuses it carries in full."""
    posts = [map_status(status)]
    reblog = _dict(status.get("reblog"))
    if reblog:
        posts.append(map_status(reblog))
    for carrier in (status, reblog):
        quoted = _quoted_status(carrier)
        if quoted:
            posts.append(map_status(quoted))
    seen: set[str] = set()
    unique = []
    for post in posts:
        if post.platform_id not in seen:
            seen.add(post.platform_id)
            unique.append(post)
    return unique


def map_status(status: dict[str, Any]) -> Post:
    """Map one Mastodon ``Status`` entity to a post (a boost maps to the boost itself)."""
    platform_id = _status_id(status)
    if not platform_id:
        raise RecordError("missing_id", "the status has no uri or url, so it cannot be told "
                          "apart from others; check that the file holds Mastodon API statuses")
    reblog = _dict(status.get("reblog"))
    body = reblog or status
    text, links = _body_text(body)
    media_count = len(body.get("media_attachments") or [])
    if not text and not media_count:
        raise RecordError("missing_text", f"status {platform_id} has no text and no media")
    account = _dict(status.get("account")) or {}
    return Post(
        platform=PLATFORM,
        platform_id=mastodon_key(platform_id),
        text=text,
        created_at=_created_at(status, platform_id),
        url=mastodon_url(_str(status.get("url"))),
        author_id=_author_id(account),
        author_handle=_qualified_acct(account),
        reply_to_id=_str(status.get("in_reply_to_id")),
        quote_of_id=migrate_reference(PLATFORM, _quote_id(body)),
        repost_of_id=mastodon_key(_status_id(reblog) or "") if reblog else None,
        hashtags=_unique(_str(tag.get("name")) for tag in _dicts(body.get("tags"))),
        mentions=_unique(_qualified_acct(m) for m in _dicts(body.get("mentions"))),
        links=links,
        media_count=media_count,
        engagement=_engagement(status),
        raw=status,
    )


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Plain text of status HTML, and the hrefs of links that are not mentions or hashtags.

    ``<br>`` becomes a line break and each paragraph ends with a blank line; entities are
    unescaped. The ``quote-inline`` fallback paragraph Mastodon adds to quotes is dropped.
    """
    tree = LexborHTMLParser(html)
    for node in tree.css(".quote-inline"):
        node.decompose()
    links = [href for a in tree.css("a[href]")
             if (href := a.attributes.get("href")) and not _is_tag_link(a)]
    for br in tree.css("br"):
        br.replace_with("\n")
    for block in tree.css("p, li, blockquote, pre"):
        block.insert_after("\n\n" if block.tag != "li" else "\n")
    body = tree.body
    return tidy_text(body.text(deep=True) if body is not None else ""), links


def tidy_text(text: str) -> str:
    """Trim trailing spaces on each line, keep at most one blank line in a row, strip."""
    lines = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()


def _body_text(body: dict[str, Any]) -> tuple[str, list[str]]:
    content, links = html_to_text(str(body.get("content") or ""))
    spoiler = str(body.get("spoiler_text") or "").strip()
    text = f"{spoiler}\n\n{content}".strip() if spoiler else content
    skip = {_str(m.get("url")) for m in _dicts(body.get("mentions"))}
    skip |= {_str(t.get("url")) for t in _dicts(body.get("tags"))}
    card = _dict(body.get("card")) or {}
    return text, _unique([*(href for href in links if href not in skip), _str(card.get("url"))])


def _is_tag_link(anchor: LexborNode) -> bool:
    classes = str(anchor.attributes.get("class") or "").split()
    return "mention" in classes or "hashtag" in classes


def _quoted_status(status: dict[str, Any] | None) -> dict[str, Any] | None:
    quote = _dict(status.get("quote")) if status else None
    return _dict(quote.get("quoted_status")) if quote else None


def _quote_id(body: dict[str, Any]) -> str | None:
    quote = _dict(body.get("quote"))
    if not quote:
        return None
    quoted = _dict(quote.get("quoted_status"))
    return (quoted and _status_id(quoted)) or _str(quote.get("quoted_status_id"))


def _status_id(status: dict[str, Any]) -> str | None:
    return _str(status.get("uri")) or _str(status.get("url"))


def _author_id(account: dict[str, Any]) -> str | None:
    return _str(account.get("url")) or _qualified_acct(account)


def _qualified_acct(account: dict[str, Any]) -> str | None:
    """``user@instance`` for an account or mention (local accounts lack the instance)."""
    acct = _str(account.get("acct")) or _str(account.get("username"))
    if not acct or "@" in acct:
        return acct
    host = urlsplit(_str(account.get("url")) or "").hostname
    return f"{acct}@{host}" if host else acct


def _engagement(status: dict[str, Any]) -> dict[str, int]:
    return {name: int(value) for key, name in _ENGAGEMENT
            if isinstance(value := status.get(key), int) and not isinstance(value, bool)}


def _created_at(status: dict[str, Any], platform_id: str) -> datetime:
    value = status.get("created_at")
    try:
        return utc(datetime.fromisoformat(str(value)))
    except (ValueError, OverflowError) as exc:
        raise RecordError("unmappable", f"status {platform_id} has no valid created_at "
                          f"({value!r})") from exc


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _check_depth(payload: str | bytes) -> None:
    """A payload is JSON inside a string, which the reader's depth check does not see."""
    data = payload.encode() if isinstance(payload, str) else payload
    if too_deep(data, limit := max_depth()):
        raise RecordError("too_deep", too_deep_message(limit))


# --- server-sent events --------------------------------------------------------------------


@dataclass(slots=True)
class _SseBlock:
    """One ``event:`` / ``data:`` block of a server-sent events stream, being read."""

    start: int = 0
    event: str | None = None
    data: list[str] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    problem: tuple[str, str] | None = None

    @property
    def empty(self) -> bool:
        return self.event is None and not self.data and self.problem is None

    def finish(self, path: str, *, at_end: bool) -> RawRecord | RecordFailure:
        raw = b"\n".join(self.raw)
        where = f"line {self.start}"
        if self.problem:
            return RecordFailure(path, where, self.problem[0], self.problem[1], raw)
        event = self.event or "message"
        payload: Any = "\n".join(self.data)
        if event in STATUS_EVENTS:
            if too_deep(payload.encode(), limit := max_depth()):
                return RecordFailure(path, where, "too_deep", too_deep_message(limit), raw)
            try:
                payload = orjson.loads(payload)
            except orjson.JSONDecodeError as exc:
                reason = "truncated" if at_end else "malformed_json"
                return RecordFailure(path, where, reason,
                                     f"the data of this {event} event is not valid JSON ({exc})",
                                     raw)
        return RawRecord(path, where, {"event": event, "payload": payload}, raw)


def iter_sse(path: Path, *, max_line_bytes: int = DEFAULT_MAX_LINE,
             encoding: str | None = None) -> Iterator[RawRecord | RecordFailure]:
    """Read a saved server-sent events stream: one record per event block.

    Each record's data has the websocket form ``{"event": name, "payload": ...}``; the payload of
    ``update`` and ``status.update`` is parsed JSON, other payloads stay text. Heartbeat comments
    (lines starting with ``:``), ``id:`` and ``retry:`` lines are ignored; any other line makes
    its block an ``unknown_format`` failure, so nothing is dropped unseen.
    """
    name = str(path)
    block = _SseBlock()
    for number, raw, too_long in iter_lines(path, max_line_bytes):
        if not raw.strip():
            if not block.empty:
                yield block.finish(name, at_end=False)
            block = _SseBlock()
            continue
        if raw.startswith(b"event:") and block.event is not None:
            yield block.finish(name, at_end=False)
            block = _SseBlock()
        if block.empty:
            block.start = number
        _read_sse_line(block, number, raw, too_long, encoding)
        if block.empty:
            block.raw.clear()
    if not block.empty:
        yield block.finish(name, at_end=True)


def _read_sse_line(block: _SseBlock, number: int, raw: bytes, too_long: bool,
                   encoding: str | None) -> None:
    block.raw.append(raw)
    if too_long:
        block.problem = ("too_long", f"line {number} is over the line-length limit (raise "
                         "DAMAI_MAX_LINE_BYTES to accept it)")
        return
    text, why = decode(raw, encoding)
    if text is None:
        block.problem = block.problem or ("invalid_utf8", why)
        return
    if text.startswith(":"):
        return
    key, _, value = text.partition(":")
    value = value.removeprefix(" ")
    if key == "event":
        block.event = value.strip()
    elif key == "data":
        block.data.append(value)
    elif key not in ("id", "retry"):
        block.problem = block.problem or (
            "unknown_format", f"line {number} is not a server-sent events line (expected "
            "'event:', 'data:', 'id:', 'retry:' or a ':' comment)")
