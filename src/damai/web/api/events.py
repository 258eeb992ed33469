"""Hazard events and their alerts (issue #13).

- ``GET /api/v1/events``: official events newest first (the shape of ``damai alerts list
  --json``), and the feeds down for ``DAMAI_BMKG_DOWN_MINUTES`` or longer;
  ``GET /api/v1/events/{id}``: one event.
- ``GET /api/v1/events/{id}/alerts``: its alerts, oldest first; ``POST``: draft one (``Alert``,
  ``Update``, ``Cancel``; ``urgent``).
- ``GET /api/v1/alerts/{id}``; ``POST /api/v1/alerts/{id}/approve | reject | publish``.
- ``GET /api/v1/events/{id}/cap``: the CAP 1.2 XML of the event's current approved alert.

Thin routes over :mod:`damai.pipeline.alerts`, which holds every rule; refusals become statuses
here: an unknown id 404, four-eyes 403, a wrong state (or nothing approved) 409, an unknown
channel 400. Plain ``def`` routes: they read the database, so they run in the thread pool.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from damai.auth import User
from damai.errors import DamaiError
from damai.live.bmkg import down_after
from damai.pipeline import alerts
from damai.pipeline.responses import Actor
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.schemas import DecisionIn
from damai.web.api.security import require
from damai.web.context import WebContext
from damai.web.responses import refusal_status

__all__ = ["AlertIn", "ChannelChoice", "add_event_routes"]

RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_NOT_FOUND = documented((404, "Kejadian atau peringatan tidak ada / No such event or alert."))
_REFUSED = documented(
    (404, "Kejadian atau peringatan tidak ada / No such event or alert."),
    (409, "Status tidak mengizinkan langkah ini, mis. belum disetujui / The state does not "
          "allow this step, e.g. not approved."))


class AlertIn(BaseModel):
    """Draf peringatan / An alert draft: `Alert`, `Update` atau / or `Cancel`."""

    model_config = ConfigDict(extra="forbid")

    msg_type: Literal["Alert", "Update", "Cancel"] = "Alert"
    urgent: bool = False


class ChannelChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field("dry-run", min_length=1, max_length=300)


@contextmanager
def _answered() -> Iterator[None]:
    try:
        yield
    except DamaiError as exc:
        status = refusal_status(exc)
        raise ApiError(status, getattr(exc, "reason", None) or
                       ("not_found" if status == 404 else "invalid_input"),
                       exc.message) from None


def _actor(user: User) -> Actor:
    return Actor(user.name, user.role)


def add_event_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    def allowed(method: str, path: str) -> object:
        return Depends(require(ctx, method, path))

    @router.get("/events", summary="Kejadian bencana resmi / Official hazard events")
    def listing(_: Annotated[User, allowed("GET", "/events")],
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                source: Literal["bmkg", "cap"] | None = None) -> JSONBody:
        """`items`: kejadian, terbaru dulu / events, newest first; `down`: umpan yang mati /
        feeds that are down."""
        down = store.events.down(datetime.now(UTC), down_after())
        return JSONBody({"items": [e.to_dict() for e in store.events.recent(limit, source)],
                         "down": [f.to_dict() for f in down]})

    @router.get("/events/{event_id}", summary="Satu kejadian / One event",
                responses=_NOT_FOUND)
    def one(event_id: RowId, _: Annotated[User, allowed("GET", "/events/{event_id}")]
            ) -> JSONBody:
        with _answered():
            return JSONBody(alerts.event_of(store, event_id).to_dict())

    @router.get("/events/{event_id}/alerts", summary="Peringatan sebuah kejadian / An event's "
                                                     "alerts", responses=_NOT_FOUND)
    def event_alerts(event_id: RowId,
                     _: Annotated[User, allowed("GET", "/events/{event_id}/alerts")]
                     ) -> JSONBody:
        with _answered():
            alerts.event_of(store, event_id)
        return JSONBody({"items": [a.to_dict() for a in store.alerts.for_event(event_id)]})

    @router.post("/events/{event_id}/alerts", status_code=201, responses=_REFUSED,
                 summary="Susun draf peringatan / Draft an alert")
    def draft(event_id: RowId, body: AlertIn,
              user: Annotated[User, allowed("POST", "/events/{event_id}/alerts")]) -> JSONBody:
        """Dari templat Damai, langsung masuk tinjauan / From Damai's templates, straight to
        review; `Update` dan `Cancel` merujuk peringatan pertama / refer to the first alert."""
        with _answered():
            made = alerts.draft(store, _actor(user), event_id, msg_type=body.msg_type,
                                urgent=body.urgent)
        return JSONBody(made.to_dict(), status_code=201)

    @router.get("/events/{event_id}/cap", summary="CAP 1.2 peringatan terkini / The current "
                                                  "alert's CAP 1.2",
                response_class=Response, responses={
                    **_REFUSED, 200: {"content": {"application/xml": {}},
                                      "description": "CAP 1.2 XML"}})
    def cap(event_id: RowId, _: Annotated[User, allowed("GET", "/events/{event_id}/cap")]
            ) -> Response:
        """Divalidasi dengan skema CAP 1.2 OASIS; 409 bila belum ada yang disetujui /
        Validated against the OASIS CAP 1.2 schema; 409 when nothing is approved yet."""
        with _answered():
            xml = alerts.current_cap(store, event_id)[1]
        return Response(xml, media_type="application/xml")

    @router.get("/alerts/{alert_id}", summary="Satu peringatan / One alert",
                responses=_NOT_FOUND)
    def alert(alert_id: RowId, _: Annotated[User, allowed("GET", "/alerts/{alert_id}")]
              ) -> JSONBody:
        found = store.alerts.get(alert_id)
        if found is None:
            raise ApiError(404, "not_found", f"Peringatan {alert_id} tidak ada / No alert "
                                             f"{alert_id}.")
        return JSONBody(found.to_dict())

    @router.post("/alerts/{alert_id}/approve", responses=_REFUSED,
                 summary="Setujui peringatan / Approve an alert")
    def approve(alert_id: RowId,
                user: Annotated[User, allowed("POST", "/alerts/{alert_id}/approve")]
                ) -> JSONBody:
        """Dua approver berbeda; yang mendesak cukup satu (dicatat di audit) / Two different
        approvers; an urgent one needs one (the waiver is audited)."""
        with _answered():
            return JSONBody(alerts.approve(store, _actor(user), alert_id).to_dict())

    @router.post("/alerts/{alert_id}/reject", responses=_REFUSED,
                 summary="Tolak peringatan / Reject an alert")
    def reject(alert_id: RowId, body: DecisionIn,
               user: Annotated[User, allowed("POST", "/alerts/{alert_id}/reject")]) -> JSONBody:
        with _answered():
            return JSONBody(alerts.reject(store, _actor(user), alert_id, body.reason).to_dict())

    @router.post("/alerts/{alert_id}/publish", status_code=201, responses={
                     **_REFUSED, 200: {"description": "Sudah diterbitkan / Already published"}},
                 summary="Terbitkan peringatan yang disetujui / Publish an approved alert")
    def publish(alert_id: RowId, body: ChannelChoice,
                user: Annotated[User, allowed("POST", "/alerts/{alert_id}/publish")]
                ) -> JSONBody:
        with _answered():
            published, new = alerts.publish_alert(store, _actor(user), alert_id, body.channel)
        return JSONBody({**published.to_dict(), "new": new}, status_code=201 if new else 200)
