"""The events pages (issue #13).

- ``/events``: official hazard events (BMKG earthquakes, CAP alerts), newest first, with what
  could not be read from each, and a warning for every feed that has been failing for
  ``DAMAI_BMKG_DOWN_MINUTES`` or longer.
- ``/events/{id}``: one event, its alerts and their review states; analysts draft an alert or a
  follow-up (Update, Cancel), approvers approve (two of them, or one for an urgent alert),
  reject, and publish an approved alert to the dry-run channel; everyone downloads the CAP 1.2
  XML of the current approved alert (``/events/{id}/cap``).

Every rule is :mod:`damai.pipeline.alerts`; a refusal is shown on the event's page with its
reason (403 for four-eyes, 404 for an unknown id, 409 for a wrong state).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI, Form, Path, Request, Response
from fastapi.responses import RedirectResponse

from damai.errors import InputError, NotFound, ReviewRefused
from damai.live.bmkg import down_after
from damai.pipeline import alerts
from damai.pipeline.responses import Actor
from damai.respond.alerts import HAZARDS, MSG_TYPES, hazard_of
from damai.web.context import WebContext
from damai.web.render import render, signed_in
from damai.web.responses import refusal_status
from damai.web.security import CSRF

__all__ = ["add_event_routes", "not_found"]

RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _actor(request: Request) -> Actor:
    user, ip = signed_in(request)
    return Actor(user.name, user.role, ip)


def not_found(request: Request) -> Response:
    return render(request, "error.html", {"message": "error.not_found"}, 404)


def add_event_routes(app: FastAPI, ctx: WebContext) -> None:
    store = ctx.store

    @app.get("/events")
    def events_page(request: Request) -> Response:
        return render(request, "events.html", {
            "events": [e.to_dict() for e in store.events.recent(500)],
            "down": store.events.down(datetime.now(UTC), down_after()),
            "down_minutes": int(down_after().total_seconds() // 60)})

    def event_page(request: Request, event_id: int, error: str | None = None,
                   status: int = 200) -> Response:
        event = store.events.get(event_id)
        if event is None:
            return not_found(request)
        found = store.alerts.for_event(event_id)
        published = store.publications.published(
            [a.response.id for a in found if a.state == "approved"])
        return render(request, "event.html", {
            "event": event.to_dict(), "hazard": HAZARDS[hazard_of(event.event)],
            "alerts": found, "published": published,
            "error": error, "four_eyes": bool(store.settings.get("four_eyes")),
            "msg_types": MSG_TYPES,
            "has_current": any(a.response.publishable for a in found)}, status)

    def step(request: Request, event_id: int, work: Callable[[Actor], object]) -> Response:
        try:
            work(_actor(request))
        except (ReviewRefused, InputError) as exc:
            return event_page(request, event_id, exc.message, refusal_status(exc))
        return RedirectResponse(f"/events/{event_id}", status_code=303)

    def alert_step(request: Request, alert_id: int,
                   work: Callable[[Actor], object]) -> Response:
        found = store.alerts.get(alert_id)
        if found is None:
            return not_found(request)
        return step(request, found.event_id, work)

    @app.get("/events/{event_id}")
    def event_detail(request: Request, event_id: RowId) -> Response:
        return event_page(request, event_id)

    @app.get("/events/{event_id}/cap")
    def event_cap_download(request: Request, event_id: RowId) -> Response:
        try:
            _, xml = alerts.current_cap(store, event_id)
        except NotFound:
            return not_found(request)
        except (ReviewRefused, InputError) as exc:  # not approved yet; or the XSD refused it
            return event_page(request, event_id, exc.message, refusal_status(exc))
        return Response(xml, media_type="application/xml", headers={
            "Content-Disposition": f'attachment; filename="damai-event-{event_id}.cap.xml"'})

    @app.post("/events/{event_id}/alerts", dependencies=CSRF)
    def draft_page(request: Request, event_id: RowId,
                   msg_type: Annotated[str, Form(max_length=10)] = "Alert",
                   urgent: Annotated[str, Form(max_length=5)] = "") -> Response:
        if msg_type not in MSG_TYPES:
            return event_page(request, event_id, "msg_type: Alert | Update | Cancel", 400)
        return step(request, event_id, lambda actor: alerts.draft(
            store, actor, event_id, msg_type=msg_type, urgent=bool(urgent)))

    @app.post("/alerts/{alert_id}/approve", dependencies=CSRF)
    def approve_page(request: Request, alert_id: RowId) -> Response:
        return alert_step(request, alert_id,
                          lambda actor: alerts.approve(store, actor, alert_id))

    @app.post("/alerts/{alert_id}/reject", dependencies=CSRF)
    def reject_page(request: Request, alert_id: RowId,
                    reason: Annotated[str, Form(max_length=500)] = "") -> Response:
        return alert_step(request, alert_id,
                          lambda actor: alerts.reject(store, actor, alert_id, reason))

    @app.post("/alerts/{alert_id}/publish", dependencies=CSRF)
    def publish_page(request: Request, alert_id: RowId) -> Response:
        return alert_step(request, alert_id,
                          lambda actor: alerts.publish_alert(store, actor, alert_id))
