"""A minimal, offline page over the store: counts and the newest posts, with text search.

Post text is hostile input: templates autoescape everything, and a strict Content-Security-Policy
forbids scripts. The full dashboard replaces this page in issue #4.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from damai.storage import PostQuery
from damai.web.api import mount_api
from damai.web.context import WebContext
from damai.web.pages import mount_pages

__all__ = ["create_app", "run"]

_TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(db: str | None = None) -> FastAPI:
    ctx = WebContext.open(db)
    store = ctx.store

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    app = FastAPI(title="Damai", version="0.1.0", lifespan=lifespan)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.update(_HEADERS)
        return response

    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request,
              q: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
        query = PostQuery(text=q or None, limit=50)
        return _TEMPLATES.TemplateResponse(request, "index.html", {
            "stats": store.stats(), "posts": store.query_posts(query),
            "matches": store.count_posts(query), "q": q or ""})

    @app.get("/healthz")
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "posts": store.stats().total})

    mount_api(app, ctx)
    mount_pages(app, ctx)
    return app


def run(db: str | None, *, host: str, port: int) -> None:
    import uvicorn

    from damai.cli.common import out

    out.print(f"Dasbor Damai / Damai dashboard: http://{host}:{port}/  (Ctrl-C untuk berhenti / "
              "to stop)", highlight=False)
    uvicorn.run(create_app(db), host=host, port=port, log_level="warning")
