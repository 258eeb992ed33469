"""The map's data (issue #13 part 6): ``GET /api/v1/map``, the events with a point and the
citizen disaster reports of a time range, as the map page draws them
(:func:`damai.web.map.map_data`)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from damai.auth import User
from damai.web.api.errors import ApiError, JSONBody
from damai.web.api.routes import utc_param
from damai.web.api.security import require
from damai.web.context import WebContext
from damai.web.map import DEFAULT_DAYS, MAX_DAYS, map_data

__all__ = ["add_map_route"]


def _range(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    end = utc_param(until, "until") or datetime.now(UTC)
    try:
        start = utc_param(since, "since") or end - timedelta(days=DEFAULT_DAYS)
    except OverflowError:  # ``until`` within a week of the year 1
        start = end
    if not start < end or end - start > timedelta(days=MAX_DAYS):
        raise ApiError(400, "invalid_range", (
            f"`since` harus sebelum `until`, paling jauh {MAX_DAYS} hari / `since` must be "
            f"before `until`, at most {MAX_DAYS} days apart."))
    return start, end


def add_map_route(router: APIRouter, ctx: WebContext) -> None:
    @router.get("/map", summary="Data peta kejadian dan laporan warga / Map of events and "
                                "citizen reports")
    def map_route(_: Annotated[User, Depends(require(ctx, "GET", "/map"))],
                  since: Annotated[datetime | None, Query()] = None,
                  until: Annotated[datetime | None, Query()] = None) -> JSONBody:
        """Kejadian bertitik dan laporan warga (post bencana yang menyebut tempat) dalam
        rentang, bawaan 7 hari terakhir, paling jauh 31 hari / Events with a point and citizen
        reports (disaster posts naming a place) in the range: by default the last 7 days, at
        most 31."""
        return JSONBody(map_data(ctx.store, *_range(since, until)))
