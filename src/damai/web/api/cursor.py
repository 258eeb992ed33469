"""The opaque cursor of ``GET /api/v1/posts``.

A cursor is the keyset of the last post on a page (its time and store id) plus a fingerprint of
the filters that produced it, base64url-encoded. Clients must treat it as opaque: pass it back
unchanged with the same filters (``limit`` may change). A cursor that does not decode, or that
belongs to other filters, is a 400 ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime

import orjson

from damai.storage import PostCursor, PostQuery
from damai.storage.base import drill_down, format_time, parse_time
from damai.web.api.errors import ApiError
from damai.web.checks import row_id_ok, utc_ok

__all__ = ["decode_cursor", "encode_cursor", "filters_fingerprint"]

_VERSION = 1


def filters_fingerprint(query: PostQuery) -> str:
    """A short digest of every filter of ``query`` except its page size and offset."""
    parts: tuple[str | float | bool | None, ...] = (
        query.text, query.label, query.min_score, query.max_score, query.flagged,
        format_time(query.since), format_time(query.until), query.platform, query.language)
    if any(drill_down(query)):  # issue #14; cursors of queries without them stay valid
        parts += drill_down(query)
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()[:16]


def encode_cursor(key: PostCursor, query: PostQuery) -> str:
    payload = {"v": _VERSION, "t": format_time(key.created_at), "i": key.id,
               "f": filters_fingerprint(query)}
    return base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode("ascii")


def _invalid(reason: str) -> ApiError:
    return ApiError(400, "invalid_cursor", (
        f"Kursor tidak sah ({reason}): pakai `next_cursor` dari jawaban sebelumnya tanpa diubah, "
        "dengan filter yang sama / Invalid cursor: pass `next_cursor` from the previous answer "
        "unchanged, with the same filters."), {"reason": reason})


def decode_cursor(cursor: str, query: PostQuery) -> PostCursor:
    """The keyset in ``cursor``; :class:`ApiError` 400 if it is not one of ours or belongs to
    other filters."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
        version, when, row, filters = payload["v"], payload["t"], payload["i"], payload["f"]
        created = parse_time(when) if isinstance(when, str) else None
    except (binascii.Error, ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise _invalid("malformed") from None
    if (version != _VERSION or not isinstance(created, datetime) or type(row) is not int
            or not row_id_ok(row) or not utc_ok(created)):
        raise _invalid("malformed")
    if filters != filters_fingerprint(query):
        raise _invalid("other_filters")
    return PostCursor(created, row)
