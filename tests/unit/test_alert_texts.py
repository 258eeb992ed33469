"""Issue #13 part 5: the alert templates. Every hazard has its own advice in both languages;
BMKG's tsunami words and felt intensity are quoted unchanged; a missing value is said to be
unknown, and no number appears that the event did not give."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from damai.records import HazardEvent
from damai.respond.alerts import HAZARDS, alert_texts, hazard_of

QUAKE = HazardEvent(
    "bmkg", "bmkg:1", "earthquake", time=datetime(2026, 12, 2, 1, 14, 27, tzinfo=UTC),
    magnitude=5.2, depth_km=10.0, lat=-7.12, lon=106.5,
    region="Pusat gempa berada di laut 48 km BaratDaya Kab. Sukabumi",
    tsunami_potential="Tidak berpotensi tsunami", felt="III Sukabumi, III Cianjur, II Bogor")
BARE = HazardEvent("bmkg", "bmkg:2", "earthquake")


@pytest.mark.parametrize(("words", "hazard"), [
    ("earthquake", "earthquake"), ("Gempa Bumi", "earthquake"),
    ("Peringatan Dini Tsunami", "tsunami"), ("Banjir Rob", "flood"),
    ("Tanah Longsor", "landslide"), ("Erupsi Gunung Api", "volcano"),
    ("Hujan Lebat disertai Petir", "extreme_weather"), ("Kebakaran Hutan", "fire"),
    ("Kecelakaan Industri", "other"),
])
def test_the_hazard_comes_from_the_event_words(words: str, hazard: str) -> None:
    event = HazardEvent("cap", "cap:x", words, region="Kota Bogor")
    assert hazard_of(event) == hazard
    texts = alert_texts(event)
    assert texts.hazard == hazard
    assert HAZARDS[hazard].advice_id in texts.instruction_id
    assert HAZARDS[hazard].advice_en in texts.instruction_en
    for instruction in (texts.instruction_id, texts.instruction_en):
        assert "bmkg.go.id" in instruction and "BNPB" in instruction and "BPBD" in instruction


def test_every_hazard_has_its_own_advice_in_both_languages() -> None:
    advice = [(h.advice_id, h.advice_en) for h in HAZARDS.values()]
    assert len(set(advice)) == len(HAZARDS) == 8
    assert set(HAZARDS) == {"earthquake", "tsunami", "flood", "landslide", "volcano",
                            "extreme_weather", "fire", "other"}


def test_an_earthquake_alert_gives_every_value_and_bmkg_words_unchanged() -> None:
    t = alert_texts(QUAKE)
    assert t.headline_id == "Gempa bumi M5,2 – Pusat gempa berada di laut 48 km BaratDaya Kab. " \
                           "Sukabumi"
    assert "pukul 08.14 WIB" in t.description_id and "Magnitudo 5,2." in t.description_id
    assert "Kedalaman 10 km." in t.description_id
    assert "(titik 7,12° LS 106,5° BT)" in t.description_id
    assert "(point 7.12° S 106.5° E)" in t.description_en
    assert '"Tidak berpotensi tsunami"' in t.description_id
    assert '"Tidak berpotensi tsunami"' in t.description_en
    assert "III Sukabumi, III Cianjur, II Bogor" in t.description_id
    assert "08:14 WIB" in t.description_en and "Magnitude 5.2." in t.description_en
    assert t.text.index(t.text_id) < t.text.index(t.text_en)  # Indonesian first


def test_missing_values_are_said_plainly_and_never_invented() -> None:
    t = alert_texts(BARE)
    for said in ("Waktu gempa bumi belum diketahui", "Magnitudo belum diketahui",
                 "Kedalaman belum diketahui", "Lokasi belum diketahui",
                 "BMKG belum menyebutkan potensi tsunami", "belum melaporkan intensitas"):
        assert said in t.description_id
    for said in ("magnitude is not known", "depth is not known", "location is not known",
                 "has not stated the tsunami potential", "has not reported the felt"):
        assert said in t.description_en
    assert not re.search(r"\d", t.description_id + t.description_en + t.headline_id)


def test_follow_ups_say_what_they_are() -> None:
    update, cancel = alert_texts(QUAKE, "Update"), alert_texts(QUAKE, "Cancel")
    assert update.headline_id.startswith("Pembaruan:") and update.headline_en.startswith(
        "Update:")
    assert "menggantikan peringatan sebelumnya" in update.description_id
    assert cancel.headline_id.startswith("Peringatan berakhir:")
    assert cancel.headline_en.startswith("All clear:")
    assert "dinyatakan berakhir" in cancel.description_id
    assert '"Tidak berpotensi tsunami"' in cancel.description_id
