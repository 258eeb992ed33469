"""Reading records out of files without ever losing one.

Every reader yields :class:`RawRecord` for a good record and :class:`RecordFailure` for a bad one,
never raises for bad data, and keeps the raw bytes of every failure so it can be quarantined.
Bad input handled here: malformed JSON, invalid UTF-8 (cp1252 / latin-1 files), truncated files,
lines longer than the limit, JSON arrays or documents cut off halfway, and JSON nested deeper than
``DAMAI_MAX_JSON_DEPTH`` (:mod:`damai.sources.nesting`; refused before any parser sees it).
Sniffing (:func:`peek_first`) reads at most :data:`SNIFF_BYTES` of a file.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal

import ijson
import orjson

from damai.errors import InputError
from damai.sources.base import RawRecord, RecordFailure
from damai.sources.nesting import DepthGuard, TooDeep, max_depth, too_deep, too_deep_message

__all__ = [
    "SNIFF_BYTES",
    "Container",
    "GuardedReader",
    "SniffBudget",
    "Utf8Reader",
    "check_encoding",
    "container_kind",
    "decode",
    "iter_json_array",
    "iter_json_document",
    "iter_jsonl",
    "iter_lines",
    "open_utf8",
    "peek_first",
]

Container = Literal["jsonl", "array", "document", "text", "empty"]
DEFAULT_MAX_LINE = 1024 * 1024
_CHUNK = 64 * 1024
_SHALLOW_OVER = 16 * 1024 * 1024  # documents bigger than this are sniffed by their top keys
#: the most bytes sniffing reads from a streamed file to find its first record
SNIFF_BYTES = 16 * 1024 * 1024


def iter_lines(path: Path, max_bytes: int = DEFAULT_MAX_LINE) -> Iterator[tuple[int, bytes, bool]]:
    """Yield ``(line number, bytes without newline, too_long)`` for each line.

    A line longer than ``max_bytes`` is still read whole (its bytes go to quarantine) but flagged.
    The last line may lack a newline; callers treat a malformed last line as truncation.
    """
    with path.open("rb") as handle:
        number = 0
        while True:
            line = handle.readline(max_bytes + 1)
            if not line:
                return
            number += 1
            too_long = False
            if len(line) > max_bytes and not line.endswith(b"\n"):
                too_long = True
                rest = [line]
                while not rest[-1].endswith(b"\n"):
                    chunk = handle.readline(_CHUNK)
                    if not chunk:
                        break
                    rest.append(chunk)
                line = b"".join(rest)
            yield number, line.rstrip(b"\r\n"), too_long


def decode(data: bytes, encoding: str | None = None) -> tuple[str | None, str]:
    """Decode bytes as UTF-8 (or ``encoding``). Returns ``(text, "")`` or ``(None, why)``."""
    if encoding:
        try:
            return data.decode(encoding), ""
        except (UnicodeDecodeError, LookupError) as exc:
            return None, f"cannot decode as {encoding}: {exc}"
    try:
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"), ""
    except UnicodeDecodeError as exc:
        return None, (
            f"invalid UTF-8 at byte {exc.start} (the file may be cp1252 or latin-1; "
            "re-run with --encoding cp1252)"
        )


def _is_last_line(path: Path, raw: bytes) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - len(raw) - 1))
        tail = handle.read()
    return not tail.endswith(b"\n")


def iter_jsonl(path: Path, *, max_bytes: int = DEFAULT_MAX_LINE,
               encoding: str | None = None) -> Iterator[RawRecord | RecordFailure]:
    """One JSON value per line. Blank lines are skipped."""
    name = str(path)
    depth = max_depth()
    for number, raw, too_long in iter_lines(path, max_bytes):
        where = f"line {number}"
        if too_long:
            yield RecordFailure(name, where, "too_long",
                                f"line is {len(raw):,} bytes, over the {max_bytes:,}-byte limit "
                                "(raise DAMAI_MAX_LINE_BYTES to accept it)", raw)
            continue
        if not raw.strip():
            continue
        if too_deep(raw, depth):
            yield RecordFailure(name, where, "too_deep", too_deep_message(depth), raw)
            continue
        text, why = decode(raw, encoding)
        if text is None:
            yield RecordFailure(name, where, "invalid_utf8", why, raw)
            continue
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            if _is_last_line(path, raw):
                yield RecordFailure(name, where, "truncated",
                                    f"the file ends inside this record ({exc}); the file was "
                                    "probably cut off while being written or copied", raw)
            else:
                yield RecordFailure(name, where, "malformed_json", f"malformed JSON: {exc}", raw)
            continue
        yield RawRecord(name, where, data, raw)


def check_encoding(encoding: str | None) -> None:
    """Refuse an ``--encoding`` Python does not know, before any file is read."""
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; use a Python codec name such as "
                         "cp1252, latin-1, utf-16 or utf-8") from None


class Utf8Reader:
    """A binary reader that decodes a file with ``encoding`` and hands ijson UTF-8 bytes."""

    def __init__(self, path: Path, encoding: str) -> None:
        self._text = path.open(encoding=encoding)

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size).encode("utf-8")

    def __enter__(self) -> Utf8Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._text.close()


class GuardedReader:
    """A file opened for a streaming parser: closes the file, reads through a depth guard."""

    def __init__(self, inner: BinaryIO | Utf8Reader, budget: int | None) -> None:
        self._inner, self._budget = inner, budget
        self._guard = DepthGuard(inner, max_depth())

    def read(self, size: int = -1) -> bytes:
        chunk = self._guard.read(size)
        if self._budget is not None:
            self._budget -= len(chunk)
            if self._budget < 0:
                raise SniffBudget
        return chunk

    def __enter__(self) -> GuardedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()


class SniffBudget(Exception):
    """Sniffing read :data:`SNIFF_BYTES` without finding a first record."""


def open_utf8(path: Path, encoding: str | None, *, budget: int | None = None) -> GuardedReader:
    """``path`` opened for a streaming parser as UTF-8 bytes, re-encoded from ``encoding``, read
    through a depth guard (:class:`~damai.sources.nesting.TooDeep` past the limit) and, with
    ``budget``, stopping with :class:`SniffBudget` after that many bytes. An unknown encoding
    raises ``LookupError``; bytes it cannot decode raise ``UnicodeDecodeError`` while reading."""
    if encoding is None or encoding.lower().replace("-", "").replace("_", "") == "utf8":
        return GuardedReader(path.open("rb"), budget)
    return GuardedReader(Utf8Reader(path, encoding), budget)


def iter_json_array(path: Path, prefix: str = "item", *, location: str = "element",
                    encoding: str | None = None, budget: int | None = None,
                    ) -> Iterator[RawRecord | RecordFailure]:
    """Stream the items of a JSON array (``prefix`` is an ijson path such as ``messages.item``),
    read in ``encoding`` (UTF-8 when not given).

    If the file is cut off, broken or nested too deep halfway, every complete item before the
    break is kept and the whole file goes to quarantine as one record. ``budget`` (for sniffing)
    stops quietly after that many bytes.
    """
    name = str(path)
    index = -1
    try:
        handle = open_utf8(path, encoding, budget=budget)
    except LookupError as exc:
        yield RecordFailure(name, "element 0", "invalid_utf8",
                            f"unknown encoding {encoding!r} ({exc})", path.read_bytes())
        return
    with handle:
        try:
            for index, item in enumerate(ijson.items(handle, prefix, use_float=True)):
                raw = orjson.dumps(item)
                yield RawRecord(name, f"{location} {index}", item, raw)
        except SniffBudget:
            return
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, TooDeep) as exc:
            data = path.read_bytes()
            reason = _array_failure_reason(exc)
            yield RecordFailure(
                name, f"after {location} {index}", reason,
                f"the JSON stops being valid after {location} {index} ({exc}); the {index + 1} "
                "complete items before it were kept, the whole file is quarantined for re-try",
                data)


def _array_failure_reason(exc: Exception) -> str:
    """ijson's C backend raises IncompleteJSONError for every error; its text tells them apart."""
    if isinstance(exc, TooDeep):
        return "too_deep"
    text = str(exc).lower()
    if isinstance(exc, UnicodeDecodeError) or "utf-8" in text or "utf8" in text:
        return "invalid_utf8"
    if "premature eof" in text or "incomplete" in text:
        return "truncated"
    return "malformed_json"


def _shallow_document(path: Path) -> dict[str, Any] | None:
    """Top-level keys of a big JSON object, with scalars kept and containers left empty.

    Enough to recognise a format without loading a multi-gigabyte export into memory.
    """
    shallow: dict[str, Any] = {}
    key: str | None = None
    with open_utf8(path, None, budget=SNIFF_BYTES) as handle:
        try:
            for prefix, event, value in ijson.parse(handle):
                if prefix == "" and event == "map_key":
                    key = str(value)
                elif prefix == key and key is not None:
                    if event in {"start_map", "start_array"}:
                        shallow[key] = {} if event == "start_map" else []
                    elif event in {"string", "number", "boolean", "null"}:
                        shallow[key] = value
                elif prefix == "" and event == "end_map":
                    break
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, TooDeep,
                SniffBudget):
            pass
    return shallow or None


def iter_json_document(path: Path, *, encoding: str | None = None,
                       ) -> Iterator[RawRecord | RecordFailure]:
    """A file holding a single JSON value (possibly pretty-printed over many lines)."""
    name = str(path)
    data = path.read_bytes()
    text, why = decode(data, encoding)
    if text is None:
        yield RecordFailure(name, "line 1", "invalid_utf8", why, data)
        return
    if too_deep(data, depth := max_depth()):
        yield RecordFailure(name, "line 1", "too_deep", too_deep_message(depth), data)
        return
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        yield RecordFailure(name, "line 1", "truncated" if "unexpected end" in str(exc).lower()
                            else "malformed_json", f"malformed JSON document: {exc}", data)
        return
    yield RawRecord(name, "document", value, data)


def container_kind(path: Path) -> Container:
    """Guess how the file is laid out from its first bytes, not its name."""
    with path.open("rb") as handle:
        head = handle.read(_CHUNK)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return "empty"
    if stripped.startswith(b"["):
        return "array"
    if stripped.startswith(b"{"):
        first_line = stripped.split(b"\n", 1)[0].strip()
        try:
            orjson.loads(first_line)
        except orjson.JSONDecodeError:
            return "document" if len(first_line) < len(stripped) else "jsonl"
        return "jsonl"
    return "text"


def peek_first(path: Path, *, max_bytes: int = DEFAULT_MAX_LINE,
               encoding: str | None = None) -> Any:
    """The first parsed record of the file, for sniffing. ``None`` when nothing parses."""
    kind = container_kind(path)
    records: Iterator[RawRecord | RecordFailure]
    if kind == "jsonl":
        records = iter_jsonl(path, max_bytes=max_bytes, encoding=encoding)
    elif kind == "array":
        records = iter_json_array(path, encoding=encoding, budget=SNIFF_BYTES)
    elif kind == "document":
        if path.stat().st_size > _SHALLOW_OVER:
            return _shallow_document(path)
        records = iter_json_document(path, encoding=encoding)
    else:
        return None
    for seen, record in enumerate(records):
        if isinstance(record, RawRecord):
            return record.data
        if seen >= 20:
            break
    return None


def first_text_line(path: Path, encoding: str | None = None) -> str:
    with path.open("rb") as handle:
        raw = handle.readline(_CHUNK)
    text, _ = decode(raw, encoding)
    if text is None:
        text = raw.decode("latin-1")
    return text


