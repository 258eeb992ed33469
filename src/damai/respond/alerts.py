"""The texts of alert drafts (issue #13 part 5): Damai's own templates, Indonesian then English.

:func:`alert_texts` turns an event into the six texts of one alert (headline, description and
instruction, in each language). A pure function: no I/O, no clock, no secrets.

- The description gives the magnitude, depth, place and point, the time (WIB, UTC+7, as BMKG
  writes it), the tsunami potential in BMKG's own words between quotes, unchanged, and the felt
  intensity (MMI) as BMKG's ``Dirasakan`` lists it. A value the event does not have is said to be
  unknown in a sentence of its own; nothing is ever guessed or filled in.
- The instruction is the safety advice for the hazard (:data:`HAZARDS`), then where the official
  updates are: BMKG's site and app, BNPB and the local BPBD (and PVMBG's MAGMA Indonesia for a
  volcano), and the emergency number 112.
- An ``Update`` says it replaces the earlier alert; a ``Cancel`` is the all clear: it says the
  earlier alert has ended, and what to keep watching for.

The hazard comes from the event's ``hazard`` (BMKG: ``earthquake``; CAP: BMKG's own ``<event>``
words, e.g. "Hujan Lebat disertai Petir") by the keywords in :data:`_KEYWORDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Final, Literal

from damai.records import HazardEvent

__all__ = ["HAZARDS", "MSG_TYPES", "AlertTexts", "alert_texts", "hazard_of"]

MsgType = Literal["Alert", "Update", "Cancel"]
MSG_TYPES: Final[tuple[str, ...]] = ("Alert", "Update", "Cancel")
_WIB: Final = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True, slots=True)
class _Hazard:
    name_id: str
    name_en: str
    advice_id: str
    advice_en: str


#: hazard → its names and safety advice (Indonesian, English)
HAZARDS: Final[dict[str, _Hazard]] = {
    "earthquake": _Hazard(
        "Gempa bumi", "Earthquake",
        "Bila guncangan terasa lagi, merunduk, lindungi kepala, dan berpegangan pada benda "
        "kokoh. Setelah guncangan berhenti, keluar dengan tenang dan jauhi bangunan retak, "
        "tiang listrik, dan tebing. Bersiaplah untuk gempa susulan. Bila Anda di pantai dan "
        "guncangannya kuat atau lama, segera pergi ke tempat tinggi tanpa menunggu aba-aba. "
        "Gempa tidak bisa diramal: jangan sebarkan kabar yang menyebut jam gempa berikutnya.",
        "If the shaking comes back, drop, cover your head and hold on to something solid. Once "
        "it stops, walk out calmly and keep away from cracked buildings, power poles and "
        "cliffs. Be ready for aftershocks. If you are on the coast and the shaking is strong or "
        "long, go to high ground at once without waiting to be told. Earthquakes cannot be "
        "predicted: do not share messages that name the hour of the next one."),
    "tsunami": _Hazard(
        "Tsunami", "Tsunami",
        "Segera tinggalkan pantai dan tepi sungai dekat muara. Pergi ke tempat tinggi atau ikuti "
        "jalur evakuasi yang bertanda. Jangan mendekati laut untuk melihat air surut. Tetap di "
        "tempat aman sampai BMKG menyatakan peringatan berakhir.",
        "Leave the beach and river banks near the sea now. Go to high ground or follow the "
        "marked evacuation routes. Do not go to the sea to watch the water pull back. Stay "
        "somewhere safe until BMKG says the warning has ended."),
    "flood": _Hazard(
        "Banjir", "Flood",
        "Matikan listrik dari meteran bila air mulai masuk rumah. Simpan dokumen penting dan obat "
        "di tempat tinggi. Jangan berjalan atau berkendara menembus arus banjir. Ikuti arahan "
        "evakuasi dari BPBD dan petugas setempat.",
        "Switch off the power at the meter if water comes into the house. Keep documents and "
        "medicines up high. Do not walk or drive through moving flood water. Follow the "
        "evacuation instructions of the BPBD and local officials."),
    "landslide": _Hazard(
        "Tanah longsor", "Landslide",
        "Jauhi lereng, tebing, dan alur sungai di kaki bukit. Waspadai tanda longsor: retakan "
        "tanah baru, pohon atau tiang yang miring, mata air yang tiba-tiba keruh. Segera "
        "mengungsi bila tanda itu muncul, terutama saat hujan lebat.",
        "Keep away from slopes, cliffs and stream beds at the foot of hills. Watch for the "
        "signs: new cracks in the ground, leaning trees or poles, springs that turn muddy. "
        "Leave at once when you see them, above all in heavy rain."),
    "volcano": _Hazard(
        "Erupsi gunung api", "Volcanic eruption",
        "Patuhi radius bahaya yang ditetapkan PVMBG (Badan Geologi). Pakai masker dan kacamata "
        "saat hujan abu, dan tutup tempat penampungan air. Jauhi sungai yang berhulu di gunung: "
        "lahar bisa datang tanpa hujan di tempat Anda.",
        "Keep out of the danger zone set by PVMBG (the Geological Agency). Wear a mask and "
        "glasses in ash fall, and cover water tanks. Keep away from rivers that flow down from "
        "the volcano: lahars can come even when it is not raining where you are."),
    "extreme_weather": _Hazard(
        "Cuaca ekstrem", "Extreme weather",
        "Jangan berteduh di bawah pohon besar, baliho, atau tiang listrik saat angin kencang dan "
        "petir. Tunda pelayaran bila ada gelombang tinggi. Waspadai banjir dan longsor bila hujan "
        "lebat berlangsung lama.",
        "Do not shelter under big trees, billboards or power poles in strong wind and "
        "lightning. Put off sea trips when high waves are forecast. Watch for floods and "
        "landslides when heavy rain goes on for long."),
    "fire": _Hazard(
        "Kebakaran", "Fire",
        "Jauhi asap dan pakai masker bila udara berasap. Jangan membakar lahan atau sampah. "
        "Laporkan titik api ke pemadam kebakaran (113) atau BPBD setempat.",
        "Keep away from the smoke and wear a mask when the air is smoky. Do not burn land or "
        "rubbish. Report fires to the fire brigade (113) or the local BPBD."),
    "other": _Hazard(
        "Bencana", "Hazard",
        "Ikuti arahan petugas setempat dan jauhi daerah yang terdampak. Jangan sebarkan kabar "
        "yang sumbernya belum jelas.",
        "Follow the instructions of local officials and keep away from the affected area. Do "
        "not share news whose source is unclear."),
}

#: words in an event's ``hazard`` → the hazard (the first that matches, in this order)
_KEYWORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("tsunami", ("tsunami",)),
    ("earthquake", ("earthquake", "gempa")),
    ("volcano", ("volcan", "erupsi", "gunung api", "gunungapi", "abu vulkanik")),
    ("landslide", ("landslide", "longsor")),
    ("flood", ("flood", "banjir", "rob")),
    ("fire", ("fire", "kebakaran", "karhutla", "titik api")),
    ("extreme_weather", ("weather", "cuaca", "hujan", "angin", "petir", "badai", "puting",
                         "gelombang tinggi", "storm", "rain", "wind")),
)

_UPDATES_ID: Final = ("Pantau informasi resmi di situs www.bmkg.go.id dan aplikasi InfoBMKG, "
                      "BNPB (bnpb.go.id), dan BPBD setempat.{extra} Dalam keadaan darurat, "
                      "hubungi 112.")
_UPDATES_EN: Final = ("Follow the official updates on www.bmkg.go.id and the InfoBMKG app, "
                      "BNPB (bnpb.go.id) and the local BPBD.{extra} In an emergency, call 112.")


@dataclass(frozen=True, slots=True)
class AlertTexts:
    """One alert's texts: ``*_id`` Indonesian, ``*_en`` English."""

    hazard: str
    headline_id: str
    description_id: str
    instruction_id: str
    headline_en: str
    description_en: str
    instruction_en: str

    @property
    def text_id(self) -> str:
        return "\n\n".join((self.headline_id, self.description_id, self.instruction_id))

    @property
    def text_en(self) -> str:
        return "\n\n".join((self.headline_en, self.description_en, self.instruction_en))

    @property
    def text(self) -> str:
        """What is reviewed and published: Indonesian first, then English."""
        return f"{self.text_id}\n\n— English —\n\n{self.text_en}"


def hazard_of(event: HazardEvent) -> str:
    """The hazard of :data:`HAZARDS` the event is (``other`` when no keyword matches)."""
    words = event.hazard.casefold()
    return next((h for h, keys in _KEYWORDS if any(k in words for k in keys)), "other")


def _number(value: float, indonesian: bool) -> str:
    shown = f"{value:g}"
    return shown.replace(".", ",") if indonesian else shown


def _point(lat: float, lon: float, indonesian: bool) -> str:
    """``7,12° LS 106,5° BT`` (Indonesian) or ``7.12° S 106.5° E``: no sign to misread, and
    no decimal comma beside a separating one."""
    north, east = ("LU", "BT") if indonesian else ("N", "E")
    south, west = ("LS", "BB") if indonesian else ("S", "W")
    return (f"{_number(abs(lat), indonesian)}° {north if lat >= 0 else south} "
            f"{_number(abs(lon), indonesian)}° {east if lon >= 0 else west}")


def _place(event: HazardEvent, indonesian: bool) -> str | None:
    if event.region is None and event.lat is None:
        return None
    where = event.region or ("wilayah belum diketahui" if indonesian else "area not known")
    if event.lat is None or event.lon is None:
        return where
    return f"{where} ({'titik' if indonesian else 'point'} " \
           f"{_point(event.lat, event.lon, indonesian)})"


#: per language: the sentence of each value (``{}``: the value as written), and the one said when
#: an earthquake does not have it (other hazards leave out what they never have)
_SENTENCES: Final[dict[bool, tuple[tuple[str, str, str], ...]]] = {
    True: (("magnitude", "Magnitudo {}.", "Magnitudo belum diketahui."),
           ("depth_km", "Kedalaman {} km.", "Kedalaman belum diketahui."),
           ("tsunami_potential", 'Potensi tsunami menurut BMKG: "{}".',
            "BMKG belum menyebutkan potensi tsunami."),
           ("felt", "Dirasakan (skala MMI) menurut BMKG: {}.",
            "BMKG belum melaporkan intensitas yang dirasakan (skala MMI).")),
    False: (("magnitude", "Magnitude {}.", "The magnitude is not known yet."),
            ("depth_km", "Depth {} km.", "The depth is not known yet."),
            ("tsunami_potential", "Tsunami potential, in BMKG's words: \"{}\".",
             "BMKG has not stated the tsunami potential yet."),
            ("felt", "Felt (MMI scale), as BMKG reports: {}.",
             "BMKG has not reported the felt intensity (MMI) yet.")),
}


def _when(event: HazardEvent, name: str, indonesian: bool) -> str:
    when = event.time.astimezone(_WIB) if event.time else None
    if indonesian:
        return (f"{name} terjadi pada {when:%d-%m-%Y} pukul {when:%H.%M} WIB." if when
                else f"Waktu {name.lower()} belum diketahui.")
    return (f"{name} at {when:%Y-%m-%d %H:%M} WIB (UTC+7)." if when
            else f"The time of the {name.lower()} is not known yet.")


def _facts(event: HazardEvent, name: str, indonesian: bool) -> str:
    said = [_when(event, name, indonesian)]
    place = _place(event, indonesian)
    for field, present, missing in _SENTENCES[indonesian]:
        value = getattr(event, field)
        if value is not None:
            shown = _number(value, indonesian) if isinstance(value, float) else value
            said.append(present.format(shown))
        elif event.hazard == "earthquake":
            said.append(missing)
        if field == "depth_km":  # the place after the depth, as BMKG lists them
            said.append((f"Lokasi: {place}." if place else "Lokasi belum diketahui.")
                         if indonesian else
                         (f"Location: {place}." if place else "The location is not known yet."))
    return " ".join(said)


def _headline(event: HazardEvent, name: str, indonesian: bool) -> str:
    magnitude = (f" M{_number(event.magnitude, indonesian)}"
                 if event.magnitude is not None else "")
    where = event.region or ("lokasi belum diketahui" if indonesian else "location not known")
    return f"{name}{magnitude} – {where}"


def alert_texts(event: HazardEvent, msg_type: str = "Alert") -> AlertTexts:
    """The texts of an ``Alert``, ``Update`` or ``Cancel`` (all clear) of ``event``."""
    hazard = hazard_of(event)
    h = HAZARDS[hazard]
    extra_id = " Untuk gunung api, pantau juga MAGMA Indonesia (PVMBG)." \
        if hazard == "volcano" else ""
    extra_en = " For volcanoes, also follow MAGMA Indonesia (PVMBG)." \
        if hazard == "volcano" else ""
    updates_id, updates_en = _UPDATES_ID.format(extra=extra_id), _UPDATES_EN.format(
        extra=extra_en)
    head_id, head_en = _headline(event, h.name_id, True), _headline(event, h.name_en, False)
    facts_id, facts_en = _facts(event, h.name_id, True), _facts(event, h.name_en, False)
    if msg_type == "Cancel":
        return AlertTexts(
            hazard, f"Peringatan berakhir: {head_id}", f"Peringatan sebelumnya untuk kejadian "
            f"ini dinyatakan berakhir. {facts_id}", f"Tetap waspada dan ikuti arahan petugas "
            f"setempat. {updates_id}", f"All clear: {head_en}", "The earlier alert for this "
            f"event has ended. {facts_en}", f"Stay alert and follow the instructions of local "
            f"officials. {updates_en}")
    if msg_type == "Update":
        head_id, head_en = f"Pembaruan: {head_id}", f"Update: {head_en}"
        facts_id = f"Informasi ini menggantikan peringatan sebelumnya. {facts_id}"
        facts_en = f"This replaces the earlier alert. {facts_en}"
    return AlertTexts(hazard, head_id, facts_id, f"{h.advice_id} {updates_id}", head_en,
                      facts_en, f"{h.advice_en} {updates_en}")
