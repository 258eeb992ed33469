"""The events page's messages (issue #13), in Indonesian and English; merged into
:data:`damai.web.i18n.MESSAGES`, kept apart so the page stays one change."""

from __future__ import annotations

from typing import Final

__all__ = ["EVENT_MESSAGES"]

#: key → (Indonesian, English)
EVENT_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.events": ("Kejadian", "Events"),
    "events.title": ("Kejadian bencana resmi", "Official hazard events"),
    "events.explain": (
        "Gempa dari umpan BMKG dan peringatan CAP yang diimpor, terbaru dulu. Potensi tsunami "
        "dan wilayah yang merasakan ditulis persis seperti kata BMKG. Nilai yang tidak terbaca "
        "dikosongkan dan disebut di kolom Masalah, tidak pernah ditebak.",
        "Earthquakes from BMKG's feeds and imported CAP alerts, newest first. The tsunami "
        "potential and where it was felt are BMKG's own words. A value that could not be read "
        "is left empty and named under Problems, never guessed."),
    "events.empty": (
        "Belum ada kejadian. Jalankan `damai bmkg poll` atau impor peringatan dengan "
        "`damai alerts import-cap BERKAS`.",
        "No events yet. Run `damai bmkg poll`, or import alerts with "
        "`damai alerts import-cap FILE`."),
    "events.down": (
        "Umpan ini tidak menjawab sejak {since} UTC (lebih dari {minutes} menit): {url}. "
        "Kejadian baru mungkin belum tampil; periksa sumber resmi BMKG secara langsung.",
        "This feed has not answered since {since} UTC (over {minutes} minutes): {url}. "
        "New events may be missing; check BMKG's official channels directly."),
    "events.source": ("Sumber", "Source"),
    "events.time": ("Waktu", "Time"),
    "events.hazard": ("Bahaya", "Hazard"),
    "events.magnitude": ("Magnitudo", "Magnitude"),
    "events.depth": ("Kedalaman (km)", "Depth (km)"),
    "events.point": ("Titik", "Point"),
    "events.region": ("Wilayah", "Region"),
    "events.tsunami": ("Potensi tsunami (BMKG)", "Tsunami potential (BMKG)"),
    "events.felt": ("Dirasakan", "Felt"),
    "events.reports": ("Laporan warga", "Citizen reports"),
    "events.problems": ("Masalah", "Problems"),
    "events.cap": ("CAP", "CAP"),
}
