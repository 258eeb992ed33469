"""The overview page: volume per label per day, top hashtags, links and domains among flagged
posts, counts by platform and language, a map of posts per province, and the respond measures
(issue #11): the share of harmful flagged posts with an approved response, the median time from
flag to approval (and, issue #12, from flag to publication), and library entries used per
theme. Narratives (issue #14) will add their own
coverage once they exist.

Every figure comes from a bounded read: the summary tables (volume, platform, language) and the
newest :data:`FLAGGED_SAMPLE` flagged posts and :data:`GEO_SAMPLE` posts with a place (partial
indexes), so the page costs the same on a thousand posts or a million. A post's place on the map
is the platform's location when it gives one; otherwise (issue #13) the most specific place its
text names, as the geoparser found it at ingest (newest :data:`GEO_SAMPLE` such posts).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response

from damai.records import Geo, Place
from damai.respond.entries import THEMES
from damai.understand.geoparse import most_specific
from damai.understand.places import PROVINCES, province_of
from damai.understand.taxonomy import load_taxonomy
from damai.web.context import WebContext
from damai.web.library import theme_names
from damai.web.render import render

__all__ = ["FLAGGED_SAMPLE", "GEO_SAMPLE", "add_overview_routes", "overview_data"]

FLAGGED_SAMPLE: Final = 1000
GEO_SAMPLE: Final = 2000
#: days of the volume chart, counted back from the newest day with flagged posts
CHART_DAYS: Final = 60
TOP: Final = 10
#: days of library usage the entries-per-theme measure counts
USAGE_DAYS: Final = 30


def _volume(ctx: WebContext) -> dict[str, Any]:
    volume = {label: days for label, days in ctx.store.labels.flag_volume().items()
              if "." not in label}
    days = sorted({day for per_day in volume.values() for day in per_day})[-CHART_DAYS:]
    taxonomy = load_taxonomy()
    # harmful labels first, then informational ones, then signals: the chart draws each group in
    # its own colour family (overview.js), so a harm never looks like a disaster report
    order = {"harm": 0, "info": 1, "signal": 2}
    series = [{"label": label, "kind": taxonomy.kind(label),
               "names": {"id": taxonomy.name(label, "id"), "en": taxonomy.name(label, "en")},
               "data": [per_day.get(d, 0) for d in days],
               "total": sum(per_day.get(d, 0) for d in days)}
              for label, per_day in sorted(volume.items(),
                                           key=lambda kv: (order[taxonomy.kind(kv[0])], kv[0]))]
    return {"days": days, "series": [s for s in series if s["total"]]}


def _tops(ctx: WebContext) -> tuple[dict[str, list[tuple[str, int]]], int]:
    hashtags: Counter[str] = Counter()
    links: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    sample = ctx.store.posts.recent_fields("flagged", ("hashtags", "links"), FLAGGED_SAMPLE)
    for row in sample:
        tags, urls = row["hashtags"] or [], row["links"] or []
        hashtags.update({"#" + str(h).lower().lstrip("#") for h in tags})
        links.update({str(u) for u in urls})
        domains.update({_domain(str(u)) for u in urls} - {""})
    return {"hashtags": hashtags.most_common(TOP), "links": links.most_common(TOP),
            "domains": domains.most_common(TOP)}, len(sample)


def _domain(link: str) -> str:
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _geoparsed(places: tuple[Place, ...]) -> Geo | None:
    """A post's geoparsed location: its most specific place's point, named by its province
    (which :func:`province_of` reads first)."""
    place = most_specific(places)
    return None if place is None else Geo(place.lat, place.lon, place.province)


def _provinces(ctx: WebContext) -> tuple[list[dict[str, Any]], int]:
    counts: Counter[str] = Counter()
    sample = [Geo.from_dict(row["geo"])
              for row in ctx.store.posts.recent_fields("geo", ("geo",), GEO_SAMPLE)]
    sample += [_geoparsed(p) for p in ctx.store.places.recent_without_geo(GEO_SAMPLE)]
    for geo in sample:
        province = province_of(geo)
        if province:
            counts[province.name] += 1
    rows = [{"name": p.name, "lat": p.lat, "lon": p.lon, "n": counts[p.name]}
            for p in PROVINCES if counts[p.name]]
    return sorted(rows, key=lambda r: -int(r["n"])), len(sample)


def _responding(ctx: WebContext, days: list[str]) -> dict[str, Any]:
    """The respond measures: coverage of harmful flagged posts by an approved response (posts
    of the chart's days), the median time from flag to approval, and entries used per theme."""
    taxonomy = load_taxonomy()
    harmful = [n for n in ctx.store.labels.names() if "." not in n and taxonomy.is_harmful(n)]
    since = (datetime.fromisoformat(days[0]).replace(tzinfo=UTC) if days
             else datetime.now(UTC) - timedelta(days=CHART_DAYS))
    flagged, covered = ctx.store.responses.coverage(harmful, since)
    delays = ctx.store.responses.approval_delays()
    published = ctx.store.engagement.publication_delays()
    uses = ctx.store.library.use_counts(datetime.now(UTC) - timedelta(days=USAGE_DAYS))
    themes: dict[str, dict[str, int]] = {t: {"entries": 0, "uses": 0} for t in THEMES}
    for version in ctx.store.library.current():
        used = uses.get(version.entry.id, 0)
        for theme in version.entry.themes if used else ():
            themes[theme]["entries"] += 1
            themes[theme]["uses"] += used
    return {"flagged": flagged, "covered": covered,
            "coverage": covered / flagged if flagged else None, "since": since,
            "median_hours": statistics.median(delays) / 3600 if delays else None,
            "approvals": len(delays), "themes": themes, "usage_days": USAGE_DAYS,
            "publish_median_hours": (statistics.median(published) / 3600 if published
                                     else None), "publications": len(published)}


def overview_data(ctx: WebContext) -> dict[str, Any]:
    """Everything the overview shows, as plain data (also what its chart and map read)."""
    tops, flagged_sample = _tops(ctx)
    provinces, geo_sample = _provinces(ctx)
    counts = ctx.store.posts.post_counts()
    volume = _volume(ctx)
    return {"volume": volume, "tops": tops, "flagged_sample": flagged_sample,
            "provinces": provinces, "geo_sample": geo_sample, "counts": counts,
            "total": sum(counts["platform"].values()),
            "responding": _responding(ctx, volume["days"])}


def add_overview_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/")
    def overview(request: Request) -> Response:
        data = overview_data(ctx)
        chart = {"volume": data["volume"], "provinces": data["provinces"]}
        return render(request, "overview.html", {**data, "chart": chart,
                                                 "theme_names": theme_names(request)})
