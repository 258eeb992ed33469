"""The storage contract: SQLite and PostgreSQL behave the same.

Every test here runs against both backends. The PostgreSQL runs need a server
(``DAMAI_TEST_PG_URL``; ``make test`` starts one with ``scripts/postgres-test-server.sh``) and get
a fresh schema each. Without the variable they are skipped, except on CI, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from damai.errors import InputError
from damai.records import Geo, Notice, Post, RecordFailure
from damai.storage import PostQuery, Store, filters, open_store, revisions
from damai.storage.base import LabelUpdate, PostCursor

PG_ENV = "DAMAI_TEST_PG_URL"
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
MIGRATION_NAMES = revisions()


# -- helpers shared with test_postgres_store.py ---------------------------------------------------
def pg_base_url() -> str:
    """The test server's URL, or skip (fail on CI, which must run these tests)."""
    url = os.environ.get(PG_ENV)
    if not url:
        reason = (f"{PG_ENV} is unset: start a server with scripts/postgres-test-server.sh and "
                  f"export {PG_ENV}=<the URL it prints>")
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run on CI; {reason}")
        pytest.skip(reason)
    return url


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh, empty schema on the test server; yields a URL whose search_path is that schema."""
    base = pg_base_url()
    schema = f"damai_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    parts = urlsplit(base)
    query = [*parse_qsl(parts.query), ("options", f"-csearch_path={schema}")]
    try:
        yield urlunsplit(parts._replace(query=urlencode(query)))
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def make_post(i: int, text: str | None = None, **fields: Any) -> Post:
    values: dict[str, Any] = {
        "platform": "twitter", "platform_id": str(1000 + i),
        "text": text if text is not None else f"Kabar pagi nomor {i} dari Bandung",
        "created_at": T0 + timedelta(minutes=i), "language": "id",
        "fetched_at": T0 + timedelta(days=1), "ingest_batch": "b1",
        "engagement": {"likes": i}, "raw": {"id": str(1000 + i)},
    }
    values.update(fields)
    return Post(**values)


def failure(location: str, raw: bytes = b"{not json") -> tuple[RecordFailure, str | None]:
    return (RecordFailure(path="/data/in.jsonl", location=location, reason="malformed_json",
                          message="Baris ini bukan JSON yang sah.", raw_bytes=raw), "jsonl")


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'contract.sqlite3'}"
    else:
        with pg_schema() as url:
            yield url


@pytest.fixture
def db(store_url: str) -> Iterator[Store]:
    store = open_store(store_url)
    yield store
    store.close()


def write(store: Store, posts: list[Post], failures: list[Any] | None = None) -> tuple[int, int]:
    result = store.posts.write_batch(posts, failures or [], [])
    return result.stored, result.duplicates


def ids(posts: list[Post]) -> list[str]:
    return [p.platform_id for p in posts]


# -- migrations -----------------------------------------------------------------------------------
def test_revisions_are_ordered_from_the_legacy_schema() -> None:
    assert MIGRATION_NAMES[0] == "0001_legacy"
    assert sorted(MIGRATION_NAMES) == MIGRATION_NAMES


def test_migrations_are_recorded_once(store_url: str) -> None:
    store = open_store(store_url, migrate=False)
    try:
        assert store.revision() is None
        assert store.migrate() == MIGRATION_NAMES
        assert store.migrate() == []
        assert store.revision() == MIGRATION_NAMES[-1]
    finally:
        store.close()
    again = open_store(store_url)  # a second process finds everything applied
    try:
        assert again.migrate() == []
    finally:
        again.close()


# -- writing --------------------------------------------------------------------------------------
def test_write_batch_is_idempotent(db: Store) -> None:
    posts = [make_post(i) for i in range(3)]
    assert write(db, posts) == (3, 0)
    assert write(db, posts) == (0, 3)
    assert db.posts.count(PostQuery()) == 3


def test_duplicates_within_a_batch_are_counted(db: Store) -> None:
    assert write(db, [make_post(1), make_post(1), make_post(2), make_post(1)]) == (2, 2)
    assert write(db, [make_post(1), make_post(3), make_post(3)]) == (1, 2)
    same_id_other_platform = make_post(1, platform="mastodon")
    assert write(db, [same_id_other_platform]) == (1, 0)
    assert db.posts.count(PostQuery()) == 4


def test_empty_batch(db: Store) -> None:
    assert write(db, []) == (0, 0)


def test_newer_fetch_refreshes_engagement_only(db: Store) -> None:
    write(db, [make_post(1, engagement={"likes": 1}, fetched_at=T0)])
    newer = T0 + timedelta(hours=2)
    write(db, [make_post(1, "teks baru", engagement={"likes": 9, "views": 70}, fetched_at=newer)])
    stored = db.posts.get("twitter", "1001")
    assert stored is not None
    assert stored.engagement == {"likes": 9, "views": 70}
    assert stored.fetched_at == newer
    assert stored.text == "Kabar pagi nomor 1 dari Bandung"  # the first text stays
    write(db, [make_post(1, engagement={"likes": 2}, fetched_at=T0 + timedelta(hours=1))])
    write(db, [make_post(1, engagement={"likes": 3}, fetched_at=None)])
    write(db, [make_post(1, engagement={"likes": 4}, fetched_at=newer)])
    assert (stored := db.posts.get("twitter", "1001")) is not None
    assert stored.engagement == {"likes": 9, "views": 70}


def test_missing_fetch_time_is_filled_by_a_later_fetch(db: Store) -> None:
    write(db, [make_post(1, engagement={}, fetched_at=None)])
    write(db, [make_post(1, engagement={"likes": 5}, fetched_at=T0)])
    assert (stored := db.posts.get("twitter", "1001")) is not None
    assert (stored.engagement, stored.fetched_at) == ({"likes": 5}, T0)


def test_notices_are_written_with_the_batch(db: Store) -> None:
    notice = Notice(kind="not_found", detail={"resource_id": "42", "pesan": "tidak ada"})
    result = db.posts.write_batch([make_post(1)], [], [("b1", notice), ("b1", notice)])
    assert (result.stored, result.duplicates) == (1, 0)


# -- quarantine -----------------------------------------------------------------------------------
def test_quarantine_is_idempotent_on_fingerprint(db: Store) -> None:
    bad = [failure("line 3"), failure("line 4"), failure("line 3", b"\xff\x00 lain")]
    assert write(db, [], bad) == (0, 0)
    write(db, [], [*bad, failure("line 3")])
    entries = db.quarantine.entries()
    assert [(e.location, e.raw) for e in entries] == [
        ("line 3", b"{not json"), ("line 4", b"{not json"), ("line 3", b"\xff\x00 lain")]
    first = entries[0]
    assert (first.path, first.format, first.reason, first.retries, first.resolved) == (
        "/data/in.jsonl", "jsonl", "malformed_json", 0, False)
    assert first.message == "Baris ini bukan JSON yang sah."
    assert abs(first.created_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert db.posts.stats().quarantined == 3


def test_quarantine_retries_and_resolution(db: Store) -> None:
    write(db, [], [failure("line 1"), (failure("line 2")[0], None)])
    one, two = db.quarantine.entries()
    assert two.format is None
    db.quarantine.mark([one.id], resolved=True)
    db.quarantine.mark([two.id], resolved=False)
    assert [e.id for e in db.quarantine.entries()] == [two.id]
    everything = db.quarantine.entries(include_resolved=True)
    assert [(e.id, e.retries, e.resolved) for e in everything] == [
        (one.id, 1, True), (two.id, 1, False)]
    assert len(db.quarantine.entries(include_resolved=True, limit=1)) == 1
    assert db.quarantine.entries(limit=0) == []
    assert db.posts.stats().quarantined == 1


# -- reading --------------------------------------------------------------------------------------
INDONESIAN = [
    "Mari jaga perdamaian di Poso bersama tokoh agama",
    "Warga Ambon bergotong royong membersihkan masjid dan gereja",
    "Ujaran kebencian menyebar di grup WhatsApp, laporkan ke Kominfo",
    "Pemuda lintas iman menanam pohon di Bandung #DamaiPoso",
    "PERDAMAIAN itu tanggung jawab kita semua",
]


@pytest.fixture
def indonesian(db: Store) -> Store:
    write(db, [make_post(i, text) for i, text in enumerate(INDONESIAN)])
    return db


@pytest.mark.parametrize(("words", "expected"), [
    ("perdamaian", ["1004", "1000"]),
    ("Perdamaian Poso", ["1000"]),
    ("masjid gereja", ["1001"]),
    ("gereja masjid", ["1001"]),
    ("damaiposo", ["1003"]),
    ("whatsapp", ["1002"]),
    ("damai", []),
    ("perdamaian gereja", []),
    ("!!!", []),
    ('"jaga"', ["1000"]),
])
def test_full_text_search_finds_indonesian_words(indonesian: Store, words: str,
                                                 expected: list[str]) -> None:
    query = PostQuery(text=words)
    assert ids(indonesian.posts.query(query)) == expected
    assert indonesian.posts.count(query) == len(expected)


def test_search_combines_with_filters(indonesian: Store) -> None:
    write(indonesian, [make_post(9, "Perdamaian di Maluku", platform="mastodon")])
    assert ids(indonesian.posts.query(PostQuery(text="perdamaian", platform="mastodon"))) == [
        "1009"]
    assert indonesian.posts.count(PostQuery(text="perdamaian")) == 3


@pytest.fixture
def mixed(db: Store) -> Store:
    write(db, [
        make_post(0, language="id"), make_post(1, language="en", platform="mastodon"),
        make_post(2, language=None), make_post(3, language="id", ingest_batch="b2"),
        make_post(4, language="jv", platform="bluesky"),
    ])
    return db


@pytest.mark.parametrize(("query", "expected"), [
    (PostQuery(), ["1004", "1003", "1002", "1001", "1000"]),
    (PostQuery(platform="twitter"), ["1003", "1002", "1000"]),
    (PostQuery(language="id"), ["1003", "1000"]),
    (PostQuery(ingest_batch="b2"), ["1003"]),
    (PostQuery(since=T0 + timedelta(minutes=2)), ["1004", "1003", "1002"]),
    (PostQuery(until=T0 + timedelta(minutes=2)), ["1001", "1000"]),
    (PostQuery(since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3)), ["1002", "1001"]),
    (PostQuery(since=(T0 + timedelta(minutes=2)).astimezone(timezone(timedelta(hours=7)))),
     ["1004", "1003", "1002"]),
    (PostQuery(platform="twitter", language="id", since=T0 + timedelta(seconds=1)), ["1003"]),
    (PostQuery(limit=2), ["1004", "1003"]),
    (PostQuery(limit=2, offset=2), ["1002", "1001"]),
    (PostQuery(limit=None), ["1004", "1003", "1002", "1001", "1000"]),
    (PostQuery(limit=0), []),
    (PostQuery(platform="telegram"), []),
])
def test_filters(mixed: Store, query: PostQuery, expected: list[str]) -> None:
    assert ids(mixed.posts.query(query)) == expected
    assert ids(list(mixed.posts.iterate(query))) == expected
    unpaged = replace(query, limit=None, offset=0)
    assert mixed.posts.count(query) == len(mixed.posts.query(unpaged))


def test_iteration_pages_through_many_posts_in_query_order(db: Store) -> None:
    # 2,300 posts, created in groups of three at the same second: ties order by insertion, newest
    # first; iteration must agree with one big query across any page size
    posts = [make_post(i, created_at=T0 + timedelta(seconds=i // 3), raw=None)
             for i in range(2300)]
    write(db, posts)
    everything = ids(db.posts.query(PostQuery(limit=None)))
    assert everything[:4] == ["3299", "3298", "3297", "3296"]
    assert ids(list(db.posts.iterate(PostQuery(limit=None)))) == everything
    window = PostQuery(limit=1500, offset=250)
    assert ids(list(db.posts.iterate(window))) == everything[250:1750]
    assert ids(db.posts.query(window)) == everything[250:1750]


def test_get_post_unknown(db: Store) -> None:
    assert db.posts.get("twitter", "404") is None


# -- stats, purge, cursors ------------------------------------------------------------------------
def test_stats(db: Store) -> None:
    wib = timezone(timedelta(hours=7))
    write(db, [
        make_post(1, created_at=datetime(2024, 5, 1, 23, 59, 59, 999999, tzinfo=UTC)),
        make_post(2, created_at=datetime(2024, 5, 2, 6, 30, tzinfo=wib), language=None),  # UTC 1st
        make_post(3, created_at=datetime(2024, 5, 2, 7, 0, tzinfo=wib), platform="mastodon"),
        make_post(4, created_at=datetime(2024, 5, 3, tzinfo=UTC), language="en"),
    ], [failure("line 9")])
    assert db.posts.stats().to_dict() == {
        "total": 4,
        "by_platform": {"mastodon": 1, "twitter": 3},
        "by_day": {"2024-05-01": 2, "2024-05-02": 1, "2024-05-03": 1},
        "by_language": {"en": 1, "id": 2, "unknown": 1},
        "quarantined": 1,
    }


def test_stats_of_an_empty_store(db: Store) -> None:
    assert db.posts.stats().to_dict() == {"total": 0, "by_platform": {}, "by_day": {},
                                    "by_language": {}, "quarantined": 0}


def test_purge_raw_keeps_the_post(db: Store) -> None:
    write(db, [make_post(1), make_post(2, raw=None), make_post(3)])
    now = datetime.now(UTC)
    assert db.posts.purge_raw(now - timedelta(days=1)) == 0
    assert db.posts.purge_raw(now + timedelta(seconds=5)) == 2
    assert db.posts.purge_raw(now + timedelta(seconds=5)) == 0
    stored = db.posts.get("twitter", "1001")
    assert stored is not None
    assert stored.raw is None
    assert stored == make_post(1, raw=None)


def test_cursors(db: Store) -> None:
    assert db.cursors.get("mastodon:#damai") is None
    db.cursors.set("mastodon:#damai", "111")
    db.cursors.set("bluesky:damai", "abc")
    db.cursors.set("mastodon:#damai", "112")
    assert db.cursors.get("mastodon:#damai") == "112"
    assert db.cursors.get("bluesky:damai") == "abc"


def test_registered_accounts(db: Store) -> None:
    assert db.accounts.all() == []
    db.accounts.add("x", "@Humas_Damai", "official")
    db.accounts.add("x", "humas_damai", "partner")  # same account: role updated, not doubled
    db.accounts.add("mastodon", "duta@sosial.example.id", "ambassador")
    found = [(a.platform, a.handle, a.role) for a in db.accounts.all()]
    assert found == [("mastodon", "duta@sosial.example.id", "ambassador"),
                     ("x", "humas_damai", "partner")]
    assert db.accounts.remove("x", "@HUMAS_DAMAI") is True
    assert db.accounts.remove("x", "humas_damai") is False
    assert len(db.accounts.all()) == 1


# -- round trip -----------------------------------------------------------------------------------
def full_post() -> Post:
    return Post(
        platform="twitter", platform_id="1850000000000000001",
        text="Selamat pagi 🌅 warga Poso — jaga persaudaraan!\nBaris kedua, \"kutipan\" & <tag>",
        created_at=datetime(2024, 5, 1, 15, 30, 1, 123456, tzinfo=timezone(timedelta(hours=7))),
        url="https://x.com/i/web/status/1850000000000000001", author_id="999",
        author_handle="warga_poso", author_key="k:4f2a", language="id",
        reply_to_id="1849", quote_of_id="1848", repost_of_id="1847", conversation_id="1846",
        hashtags=["damai", "Poso2024"], mentions=["kominfo", "ñandú"],
        links=["https://contoh.id/a?b=1&c=%20"], media_count=3,
        geo=Geo(lat=-1.3948, lon=120.7534, place="Poso, Sulawesi Tengah", country_code="ID"),
        engagement={"likes": 12, "reposts": 3, "replies": 0, "quotes": 1, "views": 2**40},
        fetched_at=datetime(2024, 5, 2, 1, 0, tzinfo=UTC), ingest_batch="batch-7",
        raw={"id": "1850000000000000001", "n": 2**53 + 1, "f": 0.1, "neg": -2.5e-7,
             "ok": True, "none": None, "list": [1, "dua", {"tiga": [3.0]}],
             "teks": "emoji 🌅 dan \\u0000 literal", "": {"nested": {}}},
        labels={"hate_speech": 0.9123456789012345, "hate_speech.target.group": 0.7,
                "disaster": 1e-9, "counter_speech": 0.0},
        flags=["hate_speech", "hate_speech.target.group"], model_version="damai-20261101-ab12",
        truncated=True,
    )


def test_every_field_round_trips(db: Store) -> None:
    post = full_post()
    write(db, [post])
    expected = full_post()
    expected.author_id = None  # never stored
    stored = db.posts.get(post.platform, post.platform_id)
    assert stored == expected
    assert stored is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert db.posts.query(PostQuery()) == [expected]
    assert list(db.posts.iterate(PostQuery())) == [expected]


def test_minimal_post_round_trips(db: Store) -> None:
    post = Post(platform="telegram", platform_id="c1/5", text="",
                created_at=datetime(2024, 1, 1, tzinfo=UTC))
    write(db, [post])
    assert db.posts.get("telegram", "c1/5") == post
    geo_place_only = Post(platform="telegram", platform_id="c1/6", text="x",
                          created_at=datetime(2024, 1, 1, tzinfo=UTC), geo=Geo(place="Ambon"))
    write(db, [geo_place_only])
    assert db.posts.get("telegram", "c1/6") == geo_place_only


# -- labels ---------------------------------------------------------------------------------------
def labelled(i: int, scores: dict[str, float], flags: list[str], **fields: Any) -> Post:
    return make_post(i, labels=scores, flags=flags, model_version="m1", **fields)


@pytest.fixture
def scored(db: Store) -> Store:
    write(db, [
        labelled(0, {"hate": 0.95, "disaster": 0.10}, ["hate"], text="usir mereka semua"),
        labelled(1, {"hate": 0.40, "disaster": 0.80}, ["disaster"], text="banjir di Garut"),
        labelled(2, {"hate": 0.60, "disaster": 0.55}, ["hate"], text="usir pendatang dari Garut"),
        make_post(3, text="belum dinilai"),
        labelled(4, {"hate": 0.05, "disaster": 0.02}, [], platform="mastodon"),
    ])
    return db


@pytest.mark.parametrize(("query", "expected"), [
    (PostQuery(label="hate"), ["1002", "1000"]),
    (PostQuery(label="disaster"), ["1001"]),
    (PostQuery(label="hate", flagged=True), ["1002", "1000"]),
    (PostQuery(label="hate", flagged=False), ["1004", "1001"]),
    (PostQuery(label="hate", min_score=0.5), ["1002", "1000"]),
    (PostQuery(label="hate", min_score=0.95), ["1000"]),
    (PostQuery(label="hate", max_score=0.4), ["1004", "1001"]),
    (PostQuery(label="hate", min_score=0.3, max_score=0.7), ["1002", "1001"]),
    (PostQuery(label="hate", min_score=0.0), ["1004", "1002", "1001", "1000"]),
    (PostQuery(label="disaster", min_score=0.5, flagged=False), ["1002"]),
    (PostQuery(label="hate", platform="twitter", min_score=0.0), ["1002", "1001", "1000"]),
    (PostQuery(label="hate", text="garut"), ["1002"]),
    (PostQuery(label="hate", since=T0 + timedelta(minutes=1)), ["1002"]),
    (PostQuery(label="hate", limit=1), ["1002"]),
    (PostQuery(label="hate", limit=1, offset=1), ["1000"]),
    (PostQuery(label="hate", min_score=0.99), []),
    (PostQuery(label="tidak_ada"), []),
])
def test_label_filters(scored: Store, query: PostQuery, expected: list[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert ids(scored.posts.query(query)) == expected
    assert ids(list(scored.posts.iterate(query))) == expected
    assert scored.posts.count(replace(query, limit=None, offset=0)) == len(
        scored.posts.query(replace(query, limit=None, offset=0)))
    # SQLite checks post by post when a label matches many posts: the same answers
    monkeypatch.setattr(filters, "_DENSE", 1)
    assert ids(scored.posts.query(query)) == expected
    assert ids(list(scored.posts.iterate(query))) == expected


@pytest.mark.parametrize("query", [PostQuery(min_score=0.5), PostQuery(max_score=0.5),
                                   PostQuery(flagged=True)])
def test_score_filters_need_a_label(db: Store, query: PostQuery) -> None:
    with pytest.raises(InputError, match="--label"):
        db.posts.query(query)
    with pytest.raises(InputError, match="--label"):
        db.posts.count(query)


def test_label_names(scored: Store) -> None:
    assert scored.labels.names() == ["disaster", "hate"]


def test_label_names_of_an_empty_store(db: Store) -> None:
    assert db.labels.names() == []


def test_a_stored_post_keeps_its_first_labels(db: Store) -> None:
    """Writing a post again never re-scores it: that is what set_labels is for."""
    write(db, [make_post(1)])
    write(db, [labelled(1, {"hate": 0.9}, ["hate"])])
    stored = db.posts.get("twitter", "1001")
    assert stored is not None
    assert (stored.labels, stored.flags, stored.model_version) == ({}, [], None)
    assert db.posts.count(PostQuery(label="hate")) == 0


def update(i: int, scores: dict[str, float], flags: list[str], version: str = "m2",
           language: str | None = "id", truncated: bool = False) -> LabelUpdate:
    return LabelUpdate("twitter", str(1000 + i), language, scores, flags, version, truncated)


def test_set_labels_replaces_scores_and_filter_rows(scored: Store) -> None:
    changed = scored.labels.set_labels([
        update(0, {"hate": 0.20, "radicalism": 0.90}, ["radicalism"], language=None),
        update(3, {"hate": 0.70}, ["hate"], language="ms", truncated=True),
        update(404, {"hate": 1.0}, ["hate"]),  # not stored: ignored
    ])
    assert changed == 2
    first = scored.posts.get("twitter", "1000")
    assert first is not None
    assert (first.labels, first.flags, first.model_version, first.language, first.truncated) == (
        {"hate": 0.20, "radicalism": 0.90}, ["radicalism"], "m2", "id", False)
    third = scored.posts.get("twitter", "1003")
    assert third is not None
    assert (third.labels, third.flags, third.model_version, third.language, third.truncated) == (
        {"hate": 0.70}, ["hate"], "m2", "ms", True)
    assert third.text == "belum dinilai"  # nothing else changes
    assert ids(scored.posts.query(PostQuery(label="hate"))) == ["1003", "1002"]
    assert ids(scored.posts.query(PostQuery(label="radicalism"))) == ["1000"]
    # the old disaster score of post 0 is gone with the old model's output
    assert ids(scored.posts.query(PostQuery(label="disaster", min_score=0.0))) == [
        "1004", "1002", "1001"]
    assert scored.labels.names() == ["disaster", "hate", "radicalism"]


def test_set_labels_can_clear_scores(scored: Store) -> None:
    assert scored.labels.set_labels([update(0, {}, [], version="m3")]) == 1
    stored = scored.posts.get("twitter", "1000")
    assert stored is not None
    assert (stored.labels, stored.flags, stored.model_version) == ({}, [], "m3")
    assert ids(scored.posts.query(PostQuery(label="hate", min_score=0.0))) == [
        "1004", "1002", "1001"]


def test_set_labels_last_update_of_a_post_wins(scored: Store) -> None:
    assert scored.labels.set_labels([update(1, {"hate": 0.9}, ["hate"]),
                              update(1, {"hate": 0.1}, [])]) == 1
    assert "1001" not in ids(scored.posts.query(PostQuery(label="hate")))
    assert scored.labels.set_labels([]) == 0


def test_iter_unlabelled_finds_stale_posts_in_id_order(db: Store) -> None:
    write(db, [make_post(0), labelled(1, {"hate": 0.1}, []), make_post(2, model_version="m0"),
               labelled(3, {"hate": 0.9}, ["hate"]), make_post(4)])
    pages = list(db.posts.iter_unlabelled("m1", 2))
    assert [ids(p) for p in pages] == [["1000", "1002"], ["1004"]]
    assert db.posts.count_unlabelled("m1") == 3
    assert [ids(p) for p in db.posts.iter_unlabelled(None, 2)] == [
        ["1000", "1001"], ["1002", "1003"], ["1004"]]
    assert db.posts.count_unlabelled(None) == 5
    assert db.posts.count_unlabelled("m9") == 5
    assert next(iter(db.posts.iter_unlabelled("m1", 10)))[0] == make_post(0)  # whole posts


def test_iter_unlabelled_while_updating_visits_each_post_once(db: Store) -> None:
    write(db, [make_post(i, raw=None) for i in range(25)])
    seen: list[str] = []
    for page in db.posts.iter_unlabelled("m1", 4):
        assert len(page) <= 4
        seen += ids(page)
        db.labels.set_labels([LabelUpdate(p.platform, p.platform_id, p.language, {"hate": 0.5}, [],
                                   "m1") for p in page])
    assert seen == [str(1000 + i) for i in range(25)]
    assert db.posts.count_unlabelled("m1") == 0
    assert list(db.posts.iter_unlabelled("m1", 4)) == []
    assert db.posts.count(PostQuery(label="hate", min_score=0.5, max_score=0.5)) == 25


# -- dashboard: keyset pages, summaries, triage and corrections (issue #4) ------------------------
def test_keyset_pages_walk_every_post_once_newest_first(db: Store) -> None:
    same_time = [make_post(i, created_at=T0) for i in range(3)]  # ties break on id
    write(db, [*same_time, *(make_post(i) for i in range(3, 8))])
    seen: list[str] = []
    query = PostQuery(limit=3)
    while True:
        page = db.posts.page(query)
        seen += [item.post.platform_id for item in page.items]
        if page.next is None:
            break
        query = PostQuery(limit=3, before=PostCursor.decode(page.next.encode()))
    assert seen == ["1007", "1006", "1005", "1004", "1003", "1002", "1001", "1000"]
    first = db.posts.page(PostQuery(limit=2, text="bandung"))
    assert first.next is not None and len(first.items) == 2
    stored = db.posts.get_by_id(first.items[0].id)
    assert stored is not None and stored.post.key == first.items[0].post.key
    assert stored.post.raw is None  # pages never show raw JSON, so they never read it
    assert db.posts.get_by_id(10**9) is None


def test_bad_page_cursor_is_an_input_error() -> None:
    with pytest.raises(InputError):
        PostCursor.decode("bukan-kursor")


def test_summaries_follow_writes_and_relabelling(scored: Store) -> None:
    day = T0.strftime("%Y-%m-%d")
    assert scored.labels.flag_volume() == {"hate": {day: 2}, "disaster": {day: 1}}
    assert scored.posts.post_counts() == {"platform": {"twitter": 4, "mastodon": 1},
                                    "language": {"id": 5}}
    write(scored, [make_post(9, platform="mastodon", language="jv",
                             created_at=T0 + timedelta(days=1))])
    assert scored.posts.post_counts()["language"] == {"id": 5, "jv": 1}
    scored.labels.set_labels([LabelUpdate("twitter", "1000", "en", {"hate": 0.1}, [], "m2"),
                       LabelUpdate("twitter", "1003", None, {"hate": 0.9}, ["hate"], "m2")])
    assert scored.labels.flag_volume() == {"hate": {day: 2}, "disaster": {day: 1}}
    assert scored.posts.post_counts()["language"] == {"id": 4, "en": 1, "jv": 1}
    assert scored.labels.flag_volume(since=T0 + timedelta(days=2)) == {}


def test_recent_posts_by_kind(scored: Store) -> None:
    write(scored, [make_post(7, geo=Geo(place="Ambon"))])
    assert [s.post.platform_id for s in scored.posts.recent("flagged", 2)] == ["1002", "1001"]
    assert [s.post.platform_id for s in scored.posts.recent("geo", 5)] == ["1007"]
    with pytest.raises(InputError):
        scored.posts.recent("semua", 5)


def test_triage_queue_and_corrections(scored: Store) -> None:
    queue = scored.triage.queue(10)
    assert [(s.post.platform_id, state) for s, state in queue] == [
        ("1002", None), ("1001", None), ("1000", None)]
    first, second = queue[0][0].id, queue[1][0].id
    scored.triage.set(first, status="open", assignee="sari", user="budi")
    state = scored.triage.get(first)
    assert state is not None and state.assignee == "sari" and state.updated_by == "budi"
    scored.triage.set(second, status="dismissed", assignee=None, user="sari")
    assert scored.triage.add_corrections(second, {"disaster": 0}, "sari") == 1
    after = [(s.post.platform_id, st.assignee if st else None)
             for s, st in scored.triage.queue(10)]
    assert after == [("1002", "sari"), ("1000", None)]
    scored.triage.add_corrections(second, {"disaster": 1, "hate": 0}, "budi")
    assert list(scored.triage.iter_corrections()) == [
        ("banjir di Garut", {"disaster": 1, "hate": 0})]
    with pytest.raises(InputError):
        scored.triage.set(first, status="hilang", assignee=None, user="budi")
    with pytest.raises(InputError):
        scored.triage.add_corrections(first, {"hate": 2}, "budi")


def test_recent_fields_reads_only_what_the_overview_counts(scored: Store) -> None:
    write(scored, [make_post(7, geo=Geo(place="Ambon"), hashtags=["damai"])])
    assert scored.posts.recent_fields("geo", ("geo", "hashtags"), 5) == [
        {"geo": {"place": "Ambon"}, "hashtags": ["damai"]}]
    assert [r["links"] for r in scored.posts.recent_fields("flagged", ("links",), 5)] == [[]] * 3
    with pytest.raises(InputError):
        scored.posts.recent_fields("geo", ("text",), 5)
