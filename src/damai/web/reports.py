"""The reports pages (issue #14 part 6): ``/reports`` picks a period; ``/reports/weekly``
(analysts) and ``/reports/transparency`` (every signed-in user: aggregates only) answer with the
report itself, a standalone HTML page in the viewer's language or, with ``format=pdf``, its PDF.
A bad week or date is a 400 on the ``/reports`` page, saying what to write.

Plain ``def`` routes: a report reads counts and draws a PDF, so it runs in the thread pool."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query, Request, Response

from damai.errors import InputError
from damai.reports import (
    TRANSPARENCY_DAYS,
    chosen,
    last_days,
    last_week,
    render,
    stylesheet,
    transparency_report,
    weekly_report,
)
from damai.web.context import WebContext
from damai.web.render import language
from damai.web.render import render as render_page

__all__ = ["add_report_routes"]

Spec = Annotated[str | None, Query(max_length=20)]
#: the dashboard's CSP allows no inline style, so its reports link their stylesheet
CSS_URL = "/reports/report.css"
_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _format(value: str | None) -> str:
    if value not in _TYPES:
        raise InputError("format: tulis html atau pdf / write html or pdf")
    return value


def _answer(data: dict[str, Any], fmt: str, lang: str) -> Response:
    body = render(data, fmt, lang, CSS_URL)
    headers = {}
    if fmt == "pdf":
        name = f"damai-{data['kind']}-{data['period']['first_day']}.pdf"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(body, media_type=_TYPES[fmt], headers=headers)


def _page(request: Request, error: str | None = None, status: int = 200,
          form: dict[str, str] | None = None) -> Response:
    return render_page(request, "reports.html", {
        "error": error, "form": form or {}, "last_week": last_week().name,
        "transparency_days": TRANSPARENCY_DAYS}, status)


def add_report_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/reports")
    def reports_page(request: Request) -> Response:
        return _page(request)

    @app.get(CSS_URL)
    def report_css() -> Response:
        return Response(stylesheet(), media_type="text/css; charset=utf-8")

    @app.get("/reports/weekly")
    def weekly_page(request: Request, week: Spec = None, since: Spec = None,
                    until: Spec = None, format: Spec = "html") -> Response:
        form = {"week": week or "", "since": since or "", "until": until or ""}
        try:
            period = chosen(week or None, since or None, until or None, default=last_week())
            fmt = _format(format)
        except InputError as exc:
            return _page(request, exc.message, 400, form)
        return _answer(weekly_report(ctx.store, period), fmt, language(request))

    @app.get("/reports/transparency")
    def transparency_page(request: Request, since: Spec = None, until: Spec = None,
                          format: Spec = "html") -> Response:
        form = {"t_since": since or "", "t_until": until or ""}
        try:
            period = chosen(None, since or None, until or None,
                            default=last_days(TRANSPARENCY_DAYS))
            fmt = _format(format)
        except InputError as exc:
            return _page(request, exc.message, 400, form)
        return _answer(transparency_report(ctx.store, period), fmt, language(request))
