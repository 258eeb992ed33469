"""Administrator pages: users (add, change role, disable) and the audit log (filter, CSV).

Every change goes through :class:`~damai.auth.AuthStore`, which writes the audit entry in the
same transaction; the actor is the signed-in administrator.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from damai.auth import ROLES, User, export_audit_csv
from damai.errors import InputError
from damai.web.context import WebContext
from damai.web.render import current_session, render
from damai.web.security import CSRF

__all__ = ["AUDIT_SHOWN", "LAST_ADMIN", "add_admin_routes", "check_keeps_an_admin", "users_page"]

AUDIT_SHOWN = 200
Filter = Annotated[str | None, Query(max_length=100)]


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InputError("tulis tanggal sebagai 2026-11-02 / write the date as "
                         "2026-11-02") from None


LAST_ADMIN = ("Tidak bisa: ini admin aktif terakhir. Jadikan pengguna lain admin dulu. / Not "
              "possible: this is the last active admin. Make another user admin first.")


def check_keeps_an_admin(users: list[User], name: str, *, role: str | None = None,
                         disable: bool = False) -> None:
    """Refuse (``InputError``) a change that would leave no enabled admin: nobody could manage
    users any more from the dashboard."""
    admins = [u for u in users if u.role == "admin" and not u.disabled]
    removes = disable or (role is not None and role != "admin")
    if removes and [u.name for u in admins] == [name.strip().lower()]:
        raise InputError(LAST_ADMIN)


def users_page(ctx: WebContext, request: Request, error: str | None = None, status: int = 200,
               *, reset: tuple[str, str] | None = None) -> Response:
    """The users page; ``reset``: (name, one-time password) to show once after a reset."""
    return render(request, "users.html", {"users": ctx.auth.list_users(), "roles": ROLES,
                                          "error": error, "reset": reset}, status)


def add_admin_routes(app: FastAPI, ctx: WebContext) -> None:
    def who(request: Request) -> tuple[str, str | None]:
        session = current_session(request)
        assert session is not None
        return session.user.name, request.client.host if request.client else None

    @app.get("/users")
    def users(request: Request) -> Response:
        return users_page(ctx, request)

    @app.post("/users", dependencies=CSRF)
    def add_user(request: Request, name: Annotated[str, Form(max_length=64)],
                       role: Annotated[str, Form(max_length=20)],
                       password: Annotated[str, Form(max_length=1000)]) -> Response:
        user, ip = who(request)
        try:
            ctx.auth.add_user(name, role, password, actor=user, ip=ip)
        except InputError as exc:
            return users_page(ctx, request, exc.message, 400)
        return RedirectResponse("/users", status_code=303)

    @app.post("/users/{name}/role", dependencies=CSRF)
    def change_role(request: Request, name: str,
                          role: Annotated[str, Form(max_length=20)]) -> Response:
        user, ip = who(request)
        try:
            check_keeps_an_admin(ctx.auth.list_users(), name, role=role)
            ctx.auth.set_role(name, role, actor=user, ip=ip)
        except InputError as exc:
            return users_page(ctx, request, exc.message, 400)
        return RedirectResponse("/users", status_code=303)

    @app.post("/users/{name}/disable", dependencies=CSRF)
    def disable(request: Request, name: str) -> Response:
        user, ip = who(request)
        try:
            check_keeps_an_admin(ctx.auth.list_users(), name, disable=True)
            ctx.auth.disable_user(name, actor=user, ip=ip)
        except InputError as exc:
            return users_page(ctx, request, exc.message, 400)
        return RedirectResponse("/users", status_code=303)

    def audit_filters(actor_name: str | None, action: str | None, since: str | None,
                      until: str | None) -> dict[str, Any]:
        return {"actor": actor_name or None, "action": action or None,
                "since": _when(since), "until": _when(until)}

    @app.get("/audit")
    def audit(request: Request, actor: Filter = None, action: Filter = None,
                    since: Filter = None, until: Filter = None) -> Response:
        form = {"actor": actor or "", "action": action or "", "since": since or "",
                "until": until or ""}
        try:
            entries = ctx.auth.query_audit(**audit_filters(actor, action, since, until),
                                           limit=AUDIT_SHOWN)
            error = None
        except InputError as exc:
            entries, error = [], exc.message
        return render(request, "audit.html", {"entries": entries, "form": form, "error": error,
                                              "shown": AUDIT_SHOWN,
                                              "query": request.url.query})

    @app.get("/audit.csv")
    def audit_csv(request: Request, actor: Filter = None, action: Filter = None,
                        since: Filter = None, until: Filter = None) -> Response:
        filters = audit_filters(actor, action, since, until)
        buffer = io.StringIO()
        count = export_audit_csv(ctx.auth.query_audit(**filters, limit=None), buffer)
        name, ip = who(request)
        ctx.auth.audit(name, "audit_export", None, {"rows": count}, ip=ip)
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
