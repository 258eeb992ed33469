"""The web app of ``damai serve``: the dashboard pages (:mod:`damai.web.pages`) and the HTTP API
(:mod:`damai.web.api`) over one :class:`~damai.web.context.WebContext`.

The server itself is started by ``damai serve`` (:mod:`damai.cli.serve`): the web layer never
imports the CLI. Post text is hostile input: templates autoescape everything, and every response
carries a strict Content-Security-Policy (:data:`damai.web.security.SECURITY_HEADERS`) and, but
for static assets, ``Cache-Control: no-store`` (:mod:`damai.web.guards`).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from damai import settings
from damai.live.bmkg import FeedPoller
from damai.pipeline.jobs import JobRunner
from damai.pipeline.registry import ensure_bundled
from damai.pipeline.scheduler import Scheduler
from damai.storage import PostQuery, StoreUnavailable
from damai.web.api import mount_api
from damai.web.api.errors import RETRY_AFTER
from damai.web.api.ingest import ingest_stage
from damai.web.authz import unavailable
from damai.web.context import WebContext
from damai.web.guards import install_guards
from damai.web.pages import mount_pages

__all__ = ["create_app"]


@functools.cache
def _freeze_startup_objects() -> None:
    """Move what the process holds after start-up (modules, settings, the schema, the bundled
    model's registry) out of the cyclic garbage collector's sight (:func:`gc.freeze`), once per
    process. Without it a full collection walked those millions of objects every few requests
    and added about 150 ms to a request here and there (a narrative page of 20,000 posts went
    from 90 to 240 ms one time in five, ``bench/web.py``)."""
    gc.collect()
    gc.freeze()


def create_app(db: str | None = None) -> FastAPI:
    ctx = WebContext.open(db)
    store = ctx.store

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(ensure_bundled, store)  # a model in service from the start
        ctx.jobs = JobRunner(store, lambda: ingest_stage(ctx), model_dir=ctx.model_dir)
        ctx.jobs.start()
        # the campaign scheduler (issue #12), unless DAMAI_SCHEDULER=false (`damai worker`)
        scheduler = Scheduler(store) if settings.get_bool("scheduler") else None
        if scheduler is not None:
            scheduler.start()
        # the BMKG poller (issue #13), only when DAMAI_BMKG_SERVE is on: off, no network
        poller = FeedPoller(store) if settings.get_bool("bmkg_serve") else None
        if poller is not None:
            poller.start()
        _freeze_startup_objects()
        yield
        if poller is not None:
            poller.stop()
        if scheduler is not None:
            scheduler.stop()
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

    # added last, so the headers are outermost: redirects, denials and crashes carry them too
    install_guards(app)
    return app
