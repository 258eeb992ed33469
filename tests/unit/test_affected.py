"""Issue #13 part 7: the regions an event affects (:mod:`damai.understand.affected`)."""

from __future__ import annotations

import pytest

from damai.understand.affected import affected_area, distance_km, radius_km
from damai.understand.geoparse import geoparse

SUKABUMI_SEA = (-7.39, 106.52)  # at sea, south-west of Kabupaten Sukabumi
CIANJUR = (-6.84, 107.05)


@pytest.mark.parametrize(("magnitude", "km"), [
    (5.0, 50.0), (6.0, 100.0), (7.0, 200.0), (4.0, 25.0), (3.0, 20.0), (9.1, 400.0),
    (None, 30.0)])
def test_the_radius_doubles_with_each_magnitude_within_its_bounds(magnitude: float | None,
                                                                  km: float) -> None:
    assert radius_km(magnitude) == km


def test_distance_is_great_circle_kilometres() -> None:
    assert distance_km(0, 0, 0, 1) == pytest.approx(111.2, abs=0.1)
    assert distance_km(*CIANJUR, *CIANJUR) == 0


def test_a_bigger_quake_at_the_same_point_affects_more_regencies() -> None:
    small = affected_area(*CIANJUR, 4.0, [])
    big = affected_area(*CIANJUR, 6.5, [])
    assert "Kabupaten Cianjur" in small.regencies
    assert small.regencies < big.regencies
    assert {"Kota Bandung", "Kota Bogor", "Kota Sukabumi"} <= big.regencies
    assert "Kota Surabaya" not in big.regencies and not big.provinces


def test_an_epicentre_at_sea_keeps_its_nearest_regency_and_the_named_and_felt_places() -> None:
    area = affected_area(*SUKABUMI_SEA, 3.0, [
        "Pusat gempa berada di laut 48 km BaratDaya Kab. Sukabumi",
        "III Sukabumi, III Cianjur, II Bogor"])
    assert area.radius_km == 20.0
    assert {"Kabupaten Sukabumi", "Kabupaten Cianjur"} <= area.regencies


def test_an_event_without_a_point_has_only_its_named_places() -> None:
    area = affected_area(None, None, 5.2, ["Pusat gempa berada di darat 9 km TimurLaut "
                                           "Lombok Barat", "II-III Mataram, II Lombok Barat"])
    assert area.radius_km is None
    assert area.regencies == {"Kabupaten Lombok Barat", "Kota Mataram"}
    assert affected_area(None, None, None, ["Koordinat tidak terbaca", None]).empty


def test_a_named_province_is_affected_whole() -> None:
    area = affected_area(None, None, None, ["Hujan lebat di wilayah Provinsi Bali"])
    assert area.provinces == {"Bali"} and not area.regencies


@pytest.mark.parametrize(("text", "inside"), [
    ("Rumah retak di Cianjur setelah gempa", True),
    ("Warga Kecamatan Cugenang mengungsi", True),  # a district of Kabupaten Cianjur
    ("Gempa terasa sampai Jawa Barat", True),  # a province holding an affected regency
    ("Banjir rob di Jakarta Utara", False),
    ("Gempa terasa di Surabaya dan Jawa Barat", False),  # a regency outside: the post is there
    ("Cuaca cerah hari ini", False),  # no place at all
])
def test_a_post_lies_in_the_area_by_its_places(text: str, inside: bool) -> None:
    area = affected_area(*CIANJUR, 4.0, ["Pusat gempa berada di darat 10 km BaratLaut Cianjur"])
    assert (area.covers(geoparse(text).places) is not None) is inside


@pytest.mark.parametrize(("hazard", "headline", "word"), [
    ("earthquake", None, "gempa"),
    ("Hujan Lebat disertai Petir", None, "banjir"),
    ("Peringatan dini", "Erupsi Gunung Semeru, status Awas", "lahar"),
    ("Tanah longsor", None, "longsor"),
    ("Kekeringan", None, "kekeringan"),  # no kind known: the hazard's own words
])
def test_a_post_with_no_place_counts_when_it_names_the_hazard(hazard: str, headline: str | None,
                                                              word: str) -> None:
    from damai.pipeline.hoaxwatch import hazard_words
    from damai.records import HazardEvent

    assert word in hazard_words(HazardEvent("cap", "k", hazard, headline=headline))
