"""The map page (issue #13 part 6): ``/map``, official and citizen events, citizen disaster
reports grouped per regency, and calls for help, on the vendored Leaflet with no tile server.

:func:`map_data` is what the page draws and ``GET /api/v1/map`` answers: the events of a time
range that have a point, and the reports (:func:`damai.pipeline.linking.report_of`: a post
flagged ``disaster`` with a hazard type and a place) posted in it, each with the event it is
linked to and its *cluster*, the regency it names (else its province) and that place's point. The
page filters by time (a slider over the range, and a window of hours), hazard and kind of
information in the browser (``static/map.js``) and groups the reports left per cluster.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from fastapi import FastAPI, Request, Response

from damai.pipeline.linking import HAZARDS, INFO_KINDS, event_hazard, event_point, report_of
from damai.storage import Store
from damai.storage.events import StoredEvent
from damai.understand.gazetteer import gazetteer
from damai.understand.places import PROVINCES
from damai.web.context import WebContext
from damai.web.render import render

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "MAX_REPORTS", "add_map_routes", "map_data",
           "places_table"]

#: the range the page shows, counted back from now
DEFAULT_DAYS: Final = 7
#: the widest range ``GET /api/v1/map`` answers
MAX_DAYS: Final = 31
#: the most reports one answer carries (the newest are kept)
MAX_REPORTS: Final = 20_000


def _event(stored: StoredEvent) -> dict[str, Any] | None:
    e = stored.event
    point = event_point(e)
    if point is None or e.time is None:
        return None
    return {"id": stored.id, "source": e.source, "hazard": event_hazard(e), "words": e.hazard,
            "time": e.time.isoformat(), "lat": point[0], "lon": point[1], "region": e.region,
            "headline": e.headline, "magnitude": e.magnitude,
            "reports": len(stored.reports),
            "calls_for_help": sum(1 for r in stored.reports if r["call_for_help"])}


def _cluster(regency: str | None, province: str) -> tuple[str, float, float]:
    by_name = gazetteer().by_name
    place = by_name.get(regency or "") or by_name[province]
    return place.name, round(place.lat, 4), round(place.lon, 4)


def map_data(store: Store, since: datetime, until: datetime) -> dict[str, Any]:
    """The events and reports of ``[since, until)`` (see the module doc)."""
    events = [d for e in store.events.recent(5000)
              if e.event.time is not None and since <= e.event.time < until
              and (d := _event(e)) is not None]
    candidates = store.reports.candidates(since, until, MAX_REPORTS)
    reports = [r for c in candidates if (r := report_of(c)) is not None]
    linked = store.reports.links([r.post_id for r in reports])
    keys = store.reports.post_keys([r.post_id for r in reports])
    items = []
    for r in reports:
        name, lat, lon = _cluster(r.place.regency, r.place.province)
        items.append({"post": keys.get(r.post_id), "time": r.posted_at.isoformat(),
                      "hazard": r.hazard, "info": list(r.info),
                      "call_for_help": r.call_for_help, "place": r.place.name,
                      "cluster": name, "lat": lat, "lon": lon,
                      "event_id": linked.get(r.post_id)})
    return {"since": since.isoformat(), "until": until.isoformat(),
            "hours": max(1, int((until - since).total_seconds() // 3600)), "events": events,
            "reports": items, "hazards": list(HAZARDS), "info_kinds": list(INFO_KINDS),
            "provinces": [{"name": p.name, "lat": p.lat, "lon": p.lon} for p in PROVINCES]}


def places_table(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reports and calls for help per cluster, most calls for help first (the page's table,
    readable without JavaScript)."""
    rows: dict[str, dict[str, Any]] = {}
    for r in reports:
        row = rows.setdefault(r["cluster"], {"name": r["cluster"], "reports": 0, "help": 0})
        row["reports"] += 1
        row["help"] += r["call_for_help"]
    return sorted(rows.values(), key=lambda row: (-row["help"], -row["reports"], row["name"]))


def add_map_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/map")
    def map_page(request: Request) -> Response:
        until = datetime.now(UTC)
        data = map_data(ctx.store, until - timedelta(days=DEFAULT_DAYS), until)
        return render(request, "map.html", {"data": data,
                                            "places": places_table(data["reports"])})
