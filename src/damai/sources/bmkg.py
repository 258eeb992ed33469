"""BMKG earthquake feeds (issue #13): ``autogempa``, ``gempaterkini`` and ``gempadirasakan``, as
JSON or XML, turned into :class:`~damai.records.HazardEvent` records.

No I/O, no clock, no secrets: :func:`parse_feed` takes the body the poller fetched
(:mod:`damai.live.bmkg`) and returns the events in it, so every shape is tested without a
network. Under ``Infogempa``, ``gempa`` is one object in ``autogempa`` and a list in the others;
the XML variants hold the same fields as child elements (the point as
``<point><coordinates>``).

Bad input: a value that cannot be read is left ``None`` and named in the event's ``problems``;
nothing is guessed. Read as written, with no problem: ``"M 5,2"`` and ``"5,2"`` (magnitude),
``"10 km"`` (depth), ``"7.12 LS"`` / ``"106.50 BT"`` (LS and BB are negative) and coordinates
written ``"-7.12,106.50"`` or ``"7.12 LS 106.5 BT"``. A pair of bare numbers is (latitude,
longitude) as in the JSON feeds, unless one of them lies outside ±90: that one is the longitude
(the XML ``<coordinates>`` is written longitude first). The fields an event needs (time, point,
magnitude, depth, region) are named in ``problems`` when missing; ``Potensi``, ``Dirasakan`` and
``Shakemap`` are missing from some feeds by design and are simply ``None``.

**One event, several feeds.** The same earthquake is listed by two or three feeds; its ``key``
is ``bmkg:`` + its time in UTC + its point rounded to 0.01° (about 1 km), so the sightings merge
(:meth:`damai.storage.events.EventRepository.save`). An event whose time or point cannot be read
is keyed by a hash of its raw fields instead: it merges only with an identical record.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
from lxml import etree

from damai.errors import SourceError
from damai.records import HazardEvent

__all__ = ["FIELDS", "FeedUnreadable", "event_from_fields", "parse_feed", "read_coordinates",
           "read_depth", "read_magnitude"]

#: the fields of one ``gempa`` record
FIELDS: tuple[str, ...] = ("Tanggal", "Jam", "DateTime", "Coordinates", "Lintang", "Bujur",
                           "Magnitude", "Kedalaman", "Wilayah", "Potensi", "Dirasakan",
                           "Shakemap")

_NUMBER = r"(-?\d+(?:[.,]\d+)?)"
_MAGNITUDE = re.compile(rf"^(?:M\s*)?{_NUMBER}\s*(?:SR|M)?$", re.IGNORECASE)
_DEPTH = re.compile(rf"^{_NUMBER}\s*(?:km)?$", re.IGNORECASE)
_HEMI = re.compile(r"(\d+(?:[.,]\d+)?)\s*(LU|LS|BT|BB)\b", re.IGNORECASE)
_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")
_ZONES = {"WIB": 7, "WITA": 8, "WIT": 9, "UTC": 0}
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7,
           "agu": 8, "agt": 8, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12,
           "dec": 12}
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                            huge_tree=False)


class FeedUnreadable(SourceError):
    """The body is not a BMKG feed at all (cut short, not JSON or XML, no ``Infogempa``)."""


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def read_magnitude(value: str) -> float | None:
    """``"5.2"``, ``"5,2"``, ``"M 5,2"``, ``"M5.2"`` → 5.2; anything else → ``None``."""
    found = _MAGNITUDE.match(value.strip())
    return _number(found.group(1)) if found else None


def read_depth(value: str) -> float | None:
    """``"10 km"``, ``"10,5 Km"``, ``"10"`` → kilometres; anything else → ``None``."""
    found = _DEPTH.match(value.strip())
    return _number(found.group(1)) if found else None


def _hemisphere(value: str) -> tuple[str, float] | None:
    found = _HEMI.fullmatch(value.strip())
    if not found:
        return None
    number, side = _number(found.group(1)), found.group(2).upper()
    return ("lat" if side in ("LU", "LS") else "lon"), (-number if side in ("LS", "BB")
                                                        else number)


def read_coordinates(value: str) -> tuple[float, float] | None:
    """``(lat, lon)`` from ``"-7.12,106.50"``, ``"106.50,-7.12"`` or ``"7.12 LS 106.5 BT"``."""
    marked = _HEMI.findall(value)
    if len(marked) == 2:
        parts = dict(filter(None, (_hemisphere(f"{n} {s}") for n, s in marked)))
        if set(parts) == {"lat", "lon"}:
            return parts["lat"], parts["lon"]
        return None
    found = _PAIR.match(value)
    if not found:
        return None
    first, second = float(found.group(1)), float(found.group(2))
    if abs(first) > 90 >= abs(second):
        first, second = second, first
    if abs(first) > 90 or abs(second) > 180:
        return None
    return first, second


def _read_time(fields: dict[str, str], problems: list[str]) -> datetime | None:
    stamp = fields.get("DateTime")
    if stamp:
        try:
            when = datetime.fromisoformat(stamp.strip())
        except ValueError:
            problems.append(f"DateTime: tidak terbaca / unreadable {stamp!r}")
        else:
            if when.tzinfo is not None:
                return when.astimezone(UTC)
            problems.append(f"DateTime: tanpa zona waktu / no time zone {stamp!r}")
    else:
        problems.append("DateTime: tidak ada / missing")
    return _local_time(fields.get("Tanggal"), fields.get("Jam"), problems)


def _local_time(day: str | None, clock: str | None, problems: list[str]) -> datetime | None:
    """The time from ``Tanggal`` (``"30 Nov 2026"``) and ``Jam`` (``"21:05:12 WIB"``)."""
    if not day or not clock:
        return None
    found_day = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})", day.strip())
    found_clock = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(WIB|WITA|WIT|UTC)",
                               clock.strip(), re.IGNORECASE)
    month = _MONTHS.get(found_day.group(2).lower()) if found_day else None
    if not found_day or not found_clock or month is None:
        problems.append(f"Tanggal/Jam: tidak terbaca / unreadable {day!r} {clock!r}")
        return None
    zone = timezone(timedelta(hours=_ZONES[found_clock.group(4).upper()]))
    try:
        local = datetime(int(found_day.group(3)), month, int(found_day.group(1)),
                         int(found_clock.group(1)), int(found_clock.group(2)),
                         int(found_clock.group(3) or 0), tzinfo=zone)
    except ValueError:
        problems.append(f"Tanggal/Jam: tidak terbaca / unreadable {day!r} {clock!r}")
        return None
    return local.astimezone(UTC)


def _read_point(fields: dict[str, str], problems: list[str]) -> tuple[float, float] | None:
    coordinates = fields.get("Coordinates")
    if coordinates:
        point = read_coordinates(coordinates)
        if point is not None:
            return point
        problems.append(f"Coordinates: tidak terbaca / unreadable {coordinates!r}")
    lat = _hemisphere(fields.get("Lintang") or "")
    lon = _hemisphere(fields.get("Bujur") or "")
    for name, part, side in (("Lintang", lat, "lat"), ("Bujur", lon, "lon")):
        if part is None or part[0] != side:
            problems.append(f"{name}: tidak ada atau tidak terbaca / missing or unreadable "
                            f"{fields.get(name)!r}")
    if lat is None or lon is None or lat[0] != "lat" or lon[0] != "lon":
        return None
    return lat[1], lon[1]


def _read(fields: dict[str, str], name: str, reader: Any, problems: list[str]) -> Any:
    value = fields.get(name)
    if not value:
        problems.append(f"{name}: tidak ada / missing")
        return None
    found = reader(value)
    if found is None:
        problems.append(f"{name}: tidak terbaca / unreadable {value!r}")
    return found


def _key(when: datetime | None, point: tuple[float, float] | None,
         fields: dict[str, str]) -> str:
    if when is not None and point is not None:
        return (f"bmkg:{when.strftime('%Y-%m-%dT%H:%M:%SZ')}:"
                f"{point[0]:.2f},{point[1]:.2f}")
    digest = hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f"bmkg:raw:{digest[:24]}"


def _optional(fields: dict[str, str], name: str) -> str | None:
    value = fields.get(name)
    return value if value else None


def event_from_fields(fields: dict[str, str]) -> HazardEvent:
    """One ``gempa`` record (its fields as text) → an event, with what could not be read."""
    problems: list[str] = []
    when = _read_time(fields, problems)
    point = _read_point(fields, problems)
    magnitude = _read(fields, "Magnitude", read_magnitude, problems)
    depth = _read(fields, "Kedalaman", read_depth, problems)
    region = _optional(fields, "Wilayah")
    if region is None:
        problems.append("Wilayah: tidak ada / missing")
    return HazardEvent(
        source="bmkg", key=_key(when, point, fields), hazard="earthquake", time=when,
        magnitude=magnitude, depth_km=depth, lat=point[0] if point else None,
        lon=point[1] if point else None, region=region,
        tsunami_potential=_optional(fields, "Potensi"), felt=_optional(fields, "Dirasakan"),
        shakemap=_optional(fields, "Shakemap"), problems=tuple(problems), raw=dict(fields))


def _text_fields(record: dict[str, Any]) -> dict[str, str]:
    """A JSON record's values as text (a number stays as written: ``5.2`` → ``"5.2"``)."""
    out: dict[str, str] = {}
    for name, value in record.items():
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = str(value)
    return out


def _json_records(body: bytes) -> list[dict[str, Any]]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise FeedUnreadable(f"JSON tidak utuh atau rusak / truncated or broken JSON: {exc}")\
            from None
    info = data.get("Infogempa") if isinstance(data, dict) else None
    if not isinstance(info, dict) or "gempa" not in info:
        raise FeedUnreadable("tidak ada Infogempa.gempa / no Infogempa.gempa")
    found = info["gempa"]
    records = found if isinstance(found, list) else [found]
    return [r for r in records if isinstance(r, dict)]


def _xml_records(body: bytes) -> list[dict[str, str]]:
    try:
        root = etree.fromstring(body, _SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise FeedUnreadable(f"XML tidak utuh atau rusak / truncated or broken XML: {exc}")\
            from None
    if root.tag != "Infogempa":
        raise FeedUnreadable(f"akar XML {root.tag!r}, bukan Infogempa / XML root {root.tag!r}, "
                             "not Infogempa")
    return [_xml_fields(gempa) for gempa in root.iterfind("gempa")]


def _xml_fields(gempa: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for child in gempa:
        if not isinstance(child.tag, str):
            continue  # a comment or processing instruction
        if child.tag == "point":
            coordinates = child.findtext("coordinates")
            if coordinates and "Coordinates" not in out:
                out["Coordinates"] = coordinates.strip()
        elif child.text and child.text.strip():
            out[child.tag] = child.text.strip()
    return out


def parse_feed(body: bytes) -> list[HazardEvent]:
    """Every event in one BMKG feed body, JSON or XML (told apart by the first character).

    Raises :class:`FeedUnreadable` for a body that is no feed (a truncated one included); a
    feed that reads holds every event it lists, each with its own ``problems``.
    """
    start = body.lstrip()[:1]
    if start == b"{":
        records: Iterable[dict[str, Any]] = (_text_fields(r) for r in _json_records(body))
    elif start == b"<":
        records = _xml_records(body)
    else:
        raise FeedUnreadable("bukan JSON atau XML / neither JSON nor XML")
    return [event_from_fields(r) for r in records]
