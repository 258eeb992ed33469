"""The measure page's messages (issue #12 part 7), in Indonesian and English; merged into
:data:`damai.web.i18n.MESSAGES`, kept apart so the page stays one change."""

from __future__ import annotations

from typing import Final

__all__ = ["MEASURE_MESSAGES"]

#: key → (Indonesian, English)
MEASURE_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.measure": ("Ukur", "Measure"),
    "measure.title": ("Jangkauan dan keterlibatan", "Reach and engagement"),
    "measure.explain": (
        "Angka terbaru setiap unggahan yang diterbitkan dan dikreditkan ke duta. Jangkauan = "
        "tayangan bila platform memberikannya; bila tidak, jumlah keterlibatan (batas bawah). "
        "Tingkat keterlibatan = (suka + bagikan + balasan + kutipan) / tayangan, atau per "
        "unggahan bila tidak ada tayangan.",
        "The latest counts of every published post and every post credited to an ambassador. "
        "Reach = views where the platform gives them; otherwise the engagements (a lower "
        "bound). Engagement rate = (likes + reposts + replies + quotes) / views, or per post "
        "where there are no views."),
    "measure.by": ("Kelompokkan per", "Group by"),
    "measure.by.campaign": ("Kampanye", "Campaign"),
    "measure.by.message": ("Pesan", "Message"),
    "measure.by.ambassador": ("Duta", "Ambassador"),
    "measure.by.theme": ("Tema", "Theme"),
    "measure.by.province": ("Provinsi", "Province"),
    "measure.posts": ("Unggahan", "Posts"),
    "measure.engagements": ("Keterlibatan", "Engagements"),
    "measure.views": ("Tayangan", "Views"),
    "measure.reach": ("Jangkauan", "Reach"),
    "measure.rate": ("Tingkat keterlibatan", "Engagement rate"),
    "measure.per_post": ("per unggahan", "per post"),
    "measure.with_views": ("{n} unggahan dengan tayangan", "{n} posts with views"),
    "measure.empty": (
        "Belum ada angka. Jalankan `damai engagement collect` atau biarkan penjadwal "
        "mengambilnya.", "No counts yet. Run `damai engagement collect`, or let the "
        "scheduler collect them."),
    "measure.leaderboard_off": ("Angka per duta disembunyikan: papan peringkat dimatikan "
                                "oleh admin.", "Figures per ambassador are hidden: an admin "
                                "turned the leaderboard off."),
    "measure.ab": ("Uji A/B", "A/B tests"),
    "measure.ab_explain": (
        "Uji z dua proporsi (keterlibatan per tayangan), dua sisi. Pemenang hanya disebut bila "
        "p < 0,05 dan setiap varian punya minimal {n} tayangan.",
        "Two-proportion z-test (engagements per view), two-sided. A winner is named only when "
        "p < 0.05 and each variant has at least {n} views."),
    "measure.ab_empty": ("Belum ada pesan kampanye dengan varian A dan B yang terukur.",
                         "No campaign message with measured variants A and B yet."),
    "measure.position": ("Pesan ke-", "Message #"),
    "measure.variant": ("Varian", "Variant"),
    "measure.ci": ("Selang 95% (A − B)", "95% interval (A − B)"),
    "measure.verdict": ("Hasil", "Result"),
    # the overview's time from flag to publication
    "measures.publish_median": ("Median waktu dari tanda sampai terbit",
                                "Median time from flag to publication"),
    "measures.publish_median_of": (
        "dari {n} tanggapan terakhir yang terbit; dihitung dari saat Damai menyimpan post",
        "over the last {n} published responses; counted from when Damai stored the post"),
}
