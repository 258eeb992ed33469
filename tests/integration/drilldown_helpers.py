"""Posts for the drill-down tests (issue #14 parts 3 and 4): hashtags in two spellings, links
whose host is, or only looks like, ``kabar.example``, places in three provinces, and flags on
two days. Places come from the real geoparser, as ingest stores them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from damai.records import Post
from damai.storage import open_store
from damai.understand.geoparse import geoparse

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
DAY = T0.strftime("%Y-%m-%d")
NEXT_DAY = (T0 + timedelta(days=1)).strftime("%Y-%m-%d")

# number → (text, hashtags, links, flags, platform, language, days after T0)
POSTS: dict[int, tuple[str, list[str], list[str], list[str], str, str | None, int]] = {
    1: ("Banjir di Kota Bandung, air setinggi lutut, warga minta perahu", ["BanjirBandung"],
        ["https://www.kabar.example/banjir?id=1"], ["disaster"], "x", "id", 0),
    2: ("Jalan di Kota Bandung ditutup karena banjir, cari jalur lain", ["#banjirbandung"],
        ["https://kabar.example/jalan"], ["disaster"], "x", "id", 1),
    3: ("Gempa terasa kuat di Kota Palu, semua keluar rumah", ["gempa"],
        ["http://cermin.example/kabar.example/gempa"], ["disaster"], "mastodon", "id", 1),
    4: ("Kabar sore dari Denpasar, langit cerah dan jalan lancar", [],
        ["https://kabar.example.org/sore"], [], "mastodon", None, 1),
    5: ("Mereka bukan saudara kita, usir saja dari kampung", ["usir"],
        ["https://sub.kabar.example/usir"], ["hate_speech"], "x", "id", 1),
}


def drill_post(n: int) -> Post:
    text, tags, links, flags, platform, language, days = POSTS[n]
    return Post(platform=platform, platform_id=str(7000 + n), text=text,
                created_at=T0 + timedelta(days=days, minutes=n), language=language,
                hashtags=tags, links=links, labels={f: 0.9 for f in flags}, flags=flags,
                model_version="test-model", places=geoparse(text).places)


def fill_drilldown(db_url: str) -> None:
    with open_store(db_url) as store:
        store.posts.write_batch([drill_post(n) for n in POSTS], [], [])


def numbers(platform_ids: list[Any]) -> list[int]:
    return sorted(int(i) - 7000 for i in platform_ids)
