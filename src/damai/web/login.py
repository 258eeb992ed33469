"""``/login``, ``/logout``, ``/lang`` and ``/tz``: sessions begin and end here, and the
viewer picks a language and a time zone.

A wrong user name and a wrong password get the same page, status and cost (the account store
checks a dummy hash for unknown names). Every attempt passes :class:`LoginLimiter` before the
password is checked: per address, per address and name (exponential back-off), and per name for
addresses that have failed, so failing on purpose cannot lock the real user out. A successful
login always issues a new session id (the old one, if any, is ended), so a session id planted
before login is worthless after it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from damai import settings
from damai.privacy import installation_secret
from damai.web.context import WebContext
from damai.web.i18n import LANG_COOKIE, LANGS
from damai.web.render import DEFAULT_ZONE, TZ_COOKIE, ZONES, current_session, render
from damai.web.security import (
    CSRF,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    LoginLimiter,
    login_token_ok,
    new_login_token,
    safe_next,
    set_cookie,
)

__all__ = ["add_login_routes"]


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def add_login_routes(app: FastAPI, ctx: WebContext) -> None:
    router = app
    limiter = LoginLimiter()
    secret = installation_secret()

    def login_page(request: Request, next_path: str, error: str | None,
                   status_code: int = 200) -> Response:
        token = new_login_token(secret)
        response = render(request, "login.html", {"next": next_path, "error": error,
                                                  "login_csrf": token}, status_code)
        set_cookie(response, LOGIN_CSRF_COOKIE, token, max_age=3600, same_site="strict")
        return response

    @router.get("/login")
    def login_form(request: Request,
                         next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
        return login_page(request, safe_next(next), None)

    @router.post("/login")
    def login(request: Request, name: Annotated[str, Form(max_length=200)],
                    password: Annotated[str, Form(max_length=1000)],
                    csrf_token: Annotated[str, Form(max_length=200)] = "",
                    code: Annotated[str, Form(max_length=20)] = "",
                    next: Annotated[str, Form(max_length=500)] = "/") -> Response:
        ip = _client_ip(request)
        target = safe_next(next)
        if not login_token_ok(secret, request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
            return login_page(request, target, "login.expired", 403)
        if not limiter.allow(ip, name):
            ctx.auth.audit(name.strip().lower()[:64] or "-", "login_rate_limited", None, {},
                           ip=ip)
            return login_page(request, target, "login.limited", 429)
        # a plain `def` route: argon2 (tens of milliseconds) runs in the thread pool
        user = ctx.auth.authenticate(name, password, ip=ip, code=code or None)
        if user is None:
            limiter.failed(ip, name)
            return login_page(request, target, "login.failed", 401)
        limiter.succeeded(ip, name)
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            ctx.auth.end_session(old)
        hours = float(settings.get_int("session_hours"))
        session = ctx.auth.create_session(user, hours=hours, ip=ip)
        response = RedirectResponse(target, status_code=303)
        set_cookie(response, SESSION_COOKIE, session.id, max_age=int(hours * 3600))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @router.post("/logout", dependencies=CSRF)
    def logout(request: Request) -> Response:
        session = current_session(request)
        if session is not None:
            ctx.auth.end_session(session.id)
            ctx.auth.audit(session.user.name, "logout", session.user.name,
                           ip=_client_ip(request))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/lang")
    def switch_language(to: Annotated[str, Query(max_length=5)] = "id",
                              next: Annotated[str | None, Query(max_length=500)] = None
                              ) -> Response:
        response = RedirectResponse(safe_next(next), status_code=303)
        set_cookie(response, LANG_COOKIE, to if to in LANGS else LANGS[0],
                   max_age=365 * 24 * 3600, http_only=False)
        return response


    @router.get("/tz")
    def switch_zone(to: Annotated[str, Query(max_length=5)] = DEFAULT_ZONE,
                    next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
        """The zone times are shown in (WIB, WITA, WIT or UTC), kept in a cookie; stored times
        stay UTC (issue #14)."""
        response = RedirectResponse(safe_next(next), status_code=303)
        set_cookie(response, TZ_COOKIE, to if to in ZONES else DEFAULT_ZONE,
                   max_age=365 * 24 * 3600, http_only=False)
        return response
