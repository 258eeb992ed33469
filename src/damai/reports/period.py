"""The period a report covers: an ISO week (``2026-W48``, Monday 00:00 to the next Monday, UTC)
or two dates (``--since 2026-11-01 --until 2026-11-30``: both days included). A period is at
most :data:`MAX_DAYS` days, so one report is a bounded read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from damai.errors import InputError

__all__ = ["MAX_DAYS", "Period", "between", "chosen", "last_days", "last_week", "week"]

MAX_DAYS = 366
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    """``[since, until)`` in UTC, and how a reader names it."""

    since: datetime
    until: datetime
    name: str

    @property
    def days(self) -> list[str]:
        """The UTC days of the period, ``YYYY-MM-DD``."""
        count = (self.until - self.since).days
        return [(self.since + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(count)]

    @property
    def last_day(self) -> str:
        return (self.until - timedelta(days=1)).strftime("%Y-%m-%d")

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "since": self.since.isoformat(),
                "until": self.until.isoformat(), "first_day": self.days[0] if self.days else "",
                "last_day": self.last_day}


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def week(spec: str) -> Period:
    """The ISO week ``YYYY-Www``."""
    found = _WEEK.match(spec.strip())
    try:
        if found is None:
            raise ValueError(spec)
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        if not 1970 <= monday.year <= 9000:
            raise ValueError(spec)
    except ValueError:
        raise InputError(f"minggu {spec[:20]!r} tidak sah; tulis seperti 2026-W48 / invalid week "
                         f"{spec[:20]!r}; write it like 2026-W48") from None
    since = _midnight(monday)
    return Period(since, since + timedelta(days=7), f"{found[1]}-W{found[2]}")


def _day(value: str, field: str) -> date:
    try:
        day = date.fromisoformat(value.strip())
        if not 1970 <= day.year <= 9000:  # a day after the last still fits in a datetime
            raise ValueError(value)
    except ValueError:
        raise InputError(f"{field}: tulis tanggal sebagai 2026-11-02 / write the date as "
                         "2026-11-02") from None
    return day


def between(since: str, until: str) -> Period:
    """From the day ``since`` to the day ``until``, both included."""
    first, last = _day(since, "since"), _day(until, "until")
    if last < first:
        raise InputError("until sebelum since / until is before since")
    if (last - first).days + 1 > MAX_DAYS:
        raise InputError(f"periode paling lama {MAX_DAYS} hari / a period is at most {MAX_DAYS} "
                         "days")
    return Period(_midnight(first), _midnight(last) + timedelta(days=1),
                  f"{first.isoformat()} – {last.isoformat()}")


def last_week(today: date | None = None) -> Period:
    """The last full ISO week before ``today``."""
    day = (today or datetime.now(UTC).date()) - timedelta(days=7)
    year, number, _ = day.isocalendar()
    return week(f"{year}-W{number:02d}")


def last_days(days: int, today: date | None = None) -> Period:
    """The ``days`` full days before ``today``."""
    end = today or datetime.now(UTC).date()
    return between((end - timedelta(days=days)).isoformat(),
                   (end - timedelta(days=1)).isoformat())


def chosen(week_spec: str | None, since: str | None, until: str | None, *,
           default: Period) -> Period:
    """The period a command or request names: a week, or since and until, or ``default``."""
    if week_spec and (since or until):
        raise InputError("pilih minggu atau since/until, bukan keduanya / give a week or "
                         "since/until, not both")
    if week_spec:
        return week(week_spec)
    if since or until:
        if not (since and until):
            raise InputError("since dan until harus diisi berdua / give both since and until")
        return between(since, until)
    return default
