"""Provinces: 38 of them, and posts' places mapped to one."""

from __future__ import annotations

import pytest

from damai.records import Geo
from damai.understand.places import PROVINCES, province_of


def test_there_are_38_distinct_provinces_inside_indonesia() -> None:
    assert len(PROVINCES) == 38 and len({p.name for p in PROVINCES}) == 38
    assert all(-11 < p.lat < 6 and 95 < p.lon < 141 for p in PROVINCES)


@pytest.mark.parametrize(("geo", "expected"), [
    (Geo(place="Kota Bekasi, Jawa Barat"), "Jawa Barat"),
    (Geo(place="Jakarta Selatan"), "DKI Jakarta"),
    (Geo(place="jogja"), "DI Yogyakarta"),
    (Geo(place="Sorong"), "Papua Barat Daya"),
    (Geo(place="Papua Barat"), "Papua Barat"),
    (Geo(place="Makassar, Indonesia"), "Sulawesi Selatan"),
    (Geo(lat=-0.90, lon=119.87), "Sulawesi Tengah"),  # Palu
    (Geo(lat=-8.65, lon=115.22), "Bali"),
    (Geo(lat=48.85, lon=2.35), None),  # Paris
    (Geo(place="Kuala Lumpur"), None),
    (None, None),
])
def test_province_of(geo: Geo | None, expected: str | None) -> None:
    found = province_of(geo)
    assert (found.name if found else None) == expected
