"""Security plumbing for the dashboard: headers and CSP, cookies, CSRF and the login rate limit.

- **Headers.** Every response carries a Content-Security-Policy with ``script-src 'self'``: no
  inline script, no inline event handler and no CDN can run. Pages pass data to their scripts in
  ``<script type="application/json">`` blocks, which are data, not code.
- **Session cookie** ``damai_session``: HttpOnly, SameSite=Lax, Secure unless
  ``DAMAI_COOKIE_SECURE=false``. Browsers keep Secure cookies on ``http://127.0.0.1`` and
  ``http://localhost`` (both count as secure contexts), so the default works for a local server.
- **CSRF.** Each session has its own random token. Every unsafe request (POST) must echo it, in the
  ``csrf_token`` form field or, from htmx, the ``X-CSRF-Token`` header. The login form has no
  session yet: it uses a double-submit token (a random cookie that the form must repeat).
- **Login rate limit**, per IP address and per user name, in memory (``limits``).
"""

from __future__ import annotations

import secrets
from typing import Final

from fastapi import Depends, Request, Response
from fastapi.responses import PlainTextResponse
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from damai import settings

__all__ = [
    "CSRF",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "CSRF_MESSAGE",
    "LOGIN_CSRF_COOKIE",
    "SECURITY_HEADERS",
    "SESSION_COOKIE",
    "CsrfRejected",
    "LoginLimiter",
    "check_csrf",
    "csrf_matches",
    "csrf_rejected",
    "new_token",
    "safe_next",
    "set_cookie",
]

SESSION_COOKIE: Final = "damai_session"
LOGIN_CSRF_COOKIE: Final = "damai_login_csrf"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
_UNSAFE: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})

SECURITY_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def set_cookie(response: Response, name: str, value: str, *, max_age: int | None,
               same_site: str = "lax", http_only: bool = True) -> None:
    """Set a Damai cookie with the flags every one of them shares."""
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=http_only,
                        samesite=same_site,  # type: ignore[arg-type]
                        secure=settings.get_bool("cookie_secure"))


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and secrets.compare_digest(str(expected), str(given))


async def check_csrf(request: Request) -> None:
    """A router dependency: refuse an unsafe request whose CSRF token does not match the
    session's. Runs after :mod:`damai.web.authz` has put the session on ``request.state``."""
    if request.method not in _UNSAFE:
        return
    session = getattr(request.state, "session", None)
    if session is None:  # public unsafe routes (login) check their own token
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_matches(session.csrf, given):
        raise CsrfRejected


class CsrfRejected(Exception):
    """An unsafe page request without the session's CSRF token (answered by
    :func:`csrf_rejected`)."""


CSRF_MESSAGE: Final = ("Formulir kedaluwarsa atau tidak sah: muat ulang halaman lalu coba lagi. / "
                       "The form expired or is not valid: reload the page and try again.")


async def csrf_rejected(_: Request, __: Exception) -> Response:
    """403 with a message a person can act on (the form is stale), never the token."""
    return PlainTextResponse(CSRF_MESSAGE, status_code=403)


#: ``dependencies=CSRF`` on every page route that changes something
CSRF: Final = [Depends(check_csrf)]


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path to go to after login or a language switch; anything else (another host,
    a scheme, ``//host``, a backslash) becomes ``default``."""
    if (not target or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return default
    return target


class LoginLimiter:
    """Login attempts per IP address and per user name, in a moving window, in memory. Each
    process counts on its own; behind several workers the effective limit is multiplied."""

    def __init__(self, rate: str | None = None) -> None:
        self.items: list[RateLimitItem] = parse_many(rate or settings.get("login_rate"))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, ip: str, name: str) -> bool:
        """Count one attempt; False when the IP or the name is over any limit."""
        allowed = True
        for item in self.items:
            for kind, key in (("ip", ip), ("user", name.strip().lower()[:64])):
                allowed = self._limiter.hit(item, "login", kind, key) and allowed
        return allowed
