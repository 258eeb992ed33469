"""The dashboard's messages for the ambassador network and the kit page (issue #12 part 5), in
Indonesian and English; :mod:`damai.web.i18n` adds them to its catalogue."""

from __future__ import annotations

from typing import Final

__all__ = ["AMBASSADOR_MESSAGES"]

#: key → (Indonesian, English)
AMBASSADOR_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.ambassadors": ("Duta Damai", "Ambassadors"),
    "amb.title": ("Duta Damai", "Peace ambassadors"),
    "amb.explain": (
        "Duta menerima kit konten dari pesan yang sudah disetujui. Unggahan yang memakai tag, "
        "tautan, atau teks kit dihitung saat ingest.",
        "Ambassadors receive content kits made from approved messages. Posts that reuse a kit's "
        "tag, link or text are credited at ingest."),
    "amb.new": ("Daftarkan duta", "Register an ambassador"),
    "amb.register": ("Simpan duta", "Save the ambassador"),
    "amb.empty": ("Belum ada duta. Daftarkan yang pertama.",
                  "No ambassadors yet. Register the first one."),
    "amb.name": ("Nama", "Name"),
    "amb.province": ("Provinsi", "Province"),
    "amb.regency": ("Kabupaten/kota", "Regency"),
    "amb.handles": ("Akun media sosial", "Handles"),
    "amb.handles_hint": ("Tulis PLATFORM:HANDLE, dipisah spasi, mis. x:@sitidamai.",
                         "Write PLATFORM:HANDLE, separated by spaces, e.g. x:@sitidamai."),
    "amb.languages": ("Bahasa", "Languages"),
    "amb.topics": ("Topik", "Topics"),
    "amb.consent": ("Persetujuan", "Consent"),
    "amb.consent_scope": ("Lingkup persetujuan", "Scope of consent"),
    "amb.consent_date": ("Tanggal persetujuan", "Date of consent"),
    "amb.consent_hint": (
        "Catat persis apa yang disetujui duta, mis. menerima kit dan unggahannya dihitung.",
        "Record exactly what the ambassador agreed to, e.g. receiving kits and having their "
        "posts credited."),
    "amb.export_csv": ("Ekspor kit (CSV)", "Export kits (CSV)"),
    "amb.export_json": ("Ekspor kit (JSON)", "Export kits (JSON)"),
    "amb.leaderboard": ("Papan peringkat", "Leaderboard"),
    "amb.leaderboard_off": ("Papan peringkat dimatikan oleh admin.",
                            "The leaderboard is turned off by an admin."),
    "amb.leaderboard_turn_off": ("Matikan papan peringkat", "Turn the leaderboard off"),
    "amb.leaderboard_turn_on": ("Aktifkan papan peringkat", "Turn the leaderboard on"),
    "amb.by_province": ("Per provinsi", "Per province"),
    "amb.by_campaign": ("Per kampanye", "Per campaign"),
    "amb.campaign": ("Kampanye", "Campaign"),
    "amb.posts": ("Unggahan", "Posts"),
    "amb.reach": ("Jangkauan", "Reach"),
    "amb.reach_note": ("Jangkauan = jumlah suka, bagikan ulang, balasan, dan kutipan dari "
                       "unggahan yang dikreditkan.",
                       "Reach = likes, reposts, replies and quotes of credited posts, added "
                       "up."),
    "amb.kits": ("Kit konten", "Content kits"),
    "amb.link": ("Tautan yang dilacak", "Tracked link"),
    "amb.days": ("Berlaku (hari)", "Valid (days)"),
    "amb.make_kit": ("Buat kit", "Make a kit"),
    "amb.link_once": ("Kirim tautan pribadi ini ke duta. Tautan hanya tampil sekali ini.",
                      "Send this personal link to the ambassador. It is shown only this once."),
    "amb.revoke": ("Cabut tautan", "Revoke the link"),
    "amb.revoked": ("dicabut", "revoked"),
    "amb.expired": ("kedaluwarsa", "expired"),
    "amb.valid_until": ("berlaku sampai", "valid until"),
    "amb.credited": ("Unggahan yang dikreditkan", "Credited posts"),
    "amb.post": ("Unggahan", "Post"),
    "amb.method": ("Cocok lewat", "Matched by"),
    "amb.method.tag": ("tag pelacak", "tracking tag"),
    "amb.method.link": ("tautan pelacak", "tracking link"),
    "amb.method.text": ("teks serupa", "similar text"),
    "amb.withdraw": ("Catat penarikan persetujuan", "Record withdrawal of consent"),
    "amb.withdraw_hint": (
        "Nama, wilayah, akun, dan kit duta ini dihapus dari semua tampilan dan ekspor. Yang "
        "tersisa hanya catatan persetujuan dan tanggal penarikannya.",
        "This ambassador's name, region, handles and kits leave every view and export. Only "
        "the consent record and the date of withdrawal remain."),
    "amb.withdraw_confirm": ("Saya paham: data duta ini dihapus dan tidak bisa dikembalikan.",
                             "I understand: this ambassador's data is erased for good."),
    "kit.title": ("Kit Duta Damai", "Peace ambassador kit"),
    "kit.greeting": ("Halo, {name}! Ini kit konten Anda.", "Hello, {name}! Here is your kit."),
    "kit.explain": (
        "Salin salah satu pesan di bawah, unggah di akun Anda, dan biarkan tag pribadi tetap "
        "ada agar tim bisa menghitung jangkauannya.",
        "Copy one of the messages below, post it from your account, and keep your personal tag "
        "so the team can count its reach."),
    "kit.messages": ("Pilihan pesan", "Message variants"),
    "kit.times": ("Waktu unggah yang disarankan", "Suggested posting times"),
    "kit.hashtags": ("Tagar", "Hashtags"),
    "kit.too_long_x": ("Untuk X, pesan ini lebih dari 280 karakter: pakai di platform lain, "
                       "atau pilih pesan yang lebih pendek.",
                       "Over 280 characters for X: post it elsewhere, or pick a shorter "
                       "message."),
    "kit.tag_note": ("Tag pribadi Anda: {tag}", "Your personal tag: {tag}"),
    "kit.privacy": (
        "Jangan bagikan tautan halaman ini. Anda bisa menarik persetujuan kapan saja lewat "
        "koordinator Anda.",
        "Do not share this page's link. You can withdraw your consent at any time through "
        "your coordinator."),
}
