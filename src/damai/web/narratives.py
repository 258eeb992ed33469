"""The narratives pages (issue #14 part 2): ``/narratives``, the largest or newest narratives,
and ``/narratives/{narrative_id}``: first seen, volume per day (an SVG bar chart drawn on the
server, no script), platforms, provinces, the pseudonymised accounts that spread it most, its
labels, coordination signals with their evidence, and the responses that answer it.
``POST /narratives/{narrative_id}/responses`` proposes a response to the whole narrative.

The handlers are module-level functions (importable and testable alone); ``add_narrative_routes``
only registers them. Reading a narrative runs in the thread pool (FastAPI runs ``def`` handlers
there), never on the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from fastapi import FastAPI, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from damai.errors import DamaiError
from damai.pipeline.narrative_view import describe
from damai.pipeline.responses import Actor, propose
from damai.web.checks import row_id_ok
from damai.web.context import WebContext
from damai.web.render import render, signed_in
from damai.web.security import CSRF

__all__ = ["add_narrative_routes", "bars"]

_PAGE: Final = 50
#: coordination signals shown on the page (most accounts first); the API gives all
_SIGNALS: Final = 20
_CHART_W, _CHART_H = 600, 120


def bars(volume: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The volume chart's bars: x, width and height in a 600×120 box, with day and count."""
    if not volume:
        return []
    top = max(v["posts"] for v in volume)
    width = _CHART_W / len(volume)
    return [{"x": round(i * width, 2), "w": round(max(width - 2, 1), 2),
             "h": round(_CHART_H * v["posts"] / top, 2), "day": v["day"], "posts": v["posts"]}
            for i, v in enumerate(volume)]


def narratives_page(ctx: WebContext, request: Request,
                    order: Literal["size", "recent"] = "size",
                    page: int = 1) -> Response:
    store = ctx.store
    found = store.narratives.listing(order=order, limit=_PAGE + 1, offset=(page - 1) * _PAGE,
                                     min_size=2)
    return render(request, "narratives.html", {
        "narratives": found[:_PAGE], "order": order, "page": page,
        "more": len(found) > _PAGE, "total": store.narratives.count(2)})


def narrative_page(ctx: WebContext, request: Request, narrative_id: int,
                   error: str | None = None, status: int = 200) -> Response:
    found = describe(ctx.store, narrative_id) if row_id_ok(narrative_id) else None
    if found is None:
        return render(request, "error.html", {"message": "error.not_found"}, 404)
    signals = sorted(found["signals"], key=lambda s: -len(s["accounts"]))[:_SIGNALS]
    return render(request, "narrative.html", {"n": found, "bars": bars(found["volume"]),
                                              "signals": signals,
                                              "chart_w": _CHART_W, "chart_h": _CHART_H,
                                              "error": error}, status)


def propose_for_narrative(ctx: WebContext, request: Request, narrative_id: int,
                          entry_id: str = "", text: str = "") -> Response:
    if not row_id_ok(narrative_id) or ctx.store.narratives.get(narrative_id) is None:
        return render(request, "error.html", {"message": "error.not_found"}, 404)
    user, ip = signed_in(request)
    try:
        made = propose(ctx.store, ctx.model(), Actor(user.name, user.role, ip),
                       text=text.strip() or None, entry_id=entry_id.strip() or None,
                       narrative_id=narrative_id)
    except DamaiError as exc:
        return narrative_page(ctx, request, narrative_id, exc.message, 400)
    return RedirectResponse(f"/responses#response-{made.id}", status_code=303)


def add_narrative_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/narratives")
    def listing(request: Request, order: Literal["size", "recent"] = "size",
                page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
        return narratives_page(ctx, request, order, page)

    @app.get("/narratives/{narrative_id}")
    def one(request: Request, narrative_id: int) -> Response:
        return narrative_page(ctx, request, narrative_id)

    @app.post("/narratives/{narrative_id}/responses", dependencies=CSRF)
    def respond(request: Request, narrative_id: int,
                entry_id: Annotated[str, Form(max_length=80)] = "",
                text: Annotated[str, Form(max_length=6000)] = "") -> Response:
        return propose_for_narrative(ctx, request, narrative_id, entry_id, text)
