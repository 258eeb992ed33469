"""The watchlist and notification pages' messages (issue #14 part 5), in Indonesian and English;
merged into :data:`damai.web.i18n.MESSAGES`, kept apart so the pages stay one change."""

from __future__ import annotations

from typing import Final

__all__ = ["WATCHLIST_MESSAGES"]

#: key → (Indonesian, English)
WATCHLIST_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.watchlists": ("Daftar pantau", "Watchlists"),
    "nav.notifications": ("Pemberitahuan", "Notifications"),
    "watch.title": ("Daftar pantau", "Watchlists"),
    "watch.explain": (
        "Pencarian yang disimpan. Tiap menit Damai menghitung post yang cocok dalam {window} "
        "menit terakhir dan membandingkannya dengan rata-rata {n} jendela sebelumnya. Lonjakan: "
        "paling sedikit {min} post, dan peluang Poisson untuk jumlah sebanyak itu di bawah "
        "{alpha}. Aturannya ada di docs/watchlists.md.",
        "Saved searches. Every minute Damai counts the matching posts of the last {window} "
        "minutes and compares them with the mean of the {n} windows before. A spike: at least "
        "{min} posts, and a Poisson chance of that many below {alpha}. The rules are in "
        "docs/watchlists.md."),
    "watch.name": ("Nama", "Name"),
    "watch.query": ("Kueri", "Query"),
    "watch.count": ("Post {window} menit terakhir", "Posts, last {window} minutes"),
    "watch.baseline": ("Baseline (rata-rata)", "Baseline (mean)"),
    "watch.spike": ("Lonjakan", "Spike"),
    "watch.remove": ("Hapus", "Remove"),
    "watch.empty": ("Belum ada daftar pantau. Simpan pencarian pertama di bawah.",
                    "No watchlist yet. Save the first search below."),
    "watch.check": ("Periksa lonjakan sekarang", "Check for spikes now"),
    "watch.new": ("Daftar pantau baru", "New watchlist"),
    "watch.save": ("Simpan", "Save"),
    "watch.settings_bad": (
        "Pengaturan DAMAI_WATCH_* tidak sah; minta admin memperbaikinya (lihat docs/settings.md).",
        "The DAMAI_WATCH_* settings are invalid; ask an admin to fix them (see docs/settings.md)."),
    "watch.syntax": (
        'Tulis kata (semua harus muncul), label:hoax atau label:hoax,sara (salah satu), dan '
        'provinsi:"Jawa Barat" (salah satu). Kueri yang tidak bisa dijalankan ditolak dengan '
        'alasannya.',
        'Write words (all must appear), label:hoax or label:hoax,sara (any of them), and '
        'provinsi:"Jawa Barat" (any of them). A query that cannot run is refused with the '
        'reason.'),
    "notes.title": ("Pemberitahuan", "Notifications"),
    "notes.explain": (
        "Lonjakan yang ditemukan daftar pantau, terbaru di atas; yang belum Anda buka ditandai "
        "baru. Surel dan Telegram yang gagal karena server tidak terjangkau tetap tertunda dan "
        "dicoba lagi sampai terkirim. Yang ditolak penerimanya (alamat atau chat salah) ditandai "
        "gagal dengan alasannya: perbaiki pengaturannya.",
        "Spikes the watchlists found, newest first; the ones you have not opened are marked "
        "new. An e-mail or Telegram message that failed because the server could not be reached "
        "stays pending and is tried again until it is sent. One its recipient refused (a wrong "
        "address or chat) is marked failed with the reason: fix the settings."),
    "notes.window": ("Jendela", "Window"),
    "notes.posts": ("Post", "Posts"),
    "notes.open": ("{n} post", "{n} posts"),
    "notes.deliveries": ("Pengiriman", "Deliveries"),
    "notes.state.pending": ("tertunda", "pending"),
    "notes.state.sent": ("terkirim", "sent"),
    "notes.state.failed": ("gagal", "failed"),
    "notes.new": ("baru", "new"),
    "notes.mark_all": ("Tandai semua sudah dibaca ({n})", "Mark all as read ({n})"),
    "notes.retry": ("{n}× gagal, coba lagi {at}", "failed {n}×, next try {at}"),
    "notes.in_app": ("hanya di aplikasi", "in the app only"),
    "notes.empty": ("Belum ada pemberitahuan.", "No notification yet."),
    "notes.one": ("Pemberitahuan {id}", "Notification {id}"),
    "notes.summary": (
        "{n} post antara {start} dan {end}; biasanya {baseline} per jendela (p = {p}).",
        "{n} posts between {start} and {end}; usually {baseline} a window (p = {p})."),
    "notes.search": ("Buka di pencarian post (per hari)", "Open in the post search (by day)"),
    "notes.behind": ("Post di baliknya ({n})", "The posts behind it ({n})"),
    "notes.labels": ("Label", "Labels"),
    "notes.time": ("Waktu", "Time"),
    "notes.back": ("Kembali ke pemberitahuan", "Back to the notifications"),
    "notes.bell": ("{n} pemberitahuan belum dibaca dalam 24 jam",
                   "{n} unread notifications in 24 hours"),
    "notes.pending": ("{n} pengiriman tertunda", "{n} deliveries pending"),
}
