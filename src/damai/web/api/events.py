"""Hazard events (issue #13): ``GET /api/v1/events``, official events newest first (the same
shape as ``damai alerts list --json``), and the feeds that have been down for
``DAMAI_BMKG_DOWN_MINUTES`` or longer."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from damai.auth import User
from damai.live.bmkg import down_after
from damai.web.api.errors import JSONBody
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["add_event_routes"]


def add_event_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    @router.get("/events", summary="Kejadian bencana resmi / Official hazard events")
    def listing(_: Annotated[User, Depends(require(ctx, "GET", "/events"))],
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                source: Literal["bmkg", "cap"] | None = None) -> JSONBody:
        """`items`: kejadian, terbaru dulu / events, newest first; `down`: umpan yang mati /
        feeds that are down."""
        down = store.events.down(datetime.now(UTC), down_after())
        return JSONBody({"items": [e.to_dict() for e in store.events.recent(limit, source)],
                         "down": [f.to_dict() for f in down]})
