"""Security plumbing for the dashboard: headers and CSP, cookies, CSRF and the login rate limit.

- **Headers.** Every response carries a Content-Security-Policy with ``script-src 'self'``: no
  inline script, no inline event handler and no CDN can run. Pages pass data to their scripts in
  ``<script type="application/json">`` blocks, which are data, not code.
- **Session cookie** ``damai_session``: HttpOnly, SameSite=Lax, Secure unless
  ``DAMAI_COOKIE_SECURE=false``. Browsers keep Secure cookies on ``http://127.0.0.1`` and
  ``http://localhost`` (both count as secure contexts), so the default works for a local server.
- **CSRF.** Each session has its own random token. Every unsafe request (POST) must echo it, in the
  ``csrf_token`` form field or, from htmx, the ``X-CSRF-Token`` header. The login form has no
  session yet: it uses a double-submit token (a random cookie, signed with the installation
  secret, that the form must repeat).
- **Login rate limit**, per IP address, per address and name (exponential back-off) and per user
  name, in memory (``limits``); see :class:`LoginLimiter`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
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
    "login_token_ok",
    "new_login_token",
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


def _sign(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, b"login-csrf:" + nonce.encode(), hashlib.sha256).hexdigest()[:32]


def new_login_token(secret: bytes) -> str:
    """The login form's double-submit token, signed with the installation secret: a cookie
    planted by someone else (a sibling subdomain can set cookies) does not verify."""
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_sign(secret, nonce)}"


def login_token_ok(secret: bytes, cookie: str | None, given: str | None) -> bool:
    """The form repeats the cookie, and the cookie carries our signature."""
    if not csrf_matches(cookie, given):
        return False
    nonce, _, signature = str(cookie).partition(".")
    return bool(nonce) and secrets.compare_digest(signature, _sign(secret, nonce))


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
    """Login attempts, in memory, per process (behind several workers the limits multiply).

    - **Per address**: every attempt counts against ``DAMAI_LOGIN_RATE``; over it, that address
      waits.
    - **Per address and name**: after ``FREE_FAILURES`` wrong passwords (typos), each one
      doubles how long that pair must wait before its next attempt (1 s, 2 s, 4 s, … up to an
      hour); a right one clears it.
    - **Per name**: wrong passwords count against ``DAMAI_LOGIN_RATE``. Over it, the name is
      refused only to addresses that have failed recently; an address with no failure may still
      try, so an attacker cannot lock the real user out from everywhere by failing on purpose.
    """

    #: wrong passwords a pair may make before it must wait (a person's typos)
    FREE_FAILURES: Final = 3
    _MAX_BACKOFF: Final = 3600.0
    _FAILED_FOR: Final = 3600.0
    _MAX_TRACKED: Final = 50_000

    def __init__(self, rate: str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.items: list[RateLimitItem] = parse_many(rate or settings.get("login_rate"))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._clock = clock
        self._pairs: dict[tuple[str, str], tuple[int, float]] = {}  # failures, wait until
        self._failed_at: dict[str, float] = {}  # address → time of its last failure

    @staticmethod
    def _key(name: str) -> str:
        return name.strip().lower()[:64]

    def allow(self, ip: str, name: str) -> bool:
        """Count one attempt from ``ip``; False when it must wait (see the class)."""
        key = self._key(name)
        allowed = all([self._limiter.hit(item, "login", "ip", ip) for item in self.items])
        failures, until = self._pairs.get((ip, key), (0, 0.0))
        if failures and self._clock() < until:
            return False
        name_over = not all(self._limiter.test(item, "login", "user", key)
                            for item in self.items)
        return allowed and not (name_over and self._has_failed(ip))

    def failed(self, ip: str, name: str) -> None:
        """Record a wrong password from ``ip`` for ``name``."""
        key, now = self._key(name), self._clock()
        for item in self.items:
            self._limiter.hit(item, "login", "user", key)
        failures = self._pairs.pop((ip, key), (0, 0.0))[0] + 1
        over = failures - self.FREE_FAILURES
        wait = min(2.0 ** (over - 1), self._MAX_BACKOFF) if over > 0 else 0.0
        self._pairs[(ip, key)] = (failures, now + wait)
        self._failed_at.pop(ip, None)
        self._failed_at[ip] = now  # (re-inserted: the oldest entries are forgotten first)
        self._bound()

    def succeeded(self, ip: str, name: str) -> None:
        self._pairs.pop((ip, self._key(name)), None)

    def _has_failed(self, ip: str) -> bool:
        last = self._failed_at.get(ip)
        return last is not None and self._clock() - last < self._FAILED_FOR

    def _bound(self) -> None:
        """Forget the oldest entries, so a flood of names cannot fill the memory."""
        while len(self._pairs) > self._MAX_TRACKED:
            del self._pairs[next(iter(self._pairs))]
        while len(self._failed_at) > self._MAX_TRACKED:
            del self._failed_at[next(iter(self._failed_at))]
