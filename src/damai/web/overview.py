"""The overview page: volume per label per day, top hashtags, links and domains among flagged
posts, counts by platform and language, a map of posts per province, and the respond measures
(issue #11): the share of harmful flagged posts with an approved response, the median time from
flag to approval (and, issue #12, from flag to publication), and library entries used per
theme. Narratives (issue #14) will add their own
coverage once they exist.

Every figure comes from a bounded read: the summary tables (volume, platform, language) and the
newest :data:`FLAGGED_SAMPLE` flagged posts and :data:`GEO_SAMPLE` posts with a place (partial
indexes), so the page costs the same on a thousand posts or a million.

Every number drills down (issue #14 parts 3 and 4): it links to ``/posts`` with the filters that
find its posts (:func:`posts_link`). So the map counts a post in each province its text names, as
the geoparser found it at ingest (``post_places``), which is what ``/posts?province=`` reads; a
platform's own location names no province reliably and is left out. The map is a choropleth of
the bundled province boundaries (``static/vendor/indonesia-provinces.geojson``, Natural Earth).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request, Response

from damai.respond.entries import THEMES
from damai.understand.places import PROVINCES
from damai.understand.taxonomy import load_taxonomy
from damai.web.context import WebContext
from damai.web.library import theme_names
from damai.web.render import render

__all__ = ["FLAGGED_SAMPLE", "GEO_SAMPLE", "add_overview_routes", "overview_data",
           "posts_link"]

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
    kept = [s for s in series if s["total"]]
    for s in kept:  # a label's total covers the chart's days: its link asks for those days
        s["href"] = posts_link(label=str(s["label"]), since=days[0],
                               until=_next_day(days[-1]))
    return {"days": days, "series": kept}


def _next_day(day: str) -> str:
    return (datetime.fromisoformat(day) + timedelta(days=1)).strftime("%Y-%m-%d")


def _tops(ctx: WebContext) -> tuple[dict[str, list[dict[str, Any]]], int]:
    hashtags: Counter[str] = Counter()
    links: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    sample = ctx.store.posts.recent_fields("flagged", ("hashtags", "links", "created_at"),
                                           FLAGGED_SAMPLE)
    # the tops count the sample, so their links ask for the sample's days: a hashtag or link
    # that few posts hold is then looked for among recent posts, not all of them
    since = min(row["created_at"] for row in sample).strftime("%Y-%m-%d") if sample else ""
    for row in sample:
        tags, urls = row["hashtags"] or [], row["links"] or []
        hashtags.update({"#" + str(h).lower().lstrip("#") for h in tags})
        links.update({str(u) for u in urls})
        domains.update({_domain(str(u)) for u in urls} - {""})
    return {"hashtags": _linked(hashtags, "hashtag", since, lambda tag: tag.lstrip("#")),
            "links": _linked(links, "link", since),
            "domains": _linked(domains, "domain", since)}, len(sample)


def _linked(counter: Counter[str], field: str, since: str,
            value: Any = lambda name: name) -> list[dict[str, Any]]:
    """The top :data:`TOP` of ``counter``, each with its drill-down link on ``field`` (posts
    since the day ``since``)."""
    return [{"name": name, "n": n, "href": posts_link(**{field: value(name)}, since=since)}
            for name, n in counter.most_common(TOP)]


def _domain(link: str) -> str:
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def posts_link(**filters: str) -> str:
    """The post list with ``filters`` (empty ones left out): where an overview number leads."""
    return "/posts?" + urlencode({k: v for k, v in filters.items() if v})


def _provinces(ctx: WebContext) -> tuple[list[dict[str, Any]], int]:
    """Every province, west to east, with its posts among the newest placed posts."""
    counts, sample = ctx.store.places.recent_province_counts(GEO_SAMPLE)
    rows = [{"name": p.name, "n": counts.get(p.name, 0),
             "href": posts_link(province=p.name)} for p in PROVINCES]
    return rows, sample


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
    counts = {column: [{"name": name, "n": n, "href": posts_link(**{column: name})}
                       for name, n in per.items()]
              for column, per in ctx.store.posts.post_counts().items()}
    volume = _volume(ctx)
    return {"volume": volume, "tops": tops, "flagged_sample": flagged_sample,
            "provinces": provinces, "geo_sample": geo_sample, "counts": counts,
            "total": sum(row["n"] for row in counts["platform"]),
            "responding": _responding(ctx, volume["days"])}


def add_overview_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/")
    def overview(request: Request) -> Response:
        data = overview_data(ctx)
        chart = {"volume": data["volume"], "provinces": data["provinces"]}
        return render(request, "overview.html", {**data, "chart": chart,
                                                 "theme_names": theme_names(request)})
