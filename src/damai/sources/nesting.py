"""A bound on how deeply nested a JSON record may be, checked before any parser sees it.

Why: parsers pay for depth out of proportion. ijson builds a prefix string per level for every
event, so ``[`` × 100,000 then ``]`` × 100,000 (200 KB) costs memory that grows with the square
of the depth (tens of GB); orjson refuses to write back anything deeper than 255 levels; a mapper
that walks a record recurses. Real platform records are shallow (a Twitter v2 page, a Telegram
export or a Bluesky embed chain stays under about 12 levels), so a record deeper than
``DAMAI_MAX_JSON_DEPTH`` is refused before it is parsed and quarantined as ``too_deep``.

:class:`DepthScanner` follows the depth across the chunks of a stream with C-speed byte
operations (no per-byte Python loop): escapes are removed, string contents are dropped by
splitting on quotes, and only the brackets that remain are counted. :class:`DepthGuard` wraps a
binary reader with one, for streaming parsers; :func:`too_deep` checks one record's bytes.
"""

from __future__ import annotations

import re
from copy import copy
from itertools import accumulate
from typing import Final, Protocol

from damai import settings

__all__ = ["DepthGuard", "DepthScanner", "TooDeep", "max_depth", "too_deep", "too_deep_message"]

_ESCAPE: Final = re.compile(rb"\\.", re.DOTALL)
_BRACKETS: Final = b"[]{}"
_NOT_BRACKETS: Final = bytes(b for b in range(256) if b not in _BRACKETS)
_STEP: Final = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def max_depth() -> int:
    """``DAMAI_MAX_JSON_DEPTH``: the deepest nesting a record may have."""
    return settings.get_int("max_json_depth")


def too_deep_message(limit: int) -> str:
    return (f"the JSON is nested deeper than {limit} levels, which no platform export does; it "
            "was not parsed (raise DAMAI_MAX_JSON_DEPTH only if the data is genuine)")


class TooDeep(ValueError):
    """The JSON being read nests deeper than the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(too_deep_message(limit))
        self.limit = limit


class DepthScanner:
    """The nesting depth of a JSON byte stream, fed chunk by chunk; :meth:`feed` raises
    :class:`TooDeep` as soon as the depth passes ``limit``. Inside strings, brackets do not
    count. Invalid JSON is not detected here (the parser does that), only bounded."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0
        self._in_string = False
        self._carry = b""

    def feed(self, chunk: bytes) -> None:
        data = self._carry + chunk
        kept = data.rstrip(b"\\")  # a trailing backslash escapes the next chunk's first byte
        self._carry = data[len(kept):]
        parts = _ESCAPE.sub(b"", kept).split(b'"')
        outside = parts[1::2] if self._in_string else parts[0::2]
        if len(parts) % 2 == 0:
            self._in_string = not self._in_string
        self._count(b"".join(outside).translate(None, _NOT_BRACKETS))

    def _count(self, brackets: bytes) -> None:
        if not brackets:
            return
        opens = brackets.count(b"[") + brackets.count(b"{")
        if self.depth + opens > self.limit:  # only then is the running peak worth computing
            peak = max(accumulate(map(_STEP.__getitem__, brackets), initial=self.depth))
            if peak > self.limit:
                raise TooDeep(self.limit)
        self.depth += 2 * opens - len(brackets)


def too_deep(data: bytes, limit: int) -> bool:
    """True when the JSON in ``data`` nests deeper than ``limit``."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    try:
        DepthScanner(limit).feed(data)
    except TooDeep:
        return True
    return False


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class DepthGuard:
    """A binary reader that passes bytes through a :class:`DepthScanner`, so a streaming parser
    (ijson) stops with :class:`TooDeep` before it builds anything much deeper than ``limit``.

    The chunk in which the limit is passed is handed on up to the last small piece that stays
    within it, so the parser still yields the complete items before the deep one; the next read
    raises."""

    _PIECE: Final = 16

    def __init__(self, inner: _Readable, limit: int) -> None:
        self._inner = inner
        self._scanner = DepthScanner(limit)
        self._failed: TooDeep | None = None

    def read(self, size: int = -1) -> bytes:
        if self._failed is not None:
            raise self._failed
        chunk = self._inner.read(size)
        saved = copy(self._scanner)
        try:
            self._scanner.feed(chunk)
        except TooDeep as exc:
            self._failed = exc
            self._scanner = saved
            within = self._within(chunk)
            if within == 0:  # an empty read would look like the end of the file
                raise
            return chunk[:within]
        return chunk

    def _within(self, chunk: bytes) -> int:
        """How many leading bytes of ``chunk`` stay within the limit, to a piece."""
        for start in range(0, len(chunk), self._PIECE):
            try:
                self._scanner.feed(chunk[start:start + self._PIECE])
            except TooDeep:
                return start
        return len(chunk)
