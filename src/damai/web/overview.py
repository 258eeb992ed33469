"""The overview page: volume per label per day, top hashtags, links and domains among flagged
posts, counts by platform and language, and a map of posts per province."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from damai.web.context import WebContext
from damai.web.render import render

__all__ = ["add_overview_routes"]


def add_overview_routes(app: FastAPI, ctx: WebContext) -> None:

    @app.get("/")
    async def overview(request: Request) -> Response:
        return render(request, "overview.html", {"stats": ctx.store.stats()})

