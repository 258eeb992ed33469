"""The web app of ``damai serve``: the dashboard pages (:mod:`damai.web.pages`) and the HTTP API
(:mod:`damai.web.api`) over one :class:`~damai.web.context.WebContext`.

Post text is hostile input: templates autoescape everything, and every response carries a strict
Content-Security-Policy (:data:`damai.web.security.SECURITY_HEADERS`) and, but for static assets,
``Cache-Control: no-store`` (:mod:`damai.web.guards`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from damai.storage import PostQuery
from damai.web.api import mount_api
from damai.web.context import WebContext
from damai.web.guards import install_guards
from damai.web.pages import mount_pages

__all__ = ["create_app", "run"]


def create_app(db: str | None = None) -> FastAPI:
    ctx = WebContext.open(db)
    store = ctx.store

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    # the API serves its own schema under /api/v1; no CDN-loaded Swagger pages on the app
    app = FastAPI(title="Damai", version="0.1.0", lifespan=lifespan, openapi_url=None,
                  docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "posts": store.count_posts(PostQuery(limit=None))})

    mount_api(app, ctx)
    mount_pages(app, ctx)

    # added last, so the headers are outermost: redirects, denials and crashes carry them too
    install_guards(app)
    return app


def run(db: str | None, *, host: str, port: int) -> None:
    import uvicorn

    from damai.cli.common import out

    out.print(f"Dasbor Damai / Damai dashboard: http://{host}:{port}/  (Ctrl-C untuk berhenti / "
              "to stop)", highlight=False)
    uvicorn.run(create_app(db), host=host, port=port, log_level="warning",
                server_header=False)  # no "server: uvicorn": it tells an attacker the stack
