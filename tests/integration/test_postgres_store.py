"""What only PostgreSQL has: column types, the search index, advisory-locked migrations, NUL text.

The behaviour both backends share is tested in ``test_store_contract.py``. These tests need a
server (``DAMAI_TEST_PG_URL``, see ``scripts/postgres-test-server.sh``) and get a fresh schema each.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.rows import dict_row

from damai.errors import StorageError
from damai.records import Notice
from damai.storage import PostQuery, Store, open_store

from .test_store_contract import MIGRATION_NAMES, failure, make_post, pg_schema


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema() as url:
        yield url


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url)
    yield s
    s.close()


def fetch(url: str, query: str) -> list[dict[str, object]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(query).fetchall()


@pytest.mark.postgres
def test_the_revision_is_recorded_by_alembic(store: Store, pg_url: str) -> None:
    rows = fetch(pg_url, "SELECT version_num FROM alembic_version")
    assert rows == [{"version_num": MIGRATION_NAMES[-1]}]


@pytest.mark.postgres
def test_processes_starting_together_migrate_once(pg_url: str) -> None:
    stores = [open_store(pg_url, migrate=False) for _ in range(4)]
    barrier = threading.Barrier(len(stores))
    applied: list[list[str]] = []
    errors: list[Exception] = []

    def run(store: Store) -> None:
        barrier.wait()
        try:
            applied.append(store.migrate())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for s in stores:
            s.close()
    assert errors == []
    assert sorted(applied, key=len) == [[], [], [], MIGRATION_NAMES]


@pytest.mark.postgres
def test_column_types_and_search_index(store: Store, pg_url: str) -> None:
    columns = {(r["table_name"], r["column_name"]): (r["data_type"], r["is_generated"])
               for r in fetch(pg_url, "SELECT table_name, column_name, data_type, is_generated "
                                      "FROM information_schema.columns "
                                      "WHERE table_schema = current_schema()")}
    for name in ("created_at", "fetched_at", "ingested_at"):
        assert columns["posts", name] == ("timestamp with time zone", "NEVER")
    for name in ("hashtags", "mentions", "links", "geo", "engagement", "raw"):
        assert columns["posts", name] == ("jsonb", "NEVER")
    assert columns["posts", "text_search"] == ("tsvector", "ALWAYS")
    assert columns["quarantine", "raw"] == ("bytea", "NEVER")
    assert columns["source_notices", "detail"] == ("jsonb", "NEVER")
    indexes = {r["indexname"]: r["indexdef"] for r in fetch(
        pg_url, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")}
    assert "USING gin (text_search)" in str(indexes["posts_text_search"])


@pytest.mark.postgres
def test_json_is_queryable_jsonb(store: Store, pg_url: str) -> None:
    store.posts.write_batch([make_post(1, hashtags=["damai", "poso"], engagement={"likes": 7})], [],
                      [("b1", Notice(kind="not_found", detail={"resource_id": "42"}))])
    rows = fetch(pg_url, "SELECT raw->>'id' AS id, engagement->'likes' AS likes, "
                         "hashtags ? 'poso' AS tagged FROM posts")
    assert rows == [{"id": "1001", "likes": 7, "tagged": True}]
    notices = fetch(pg_url, "SELECT ingest_batch, kind, detail FROM source_notices")
    assert notices == [{"ingest_batch": "b1", "kind": "not_found",
                        "detail": {"resource_id": "42"}}]


@pytest.mark.postgres
def test_search_uses_the_simple_configuration(store: Store) -> None:
    # no stemming and no stop words: "yang" and "dan" are searchable, "menjaga" is not "jaga"
    store.posts.write_batch([make_post(1, "Orang yang menjaga masjid dan gereja")], [], [])
    assert store.posts.count(PostQuery(text="yang dan")) == 1
    assert store.posts.count(PostQuery(text="jaga")) == 0


@pytest.mark.postgres
def test_nul_characters_become_replacement_characters(store: Store) -> None:
    post = make_post(1, "awal\x00akhir", hashtags=["a\x00b"], raw={"k": "x\x00y", "z": "\\u0000"})
    bad_failure, fmt = failure("line\x001")
    result = store.posts.write_batch([post], [(bad_failure, fmt)], [])
    assert (result.stored, result.duplicates) == (1, 0)
    stored = store.posts.get("twitter", "1001")
    assert stored is not None
    assert stored.text == "awal\ufffdakhir"
    assert stored.hashtags == ["a\ufffdb"]
    assert stored.raw == {"k": "x\ufffdy", "z": "\\u0000"}
    assert [e.location for e in store.quarantine.entries()] == ["line\ufffd1"]


@pytest.mark.postgres
def test_postgres_scheme_alias(pg_url: str) -> None:
    store = open_store(pg_url.replace("postgresql://", "postgres://", 1))
    try:
        assert store.revision() == MIGRATION_NAMES[-1]
    finally:
        store.close()


@pytest.mark.postgres
def test_migrate_without_a_schema_says_what_to_do(pg_url: str) -> None:
    store = open_store(pg_url.replace("search_path%3D", "search_path%3Dmissing_", 1),
                       migrate=False)
    try:
        with pytest.raises(StorageError, match="may create tables"):
            store.migrate()
    finally:
        store.close()


def test_unreachable_server_is_a_storage_error_without_the_password() -> None:
    with pytest.raises(StorageError) as caught:
        open_store("postgresql://damai:rahasia-sekali@127.0.0.1:1/damai?connect_timeout=2")
    message = str(caught.value)
    assert "rahasia-sekali" not in message
    assert "127.0.0.1:1/damai" in message
    assert "server is running" in message
