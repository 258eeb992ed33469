"""The map page's messages and the citizen reports shown on the events page (issue #13), in
Indonesian and English; merged into :data:`damai.web.i18n.MESSAGES`, kept apart so the page stays
one change."""

from __future__ import annotations

from typing import Final

__all__ = ["MAP_MESSAGES"]

#: key → (Indonesian, English)
MAP_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.map": ("Peta", "Map"),
    "map.title": ("Peta kejadian dan laporan warga", "Map of events and citizen reports"),
    "map.explain": (
        "Kejadian resmi (BMKG, CAP) dan kejadian dari laporan warga, dengan laporan warga "
        "dikelompokkan per kabupaten/kota. Lingkaran merah adalah permintaan tolong: dahulukan. "
        "Tempat laporan diambil dari teks post, bukan dari profil penulis.",
        "Official events (BMKG, CAP) and events from citizen reports, with citizen reports "
        "grouped per regency or city. Red circles are calls for help: handle them first. A "
        "report's place comes from the post's text, never from the author's profile."),
    "map.no_js": ("Peta memerlukan JavaScript; angkanya ada di tabel di bawah.",
                  "The map needs JavaScript; the figures are in the table below."),
    "map.until": ("Sampai", "Until"),
    "map.hours": ("Rentang jam", "Hours shown"),
    "map.hazard": ("Bencana", "Hazard"),
    "map.info": ("Jenis informasi", "Kind of information"),
    "map.all": ("Semua", "All"),
    "map.shown": ("Tampil: {events} kejadian, {reports} laporan, {help} permintaan tolong",
                  "Shown: {events} events, {reports} reports, {help} calls for help"),
    "map.places": ("Laporan per tempat", "Reports per place"),
    "map.place": ("Tempat", "Place"),
    "map.reports": ("Laporan", "Reports"),
    "map.help": ("Minta tolong", "Calls for help"),
    "map.empty": ("Belum ada laporan bencana warga yang menyebut tempat pada rentang ini.",
                  "No citizen disaster report naming a place in this range yet."),
    "map.event": ("Kejadian", "Event"),
    "reports.calls": ("{n} minta tolong", "{n} calls for help"),
    "reports.show": ("Lihat laporan", "Show reports"),
    "hazard.earthquake": ("Gempa bumi", "Earthquake"),
    "hazard.tsunami": ("Tsunami", "Tsunami"),
    "hazard.flood": ("Banjir", "Flood"),
    "hazard.landslide": ("Tanah longsor", "Landslide"),
    "hazard.volcano": ("Gunung api", "Volcano"),
    "hazard.fire": ("Kebakaran", "Fire"),
    "hazard.extreme_weather": ("Cuaca ekstrem", "Extreme weather"),
    "info.eyewitness": ("Saksi mata", "Eyewitness"),
    "info.call_for_help": ("Minta tolong", "Call for help"),
    "info.casualties_damage": ("Korban atau kerusakan", "Casualties or damage"),
    "info.warning_advice": ("Peringatan atau saran", "Warning or advice"),
    "info.donation_volunteer": ("Donasi atau relawan", "Donation or volunteering"),
}
