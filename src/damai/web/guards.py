"""App-wide ASGI guards for the dashboard and the API: security headers on every answer, crashes
answered (not leaked), NUL bytes refused in URLs, and a body limit on page routes.

Order (outermost first): :class:`SecurityHeaders` → :class:`PageCrashes` → :class:`RejectNul` →
:class:`PageBodyLimit` → the app, so an answer made by any guard, a page crash included,
carries the security headers. The API keeps its own error shape, body limit and crash handler
on its sub-application (:mod:`damai.web.api.errors`); these guards answer API paths in that
shape too.
"""

from __future__ import annotations

import logging
from typing import Final
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from damai import settings
from damai.web.api.errors import ApiError, error_response
from damai.web.i18n import MESSAGES
from damai.web.security import SECURITY_HEADERS

__all__ = ["NO_STORE", "PageBodyLimit", "PageCrashes", "RejectNul", "SecurityHeaders",
           "install_guards"]

log = logging.getLogger("damai.web")

_API: Final = "/api/"
_STATIC: Final = "/static/"
#: signed-in pages, JSON and CSV must not be kept by the browser or a proxy
NO_STORE: Final = {"Cache-Control": "no-store"}


def _both(key: str) -> str:
    indonesian, english = MESSAGES[key]
    return f"{indonesian} / {english}"


def _answer(scope: Scope, status: int, key: str, code: str) -> Response:
    """An error answer: the API's error shape under ``/api/``, plain text elsewhere."""
    if scope["path"].startswith(_API):
        return error_response(ApiError(status, code, _both(key)))
    return PlainTextResponse(_both(key), status_code=status)


def install_guards(app: FastAPI) -> None:
    """Add the guards; call last, so :class:`SecurityHeaders` is the outermost middleware."""
    app.add_exception_handler(_BodyTooLarge, _too_large)
    app.add_middleware(PageBodyLimit, limit=settings.get_int("web_max_body_bytes"))
    app.add_middleware(RejectNul)
    app.add_middleware(PageCrashes)
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


class PageCrashes:
    """Answers an exception that escaped a route with a 500 (logged, nothing about it sent), so
    the answer still passes :class:`SecurityHeaders`; Starlette's own handler sits outside
    every middleware and would send a bare page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("crash on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await _answer(scope, 500, "error.server", "internal_error")(scope, receive, send)


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


class PageBodyLimit:
    """413 for a page request whose body passes ``limit`` bytes: at once on its
    ``Content-Length``, else while it is read. API paths have their own, larger limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_API):
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.limit:
            await _answer(scope, 413, "error.too_large", "payload_too_large")(scope, receive,
                                                                             send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _answer(scope, 413, "error.too_large", "payload_too_large")(scope, receive,
                                                                             send)


class _BodyTooLarge(HTTPException):
    """An HTTP exception, so form parsing passes it on instead of turning it into a 400."""

    def __init__(self) -> None:
        super().__init__(413)


async def _too_large(request: Request, _: Exception) -> Response:
    return _answer(request.scope, 413, "error.too_large", "payload_too_large")


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0
