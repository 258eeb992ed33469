"""A store for the hoax-watch tests (issue #13 part 7): an earthquake near Cianjur, a CAP alert
with no point, an event with no time, posts before and after them, and a false claim."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.records import ClaimHit, HazardEvent
from damai.respond.claims import Claim
from damai.storage import open_store
from tests.conftest import page, tweet, write_jsonl

QUAKE_TIME = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
BASE = 1850000000000000000

#: tweet number → (minutes after the quake, text). Every text was written for these tests.
POSTS: dict[int, tuple[int, str]] = {
    1: (-30, "Info: gempa susulan besok pagi lebih besar, warga Cianjur siap-siap mengungsi"),
    2: (20, "Gempa susulan besok pagi jam 6 lebih besar, warga Cianjur siap-siap mengungsi!"),
    3: (25, "Tsunami besar besok pagi, segera menjauh dari pantai"),  # no place
    4: (30, "Hoaks! Tidak ada gempa susulan besok pagi di Cianjur, tetap tenang"),
    5: (35, "Bantu korban gempa Cianjur, transfer donasi ke rek BCA 1234567890 a.n. Dedi"),
    6: (40, "Rumah kami di Cianjur retak, malam ini tidur di tenda dulu"),
    7: (45, "Banjir rob besok pagi di Jakarta Utara, siapkan karung pasir"),  # not a quake area
    8: (50, "Gempa susulan besok pagi di Surabaya, katanya lebih besar"),  # outside the area
    9: (55, "Retakan di Sukabumi itu akibat sesar baru yang akan pecah lagi"),  # a false claim
    10: (60 * 24 * 8, "Gempa susulan besok pagi di Cianjur lebih besar!"),  # after the window
    11: (65, "Diskon besar besok pagi di toko kami, jangan sampai kelewatan"),  # no hazard
    12: (70, "Donasi untuk korban banjir rob Jakarta Utara ke DANA 081234567890 ya"),  # the flood
}

CLAIM = Claim("CF-1", "Sesar baru di Sukabumi akan pecah dan memicu gempa lebih besar",
              "false", "Tidak ada sesar baru yang terbentuk; retakan tanah adalah dampak "
              "guncangan, bukan tanda gempa yang lebih besar.",
              "https://cekfakta.example/sesar-baru", date(2026, 11, 1))


def stock(tmp_path: Path, db_url: str) -> dict[str, int]:
    """Store the events, posts and claim; return the ids of the events by name."""
    tweets = []
    for i, (minutes, text) in POSTS.items():
        created = QUAKE_TIME + timedelta(minutes=minutes)
        tweets.append(tweet(i, text, created_at=created.strftime("%Y-%m-%dT%H:%M:%S.000Z")))
    path = write_jsonl(tmp_path / "posts.jsonl", [page(tweets)])
    now = datetime.now(UTC)
    with open_store(db_url) as store:
        ingest_paths([path], store, IngestOptions())
        store.claims.import_claims([CLAIM])
        store.claims.replace_matches([(("x", str(BASE + 9)), ClaimHit(
            "CF-1", 0.91, "false", CLAIM.explanation))])
        store.events.save([
            HazardEvent("bmkg", "quake", "earthquake", QUAKE_TIME, 5.6, 10.0, -6.84, 107.05,
                        "Pusat gempa berada di darat 10 km BaratLaut Cianjur",
                        "Tidak berpotensi tsunami", "IV Cianjur, III Sukabumi"),
            HazardEvent("cap", "cap:flood", "Banjir rob", QUAKE_TIME, region="Kota Jakarta Utara",
                        headline="Banjir rob di pesisir Jakarta Utara"),
            HazardEvent("bmkg", "timeless", "earthquake", None, 4.0,
                        region="Pusat gempa di laut 20 km Selatan Kab. Garut"),
        ], "test", now)
        ids = {e.event.key: e.id for e in store.events.recent(10)}
    return {"quake": ids["quake"], "flood": ids["cap:flood"], "timeless": ids["timeless"]}


def post_id(db_url: str, i: int) -> int:
    with open_store(db_url) as store:
        found = store.posts.row_id("x", str(BASE + i))
    assert found is not None
    return found
