"""The web app of ``damai serve``: the dashboard pages (:mod:`damai.web.pages`) and the HTTP API
(:mod:`damai.web.api`) over one :class:`~damai.web.context.WebContext`.

The server itself is started by ``damai serve`` (:mod:`damai.cli.serve`): the web layer never
imports the CLI. Post text is hostile input: templates autoescape everything, and every response
carries a strict Content-Security-Policy (:data:`damai.web.security.SECURITY_HEADERS`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from damai.pipeline.jobs import JobRunner
from damai.storage import PostQuery, StoreUnavailable
from damai.web.api import mount_api
from damai.web.api.errors import RETRY_AFTER
from damai.web.api.ingest import ingest_stage
from damai.web.authz import unavailable
from damai.web.context import WebContext
from damai.web.pages import mount_pages
from damai.web.security import SECURITY_HEADERS

__all__ = ["create_app"]


def create_app(db: str | None = None) -> FastAPI:
    ctx = WebContext.open(db)
    store = ctx.store

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.jobs = JobRunner(store, lambda: ingest_stage(ctx), model_dir=ctx.model_dir)
        ctx.jobs.start()
        yield
        ctx.jobs.stop()
        ctx.close()

    # the API serves its own schema under /api/v1; no CDN-loaded Swagger pages on the app
    app = FastAPI(title="Damai", version="0.1.0", lifespan=lifespan, openapi_url=None,
                  docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def health() -> JSONResponse:
        try:
            posts = store.posts.count(PostQuery(limit=None))
        except StoreUnavailable:
            return JSONResponse({"status": "unavailable"}, status_code=503,
                                headers={"Retry-After": RETRY_AFTER})
        return JSONResponse({"status": "ok", "posts": posts})

    mount_api(app, ctx)
    mount_pages(app, ctx)
    app.add_exception_handler(StoreUnavailable, lambda _request, _exc: unavailable())

    # added last, so it is the outermost middleware: redirects and denials carry the headers too
    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response (plain ASGI: no per-request task or
    body streams, unlike ``@app.middleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, with_headers)
