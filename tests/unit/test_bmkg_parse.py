"""Issue #13: BMKG's feed shapes and the bad input they can carry, read without a network."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from damai.sources.bmkg import (
    FeedUnreadable,
    parse_feed,
    read_coordinates,
    read_depth,
    read_magnitude,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bmkg"
SUKABUMI = "bmkg:2026-12-02T01:14:27Z:-7.12,106.50"


def feed(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(("written", "read"), [
    ("5.2", 5.2), ("5,2", 5.2), ("M 5,2", 5.2), ("M5.2", 5.2), ("m 6", 6.0), ("4.9 SR", 4.9),
    ("kuat", None), ("", None), ("5.2.1", None), ("M", None)])
def test_magnitude_is_read_as_written_or_not_at_all(written: str, read: float | None) -> None:
    assert read_magnitude(written) == read


@pytest.mark.parametrize(("written", "read"), [
    ("10 km", 10.0), ("10,5 Km", 10.5), ("33", 33.0), ("sekitar sepuluh", None), ("km", None)])
def test_depth(written: str, read: float | None) -> None:
    assert read_depth(written) == read


@pytest.mark.parametrize(("written", "read"), [
    ("-7.12,106.50", (-7.12, 106.5)),
    ("106.50,-7.12", (-7.12, 106.5)),  # the XML <coordinates>: longitude first
    ("7.12 LS 106.5 BT", (-7.12, 106.5)),
    ("2.31 LU, 95.61 BT", (2.31, 95.61)),
    ("7,12 LS 106,5 BT", (-7.12, 106.5)),
    ("-2.5,", None), ("7.12 LS 8.1 LS", None), ("200,300", None), ("", None)])
def test_coordinates(written: str, read: tuple[float, float] | None) -> None:
    assert read_coordinates(written) == read


def test_autogempa_holds_one_event_with_every_field() -> None:
    (event,) = parse_feed(feed("autogempa.json"))
    assert event.key == SUKABUMI and event.source == "bmkg" and event.hazard == "earthquake"
    assert event.time == datetime(2026, 12, 2, 1, 14, 27, tzinfo=UTC)
    assert (event.magnitude, event.depth_km, event.lat, event.lon) == (5.2, 10.0, -7.12, 106.5)
    assert event.tsunami_potential == "Tidak berpotensi tsunami"
    assert event.felt == "III Sukabumi, III Cianjur, II Bogor"
    assert event.shakemap == "20261202081427.mmi.jpg" and event.problems == ()
    assert event.raw["Magnitude"] == "5.2"


@pytest.mark.parametrize("name", ["autogempa", "gempaterkini", "gempadirasakan"])
def test_the_xml_variant_reads_like_the_json_one(name: str) -> None:
    as_json = {e.key: e for e in parse_feed(feed(f"{name}.json"))}
    as_xml = parse_feed(feed(f"{name}.xml"))
    assert as_xml and all(e.key in as_json for e in as_xml)
    for event in as_xml:
        twin = as_json[event.key]
        for name_ in ("time", "magnitude", "depth_km", "lat", "lon", "region",
                      "tsunami_potential", "felt", "problems"):
            assert getattr(event, name_) == getattr(twin, name_), name_


def test_lists_and_a_changed_field_order() -> None:
    events = parse_feed(feed("gempaterkini.json"))
    assert [e.magnitude for e in events] == [5.2, 5.6, 6.1]
    simeulue = events[1]  # written with its fields in reverse order
    assert (simeulue.lat, simeulue.lon, simeulue.depth_km) == (2.31, 95.61, 24.0)
    assert simeulue.felt is None and simeulue.problems == ()  # gempaterkini has no Dirasakan


def test_bad_input_is_read_where_it_can_be_and_named_where_it_cannot() -> None:
    hemispheres, no_stamp, broken = parse_feed(feed("bad.json"))
    assert (hemispheres.magnitude, hemispheres.lat, hemispheres.lon) == (5.2, -7.12, 106.5)
    assert hemispheres.problems == ()
    # no DateTime: the time comes from Tanggal and Jam (14:30 WITA = 06:30 UTC); no depth
    assert no_stamp.time == datetime(2026, 11, 28, 6, 30, tzinfo=UTC)
    assert (no_stamp.magnitude, no_stamp.depth_km, no_stamp.lat) == (4.7, None, 1.05)
    assert [p.split(":")[0] for p in no_stamp.problems] == ["DateTime", "Kedalaman"]
    # nothing invented: an unreadable point and magnitude stay None, and are named
    assert (broken.lat, broken.lon, broken.magnitude, broken.region) == (None, None, None, None)
    assert broken.depth_km == 33.0
    assert {p.split(":")[0] for p in broken.problems} == {
        "Coordinates", "Lintang", "Bujur", "Magnitude", "Wilayah"}
    assert broken.key.startswith("bmkg:raw:")


@pytest.mark.parametrize("body", [
    b'{"Infogempa":{"gempa":{"Tanggal":"02 Des', b"<Infogempa><gempa><Tanggal>02",
    b"", b"Service Unavailable", b'{"gempa": []}', b"<html><body>maaf</body></html>"])
def test_a_body_that_is_no_feed_is_refused_with_a_reason(body: bytes) -> None:
    with pytest.raises(FeedUnreadable) as refused:
        parse_feed(body)
    assert refused.value.code == "E300" and " / " in refused.value.message


def test_an_entity_is_not_expanded() -> None:
    body = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "BOCOR">]>'
            b"<Infogempa><gempa><Wilayah>&e;</Wilayah></gempa></Infogempa>")
    (event,) = parse_feed(body)
    assert event.region != "BOCOR"
