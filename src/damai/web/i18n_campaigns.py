"""The campaign pages' messages (issue #12 part 4), in Indonesian and English; merged into
:data:`damai.web.i18n.MESSAGES`, kept apart so the campaign pages stay one change."""

from __future__ import annotations

from typing import Final

__all__ = ["CAMPAIGN_MESSAGES"]

_SLOT_STATES: Final = {
    "scheduled": ("Terjadwal", "Scheduled"), "sending": ("Sedang dikirim", "Sending"),
    "sent": ("Terkirim", "Sent"), "duplicate": ("Sudah pernah terbit", "Already published"),
    "missed": ("Terlewat", "Missed"), "skipped": ("Dilewati", "Skipped"),
    "failed": ("Gagal", "Failed"), "cancelled": ("Dibatalkan", "Cancelled"),
}
_STATES: Final = {"draft": ("Draf", "Draft"), "active": ("Aktif", "Active"),
                  "paused": ("Dijeda", "Paused"), "ended": ("Selesai", "Ended")}
_DAYS: Final = {"mon": ("Sen", "Mon"), "tue": ("Sel", "Tue"), "wed": ("Rab", "Wed"),
                "thu": ("Kam", "Thu"), "fri": ("Jum", "Fri"), "sat": ("Sab", "Sat"),
                "sun": ("Min", "Sun")}

#: key → (Indonesian, English)
CAMPAIGN_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.campaigns": ("Kampanye", "Campaigns"),
    "campaigns.title": ("Kampanye", "Campaigns"),
    "campaigns.explain": (
        "Pesan yang disetujui, dikirim terjadwal ke kanal yang dipilih. Penjadwal mengirim "
        "setiap slot sekali saja; slot yang terlewat saat sistem mati menunggu keputusan Anda.",
        "Approved messages, sent on a schedule to the chosen channels. The scheduler sends "
        "each slot once; slots missed while the system was down wait for your decision."),
    "campaigns.calendar": ("Kalender", "Calendar"),
    "campaigns.new": ("Buat kampanye", "New campaign"),
    "campaigns.empty": ("Belum ada kampanye. Buat satu dari pesan yang disetujui.",
                        "No campaigns yet. Create one from approved messages."),
    "campaigns.missed_title": ("{n} slot terlewat menunggu keputusan",
                               "{n} missed slots wait for a decision"),
    "campaigns.missed_explain": (
        "Slot ini lewat waktunya saat sistem mati atau jam bergeser, dan tidak dikirim. "
        "Jadwalkan ulang (dikirim satu per satu, berjarak) atau lewati.",
        "These slots passed while the system was down or the clock jumped, and were not "
        "sent. Re-schedule them (sent one at a time, spaced out) or skip them."),
    "campaigns.name": ("Nama", "Name"),
    "campaigns.goal": ("Tujuan", "Goal"),
    "campaigns.state": ("Status", "State"),
    "campaigns.schedule": ("Jadwal", "Schedule"),
    "campaigns.slots": ("Slot", "Slots"),
    "campaigns.no_slots": ("Belum ada slot: aktifkan kampanye untuk menjadwalkannya.",
                           "No slots yet: activate the campaign to schedule them."),
    "campaigns.problems": ("Periksa isian berikut, belum ada yang disimpan:",
                           "Check these fields; nothing was saved:"),
    "campaigns.themes": ("Tema", "Themes"),
    "campaigns.messages": ("Pesan", "Messages"),
    "campaigns.messages_hint": (
        "Satu pesan per baris: entry:ID (entri pustaka yang disetujui) atau response:ID "
        "(tanggapan yang disetujui). Varian A/B dipisah |, mis. entry:a | entry:b.",
        "One message a line: entry:ID (an approved library entry) or response:ID (an approved "
        "response). A/B variants are split by |, e.g. entry:a | entry:b."),
    "campaigns.approved_content": ("Lihat isi yang disetujui", "See approved content"),
    "campaigns.channels": ("Kanal", "Channels"),
    "campaigns.other_channels": ("Kanal platform, satu per baris: PLATFORM:AKUN (mastodon, "
                                 "bluesky, x, telegram)",
                                 "Platform channels, one per line: PLATFORM:ACCOUNT (mastodon, "
                                 "bluesky, x, telegram)"),
    "campaigns.channel": ("Kanal", "Channel"),
    "campaigns.start": ("Mulai", "Start"),
    "campaigns.end": ("Selesai", "End"),
    "campaigns.times": ("Jam tayang (HH:MM, pisahkan dengan koma)",
                        "Posting times (HH:MM, comma-separated)"),
    "campaigns.timezone": ("Zona waktu", "Time zone"),
    "campaigns.save_draft": ("Simpan sebagai draf", "Save as draft"),
    "campaigns.refused": ("Ditolak", "Refused"),
    "campaigns.activated_by": ("Diaktifkan oleh", "Activated by"),
    "campaigns.activate": ("Aktifkan", "Activate"),
    "campaigns.pause": ("Jeda", "Pause"),
    "campaigns.end_campaign": ("Akhiri kampanye", "End campaign"),
    "campaigns.reschedule": ("Jadwalkan ulang, berjarak", "Re-schedule, spaced out"),
    "campaigns.skip": ("Lewati semuanya", "Skip them all"),
    "campaigns.time_local": ("Waktu ({tz})", "Time ({tz})"),
    "campaigns.message": ("Pesan", "Message"),
    "campaigns.publication": ("Publikasi", "Publication"),
    "campaigns.planned": ("semula", "planned"),
    **{f"campaigns.state.{k}": v for k, v in _STATES.items()},
    **{f"campaigns.slot.{k}": v for k, v in _SLOT_STATES.items()},
    **{f"calendar.{k}": v for k, v in _DAYS.items()},
}
