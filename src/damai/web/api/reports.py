"""Reports (issue #14 part 6): ``GET /api/v1/reports/weekly`` (analysts) and
``GET /api/v1/reports/transparency`` (every role: aggregates only, small counts masked): the
figures as JSON, the same as ``damai report weekly --json`` and ``damai report transparency
--json``. A bad week or date is a 400 that says what to write; an empty period is a 200 with
``empty``: true. Plain ``def``: the counts run in the thread pool."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from damai.auth import User
from damai.reports import (
    TRANSPARENCY_DAYS,
    chosen,
    last_days,
    last_week,
    transparency_report,
    weekly_report,
)
from damai.web.api.errors import JSONBody, documented
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["add_report_routes"]

Day = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD (UTC), ikut dihitung "
                                                             "/ included")]
_BAD = (400, "Minggu atau tanggal tidak sah / Invalid week or date.")


def add_report_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    @router.get("/reports/weekly", summary="Laporan mingguan / Weekly report",
                responses=documented(_BAD))
    def weekly(_: Annotated[User, Depends(require(ctx, "GET", "/reports/weekly"))],
               week: Annotated[str | None, Query(max_length=8, description="2026-W48")] = None,
               since: Day = None, until: Day = None) -> JSONBody:
        """Volume per label, narasi teratas, respons, publikasi, cakupan, waktu merespons;
        kosong: minggu penuh terakhir / volume by label, top narratives, responses,
        publications, coverage, time to respond; default: the last full week."""
        period = chosen(week, since, until, default=last_week())
        return JSONBody(weekly_report(store, period))

    @router.get("/reports/transparency", summary="Laporan transparansi / Transparency report",
                responses=documented(_BAD))
    def transparency(_: Annotated[User, Depends(require(ctx, "GET", "/reports/transparency"))],
                     since: Day = None, until: Day = None) -> JSONBody:
        """Hanya agregat, angka kecil disamarkan (DAMAI_REPORT_SMALL_COUNT); kosong: 90 hari
        terakhir / aggregates only, small counts masked; default: the last 90 days."""
        period = chosen(None, since, until, default=last_days(TRANSPARENCY_DAYS))
        return JSONBody(transparency_report(store, period))
