"""``/account``: a user's own password, sessions and two-factor login (issue #14 part 7), and
the administrator's password reset on ``/users``.

- **Password change** needs the current password; the user's other sessions end.
- **A reset** (``POST /users/{name}/reset-password``) gives a one-time password, shown once to
  the admin, and ends the user's sessions. A user with a one-time password (a reset, or the demo
  admin's) sees only ``/account`` until they choose a new one
  (:func:`damai.web.authz.forced_page`, applied by the authorisation middleware).
- **Sessions**: each live login with its start, end and address; the user ends one or all
  others. A session is named by the stored hash of its cookie, which cannot be turned back into
  the cookie.
- **TOTP** (``pyotp``, RFC 6238) for admins and approvers: begun (a secret for the app),
  confirmed by a code, then asked at every login. ``DAMAI_REQUIRE_2FA=true`` makes it required
  for those roles: until it is on they see only ``/account``.

Every change is audited by the account store, in the same transaction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import FastAPI, Form, Request, Response

from damai.auth import User, hash_token, role_at_least
from damai.errors import InputError
from damai.web.admin import users_page
from damai.web.context import WebContext
from damai.web.render import current_session, render
from damai.web.security import CSRF

__all__ = ["add_account_routes"]

Password = Annotated[str, Form(max_length=1000)]


def add_account_routes(app: FastAPI, ctx: WebContext) -> None:
    def page(request: Request, *, error: str | None = None, notice: str | None = None,
             secret: tuple[str, str] | None = None, status: int = 200) -> Response:
        session = current_session(request)
        assert session is not None
        user = ctx.auth.get_user(session.user.name) or session.user
        return render(request, "account.html", {
            "me": user, "error": error, "notice": notice, "secret": secret,
            "sessions": ctx.auth.sessions_of(user.name), "this": hash_token(session.id),
            "totp_allowed": role_at_least(user.role, "approver"),
            "totp_required": ctx.auth.needs_totp(user) or (
                user.totp and ctx.auth.needs_totp(_without_totp(user)))}, status)

    def who(request: Request) -> tuple[str, str, str | None]:
        session = current_session(request)
        assert session is not None
        return session.user.name, session.id, request.client.host if request.client else None

    @app.get("/account")
    def account(request: Request) -> Response:
        return page(request)

    @app.post("/account/password", dependencies=CSRF)
    def change_password(request: Request, current: Password, new: Password,
                        repeat: Password) -> Response:
        name, session_id, ip = who(request)
        if new != repeat:
            return page(request, error="account.mismatch", status=400)
        try:
            ctx.auth.change_password(name, current, new, ip=ip, session_id=session_id)
        except InputError as exc:
            return page(request, error=exc.message, status=400)
        return page(request, notice="account.changed")

    @app.post("/account/sessions/end", dependencies=CSRF)
    def end_session(request: Request,
                    key: Annotated[str, Form(max_length=128)] = "") -> Response:
        name, session_id, ip = who(request)
        this = hash_token(session_id)
        if key:
            if key != this:
                ctx.auth.end_sessions_of(name, key, actor=name, ip=ip)
        else:  # every other session
            for other in ctx.auth.sessions_of(name):
                if other.key != this:
                    ctx.auth.end_sessions_of(name, other.key, actor=name, ip=ip)
        return page(request, notice="account.ended")

    @app.post("/account/2fa/begin", dependencies=CSRF)
    def totp_begin(request: Request) -> Response:
        name, _, _ = who(request)
        user = ctx.auth.get_user(name)
        if user is None or not role_at_least(user.role, "approver"):
            return page(request, error="account.totp_roles", status=403)
        try:
            return page(request, secret=ctx.auth.totp_begin(name))
        except InputError as exc:
            return page(request, error=exc.message, status=400)

    @app.post("/account/2fa/confirm", dependencies=CSRF)
    def totp_confirm(request: Request,
                     code: Annotated[str, Form(max_length=20)]) -> Response:
        name, _, ip = who(request)
        try:
            ctx.auth.totp_confirm(name, code, ip=ip)
        except InputError as exc:
            return page(request, error=exc.message, status=400)
        return page(request, notice="account.totp_enabled")

    @app.post("/account/2fa/disable", dependencies=CSRF)
    def totp_disable(request: Request, code: Annotated[str, Form(max_length=20)]) -> Response:
        name, _, ip = who(request)
        user = ctx.auth.get_user(name)
        if user is None or not user.totp:
            return page(request)
        if ctx.auth.needs_totp(_without_totp(user)):
            return page(request, error="account.totp_required", status=400)
        if not ctx.auth.totp_check(name, code):
            return page(request, error="kode salah atau kedaluwarsa / wrong or expired code",
                        status=400)
        ctx.auth.totp_disable(name, actor=name, ip=ip)
        return page(request, notice="account.totp_disabled")

    @app.post("/users/{name}/reset-password", dependencies=CSRF)
    def reset_password(request: Request, name: str) -> Response:
        admin, _, ip = who(request)
        try:
            password = ctx.auth.reset_password(name, actor=admin, ip=ip)
        except InputError as exc:
            return users_page(ctx, request, exc.message, 400)
        return users_page(ctx, request, reset=(name.strip().lower(), password))


def _without_totp(user: User) -> User:
    return replace(user, totp=False)
