"""Template rendering shared by every page: one Jinja2 environment (autoescaping on), the
language, the signed-in user and the CSRF token, and the filters hostile data goes through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from damai.auth import Session, User, role_at_least
from damai.identity import display_url
from damai.understand.taxonomy import load_taxonomy
from damai.web.i18n import DEFAULT_LANG, LANG_COOKIE, LANGS, translator

__all__ = ["DEFAULT_ZONE", "TEMPLATES", "TZ_COOKIE", "ZONES", "current_session", "in_language",
           "language", "render", "safe_href", "signed_in", "time_zone", "when_in"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def safe_href(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None: a ``javascript:``, ``data:`` or
    relative link in post data never becomes an href."""
    if not isinstance(url, str) or any(ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def in_language(message: object, lang: str) -> str:
    """The half of a two-language message ("Indonesia / English") for ``lang``; a message with
    no such separator whole."""
    text = str(message or "")
    indonesian, separator, english = text.partition(" / ")
    if not separator:
        return text
    return english if lang == "en" else indonesian


TEMPLATES.env.filters["safe_href"] = safe_href
TEMPLATES.env.filters["display_url"] = display_url
TEMPLATES.env.filters["in_language"] = in_language


#: the zones a viewer may read times in (issue #14): Indonesia's three, and UTC. Times are
#: stored in UTC; only what a page shows changes.
ZONES: Final[dict[str, timezone]] = {"WIB": timezone(timedelta(hours=7), "WIB"),
                                     "WITA": timezone(timedelta(hours=8), "WITA"),
                                     "WIT": timezone(timedelta(hours=9), "WIT"),
                                     "UTC": UTC}
TZ_COOKIE: Final = "damai_tz"
DEFAULT_ZONE: Final = "WIB"


def time_zone(request: Request) -> str:
    """The viewer's zone (the ``damai_tz`` cookie set on ``/tz``; WIB by default)."""
    zone = request.cookies.get(TZ_COOKIE, DEFAULT_ZONE)
    return zone if zone in ZONES else DEFAULT_ZONE


def when_in(zone: str) -> Callable[..., str]:
    """``when(moment, fmt)`` for templates: ``moment`` (a datetime or ISO 8601 text; UTC when it
    has no offset) in ``zone``, with the zone's name when the format shows a time of day."""
    tz = ZONES[zone]

    def when(moment: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if not moment:
            return "—"
        if isinstance(moment, str):  # an ISO 8601 time from a view's dict
            moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        text = moment.astimezone(tz).strftime(fmt)
        return f"{text} {zone}" if "%H" in fmt else text

    return when


def label_namer(lang: str) -> Callable[[str], str]:
    """``label_name(name)`` for templates: a label's or sub-label's display name in ``lang`` (from
    the bundled taxonomy; a label it does not name shows as itself)."""
    taxonomy = load_taxonomy()
    return lambda name: taxonomy.name(name, lang)


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def current_session(request: Request) -> Session | None:
    session: Session | None = getattr(request.state, "session", None)
    return session


def signed_in(request: Request) -> tuple[User, str | None]:
    """The signed-in user of a page route and the client's address (what an audit entry
    keeps); the authorisation middleware lets only signed-in users reach such a route."""
    session = current_session(request)
    assert session is not None
    return session.user, request.client.host if request.client else None


def render(request: Request, name: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    """Render template ``name`` with the values every page uses."""
    lang = language(request)
    session = current_session(request)
    values = {
        "lang": lang, "t": translator(lang), "session": session,
        "label_name": label_namer(lang),
        "zone": time_zone(request), "zones": tuple(ZONES), "when": when_in(time_zone(request)),
        "user": session.user if session else None,
        "csrf": session.csrf if session else "",
        "can": (lambda role: session is not None and role_at_least(session.user.role, role)),
        "path": request.url.path,
        **context,
    }
    return TEMPLATES.TemplateResponse(request, name, values, status_code=status_code)
