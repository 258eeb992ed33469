"""One error shape for every ``/api/v1`` answer that is not a success.

Every error body is ``{"error": {"code": "...", "message": "...", "detail": ...}}``: ``code`` is a
short stable slug a program can test, ``message`` says in Indonesian, then English, what went
wrong and what to do next, and ``detail`` (may be ``null``) carries what a program needs to fix
the request, such as the fields a validation error names. The handlers live on the API's own
sub-application, so the dashboard pages keep their HTML error pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from damai.errors import DamaiError
from damai.storage import StoreUnavailable

__all__ = ["ERROR_RESPONSES", "Answer", "ApiError", "BodyLimit", "BodyTooLarge", "CatchCrashes",
           "ErrorBody",
           "JSONBody", "documented", "error_response", "install_error_handlers"]

log = logging.getLogger("damai.web.api")

#: the default code and message of each status an API route can answer with
_STATUS: Final[dict[int, tuple[str, str]]] = {
    400: ("malformed_body", "Isi permintaan tidak bisa dibaca: kirim JSON UTF-8 yang sah / The "
                            "body cannot be read: send valid UTF-8 JSON."),
    401: ("unauthorized", "Token tidak ada atau tidak sah: kirim header `Authorization: Bearer "
                          "TOKEN` (buat token dengan `damai token create`) / Missing or invalid "
                          "token: send `Authorization: Bearer TOKEN` (create one with `damai token "
                          "create`)."),
    403: ("forbidden", "Peran Anda tidak cukup untuk rute ini / Your role may not use this "
                       "route."),
    404: ("not_found", "Tidak ditemukan: periksa alamatnya / Not found: check the path."),
    405: ("method_not_allowed", "Metode HTTP ini tidak didukung di alamat ini / This HTTP method "
                                "is not allowed here."),
    413: ("payload_too_large", "Isi permintaan terlalu besar / Request body too large."),
    415: ("unsupported_media_type", "Jenis isi tidak didukung / Unsupported content type."),
    422: ("validation_failed", "Parameter atau isi permintaan tidak sah: lihat `detail` / Invalid "
                               "parameters or body: see `detail`."),
    429: ("too_many_requests", "Terlalu banyak permintaan: tunggu sebentar lalu coba lagi / Too "
                               "many requests: wait a moment and retry."),
    500: ("internal_error", "Terjadi kesalahan di server; sudah dicatat. Coba lagi nanti / "
                            "Server error; it was logged. Try again later."),
    503: ("store_unavailable", "Basis data tidak terjangkau saat ini; coba lagi sebentar lagi / "
                               "The database cannot be reached now; try again shortly."),
}
#: seconds a client should wait before retrying a 503
RETRY_AFTER = "5"

_OTHER: Final = ("request_failed", "Permintaan gagal / The request failed.")


class JSONBody(Response):
    """JSON rendered with orjson (fast, and datetimes as ISO 8601)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class ApiError(StarletteHTTPException):
    """Raise in an API route (or while its body is read) to answer with the error shape. An
    HTTP exception, so FastAPI passes it through body parsing unchanged."""

    def __init__(self, status: int, code: str | None = None, message: str | None = None,
                 detail: Any = None, headers: dict[str, str] | None = None) -> None:
        default_code, default_message = _STATUS.get(status, _OTHER)
        super().__init__(status, message or default_message, headers)
        self.status, self.code = status, code or default_code
        self.message, self.error_detail = message or default_message, detail


class ErrorInfo(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorBody(BaseModel):
    """Bentuk setiap jawaban galat / The shape of every error answer."""

    error: ErrorInfo


def error_response(error: ApiError) -> JSONBody:
    body = {"error": {"code": error.code, "message": error.message,
                      "detail": error.error_detail}}
    return JSONBody(body, status_code=error.status, headers=error.headers)


def documented(*errors: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for errors a route may answer with, each ``(status, description)``."""
    return {status: {"model": ErrorBody, "description": text} for status, text in errors}


#: documented on every route: the errors any route may answer with
ERROR_RESPONSES: Final = documented(*((s, _STATUS[s][1])
                                      for s in (400, 401, 403, 422, 429, 500)))


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    """The fields and reasons of a validation error, without echoing the (hostile) input."""
    return [{"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")),
             "type": str(e.get("type", ""))} for e in exc.errors()]


async def _on_api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _on_http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return error_response(ApiError(exc.status_code, headers=headers))


async def _on_validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(ApiError(422, detail=_validation_detail(exc)))


async def _on_damai_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, DamaiError)
    if isinstance(exc, StoreUnavailable):  # the database went away: not the client's fault
        log.warning("database unavailable: %s", exc.message)
        return error_response(ApiError(503, headers={"Retry-After": RETRY_AFTER}))
    return error_response(ApiError(400, "invalid_input", exc.message, {"damai_code": exc.code}))


def install_error_handlers(api: FastAPI) -> None:
    api.add_exception_handler(ApiError, _on_api_error)
    api.add_exception_handler(StarletteHTTPException, _on_http_error)
    api.add_exception_handler(RequestValidationError, _on_validation_error)
    api.add_exception_handler(DamaiError, _on_damai_error)


#: how a guard answers: the error shape by default; the pages pass their own (plain text)
Answer = Callable[[Scope, ApiError], Response]


def _shaped(_: Scope, error: ApiError) -> Response:
    return error_response(error)


class CatchCrashes:
    """Answer an unexpected exception with a 500 (and log it), instead of letting it reach the
    server, where Starlette's own handler sits outside every middleware (so its page would lack
    the security headers); nothing about the crash is sent to the client."""

    def __init__(self, app: ASGIApp, answer: Answer = _shaped) -> None:
        self.app, self.answer = app, answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            log.exception("crash on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await self.answer(scope, ApiError(500))(scope, receive, send)


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, message=(
            f"Isi permintaan melebihi batas {limit} bita: pecah menjadi beberapa permintaan atau "
            f"naikkan DAMAI_API_MAX_BODY_BYTES / Request body exceeds the {limit}-byte limit: "
            "split it into several requests or raise DAMAI_API_MAX_BODY_BYTES."),
            detail={"limit_bytes": limit})


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes: at once on a larger ``Content-Length``, and
    while reading a body without one (chunked), so no route ever buffers more than the limit.
    Paths under ``skip_prefix`` pass (the pages skip the API, which has its own limit)."""

    def __init__(self, app: ASGIApp, limit: int, answer: Answer = _shaped,
                 skip_prefix: str | None = None) -> None:
        self.app, self.limit, self.answer, self.skip = app, limit, answer, skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.skip and scope["path"].startswith(self.skip)):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self.answer(scope, BodyTooLarge(self.limit))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
