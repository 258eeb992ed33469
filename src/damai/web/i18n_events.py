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
    # the event's page and its alerts (issue #13 part 5)
    "event.title": ("Kejadian {id}", "Event {id}"),
    "event.alerts": ("Peringatan", "Alerts"),
    "event.explain_four_eyes": (
        "Setiap peringatan perlu disetujui dua approver yang berbeda sebelum diterbitkan. "
        "Peringatan mendesak cukup disetujui satu approver; pengecualian itu dicatat di log "
        "audit.",
        "Every alert needs two different approvers before it is published. An urgent alert "
        "needs one approver; that exception is recorded in the audit log."),
    "event.explain_one": (
        "Tinjauan empat mata sedang mati: satu approver cukup untuk setiap peringatan.",
        "Four-eyes review is off: one approver is enough for every alert."),
    "event.no_alerts": (
        "Belum ada peringatan untuk kejadian ini. Susun draf di bawah.",
        "No alert for this event yet. Draft one below."),
    "event.cap": ("Unduh CAP 1.2 peringatan terkini", "Download the current alert's CAP 1.2"),
    "event.urgent": ("mendesak", "urgent"),
    "event.first_approval": ("disetujui pertama oleh {name}; menunggu approver kedua",
                             "first approved by {name}; waiting for a second approver"),
    "event.decided_by": ("diputuskan oleh {name}", "decided by {name}"),
    "event.approve": ("Setujui", "Approve"),
    "event.reject": ("Tolak", "Reject"),
    "event.publish": ("Terbitkan (uji coba)", "Publish (dry run)"),
    "event.published": ("sudah diterbitkan", "published"),
    "event.new": ("Susun peringatan", "Draft an alert"),
    "event.msg_type": ("Jenis", "Kind"),
    "event.msg.Alert": ("Peringatan pertama (Alert)", "First alert (Alert)"),
    "event.msg.Update": ("Pembaruan (Update)", "Update"),
    "event.msg.Cancel": ("Peringatan berakhir (Cancel)", "All clear (Cancel)"),
    "event.urgent_box": ("Mendesak: satu approver cukup", "Urgent: one approver is enough"),
    "event.draft": ("Susun draf", "Draft it"),
    "event.review_there": (
        "Ini peringatan bencana: tinjau di halaman kejadiannya (dua approver, atau satu bila "
        "mendesak).",
        "This is a hazard alert: review it on its event's page (two approvers, or one if "
        "urgent)."),
}
