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

from typing import Final
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from damai.auth import User, role_at_least
from damai.storage import StoreUnavailable
from damai.web.context import WebContext
from damai.web.security import SESSION_COOKIE
from damai.web.status import status_page

__all__ = ["ACCOUNT_ROUTES", "API_PREFIX", "PUBLIC", "ROUTE_ROLES", "forced_page", "install_authz",
           "route_key"]

PUBLIC: Final = "public"
API_PREFIX: Final = "/api/"

#: (method, path template) → the lowest role allowed, or PUBLIC
ROUTE_ROLES: Final[dict[tuple[str, str], str]] = {
    # no login needed
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/lang"): PUBLIC,
    ("GET", "/tz"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/static"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    # an ambassador's kit page: the signed link is the key (issue #12; damai.web.ambassadors)
    ("GET", "/kit/{token}"): PUBLIC,
    # every signed-in user
    ("POST", "/logout"): "viewer",
    ("GET", "/"): "viewer",
    ("GET", "/posts"): "viewer",
    ("GET", "/posts/{post_id}"): "viewer",
    # the export of a search (issue #14 part 6): analysts, each export audited
    ("GET", "/posts/export"): "analyst",
    ("GET", "/model"): "viewer",
    ("GET", "/model/jobs"): "viewer",
    # the counter-narrative library (issue #11): everyone reads it ...
    ("GET", "/library"): "viewer",
    ("GET", "/library/{entry_id}"): "viewer",
    ("GET", "/library/{entry_id}/diff"): "viewer",
    # ... and the fact-check claims
    ("GET", "/claims"): "viewer",
    ("GET", "/claims/{claim_id}"): "viewer",
    # ... and sees the approver's queue and the dry-run outbox
    ("GET", "/responses"): "viewer",
    ("GET", "/outbox"): "viewer",
    ("GET", "/outbox/alerts"): "viewer",
    # analysts work the triage queue
    ("GET", "/triage"): "analyst",
    ("POST", "/triage/{post_id}/assign"): "analyst",
    ("POST", "/triage/{post_id}/label"): "analyst",
    ("POST", "/triage/{post_id}/review"): "analyst",
    ("POST", "/triage/{post_id}/dismiss"): "analyst",
    ("POST", "/triage/{post_id}/note"): "analyst",
    ("POST", "/triage/bulk"): "analyst",
    ("POST", "/triage/undo"): "analyst",
    # ... and teach the model (issue #9)
    ("GET", "/teach"): "analyst",
    ("POST", "/teach/{post_id}"): "analyst",
    ("POST", "/model/adapt"): "analyst",
    # ... write drafts of library entries (a new entry, or a new version of one)
    ("GET", "/library/new"): "analyst",
    ("POST", "/library"): "analyst",
    ("GET", "/library/{entry_id}/edit"): "analyst",
    ("POST", "/library/{entry_id}"): "analyst",
    # ... propose responses to a post, and edit them
    ("POST", "/posts/{post_id}/responses"): "analyst",
    ("GET", "/posts/{post_id}/recommendations"): "analyst",
    ("GET", "/responses/waiting"): "approver",
    ("POST", "/responses/{response_id}/edit"): "analyst",
    # ... and run the ambassador network (issue #12): personal data, so not for viewers
    ("GET", "/ambassadors"): "analyst",
    ("GET", "/ambassadors/new"): "analyst",
    ("GET", "/ambassadors/kits.csv"): "analyst",
    ("GET", "/ambassadors/kits.json"): "analyst",
    ("POST", "/ambassadors"): "analyst",
    ("GET", "/ambassadors/{ambassador_id}"): "analyst",
    ("POST", "/ambassadors/{ambassador_id}/kits"): "analyst",
    ("POST", "/ambassadors/{ambassador_id}/withdraw"): "analyst",
    ("POST", "/kits/{kit_id}/revoke"): "analyst",
    # approvers put a model in service, or an earlier one back
    ("POST", "/model/{version}/promote"): "approver",
    ("POST", "/model/{version}/rollback"): "approver",
    # ... and approve or retire a library entry
    ("POST", "/library/{entry_id}/approve"): "approver",
    ("POST", "/library/{entry_id}/retire"): "approver",
    # ... approve or reject a response, and publish an approved one (dry-run)
    ("POST", "/responses/{response_id}/approve"): "approver",
    ("POST", "/responses/{response_id}/reject"): "approver",
    ("POST", "/responses/{response_id}/publish"): "approver",
    # ... and pause or resume a real channel (issue #12: revoked credentials pause it)
    ("POST", "/outbox/channels/resume"): "approver",
    ("POST", "/outbox/channels/pause"): "approver",
    ("POST", "/outbox/{publication_id}/settle"): "approver",
    # ... and retract a sent publication from the outbox (issue #12)
    ("POST", "/publications/{publication_id}/retract"): "approver",
    # campaigns (issue #12): everyone sees them and the calendar, analysts create drafts,
    # approvers schedule them (the scheduler publishes in the activator's name) and answer for
    # missed slots
    ("GET", "/campaigns"): "viewer",
    ("GET", "/campaigns/calendar"): "viewer",
    ("GET", "/campaigns/{campaign_id}"): "viewer",
    ("GET", "/campaigns/new"): "analyst",
    ("POST", "/campaigns"): "analyst",
    ("POST", "/campaigns/{campaign_id}/activate"): "approver",
    ("POST", "/campaigns/{campaign_id}/pause"): "approver",
    ("POST", "/campaigns/{campaign_id}/end"): "approver",
    ("POST", "/campaigns/{campaign_id}/confirm-missed"): "approver",
    # measurement (issue #12 part 7): figures per ambassador name people, so analysts and up
    ("GET", "/measure"): "analyst",
    # official hazard events (issue #13): public information, so every signed-in user
    ("GET", "/events"): "viewer",
    # my account (issue #14 part 7): my password, sessions and two-factor login
    ("GET", "/account"): "viewer",
    ("POST", "/account/password"): "viewer",
    ("POST", "/account/sessions/end"): "viewer",
    ("POST", "/account/2fa/begin"): "viewer",
    ("POST", "/account/2fa/confirm"): "viewer",
    ("POST", "/account/2fa/disable"): "viewer",
    # ... and the map of events, citizen reports and calls for help (issue #13 part 6)
    ("GET", "/map"): "viewer",
    ("GET", "/events/{event_id}"): "viewer",
    ("GET", "/events/{event_id}/cap"): "viewer",
    # ... analysts draft its alerts, approvers approve (two, or one if urgent) and publish them
    ("POST", "/events/{event_id}/alerts"): "analyst",
    ("POST", "/alerts/{alert_id}/approve"): "approver",
    ("POST", "/alerts/{alert_id}/reject"): "approver",
    ("POST", "/alerts/{alert_id}/publish"): "approver",
    # the post-disaster hoax watch (issue #13 part 7): a working queue, like triage
    ("GET", "/hoaxwatch"): "analyst",
    ("POST", "/hoaxwatch/{event_id}/{post_id}/draft"): "analyst",
    ("POST", "/hoaxwatch/{event_id}/{post_id}/dismiss"): "analyst",
    # reports (issue #14 part 6): the weekly report (narrative titles, working figures) for
    # analysts; the transparency report is aggregates only, for every signed-in user
    ("GET", "/reports"): "viewer",
    ("GET", "/reports/report.css"): "viewer",
    ("GET", "/reports/weekly"): "analyst",
    ("GET", "/reports/transparency"): "viewer",
    # narratives (issue #14 part 2): everyone reads them; analysts propose a response to one
    ("GET", "/narratives"): "viewer",
    ("GET", "/narratives/{narrative_id}"): "viewer",
    ("POST", "/narratives/{narrative_id}/responses"): "analyst",
    # watchlists and their notifications (issue #14 part 5): everyone reads them (and marks
    # them read for themselves); analysts save, remove and check watchlists
    ("GET", "/watchlists"): "viewer",
    ("POST", "/watchlists"): "analyst",
    ("POST", "/watchlists/check"): "analyst",
    ("POST", "/watchlists/{watchlist_id}/delete"): "analyst",
    ("GET", "/notifications"): "viewer",
    ("GET", "/notifications/badge"): "viewer",
    ("POST", "/notifications/read"): "viewer",  # each user's own read state
    ("GET", "/notifications/{notification_id}"): "viewer",
    # administrators
    ("GET", "/users"): "admin",
    ("POST", "/users/{name}/reset-password"): "admin",
    ("POST", "/users"): "admin",
    ("POST", "/users/{name}/role"): "admin",
    ("POST", "/users/{name}/disable"): "admin",
    ("GET", "/audit"): "admin",
    ("GET", "/audit.csv"): "admin",
    ("POST", "/settings/four-eyes"): "admin",
    ("POST", "/settings/leaderboard"): "admin",
}


#: the routes a user who must change their password (or turn on 2FA) may still use
ACCOUNT_ROUTES: Final = frozenset({
    ("GET", "/account"), ("POST", "/account/password"), ("POST", "/account/sessions/end"),
    ("POST", "/account/2fa/begin"), ("POST", "/account/2fa/confirm"), ("POST", "/logout"),
    ("GET", "/lang"), ("GET", "/tz"), ("GET", "/static"), ("GET", "/healthz"),
    ("GET", "/favicon.ico")})


def forced_page(ctx: WebContext, user: User, key: tuple[str, str]) -> str | None:
    """Where ``user`` must go first (``/account``: a one-time password to replace, or two-factor
    login the installation requires), or None when ``key`` may be used now."""
    if key in ACCOUNT_ROUTES:
        return None
    if user.must_change or ctx.auth.needs_totp(user):
        return "/account"
    return None


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
    return status_page(status)


def _redirect(request: Request, target: str) -> Response:
    if request.headers.get("HX-Request"):
        # a page's own widget (a badge, a banner) asks: leave it empty, the page is the target
        return Response(status_code=204)
    return RedirectResponse(target, status_code=303)


def unavailable() -> Response:
    """What a page answers while the database cannot be reached (the server recovers by
    itself once it is back)."""
    return status_page(503, {"Retry-After": "5"})


def install_authz(app: FastAPI, ctx: WebContext) -> None:
    """Add the middleware that loads the session and applies :data:`ROUTE_ROLES`."""
    app.add_middleware(Authorise, routes=app, ctx=ctx)


class Authorise:
    """Loads the session into ``request.state.session`` and applies :data:`ROUTE_ROLES` (plain
    ASGI, so an API request passes through at the cost of one prefix test)."""

    def __init__(self, app: ASGIApp, routes: FastAPI, ctx: WebContext) -> None:
        self.app = app
        self.routes = routes
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        request.state.session = None
        key = route_key(self.routes, request)
        minimum = None if key is None else ROUTE_ROLES.get(key)
        if key is not None and minimum is None:
            await _deny(request, 403)(scope, receive, send)  # fail closed: undeclared route
            return
        if key is not None:  # (no key: the router answers 404 or 405)
            cookie = request.cookies.get(SESSION_COOKIE)
            # a database read: in the thread pool, never on the event loop
            try:
                session = (await run_in_threadpool(self.ctx.auth.get_session, cookie)
                           if cookie else None)
            except StoreUnavailable:
                await unavailable()(scope, receive, send)
                return
            request.state.session = session
            if minimum is not None and minimum != PUBLIC:
                if session is None:
                    await _deny(request, 401)(scope, receive, send)
                    return
                if not role_at_least(session.user.role, minimum):
                    await _deny(request, 403)(scope, receive, send)
                    return
                forced = forced_page(self.ctx, session.user, key)
                if forced is not None:  # a one-time password, or 2FA the installation requires
                    await _redirect(request, forced)(scope, receive, send)
                    return
        await self.app(scope, receive, send)
