"""Campaigns in the dashboard (issue #12 part 4): the list (with every missed slot waiting for a
human), the create form, a campaign's page with its slots and steps, and the calendar.

- Analysts create campaigns (drafts); the form's problems are shown with their fields (422).
- Approvers activate, pause, end, and answer for missed slots: re-schedule them, spaced out,
  or skip them. The scheduler (:mod:`damai.pipeline.scheduler`) sends; no page does.
- The calendar (``/campaigns/calendar``) is a month grid of every slot, scheduled and sent,
  in the time zone asked for (WIB by default), rendered on the server.

Every rule is in :mod:`damai.pipeline.campaigns`; a refusal is shown with its reason.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Final

from fastapi import FastAPI, Form, Path, Request, Response
from fastapi.responses import RedirectResponse

from damai.errors import InputError, NotFound, ReviewRefused
from damai.pipeline import campaigns as camp
from damai.pipeline.publishing import DRY_RUN
from damai.pipeline.responses import Actor
from damai.respond.entries import ImportRefused, RowProblem
from damai.storage.campaigns import Slot
from damai.web.context import WebContext
from damai.web.library import theme_names
from damai.web.render import render, signed_in
from damai.web.security import CSRF

__all__ = ["CalendarDay", "add_campaign_routes", "month_grid"]

CampaignId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_Field = Annotated[str, Form(max_length=200)]
_STEPS: Final[dict[str, Callable[..., object]]] = {
    "activate": camp.activate, "pause": camp.pause, "end": camp.end}


@dataclass
class CalendarDay:
    """One cell of the month grid: its date (``None`` outside the month) and its slots, with
    each slot's local time."""

    day: date | None
    slots: list[tuple[str, Slot]] = field(default_factory=list)


def month_grid(year: int, month: int, slots: Sequence[Slot], zone: str
               ) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of ``year``-``month``, each slot on its local day in ``zone``."""
    tz = camp.zone_of(zone)
    by_day: dict[date, list[tuple[str, Slot]]] = {}
    for slot in slots:
        local = slot.scheduled_at.astimezone(tz)
        by_day.setdefault(local.date(), []).append((local.strftime("%H:%M"), slot))
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[CalendarDay(d, sorted(by_day.get(d, []), key=lambda x: x[0]))
             if d.month == month else CalendarDay(None) for d in week] for week in weeks]


def _month(value: str | None, zone: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        if 1 <= month <= 12 and 2000 <= year <= 2200:
            return year, month
    except ValueError:
        pass
    today = datetime.now(UTC).astimezone(camp.zone_of(zone)).date()
    return today.year, today.month


def _actor(request: Request) -> Actor:
    user, ip = signed_in(request)
    return Actor(user.name, user.role, ip)


def _status(exc: Exception) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ReviewRefused):
        return 403 if exc.reason == "forbidden" else 409
    return 400


def add_campaign_routes(app: FastAPI, ctx: WebContext) -> None:
    store = ctx.store

    def form_page(request: Request, values: dict[str, object] | None = None,
                  problems: Sequence[RowProblem] = (), status: int = 200) -> Response:
        return render(request, "campaign_form.html", {
            "values": values or {"timezone": "WIB", "channels": ["dry-run"], "themes": []},
            "problems": problems, "themes": theme_names(request), "channels": [DRY_RUN],
            "zones": camp.TIMEZONES,
            "library": store.library.current(status="approved"),
            "approved": store.responses.queue(state="approved", limit=200)}, status)

    def detail(request: Request, campaign_id: int, error: str | None = None,
               status: int = 200) -> Response:
        found = store.campaigns.get(campaign_id)
        if found is None:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        return render(request, "campaign.html", {
            "campaign": found, "slots": store.campaigns.slots(campaign_id=campaign_id),
            "theme_names": theme_names(request), "error": error,
            "zone": camp.zone_of(found.timezone)}, status)

    @app.get("/campaigns")
    def campaign_list(request: Request) -> Response:
        return render(request, "campaigns.html", {
            "campaigns": store.campaigns.recent(),
            "missed": store.campaigns.slots(states=["missed"], limit=500)})

    @app.get("/campaigns/new")
    def new_campaign(request: Request) -> Response:
        return form_page(request)

    @app.post("/campaigns", dependencies=CSRF)
    def create(request: Request, name: _Field, start: _Field, end: _Field,
               timezone: _Field = "WIB", goal: Annotated[str, Form(max_length=2000)] = "",
               themes: Annotated[list[str] | None, Form()] = None,
               channels: Annotated[list[str] | None, Form()] = None,
               other_channels: Annotated[str, Form(max_length=2000)] = "",
               times: Annotated[str, Form(max_length=2000)] = "",
               messages: Annotated[str, Form(max_length=50_000)] = "") -> Response:
        chosen = [*(channels or []), *(c.strip() for c in other_channels.replace(",", "\n")
                                        .splitlines() if c.strip())]
        values: dict[str, object] = {
            "name": name, "goal": goal, "themes": themes or [], "channels": chosen,
            "start": start, "end": end, "times": times, "timezone": timezone,
            "messages": messages}
        try:
            (made,) = camp.create_campaigns(store, _actor(request), [values])
        except ImportRefused as refused:
            return form_page(request, values, refused.problems, 422)
        return RedirectResponse(f"/campaigns/{made.id}", status_code=303)

    @app.get("/campaigns/calendar")
    def calendar_page(request: Request, month: str | None = None, tz: str = "WIB",
                      campaign: int | None = None) -> Response:
        zone = tz if tz in camp.TIMEZONES else "WIB"
        year, number = _month(month, zone)
        first = datetime.combine(date(year, number, 1), time(), tzinfo=camp.zone_of(zone))
        after = (first + timedelta(days=32)).replace(day=1)
        slots = store.campaigns.slots(campaign_id=campaign, since=first.astimezone(UTC),
                                      until=after.astimezone(UTC), limit=5000)
        names = {c.id: c.name for c in store.campaigns.recent()}
        prev = (first - timedelta(days=1)).strftime("%Y-%m")
        return render(request, "campaign_calendar.html", {
            "weeks": month_grid(year, number, slots, zone), "month": f"{year}-{number:02d}",
            "prev": prev, "next": after.strftime("%Y-%m"), "tz": zone,
            "zones": camp.TIMEZONES, "names": names, "campaign": campaign})

    @app.get("/campaigns/{campaign_id}")
    def campaign_page(request: Request, campaign_id: CampaignId) -> Response:
        return detail(request, campaign_id)

    def step(request: Request, campaign_id: int, work: Callable[[Actor], object]) -> Response:
        try:
            work(_actor(request))
        except (NotFound, ReviewRefused, InputError) as exc:
            return detail(request, campaign_id, exc.message, _status(exc))
        return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)

    def add_step(action: str, work: Callable[..., object]) -> None:
        @app.post(f"/campaigns/{{campaign_id}}/{action}", dependencies=CSRF,
                  name=f"campaign_{action}")
        def campaign_step(request: Request, campaign_id: CampaignId) -> Response:
            return step(request, campaign_id, lambda actor: work(store, actor, campaign_id))

    for action, work in _STEPS.items():
        add_step(action, work)

    @app.post("/campaigns/{campaign_id}/confirm-missed", dependencies=CSRF)
    def confirm(request: Request, campaign_id: CampaignId,
                skip: Annotated[str, Form(max_length=5)] = "") -> Response:
        return step(request, campaign_id, lambda actor: camp.confirm_missed(
            store, actor, campaign_id, skip=skip == "on"))
