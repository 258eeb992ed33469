"""Who may use which route: one declared table, enforced in one place.

``ROUTE_ROLES`` maps every route of the app, as ``(METHOD, path template)``, to the lowest role
that may use it (``viewer`` < ``analyst`` < ``approver`` < ``admin``), or to :data:`PUBLIC`. The
middleware below looks up the route a request matches and fails closed: a route missing from the
table answers 403 to everyone, and ``tests/integration/test_role_matrix.py`` fails until it is
added. Anonymous requests for a page are sent to ``/login``.

Routes under ``/api/`` authenticate with bearer tokens in :mod:`damai.web.api`, whose own table
``API_ROUTE_ROLES`` uses the same key format; this middleware leaves them to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Match, Mount

from damai.auth import role_at_least
from damai.web.context import WebContext
from damai.web.security import SESSION_COOKIE

__all__ = ["API_PREFIX", "PUBLIC", "ROUTE_ROLES", "install_authz", "route_key"]

PUBLIC: Final = "public"
API_PREFIX: Final = "/api/"

#: (method, path template) → the lowest role allowed, or PUBLIC
ROUTE_ROLES: Final[dict[tuple[str, str], str]] = {
    # no login needed
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/lang"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/static"): PUBLIC,
    # every signed-in user
    ("POST", "/logout"): "viewer",
    ("GET", "/"): "viewer",
    ("GET", "/posts"): "viewer",
    ("GET", "/posts/{post_id}"): "viewer",
    ("GET", "/model"): "viewer",
    # analysts work the triage queue
    ("GET", "/triage"): "analyst",
    ("POST", "/triage/{post_id}/assign"): "analyst",
    ("POST", "/triage/{post_id}/review"): "analyst",
    ("POST", "/triage/{post_id}/dismiss"): "analyst",
    # administrators
    ("GET", "/users"): "admin",
    ("POST", "/users"): "admin",
    ("POST", "/users/{name}/role"): "admin",
    ("POST", "/users/{name}/disable"): "admin",
    ("GET", "/audit"): "admin",
    ("GET", "/audit.csv"): "admin",
}


def route_key(app: FastAPI, request: Request) -> tuple[str, str] | None:
    """``(method, path template)`` of the route ``request`` matches, or None (404/405)."""
    method = "GET" if request.method == "HEAD" else request.method
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match is Match.FULL:
            path = route.path if isinstance(route, Mount) else getattr(route, "path", "")
            return method, path
    return None


def _deny(request: Request, status: int) -> Response:
    if status == 401:
        target = "/login?next=" + quote(request.url.path, safe="/")
        if request.headers.get("HX-Request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    return PlainTextResponse("Akses ditolak / access denied", status_code=status)


def install_authz(app: FastAPI, ctx: WebContext) -> None:
    """Add the middleware that loads the session and applies :data:`ROUTE_ROLES`."""

    @app.middleware("http")
    async def authorise(request: Request,
                        call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request.state.session = None
        if request.url.path.startswith(API_PREFIX):
            return await call_next(request)
        key = route_key(app, request)
        if key is None:
            return await call_next(request)  # the router answers 404 or 405
        minimum = ROUTE_ROLES.get(key)
        if minimum is None:
            return _deny(request, 403)  # fail closed: an undeclared route serves no one
        cookie = request.cookies.get(SESSION_COOKIE)
        session = ctx.auth.get_session(cookie) if cookie else None
        request.state.session = session
        if minimum == PUBLIC:
            return await call_next(request)
        if session is None:
            return _deny(request, 401)
        if not role_at_least(session.user.role, minimum):
            return _deny(request, 403)
        return await call_next(request)
