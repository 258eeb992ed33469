"""App-wide ASGI guards for the dashboard and the API: security headers on every answer, crashes
answered (not leaked), NUL bytes refused in URLs, and a body limit on page routes.

Order (outermost first): :class:`SecurityHeaders` → ``CatchCrashes`` → :class:`RejectNul` →
``BodyLimit`` (pages only) → the app, so an answer made by any guard, a page crash included,
carries the security headers. ``CatchCrashes`` and ``BodyLimit`` are the API's classes
(:mod:`damai.web.api.errors`), given a plain-text answer for pages; the API keeps its own error
shape, larger body limit and crash handler on its sub-application.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from damai import settings
from damai.web.api.errors import ApiError, BodyLimit, BodyTooLarge, CatchCrashes, error_response
from damai.web.i18n import MESSAGES
from damai.web.security import SECURITY_HEADERS
from damai.web.status import status_page

__all__ = ["NO_STORE", "RejectNul", "SecurityHeaders", "install_guards"]

_API: Final = "/api/"
_STATIC: Final = "/static/"
#: signed-in pages, JSON and CSV must not be kept by the browser or a proxy
NO_STORE: Final = {"Cache-Control": "no-store"}


def _both(key: str) -> str:
    indonesian, english = MESSAGES[key]
    return f"{indonesian} / {english}"


def _answer(scope: Scope, status: int, key: str, code: str) -> Response:
    """An error answer: the API's error shape under ``/api/``, the styled page elsewhere."""
    if scope["path"].startswith(_API):
        return error_response(ApiError(status, code, _both(key)))
    return status_page(status, message=MESSAGES[key])


_KEYS: Final = {413: "error.too_large", 500: "error.server"}
#: what the router's own 404 and 405 become (a page route's own 404 renders ``error.html``)
_ROUTER: Final = {404: ("error.not_found", "not_found"),
                  405: ("error.method", "method_not_allowed")}


def _page_answer(scope: Scope, error: ApiError) -> Response:
    return _answer(scope, error.status, _KEYS[error.status], error.code)


async def _too_large(request: Request, exc: Exception) -> Response:
    """A page body passed the limit while its form was read (an HTTP exception, so form
    parsing passed it on instead of turning it into a 400)."""
    assert isinstance(exc, ApiError)
    return _page_answer(request.scope, exc)


async def _router_error(request: Request, exc: Exception) -> Response:
    """No route for the address (404) or the method (405): the styled page, or the API's error
    shape under ``/api/``; any other HTTP error as FastAPI answers it."""
    assert isinstance(exc, HTTPException)
    if exc.status_code not in _ROUTER:
        return await http_exception_handler(request, exc)
    key, code = _ROUTER[exc.status_code]
    response = _answer(request.scope, exc.status_code, key, code)
    if exc.headers:  # a 405's Allow
        response.headers.update(exc.headers)
    return response


def install_guards(app: FastAPI) -> None:
    """Add the guards; call last, so :class:`SecurityHeaders` is the outermost middleware.
    The body limit and the crash catcher are the API's own classes, answering pages in plain
    text."""
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_exception_handler(HTTPException, _router_error)
    app.add_middleware(BodyLimit, limit=settings.get_int("web_max_body_bytes"),
                       answer=_page_answer, skip_prefix=_API)
    app.add_middleware(RejectNul)
    app.add_middleware(CatchCrashes, answer=_page_answer)
    app.add_middleware(SecurityHeaders)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response, and ``Cache-Control: no-store`` to
    every one but the static assets (plain ASGI: no per-request task or body streams)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith(_STATIC)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(SECURITY_HEADERS)
                if not cacheable:
                    headers.update(NO_STORE)
            await send(message)

        await self.app(scope, receive, with_headers)


class RejectNul:
    """400 for a NUL byte in the path or the query string: no Damai value holds one, and
    PostgreSQL refuses it in text, which would turn a typo into a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_nul(scope):
            await _answer(scope, 400, "error.nul", "invalid_parameter")(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _has_nul(scope: Scope) -> bool:
    query = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(query.replace(b"+", b" "))
