"""Issue #13 part 3: the places a post names are stored at ingest (``post_places``), posts
stored before get theirs from ``damai places backfill``, and ``GET /api/v1/stats`` counts them
per province."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.pipeline.places import backfill_places
from damai.privacy import Pseudonymiser
from damai.records import Post
from damai.storage import PostQuery, Store, open_store
from tests.conftest import page, run_cli, tweet, write_jsonl
from tests.integration.test_store_contract import db, store_url  # noqa: F401  (fixtures)

TEXTS = [
    "Banjir setinggi lutut di Kecamatan Cikarang Utara, Bekasi sejak subuh. Warga mulai mengungsi",
    "Longsor menutup jalan di Kabupaten Garut, mobil tidak bisa lewat",
    "Selamat pagi semua, jangan lupa sarapan ya",
    "malang nasibnya, hp jatuh ke got",
    "Gempa terasa kuat di Padang dan Bukittinggi barusan",
]


def _ingest(store: Store, tmp_path: Path, texts: list[str]) -> None:
    source = write_jsonl(tmp_path / "tweets.jsonl",
                         [page([tweet(i, text) for i, text in enumerate(texts)])])
    report = ingest_paths([source], store, IngestOptions(), pseudonymiser=Pseudonymiser(b"k"))
    assert report.stored == len(texts)


def _places_of(store: Store) -> dict[str, list[tuple[str, str]]]:
    posts = {p.text: store.posts.row_id(p.platform, p.platform_id)
             for p in store.posts.iterate(PostQuery(limit=None))}
    found = store.places.of_posts([i for i in posts.values() if i is not None])
    return {text: [(p.level, p.name) for p in found.get(i or 0, ())]
            for text, i in posts.items()}


def test_ingest_stores_each_posts_places_in_order(db: Store, tmp_path: Path) -> None:  # noqa: F811
    """On SQLite and PostgreSQL."""
    store = db
    _ingest(store, tmp_path, TEXTS)
    places = _places_of(store)
    assert places[TEXTS[0]] == [("district", "Cikarang Utara"), ("regency", "Kabupaten Bekasi")]
    assert places[TEXTS[1]] == [("regency", "Kabupaten Garut")]
    assert places[TEXTS[2]] == [] and places[TEXTS[3]] == []  # no place, and a trap word
    assert [name for _, name in places[TEXTS[4]]] == ["Kota Padang", "Kota Bukittinggi"]
    assert store.places.province_counts() == {"Jawa Barat": 2, "Sumatera Barat": 1}


def test_backfill_places_old_posts_once(db: Store) -> None:  # noqa: F811
    """On SQLite and PostgreSQL."""
    store = db
    now = datetime(2026, 11, 2, tzinfo=UTC)
    old = [Post("x", str(i), text, now) for i, text in enumerate(TEXTS)]  # no places: pre-0016
    store.posts.write_batch(old, [], [])
    assert store.places.province_counts() == {}
    first = backfill_places(store, batch_size=2)
    assert first.to_dict() == {"scanned": 5, "placed": 3}
    counts = store.places.province_counts()
    assert counts == {"Jawa Barat": 2, "Sumatera Barat": 1}
    again = backfill_places(store, batch_size=2)  # only the two no-place posts are read again
    assert again.to_dict() == {"scanned": 2, "placed": 0}
    assert store.places.province_counts() == counts
    assert store.places.add({1: store.places.of_posts([1])[1]}) == 0  # never written twice


def test_backfill_cli_is_audited(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(db_url) as store:
        store.posts.write_batch([Post("x", "1", TEXTS[1], datetime(2026, 11, 2, tzinfo=UTC))],
                                [], [])
    code, out, _ = run_cli(capsys, "places", "backfill", "--db", db_url, "--json")
    assert code == 0 and '"placed":1' in out.replace(" ", "")
    with open_store(db_url) as store:
        entries = store.audit.query(action="places_backfill")
        assert len(entries) == 1 and entries[0].detail["placed"] == 1
