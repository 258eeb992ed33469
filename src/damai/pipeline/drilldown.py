"""The drill-down filters of issue #14 as users write them: a province by its official name (any
case), and a day as a one-day time range. An unknown province is an error that lists the known
ones, never a silently empty list (as :func:`damai.pipeline.label_names.check_label` does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from damai.errors import InputError
from damai.storage import PostQuery
from damai.storage.terms import normal_domain
from damai.understand.places import PROVINCES

__all__ = ["check_province", "day_range", "drill_into", "province_names"]


def province_names() -> list[str]:
    """The 38 official province names, in the order of :data:`PROVINCES` (west to east)."""
    return [p.name for p in PROVINCES]


def check_province(name: str | None) -> str | None:
    """The official name of province ``name`` (any case, spaces trimmed); :class:`InputError`
    listing the valid names when it is none of them."""
    if not name:
        return None
    wanted = " ".join(name.split()).casefold()
    for official in province_names():
        if official.casefold() == wanted:
            return official
    raise InputError(f"provinsi tidak dikenal / unknown province {name[:80]!r}. Provinsi yang "
                     f"sah / valid provinces: {', '.join(province_names())}")


def day_range(day: str | None) -> tuple[datetime | None, datetime | None]:
    """``since`` and ``until`` of one UTC day written ``2026-11-02`` (both None without a day)."""
    if not day:
        return None, None
    try:
        start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InputError("day: tulis tanggal sebagai 2026-11-02 / write the date as "
                         "2026-11-02") from None
    return start, start + timedelta(days=1)


def drill_into(query: PostQuery, *, hashtag: str | None = None, link: str | None = None,
               domain: str | None = None, province: str | None = None,
               day: str | None = None) -> PostQuery:
    """``query`` with the drill-down filters set (empty ones left unset), checked: a domain must
    be a host name, a province one of the 38; a ``day`` narrows ``since``/``until`` to it."""
    query.hashtag, query.link = hashtag or None, link or None
    query.domain = normal_domain(domain) if domain else None
    query.province = check_province(province)
    start, end = day_range(day)
    if start is not None and end is not None:
        query.since = max(query.since or start, start)
        query.until = min(query.until or end, end)
    return query
