"""Checks on values from a URL before they reach the store, shared by the pages and the API.

SQLite and PostgreSQL hold row ids as signed 64-bit integers, and a time with an offset may fall
outside Python's years 1–9999 once moved to UTC (``9999-12-31T23:59:59-05:00``): either would
otherwise raise deep in the store and answer 500 instead of 400 or 404.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

__all__ = ["MAX_ROW_ID", "row_id_ok", "utc_ok"]

#: the largest id a row can have (signed 64-bit)
MAX_ROW_ID: Final = 2**63 - 1


def row_id_ok(value: int) -> bool:
    """True when ``value`` can be a row id."""
    return 0 < value <= MAX_ROW_ID


def utc_ok(value: datetime) -> bool:
    """True when ``value`` (naive means UTC) can be moved to UTC and written back."""
    try:
        value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        return False
    return True
