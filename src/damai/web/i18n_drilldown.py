"""The drill-down's messages (issue #14 parts 3 and 4): the overview's hints and the post list's
drill-down fields, in Indonesian and English; merged into :data:`damai.web.i18n.MESSAGES`."""

from __future__ import annotations

from typing import Final

__all__ = ["DRILLDOWN_MESSAGES"]

#: key → (Indonesian, English)
DRILLDOWN_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "overview.chart_click": ("Klik titik pada grafik untuk membuka post label itu pada hari itu.",
                             "Click a point of the chart to open that label's posts of that day."),
    "overview.map_click": ("Klik provinsi untuk membuka post-nya.",
                           "Click a province to open its posts."),
    "overview.map_merged": (
        "Batas provinsi: Natural Earth (domain publik). Kalimantan Utara digambar di dalam "
        "Kalimantan Timur, Papua Barat Daya di dalam Papua Barat, dan Papua Tengah, Papua "
        "Pegunungan serta Papua Selatan di dalam Papua; tabel di bawah memisahkan semuanya.",
        "Province boundaries: Natural Earth (public domain). Kalimantan Utara is drawn within "
        "Kalimantan Timur, Papua Barat Daya within Papua Barat, and Papua Tengah, Papua "
        "Pegunungan and Papua Selatan within Papua; the table below lists each apart."),
    "overview.legend": ("Post", "Posts"),
    "posts.hashtag": ("Tagar", "Hashtag"),
    "posts.link": ("Tautan", "Link"),
    "posts.domain": ("Domain", "Domain"),
    "posts.day": ("Hari", "Day"),
}
