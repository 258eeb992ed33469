"""Event linking (issue #13 part 4): citizen disaster posts to official events, and bursts of
them to citizen-reported events. The rules (also in ``docs/places.md``):

**A report** is a stored post flagged ``disaster`` with at least one ``disaster.type.*`` flag
of :data:`HAZARDS` (its *hazard* is the flagged type with the highest score) that names a place
(its *point* is the most specific place it names,
:func:`~damai.understand.geoparse.most_specific`). Its ``info`` is its ``disaster.info.*`` flags
of :data:`INFO_KINDS`; ``disaster.info.call_for_help`` makes it a *call for help*. A flagged
post with no type we know, or no place, is left unlinked.

**Official events.** An event's hazard is read from its words (:func:`event_hazard`: BMKG's are
earthquakes; a CAP ``<event>`` such as "Banjir" or "Hujan Lebat" by keyword); an event whose
hazard is not known links nothing. Its point is its own, else the most specific place its region
names (a CAP ``areaDesc``); an event with neither links nothing. A report is linked to an
official event when all hold:

- its hazard is compatible (:data:`COMPATIBLE`: earthquake and tsunami posts to an earthquake or
  tsunami; flood, landslide and extreme-weather posts to each other's events; volcano to volcano;
  fire to fire);
- it was posted from :data:`BEFORE` before the event's time to :data:`AFTER` after it;
- its point is within :func:`radius_km` of the event's point: for an earthquake
  ``100 × 2^(M − 5)`` km, at least 50 and at most 800 (M 5: 100 km, M 6: 200, M 7: 400; 200 when
  the magnitude is unknown); for any other hazard 100 km.

Of several, the nearest event wins (then the newest).

**Citizen events.** Reports not linked to an official event are counted per hazard, regency and
window of :data:`WINDOW_HOURS` hours (aligned to 00:00 UTC). A window is a *burst* when its count
``n`` is at least :data:`MIN_REPORTS` and above the :data:`QUANTILE` upper quantile of a Poisson
distribution whose mean is that regency's baseline: its reports of that hazard in the
:data:`BASELINE_DAYS` days before the window, per window (at least :data:`BASELINE_FLOOR`).
A burst makes one event with ``source`` ``citizen`` and the deterministic key
``citizen:HAZARD:REGENCY:WINDOW-START``, so running again never makes a second one; a burst in
the window right after one of the same hazard and regency joins that event instead. The event's
point is the regency's, its time the first report's. Its reports, and later reports of the same
hazard in the same regency within :data:`AFTER`, are linked to it.

:func:`link_reports` runs after ingest, on the scheduler's tick, and as ``damai alerts link``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from scipy.stats import poisson

from damai.records import HazardEvent
from damai.storage import Store
from damai.storage.events import StoredEvent
from damai.storage.reports import Candidate, Link, Report
from damai.understand.gazetteer import gazetteer
from damai.understand.geoparse import geoparse, most_specific

__all__ = [
    "AFTER",
    "BASELINE_DAYS",
    "BEFORE",
    "COMPATIBLE",
    "HAZARDS",
    "MIN_REPORTS",
    "QUANTILE",
    "WINDOW_HOURS",
    "LinkReport",
    "event_hazard",
    "link_reports",
    "radius_km",
    "report_of",
]

HAZARDS: Final = ("earthquake", "tsunami", "flood", "landslide", "volcano", "fire",
                  "extreme_weather")
#: the kinds of information a report may carry (``disaster.info.*``)
INFO_KINDS: Final = ("eyewitness", "call_for_help", "casualties_damage", "warning_advice",
                     "donation_volunteer")
#: an event's hazard → the post hazards that may report it
COMPATIBLE: Final[dict[str, frozenset[str]]] = {
    "earthquake": frozenset({"earthquake", "tsunami"}),
    "tsunami": frozenset({"earthquake", "tsunami"}),
    "flood": frozenset({"flood", "landslide", "extreme_weather"}),
    "landslide": frozenset({"flood", "landslide", "extreme_weather"}),
    "extreme_weather": frozenset({"flood", "landslide", "extreme_weather"}),
    "volcano": frozenset({"volcano"}),
    "fire": frozenset({"fire"}),
}
#: words in an event's hazard or headline → its hazard (the first that matches wins)
_EVENT_WORDS: Final = (
    ("tsunami", ("tsunami",)),
    ("earthquake", ("earthquake", "gempa", "seismic")),
    ("volcano", ("volcan", "erupsi", "gunung", "vulkan", "lahar", "awan panas")),
    ("landslide", ("landslide", "longsor", "tanah bergerak")),
    ("flood", ("flood", "banjir", "rob", "genangan")),
    ("fire", ("fire", "kebakaran", "karhutla")),
    ("extreme_weather", ("hujan", "angin", "badai", "cuaca", "petir", "gelombang", "rain",
                         "wind", "storm", "weather", "thunder", "wave", "cyclone", "siklon")),
)
BEFORE: Final = timedelta(minutes=30)
AFTER: Final = timedelta(hours=48)
WINDOW_HOURS: Final = 6
MIN_REPORTS: Final = 3
QUANTILE: Final = 0.999
BASELINE_DAYS: Final = 28
BASELINE_FLOOR: Final = 0.05
#: how far back a run looks for reports to link
LOOKBACK: Final = timedelta(hours=72)
CITIZEN: Final = "citizen"
_TYPE, _INFO, _HELP = "disaster.type.", "disaster.info.", "disaster.info.call_for_help"


def event_hazard(event: HazardEvent) -> str | None:
    """The taxonomy hazard an event is about, or ``None`` when its words say none we know."""
    if event.source == CITIZEN and event.hazard in HAZARDS:
        return event.hazard
    words = f"{event.hazard} {event.headline or ''}".lower()
    return next((h for h, keys in _EVENT_WORDS if any(k in words for k in keys)), None)


def radius_km(hazard: str, magnitude: float | None) -> float:
    if hazard not in ("earthquake", "tsunami"):
        return 100.0
    if magnitude is None:
        return 200.0
    return min(800.0, max(50.0, 100.0 * 2 ** (magnitude - 5)))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, Earth radius 6,371 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def report_of(candidate: Candidate) -> Report | None:
    """The report a flagged post makes, or ``None`` (no hazard type we know, or no place)."""
    types = [f for f in candidate.flags if f.startswith(_TYPE) and f[len(_TYPE):] in HAZARDS]
    place = most_specific(candidate.places)
    if not types or place is None:
        return None
    hazard = max(types, key=lambda f: candidate.labels.get(f, 0.0))[len(_TYPE):]
    info = tuple(sorted(f[len(_INFO):] for f in candidate.flags
                        if f.startswith(_INFO) and f[len(_INFO):] in INFO_KINDS))
    return Report(candidate.post_id, candidate.created_at, hazard, info, place)


@dataclass(frozen=True, slots=True)
class _Target:
    id: int
    hazard: str
    time: datetime
    point: tuple[float, float]
    radius: float
    regency: str | None = None  # a citizen event: reports of its regency only

    def accepts(self, report: Report) -> float | None:
        """The report's distance when it may be linked here, else ``None``."""
        if report.hazard not in COMPATIBLE[self.hazard]:
            return None
        if not self.time - BEFORE <= report.posted_at <= self.time + AFTER:
            return None
        if self.regency is not None:
            return (distance_km(self.point, (report.place.lat, report.place.lon))
                    if report.place.regency == self.regency and report.hazard == self.hazard
                    else None)
        far = distance_km(self.point, (report.place.lat, report.place.lon))
        return far if far <= self.radius else None


def event_point(event: HazardEvent) -> tuple[float, float] | None:
    """An event's point: its own, else the most specific place its region names."""
    if event.lat is not None and event.lon is not None:
        return (event.lat, event.lon)
    place = most_specific(geoparse(event.region or "").places)
    return None if place is None else (place.lat, place.lon)


def _target(stored: StoredEvent) -> _Target | None:
    e = stored.event
    hazard, point = event_hazard(e), event_point(e)
    if hazard is None or point is None or e.time is None:
        return None
    regency = e.raw.get("regency") if e.source == CITIZEN else None
    return _Target(stored.id, hazard, e.time, point, radius_km(hazard, e.magnitude),
                   str(regency) if regency else None)


@dataclass(slots=True)
class LinkReport:
    """What one run did."""

    candidates: int = 0
    unplaced: int = 0
    untyped: int = 0
    linked: int = 0
    changed: int = 0
    citizen_events: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"candidates": self.candidates, "unplaced": self.unplaced,
                "untyped": self.untyped, "linked": self.linked, "changed": self.changed,
                "citizen_events": list(self.citizen_events)}


def _best(report: Report, targets: Sequence[_Target]) -> tuple[_Target, float] | None:
    found = [(t, d) for t in targets if (d := t.accepts(report)) is not None]
    if not found:
        return None
    return min(found, key=lambda td: (td[1], -td[0].time.timestamp(), -td[0].id))


def _window(when: datetime) -> datetime:
    hours = WINDOW_HOURS * (when.astimezone(UTC).hour // WINDOW_HOURS)
    return when.astimezone(UTC).replace(hour=hours, minute=0, second=0, microsecond=0)


def _key(hazard: str, regency: str, start: datetime) -> str:
    return f"{CITIZEN}:{hazard}:{regency}:{start:%Y%m%dT%H}Z"


def _is_burst(n: int, baseline_count: int) -> tuple[bool, float, int]:
    windows = BASELINE_DAYS * 24 // WINDOW_HOURS
    mean = max(BASELINE_FLOOR, baseline_count / windows)
    threshold = int(poisson.ppf(QUANTILE, mean))
    return n >= MIN_REPORTS and n > threshold, mean, threshold


def _citizen_event(hazard: str, regency: str, start: datetime, group: list[Report],
                   mean: float, threshold: int) -> HazardEvent:
    region = gazetteer().by_name.get(regency)
    province = group[0].place.province
    point = (region.lat, region.lon) if region else (group[0].place.lat, group[0].place.lon)
    return HazardEvent(
        source=CITIZEN, key=_key(hazard, regency, start), hazard=hazard,
        time=min(r.posted_at for r in group), lat=point[0], lon=point[1],
        region=f"{regency}, {province}",
        headline=f"{len(group)} laporan warga / citizen reports: {hazard}, {regency}",
        raw={"regency": regency, "province": province, "window_start": start.isoformat(),
             "window_hours": WINDOW_HOURS, "reports": len(group),
             "baseline_per_window": round(mean, 4), "poisson_threshold": threshold,
             "rule": f"n >= {MIN_REPORTS} and n > Poisson({QUANTILE}) of the baseline"})


def link_reports(store: Store, *, now: datetime | None = None,
                 lookback: timedelta = LOOKBACK) -> LinkReport:
    """Link the reports of the last ``lookback`` (the module doc's rules); safe to run again."""
    now = now or datetime.now(UTC)
    since = now - lookback
    history = store.reports.candidates(since - timedelta(days=BASELINE_DAYS), now)
    result = LinkReport()
    reports: list[Report] = []
    for candidate in history:
        report = report_of(candidate)
        if candidate.created_at >= since:
            result.candidates += 1
            result.untyped += report is None and not any(
                f.startswith(_TYPE) and f[len(_TYPE):] in HAZARDS for f in candidate.flags)
            result.unplaced += report is None and not candidate.places
        if report is not None:
            reports.append(report)
    recent = [r for r in reports if r.posted_at >= since]
    official = [t for e in store.events.recent(5000) if e.event.source != CITIZEN
                and (t := _target(e)) is not None and t.time >= since - AFTER]
    links: dict[int, Link] = {}
    for report in recent:
        best = _best(report, official)
        if best is not None:
            links[report.post_id] = Link(best[0].id, report, best[1])
    _citizen_links(store, reports, recent, links, now, result)
    result.linked = len(links)
    result.changed = store.reports.link(list(links.values()), now)
    return result


def _citizen_links(store: Store, reports: list[Report], recent: list[Report],
                   links: dict[int, Link], now: datetime, result: LinkReport) -> None:
    """Form the citizen events of the bursts among ``recent`` reports not linked above, and link
    reports to every citizen event (see the module doc)."""
    windows: defaultdict[tuple[str, str, datetime], list[Report]] = defaultdict(list)
    for r in recent:
        if r.post_id not in links and r.place.regency is not None:
            windows[(r.hazard, r.place.regency, _window(r.posted_at))].append(r)
    made: list[HazardEvent] = []
    keys = {e.event.key for e in store.events.recent(5000, CITIZEN)}
    for (hazard, regency, start), group in sorted(windows.items(), key=lambda kv: kv[0][2]):
        before = start - timedelta(days=BASELINE_DAYS)
        past = sum(1 for r in reports if r.hazard == hazard and r.place.regency == regency
                   and before <= r.posted_at < start)
        burst, mean, threshold = _is_burst(len(group), past)
        if burst and _key(hazard, regency, start - timedelta(hours=WINDOW_HOURS)) not in keys:
            made.append(_citizen_event(hazard, regency, start, group, mean, threshold))
            keys.add(made[-1].key)
    if made:
        store.events.save(made, "citizen-reports", now)
        result.citizen_events = [e.key for e in made]
    citizen = [t for e in store.events.recent(5000, CITIZEN) if (t := _target(e)) is not None]
    for report in recent:
        if report.post_id not in links and (best := _best(report, citizen)) is not None:
            links[report.post_id] = Link(best[0].id, report, best[1])
