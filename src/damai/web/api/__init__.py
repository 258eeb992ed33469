"""The HTTP API under ``/api/v1``: bearer tokens, roles per route, cursor pagination, one error
JSON shape, and an OpenAPI schema at ``/api/v1/openapi.json``.

The API is its own FastAPI sub-application mounted at :data:`API_PREFIX`, so its error handlers,
body limit and schema apply to ``/api/v1`` only; the dashboard pages keep their own. See
``docs/api.md``.
"""


from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException as StarletteHTTPException

from damai import settings
from damai.auth import User
from damai.web.api.ambassadors import add_ambassador_routes
from damai.web.api.campaigns import add_campaign_routes
from damai.web.api.errors import (
    ERROR_RESPONSES,
    ApiError,
    BodyLimit,
    CatchCrashes,
    JSONBody,
    error_response,
    install_error_handlers,
)
from damai.web.api.events import add_event_routes
from damai.web.api.hoaxwatch import add_hoaxwatch_routes
from damai.web.api.ingest import add_ingest_route
from damai.web.api.library import add_library_route
from damai.web.api.map import add_map_route
from damai.web.api.measure import add_measure_routes
from damai.web.api.narratives import add_narrative_routes
from damai.web.api.recommend import add_recommend_route
from damai.web.api.reports import add_report_routes
from damai.web.api.responses import add_response_routes
from damai.web.api.routes import add_read_routes
from damai.web.api.security import API_PREFIX, API_ROUTE_ROLES, require
from damai.web.api.triage import add_triage_routes
from damai.web.api.watchlists import add_watchlist_routes
from damai.web.context import WebContext

__all__ = ["API_PREFIX", "API_ROUTE_ROLES", "build_api", "mount_api"]

_DESCRIPTION = """API HTTP Damai untuk sistem mitra: cari dan ambil post, masukkan post, klasifikasi
teks, statistik, pustaka narasi, tanggapan dan tinjauannya, penerbitan (hanya yang
disetujui), kampanye terjadwal, dan antrean triase. Setiap permintaan perlu
`Authorization: Bearer TOKEN` (buat dengan `damai token create`). Setiap galat berbentuk
`{"error": {"code", "message", "detail"}}`.

Damai's HTTP API for partner systems: query and get posts, ingest posts, classify text,
statistics, the library, responses and their review, publishing (approved content only),
scheduled campaigns, and the triage queue. Every request needs `Authorization: Bearer TOKEN`
(`damai token create`). Every error is `{"error": {"code", "message", "detail"}}`."""


def build_api(ctx: WebContext) -> FastAPI:
    """The API application (routes relative to :data:`API_PREFIX`)."""
    api = FastAPI(title="Damai API", version="1", description=_DESCRIPTION, openapi_url=None,
                  docs_url=None, redoc_url=None, responses=ERROR_RESPONSES)
    install_error_handlers(api)
    add_read_routes(api.router, ctx)
    add_ingest_route(api.router, ctx)
    add_library_route(api.router, ctx)
    add_recommend_route(api.router, ctx)
    add_response_routes(api.router, ctx)
    add_campaign_routes(api.router, ctx)

    add_ambassador_routes(api.router, ctx)
    add_measure_routes(api.router, ctx)
    add_event_routes(api.router, ctx)
    add_map_route(api.router, ctx)
    add_hoaxwatch_routes(api.router, ctx)
    add_narrative_routes(api.router, ctx)
    add_report_routes(api.router, ctx)
    add_watchlist_routes(api.router, ctx)
    add_triage_routes(api.router, ctx)
    schema: dict[str, Any] = {}

    @api.get("/openapi.json", include_in_schema=False)
    async def openapi(
            _: Annotated[User, Depends(require(ctx, "GET", "/openapi.json"))]) -> JSONBody:
        if not schema:
            schema.update(get_openapi(title=api.title, version=api.version,
                                      description=api.description, routes=api.routes,
                                      servers=[{"url": API_PREFIX}]))
        return JSONBody(schema)

    api.add_middleware(BodyLimit, limit=settings.get_int("api_max_body_bytes"))
    api.add_middleware(CatchCrashes)
    return api


async def _unmatched(request: Request, exc: Exception) -> Response:
    """A 404 of the outer app under ``/api/v1`` in the API's error shape: a path holding a line
    break (``%0A``) is matched by no route, not even the API's mount, whose pattern stops at
    line ends."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and request.url.path.startswith(API_PREFIX + "/"):
        return error_response(ApiError(404))
    return await http_exception_handler(request, exc)


def mount_api(app: FastAPI, ctx: WebContext) -> None:
    """Add the ``/api/v1`` routes and their error handlers to ``app``."""
    app.mount(API_PREFIX, build_api(ctx))
    app.add_exception_handler(StarletteHTTPException, _unmatched)
