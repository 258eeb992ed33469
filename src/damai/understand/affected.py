"""The regions an event affects, and whether a post's places lie in them (issue #13 part 7).

:func:`affected_area` is a pure function of the event's point, magnitude and words (no I/O after
the gazetteer is built once, no clock). The rule:

1. **Around the point.** With a point, every regency (or city) whose gazetteer point lies within
   :func:`radius_km` of it: 50 km for a magnitude 5, doubled for each magnitude more and halved
   for each less, kept between 20 and 400 km (M4 → 25 km, M6 → 100 km, M7 → 200 km); an event
   with no magnitude (a CAP weather alert) takes 30 km. The regency nearest the point is always
   in, so an epicentre at sea still has a coast.
2. **Named.** Every place geoparsed from the event's region text ("... 48 km BaratDaya Kab.
   Sukabumi", a CAP alert's area descriptions) and from where BMKG says it was felt ("III
   Sukabumi, III Cianjur, II Bogor"): a regency or district adds its regency, a province adds
   the whole province.
3. An event with neither point nor named place affects nothing (its queue can only hold posts
   that name no place; see :mod:`damai.pipeline.hoaxwatch`).

A post lies in the area (:meth:`AffectedArea.covers`) when one of its places lies in an affected
regency or province, or when it names a province and no regency, and that province holds an
affected regency ("gempa terasa di Jawa Barat").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from damai.understand.gazetteer import Place, gazetteer
from damai.understand.geoparse import geoparse

__all__ = ["AffectedArea", "affected_area", "distance_km", "radius_km"]

_EARTH_KM: Final = 6371.0
BASE_KM: Final = 50.0  # at magnitude 5
MIN_KM: Final = 20.0
MAX_KM: Final = 400.0
NO_MAGNITUDE_KM: Final = 30.0


@dataclass(frozen=True, slots=True)
class AffectedArea:
    """The affected regencies and whole provinces (official gazetteer names), and the radius
    used around the point (``None``: the event has no point)."""

    regencies: frozenset[str]
    provinces: frozenset[str]
    radius_km: float | None

    @property
    def empty(self) -> bool:
        return not self.regencies and not self.provinces

    @property
    def touched_provinces(self) -> frozenset[str]:
        """The whole provinces, and those that hold an affected regency."""
        by_name = gazetteer().by_name
        return self.provinces | {by_name[r].province for r in self.regencies}

    def covers(self, places: Sequence[Place]) -> Place | None:
        """The first of ``places`` that lies in the area (by the module's rule), or ``None``."""
        for place in places:
            if place.province in self.provinces or place.regency in self.regencies:
                return place
        if not any(p.regency for p in places):
            touched = self.touched_provinces
            return next((p for p in places if p.province in touched), None)
        return None

    def to_dict(self) -> dict[str, object]:
        return {"regencies": sorted(self.regencies), "provinces": sorted(self.provinces),
                "radius_km": self.radius_km}


def radius_km(magnitude: float | None) -> float:
    """The radius around an event's point (see the module doc)."""
    if magnitude is None:
        return NO_MAGNITUDE_KM
    return round(min(MAX_KM, max(MIN_KM, BASE_KM * 2 ** (magnitude - 5))), 1)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(min(1.0, a)))


def _regencies() -> list[Place]:
    return [p for p in gazetteer().by_name.values() if p.level == "regency"]


def _around(lat: float, lon: float, radius: float) -> set[str]:
    by_distance = sorted((distance_km(lat, lon, p.lat, p.lon), p.name) for p in _regencies())
    return {name for d, name in by_distance if d <= radius} | {by_distance[0][1]}


def _named(texts: Iterable[str | None]) -> tuple[set[str], set[str]]:
    regencies: set[str] = set()
    provinces: set[str] = set()
    for text in texts:
        for place in geoparse(text).places if text else ():
            if place.regency is not None:
                regencies.add(place.regency)
            else:
                provinces.add(place.province)
    return regencies, provinces


def affected_area(lat: float | None, lon: float | None, magnitude: float | None,
                  texts: Iterable[str | None]) -> AffectedArea:
    """The area of an event at (``lat``, ``lon``) of ``magnitude``, whose region and felt
    texts are ``texts`` (see the module doc)."""
    regencies, provinces = _named(texts)
    radius = None
    if lat is not None and lon is not None:
        radius = radius_km(magnitude)
        regencies |= _around(lat, lon, radius)
    return AffectedArea(frozenset(regencies), frozenset(provinces), radius)
