"""The events page (issue #13): ``/events``, official hazard events (BMKG earthquakes, CAP
alerts), newest first, with what could not be read from each, and a warning for every feed that
has been failing for ``DAMAI_BMKG_DOWN_MINUTES`` or longer."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response

from damai.live.bmkg import down_after
from damai.web.context import WebContext
from damai.web.render import render

__all__ = ["add_event_routes"]


def add_event_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/events")
    def events_page(request: Request) -> Response:
        store = ctx.store
        return render(request, "events.html", {
            "events": [e.to_dict() for e in store.events.recent(500)],
            "down": store.events.down(datetime.now(UTC), down_after()),
            "down_minutes": int(down_after().total_seconds() // 60)})
