"""Server-rendered dashboard pages (Jinja2 + htmx), behind session login.

``mount_pages`` wires the pieces: static assets, the login routes (:mod:`damai.web.login`), the
pages, and the authorisation middleware (:mod:`damai.web.authz`). Page routes are added to the
app itself (not through included routers), so every route is a plain entry of ``app.routes`` that
the authorisation table and its test can see. Every unsafe page request passes the CSRF check
(:func:`damai.web.security.check_csrf`), declared on the route as ``dependencies=CSRF``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from damai.web.account import add_account_routes
from damai.web.admin import add_admin_routes
from damai.web.ambassadors import add_ambassador_routes
from damai.web.authz import install_authz
from damai.web.campaigns import add_campaign_routes
from damai.web.claims import add_claims_routes
from damai.web.context import WebContext
from damai.web.events import add_event_routes
from damai.web.hoaxwatch import add_hoaxwatch_routes
from damai.web.library import add_library_routes
from damai.web.login import add_login_routes
from damai.web.map import add_map_routes
from damai.web.measure import add_measure_routes
from damai.web.modelcard import add_model_routes
from damai.web.narratives import add_narrative_routes
from damai.web.overview import add_overview_routes
from damai.web.posts import add_posts_routes
from damai.web.reports import add_report_routes
from damai.web.responses import add_response_routes
from damai.web.security import CsrfRejected, csrf_rejected
from damai.web.teach import add_teach_routes
from damai.web.triage import add_triage_routes
from damai.web.triage_queue import add_triage_queue_routes
from damai.web.watchlists import add_watchlist_routes

__all__ = ["STATIC_DIR", "mount_pages"]

STATIC_DIR = Path(__file__).parent / "static"


def mount_pages(app: FastAPI, ctx: WebContext) -> None:
    """Add the login page, the dashboard pages and their static assets to ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        """Browsers that ask for the old address get the SVG icon the pages link to."""
        return RedirectResponse("/static/favicon.svg", status_code=301)

    app.add_exception_handler(CsrfRejected, csrf_rejected)
    for add in (add_login_routes, add_overview_routes, add_posts_routes, add_triage_routes,
                add_triage_queue_routes, add_teach_routes, add_model_routes, add_library_routes,
                add_claims_routes,
                add_response_routes, add_campaign_routes, add_ambassador_routes,
                add_measure_routes, add_event_routes, add_map_routes, add_hoaxwatch_routes,
                add_narrative_routes, add_report_routes, add_watchlist_routes, add_admin_routes,
                add_account_routes):
        add(app, ctx)
    install_authz(app, ctx)
