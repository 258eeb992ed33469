"""The reports page's messages and the export links of the posts page (issue #14 part 6), in
Indonesian and English; merged into :data:`damai.web.i18n.MESSAGES`."""

from __future__ import annotations

from typing import Final

__all__ = ["REPORTS_MESSAGES"]

#: key → (Indonesian, English)
REPORTS_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.reports": ("Laporan", "Reports"),
    "reports.title": ("Laporan", "Reports"),
    "reports.explain": (
        "Pilih periode, lalu lihat laporannya sebagai HTML atau unduh PDF-nya. Periode dihitung "
        "dalam UTC, dan hari terakhir ikut dihitung.",
        "Pick a period, then view the report as HTML or download its PDF. Periods are in UTC, and "
        "the last day is included."),
    "reports.weekly": ("Laporan mingguan", "Weekly report"),
    "reports.weekly_explain": (
        "Volume per label, narasi teratas, respons yang diterbitkan, cakupan dan waktu merespons. "
        "Isi minggu (mis. {week}) atau dua tanggal; kosong: minggu penuh terakhir.",
        "Volume by label, the top narratives, responses published, coverage and time to respond. "
        "Give a week (e.g. {week}) or two dates; empty: the last full week."),
    "reports.transparency": ("Laporan transparansi", "Transparency report"),
    "reports.transparency_explain": (
        "Hanya angka agregat, tanpa data pribadi, dengan angka kecil disamarkan: apa yang "
        "ditandai, berapa yang dikonfirmasi atau ditolak analis, dan apa yang diterbitkan. "
        "Kosong: {days} hari terakhir.",
        "Aggregates only, no personal data, small counts masked: what was flagged, how much "
        "analysts confirmed or dismissed, and what was published. Empty: the last {days} days."),
    "reports.week": ("Minggu", "Week"),
    "reports.since": ("Dari", "From"),
    "reports.until": ("Sampai", "Until"),
    "reports.view": ("Lihat HTML", "View HTML"),
    "reports.pdf": ("Unduh PDF", "Download PDF"),
    "posts.export_csv": ("Ekspor CSV", "Export CSV"),
    "posts.export_jsonl": ("Ekspor JSONL", "Export JSONL"),
    "posts.export_note": (
        "Ekspor memakai filter di atas, paling banyak {n} post, dan dicatat di log audit.",
        "The export uses the filters above, at most {n} posts, and is recorded in the audit "
        "log."),
}
