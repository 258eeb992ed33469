"""Telegram: Telegram Desktop JSON exports (``result.json``).

Two layouts are read (recognised from their content, never their name):

- a single chat: ``{"name", "type", "id", "messages": [...]}``;
- a full account export: ``{"chats": {"list": [chat, ...]}, "left_chats": {"list": [...]}}``.

The file is streamed with ijson, so a huge export is never loaded whole and a truncated export
keeps every complete message before the cut (the whole file also goes to quarantine for a
re-try, as with every JSON array). Each record is ``{"chat": {"id", "name", "type"},
"message": {...}}`` because a message needs its chat to be identified; the chat's name, type and
id are read as they stream past (Telegram Desktop writes them before ``messages``).

``text`` is a string or an array of strings and entity objects; the plain text is their
concatenation. Hashtags, mentions and links come from ``text_entities`` (or the entity objects
in ``text``): ``hashtag``, ``mention`` (``@name``), ``link`` and ``text_link`` (its ``href``).
Only an old export whose ``text`` is a plain string with no ``text_entities`` falls back to
finding them in the text.
``mention_name`` entities (a user without a username) carry only a display name and are not
kept as mentions.

``platform_id`` is ``{chat id}/{message id}``; ``url`` is ``https://t.me/c/{chat id}/{id}`` (it
names no one; a channel's username would name its author) and only when the chat is public, i.e.
its username is known (Desktop exports do not include it). ``created_at`` comes from
``date_unixtime`` (UTC); without it, ``date`` is the exporting computer's local time with no
zone, and is taken as UTC. Reaction counts are summed into ``likes``. ``forwarded_from`` and
``edited`` stay in ``raw``. Service messages (joins, pins, calls, ...) are not posts:
``map_item`` returns no post and a ``Notice(kind="skipped_event", detail={"kind": "service",
"action": ...})`` so they are accounted as received-and-skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import ijson
import orjson

from damai.errors import RecordError
from damai.identity import telegram_url
from damai.records import Post, utc
from damai.sources.base import Mapped, Notice, RawRecord, RecordFailure
from damai.sources.nesting import TooDeep
from damai.sources.reader import DEFAULT_MAX_LINE, GuardedReader, open_utf8
from damai.sources.text import extract_hashtags, extract_links, extract_mentions

__all__ = [
    "TelegramSource",
    "iter_export",
    "map_message",
    "message_text",
]

PLATFORM = "telegram"
#: where chats sit in an export, as ijson prefixes, and how locations name them
_CHAT_PREFIXES = {
    "": "",
    "chats.list.item": "chats.list",
    "left_chats.list.item": "left_chats.list",
}
_CHAT_KEYS = ("id", "name", "type", "username")
_SCALARS = frozenset({"string", "number", "integer", "double", "boolean", "null"})
_MEDIA_KEYS = ("photo", "file", "media_type")


class TelegramSource:
    """File source for Telegram Desktop JSON exports."""

    name: ClassVar[str] = "telegram"
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = "Telegram Desktop chat export (result.json), one chat or all"

    def sniff(self, first: Any) -> bool:
        if not isinstance(first, dict):
            return False
        if isinstance(first.get("messages"), list):
            return "id" in first or "type" in first
        chats = first.get("chats")
        return isinstance(chats, dict) and isinstance(chats.get("list"), list)

    def records(self, path: Path, *, max_line_bytes: int = DEFAULT_MAX_LINE,
                encoding: str | None = None) -> Iterator[RawRecord | RecordFailure]:
        """Stream the export (a JSON document: ``max_line_bytes`` does not apply)."""
        yield from iter_export(path, encoding=encoding)

    def map_item(self, raw: Any) -> Mapped:
        if not isinstance(raw, dict) or not isinstance(raw.get("message"), dict):
            raise RecordError("unmappable", "expected {'chat': ..., 'message': ...} from a "
                              "Telegram export")
        return map_message(raw.get("chat") or {}, raw["message"])


def map_message(chat: dict[str, Any], message: dict[str, Any]) -> Mapped:
    """Map one message of ``chat``; a service message gives a ``skipped_event`` notice."""
    if message.get("type") == "service":
        detail = {"kind": "service", "action": message.get("action")}
        return Mapped(posts=[], notices=[Notice("skipped_event", detail)])
    chat_id, message_id = _str(chat.get("id")), _str(message.get("id"))
    if not chat_id or not message_id:
        raise RecordError("missing_id", "the message or its chat has no id; check that the file "
                          "is a complete Telegram Desktop export")
    platform_id = f"{chat_id}/{message_id}"
    text = message_text(message.get("text"))
    media_count = 1 if any(message.get(key) for key in _MEDIA_KEYS) else 0
    if not text and not media_count:
        raise RecordError("missing_text", f"message {platform_id} has no text and no media")
    reply = _str(message.get("reply_to_message_id"))
    username = _str(chat.get("username"))
    hashtags, mentions, links = _tags_mentions_links(message, text)
    return Mapped(posts=[Post(
        platform=PLATFORM,
        platform_id=platform_id,
        text=text,
        created_at=_created_at(message, platform_id),
        url=telegram_url(chat_id, message_id) if username else None,  # names no one
        author_id=_str(message.get("from_id")),
        author_handle=_str(message.get("from")),
        reply_to_id=f"{chat_id}/{reply}" if reply else None,
        hashtags=hashtags,
        mentions=mentions,
        links=links,
        media_count=media_count,
        engagement=_engagement(message),
        raw={"chat": chat, "message": message},
    )])


def message_text(value: Any) -> str:
    """Plain text of a message's ``text``: a string, or an array of strings and entities."""
    if isinstance(value, str):
        return value.strip()
    if not isinstance(value, list):
        return ""
    parts = [part if isinstance(part, str) else str(part.get("text") or "")
             for part in value if isinstance(part, (str, dict))]
    return "".join(parts).strip()


def _tags_mentions_links(message: dict[str, Any],
                         text: str) -> tuple[list[str], list[str], list[str]]:
    """From the entities; from the text itself only when the export lists no entities."""
    entities = message.get("text_entities")
    if not isinstance(entities, list):
        entities = message.get("text")
    if not isinstance(entities, list):
        return extract_hashtags(text), extract_mentions(text), extract_links(text)
    found = [e for e in entities if isinstance(e, dict) and isinstance(e.get("text"), str)]
    return (_unique(e["text"].lstrip("#") for e in found if e.get("type") == "hashtag"),
            _unique(e["text"].lstrip("@") for e in found if e.get("type") == "mention"),
            _unique(_link(e) for e in found))


def _link(entity: dict[str, Any]) -> str | None:
    kind = entity.get("type")
    if kind == "link":
        return _str(entity.get("text"))
    if kind == "text_link":
        return _str(entity.get("href"))
    return None


def _engagement(message: dict[str, Any]) -> dict[str, int]:
    reactions = message.get("reactions")
    if not isinstance(reactions, list):
        return {}
    counts = [r.get("count") for r in reactions if isinstance(r, dict)]
    return {"likes": sum(c for c in counts if isinstance(c, int) and not isinstance(c, bool))}


def _created_at(message: dict[str, Any], platform_id: str) -> datetime:
    unixtime = message.get("date_unixtime")
    try:
        if unixtime not in (None, ""):
            return datetime.fromtimestamp(int(str(unixtime)), tz=UTC)
        return utc(datetime.fromisoformat(str(message.get("date"))))
    except (ValueError, OverflowError, OSError) as exc:
        raise RecordError("unmappable", f"message {platform_id} has no valid date") from exc


def _str(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    return str(value)


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


# --- streaming the export ------------------------------------------------------------------


def iter_export(path: Path, *, encoding: str | None = None,
                ) -> Iterator[RawRecord | RecordFailure]:
    """Yield ``{"chat", "message"}`` records from a Telegram export, streaming.

    A broken or truncated file keeps every complete message before the break, then yields the
    whole file as one ``RecordFailure``. A valid JSON file with no ``messages`` array anywhere
    yields one ``unknown_format`` failure, so nothing passes unaccounted. Telegram Desktop
    writes UTF-8; ``encoding`` re-encodes a file someone converted to another encoding.
    """
    name = str(path)
    walker = _ExportWalker(name)
    try:
        with open_utf8(path, encoding) as handle:
            yield from walker.walk(handle)
    except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, LookupError,
            TooDeep) as exc:
        yield _broken(path, walker, exc)
        return
    if not walker.saw_messages:
        yield RecordFailure(name, "document", "unknown_format",
                            "no Telegram messages array found; export the chat from Telegram "
                            "Desktop as JSON (Export chat history → Format: JSON)",
                            path.read_bytes())


def _reason(exc: Exception) -> str:
    """The quarantine reason; the C backend reports every error as ``IncompleteJSONError``."""
    text = str(exc)
    if isinstance(exc, TooDeep):
        return "too_deep"
    if isinstance(exc, (UnicodeDecodeError, LookupError)) or "UTF8" in text:
        return "invalid_utf8"
    if isinstance(exc, ijson.IncompleteJSONError) and ("premature EOF" in text
                                                       or "error" not in text):
        return "truncated"
    return "malformed_json"


def _broken(path: Path, walker: _ExportWalker, exc: Exception) -> RecordFailure:
    reason = _reason(exc)
    where = walker.last_location or "the start"
    return RecordFailure(
        str(path), f"after {where}", reason,
        f"the export stops being valid JSON after {where} ({exc}); the {walker.count} complete "
        "messages before it were kept, the whole file is quarantined for re-try",
        path.read_bytes())


class _ExportWalker:
    """Follows ijson events through an export, tracking the current chat."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.chat: dict[str, Any] = {}
        self.chat_label = ""
        self.chat_index: dict[str, int] = {}
        self.message_index = -1
        self.count = 0
        self.saw_messages = False
        self.last_location = ""

    def walk(self, handle: GuardedReader) -> Iterator[RawRecord]:
        events = iter(ijson.parse(handle, use_float=True))
        for prefix, event, value in events:
            if prefix in _CHAT_PREFIXES and event == "start_map":
                self._start_chat(prefix)
            elif prefix.endswith("messages") and event == "start_array":
                self.saw_messages = self.saw_messages or self._chat_prefix(prefix) is not None
            elif event in _SCALARS:
                self._chat_field(prefix, value)
            elif event == "start_map" and self._is_message(prefix):
                yield self._message(prefix, _build(events, prefix, event, value))

    def _is_message(self, prefix: str) -> bool:
        return prefix.endswith(".item") and self._chat_prefix(prefix[:-5]) is not None

    def _chat_prefix(self, prefix: str) -> str | None:
        """The chat prefix when ``prefix`` is a chat's ``messages`` array, else ``None``."""
        if prefix == "messages":
            return ""
        base = prefix.removesuffix(".messages")
        return base if base != prefix and base in _CHAT_PREFIXES else None

    def _start_chat(self, prefix: str) -> None:
        self.chat = {}
        self.message_index = -1
        if prefix:
            self.chat_index[prefix] = self.chat_index.get(prefix, -1) + 1
            self.chat_label = f"{_CHAT_PREFIXES[prefix]}[{self.chat_index[prefix]}]."
        else:
            self.chat_label = ""

    def _chat_field(self, prefix: str, value: Any) -> None:
        base, _, key = prefix.rpartition(".")
        if key in _CHAT_KEYS and base in _CHAT_PREFIXES:
            self.chat[key] = value

    def _message(self, prefix: str, message: Any) -> RawRecord:
        self.message_index += 1
        self.count += 1
        location = f"{self.chat_label}messages[{self.message_index}]"
        self.last_location = location
        data = {"chat": dict(self.chat), "message": message}
        return RawRecord(self.path, location, data, orjson.dumps(data))


def _build(events: Iterator[tuple[str, str, Any]], prefix: str, event: str, value: Any) -> Any:
    """Build the object that starts with ``(prefix, event)`` from the following events."""
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    end = event.replace("start", "end")
    for current, kind, item in events:
        builder.event(kind, item)
        if current == prefix and kind == end:
            break
    return builder.value
