"""The hoax-watch page (issue #13 part 7): ``/hoaxwatch``, each recent event's queue of posts
that repeat a false claim or match a hoax pattern (:mod:`damai.pipeline.hoaxwatch`), and its two
actions: propose the suggested correction for review, or dismiss the post (audited).

The routes are plain ``def``: building a queue reads and scans posts, and proposing runs the
harm check, so they run in the thread pool, never on the event loop."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import FastAPI, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from damai import settings
from damai.errors import InputError, NotFound, ReviewRefused
from damai.pipeline.hoaxwatch import dismiss, draft, watch
from damai.pipeline.responses import Actor
from damai.web.context import WebContext
from damai.web.render import render, signed_in
from damai.web.security import CSRF

__all__ = ["add_hoaxwatch_routes"]

RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_STATUS: Final = {"forbidden": 403}


def _actor(request: Request) -> Actor:
    user, ip = signed_in(request)
    return Actor(user.name, user.role, ip)


def _status(exc: NotFound | ReviewRefused | InputError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ReviewRefused):
        return _STATUS.get(exc.reason, 409)
    return 400


def add_hoaxwatch_routes(app: FastAPI, ctx: WebContext) -> None:
    store = ctx.store

    def page(request: Request, event: int | None, error: str | None = None,
             status: int = 200) -> Response:
        try:
            queues = watch(store, event_id=event)
        except (NotFound, InputError) as exc:
            queues, error, status = [], exc.message, _status(exc)
        return render(request, "hoaxwatch.html", {
            "queues": queues, "error": error, "event": event,
            "days": settings.get("hoaxwatch_days")}, status)

    @app.get("/hoaxwatch")
    def hoaxwatch_page(request: Request,
                       event: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None
                       ) -> Response:
        return page(request, event)

    @app.post("/hoaxwatch/{event_id}/{post_id}/draft", dependencies=CSRF)
    def draft_correction(request: Request, event_id: RowId, post_id: RowId) -> Response:
        try:
            made = draft(store, ctx.model(), _actor(request), event_id, post_id)
        except (NotFound, ReviewRefused, InputError) as exc:
            return page(request, event_id, exc.message, _status(exc))
        return RedirectResponse(f"/responses#response-{made.id}", status_code=303)

    @app.post("/hoaxwatch/{event_id}/{post_id}/dismiss", dependencies=CSRF)
    def dismiss_post(request: Request, event_id: RowId, post_id: RowId,
                     reason: Annotated[str, Form(max_length=500)] = "") -> Response:
        try:
            dismiss(store, _actor(request), event_id, post_id, reason)
        except (NotFound, ReviewRefused, InputError) as exc:
            return page(request, event_id, exc.message, _status(exc))
        return RedirectResponse(f"/hoaxwatch?event={event_id}", status_code=303)
