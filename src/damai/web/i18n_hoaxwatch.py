"""The hoax-watch page's messages (issue #13 part 7), in Indonesian and English; merged into
:data:`damai.web.i18n.MESSAGES`, kept apart so the page stays one change."""

from __future__ import annotations

from typing import Final

__all__ = ["HOAXWATCH_MESSAGES"]

#: key → (Indonesian, English)
HOAXWATCH_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.hoaxwatch": ("Pantau hoaks", "Hoax watch"),
    "hoaxwatch.title": ("Pantauan hoaks pascabencana", "Post-disaster hoax watch"),
    "hoaxwatch.explain": (
        "Post yang dibuat sesudah kejadian, dari wilayah terdampak atau tanpa tempat tetapi "
        "menyebut bahayanya, yang mengulang klaim salah dari cek fakta atau cocok dengan pola "
        "hoaks (ramalan gempa, donasi ke rekening pribadi, foto lama). Kecocokan adalah alasan "
        "untuk memeriksa, bukan putusan: baca post-nya, lalu usulkan koreksi untuk ditinjau atau "
        "singkirkan.",
        "Posts written after an event, from its affected regions or naming no place but its "
        "hazard, that repeat a fact-checked false claim or match a hoax pattern (quake "
        "predictions, donations to personal accounts, old photos). A match is a reason to look, "
        "not a verdict: read the post, then propose the correction for review or dismiss it."),
    "hoaxwatch.empty_events": (
        "Tidak ada kejadian dalam {days} hari terakhir. Kejadian datang dari `damai bmkg poll` "
        "atau `damai alerts import-cap BERKAS`.",
        "No event in the last {days} days. Events come from `damai bmkg poll` or "
        "`damai alerts import-cap FILE`."),
    "hoaxwatch.event": ("Kejadian #{id}: {name}, {time} UTC", "Event #{id}: {name}, {time} UTC"),
    "hoaxwatch.quake": ("Gempa M{m}", "Earthquake M{m}"),
    "hoaxwatch.area": ("Wilayah terdampak", "Affected area"),
    "hoaxwatch.radius": ("radius {km} km dari titik kejadian", "{km} km around the event's point"),
    "hoaxwatch.no_point": ("tanpa titik: hanya tempat yang disebut", "no point: named places only"),
    "hoaxwatch.no_area": ("tidak ada tempat yang terbaca", "no place could be read"),
    "hoaxwatch.window": (
        "Dipantau sampai {until} UTC; {read} post dibaca, {dismissed} disingkirkan.",
        "Watched until {until} UTC; {read} posts read, {dismissed} dismissed."),
    "hoaxwatch.cut": (
        "Jendela ini memuat lebih dari {read} post: hanya yang terbaru yang dibaca "
        "(DAMAI_HOAXWATCH_MAX_POSTS).",
        "This window holds more than {read} posts: only the newest were read "
        "(DAMAI_HOAXWATCH_MAX_POSTS)."),
    "hoaxwatch.none": ("Tidak ada post yang perlu diperiksa untuk kejadian ini.",
                       "No post to check for this event."),
    "hoaxwatch.post": ("Post", "Post"),
    "hoaxwatch.place": ("Tempat", "Place"),
    "hoaxwatch.no_place": ("tanpa tempat, menyebut bahayanya", "no place, names the hazard"),
    "hoaxwatch.why": ("Alasan", "Why"),
    "hoaxwatch.claim": ("Klaim cek fakta", "Fact-checked claim"),
    "hoaxwatch.pattern": ("Pola hoaks", "Hoax pattern"),
    "hoaxwatch.evidence": ("kata yang cocok", "matched words"),
    "hoaxwatch.correction": ("Koreksi yang disarankan", "Suggested correction"),
    "hoaxwatch.correction_note": ("Yang diusulkan adalah teks bahasa Indonesia.",
                                  "The Indonesian text is what is proposed."),
    "hoaxwatch.source": ("sumber cek fakta", "fact-check source"),
    "hoaxwatch.draft": ("Usulkan koreksi", "Propose the correction"),
    "hoaxwatch.drafted": ("Koreksi sudah diusulkan: tanggapan #{id}",
                          "Correction proposed: response #{id}"),
    "hoaxwatch.dismiss": ("Singkirkan", "Dismiss"),
    "hoaxwatch.dismiss_reason": ("Alasan (boleh kosong)", "Reason (optional)"),
}
