"""Column types that store the same Python values on SQLite and PostgreSQL.

Each type keeps the physical form the stores made before SQLAlchemy (so old stores upgrade in
place without rewriting a row) and hides it from the repositories:

- :class:`UtcTime`: ``timestamptz`` on PostgreSQL; on SQLite fixed-width UTC text
  (``2024-05-01T08:30:00.000000Z``) that sorts as text. Python sees aware UTC datetimes.
- :class:`Json`: ``jsonb`` on PostgreSQL, text on SQLite, always parsed with orjson.
- :class:`RawJson`: the platform's raw record, ``jsonb`` on PostgreSQL and UTF-8 JSON bytes
  (``BLOB``) on SQLite.
- :class:`SafeText`: text; on PostgreSQL, which cannot hold NUL characters, a NUL becomes U+FFFD.

On SQLite the bind processors are plain functions or ``None``: the ingest hot path pays for no
dialect checks per value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import DateTime, Dialect, LargeBinary, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from damai.records import utc

__all__ = ["Json", "RawJson", "SafeText", "UtcTime", "format_time", "nul_free_json",
           "parse_time"]

#: a JSON ``\u0000`` escape (not preceded by an escaped backslash), which jsonb rejects
_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")

Processor = Callable[[Any], Any] | None


def format_time(value: datetime | None) -> str | None:
    """UTC, fixed width, sorts as text: ``2024-05-01T08:30:00.000000Z``."""
    if value is None:
        return None
    if value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(value: str | datetime | None) -> datetime | None:
    """An aware datetime from stored text or a driver's datetime (naive means UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value)


def nul_free_json(value: Any) -> str:
    """``value`` as JSON text PostgreSQL accepts: a ``\\u0000`` escape becomes ``\\ufffd``."""
    return _JSON_NUL.sub(r"\1\\ufffd", orjson.dumps(value).decode())


def _pg_text(value: Any) -> Any:
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _is_pg(dialect: Dialect) -> bool:
    return dialect.name == "postgresql"


class UtcTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(DateTime(timezone=True) if _is_pg(dialect) else Text())

    def bind_processor(self, dialect: Dialect) -> Processor:
        return _utc_or_none if _is_pg(dialect) else format_time

    def result_processor(self, dialect: Dialect, coltype: object) -> Processor:
        return parse_time


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


class Json(TypeDecorator[Any]):
    """A JSON value; SQL NULL for ``None``."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(JSONB() if _is_pg(dialect) else Text())

    def bind_processor(self, dialect: Dialect) -> Processor:
        return _pg_json if _is_pg(dialect) else _sqlite_json

    def result_processor(self, dialect: Dialect, coltype: object) -> Processor:
        return _load_json

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return self  # compare JSON with JSON, not with text


class RawJson(Json):
    """The raw platform record: UTF-8 JSON bytes on SQLite (what ``posts.raw`` always held)."""

    impl = LargeBinary  # type: ignore[assignment]
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(JSONB() if _is_pg(dialect) else LargeBinary())

    def bind_processor(self, dialect: Dialect) -> Processor:
        return _pg_json if _is_pg(dialect) else _sqlite_raw


def _sqlite_json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _sqlite_raw(value: Any) -> bytes | None:
    return None if value is None else orjson.dumps(value)


def _pg_json(value: Any) -> str | None:
    # psycopg sends text to a jsonb parameter; the server parses it
    return None if value is None else nul_free_json(value)


def _load_json(value: Any) -> Any:
    if isinstance(value, (str, bytes, bytearray)):
        return orjson.loads(value)
    if isinstance(value, memoryview):
        return orjson.loads(bytes(value))
    return value  # None, or already decoded by the driver (jsonb)


class SafeText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Processor:
        return _pg_text if _is_pg(dialect) else None

