"""Stores made by Damai 0.1 upgrade in place with `damai migrate`, losing nothing (issue #10).

The old stores are built by the old code itself (``legacy.py``), on SQLite and PostgreSQL. Every
table is read with the plain driver before and after the upgrade and compared. Bad input (a store
from a newer Damai, a partial old store, tables with no version, a table missing at the newest
revision, a revision that fails half-way) gets an error naming the revision, and changes nothing.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher

from damai.auth import AuthStore, Passwords
from damai.identity import migrate_post_identity, migrate_reference
from damai.storage import MigrationError, PostQuery, open_store, revisions
from damai.storage.base import POST_COLUMNS
from damai.storage.migrate import LEGACY_POSTS
from tests.conftest import run_cli
from tests.integration.legacy import build_legacy_store
from tests.integration.test_store_contract import pg_schema, store_url

#: every table of Damai 0.1 but ``posts`` and ``post_labels`` (compared apart), sorted by key
UNCHANGED = {
    "quarantine": "id", "source_notices": "id", "cursors": "name", "accounts": "platform, handle",
    "triage": "post_id", "corrections": "id", "post_daily": "day, platform, language",
    "flag_daily": "label, day", "users": "id", "api_tokens": "id", "audit_log": "id",
    "sessions": "id_hash",
}
_POSTS = "SELECT id, " + ", ".join(POST_COLUMNS) + " FROM posts ORDER BY id"
_AT = {c: POST_COLUMNS.index(c) + 1 for c in ("platform", "platform_id", "url", "repost_of_id",
                                              "quote_of_id")}


def rows(url: str, query: str) -> list[tuple[Any, ...]]:
    """Rows through the plain driver, bypassing Damai's code."""
    if url.startswith("sqlite:"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                    for r in db.execute(query)]
        finally:
            db.close()
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(query.encode())]


#: the columns of Damai 0.1's tables that later revisions added to (their 0.1 columns must stay)
_OLD_COLUMNS = {"users": "id, name, role, password_hash, created_at, disabled"}


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    taken = {name: rows(url, f"SELECT {_OLD_COLUMNS.get(name, '*')} FROM {name} ORDER BY {key}")
             for name, key in UNCHANGED.items()}
    taken["posts"] = rows(url, _POSTS)
    return taken


def expected_posts(before: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Damai 0.1's posts with keys and links made handle-free (revision 0003); the legacy store
    registers no account, so no handle is kept."""
    out = []
    for row in before:
        values = list(row)
        platform = values[_AT["platform"]]
        key, url = migrate_post_identity(platform, values[_AT["platform_id"]], values[_AT["url"]])
        values[_AT["platform_id"]], values[_AT["url"]] = key, url
        for column in ("repost_of_id", "quote_of_id"):
            values[_AT[column]] = migrate_reference(platform, values[_AT[column]])
        out.append(tuple(values))
    return out


@pytest.fixture(scope="module")
def sqlite_legacy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("legacy")
    path = folder / "damai-0.1.sqlite3"
    return path, build_legacy_store(f"sqlite:///{path}", folder)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def legacy(request: pytest.FixtureRequest, sqlite_legacy: tuple[Path, dict[str, Any]],
           tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A fresh copy of a Damai 0.1 store: its URL and what the old code reported."""
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite3"
        shutil.copy(sqlite_legacy[0], path)
        yield f"sqlite:///{path}", sqlite_legacy[1]
    else:
        with pg_schema() as url:
            yield url, build_legacy_store(url, tmp_path)


def test_a_damai_0_1_store_upgrades_in_place_losing_nothing(
        legacy: tuple[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    url, made = legacy
    before = snapshot(url)
    flagged = rows(url, "SELECT l.post_id, l.label, l.score FROM post_labels l WHERE l.flagged "
                        "ORDER BY l.post_id, l.label")
    assert all(before.values()) and flagged, "the old code left a table empty"
    assert any("/users/" in str(r[2]) for r in before["posts"] if r[1] == "mastodon")

    code, out, err = run_cli(capsys, "migrate", "--db", url)
    assert code == 0, err
    assert out.splitlines() == [*(f"applied {r}" for r in revisions()[1:]),
                                f"revision {revisions()[-1]}"]

    after = snapshot(url)
    for name in UNCHANGED:
        assert after[name] == before[name], name
    assert after["posts"] == expected_posts(before["posts"])
    assert not any("/users/" in str(r[2]) for r in after["posts"])
    assert rows(url, "SELECT post_id, label, score FROM post_flags "
                     "ORDER BY post_id, label") == flagged
    names = {r[0] for r in rows(url, "SELECT version_num FROM alembic_version")}
    assert names == {revisions()[-1]}
    assert run_cli(capsys, "migrate", "--db", url)[1] == f"revision {revisions()[-1]}\n"
    if not url.startswith("sqlite:"):  # SQLite reflects Damai 0.1's types by affinity only
        assert differences_from_schema(url) == []
    _still_works(url, made, len(before["posts"]), len(flagged))


def differences_from_schema(url: str) -> list[Any]:
    """What Alembic finds between the database and ``schema.py``, but the search column that
    ``schema.DIALECT_DDL`` adds on PostgreSQL."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from damai.storage.schema import metadata

    store = open_store(url)
    try:
        with store.db.engine.connect() as conn:
            found = compare_metadata(MigrationContext.configure(
                conn, opts={"compare_type": True}), metadata)
    finally:
        store.close()
    return [d for d in found if "text_search" not in str(d)]


def _still_works(url: str, made: dict[str, Any], posts: int, flags: int) -> None:
    """The upgraded store under the new code: search, label counts, old token, password and
    session, and an audit log the database still keeps append-only."""
    store = open_store(url)
    try:
        assert store.posts.count(PostQuery(limit=None)) == posts
        assert store.posts.count(PostQuery(text="banjir", limit=None)) > 0
        counted = sum(store.posts.count(PostQuery(label=name, limit=None))
                      for name in store.labels.names())
        assert counted == flags
        auth = AuthStore(store, Passwords(PasswordHasher(time_cost=1, memory_cost=8,
                                                         parallelism=1)))
        user = auth.verify_token(str(made["token"]))
        assert user is not None and user.name == "admin"
        assert auth.authenticate("budi", "kata-sandi-yang-panjang") is not None
        assert auth.get_session(str(made["session"])) is not None
    finally:
        store.close()
    with pytest.raises((sqlite3.DatabaseError, psycopg.Error), match="append-only"):
        rows(url, "UPDATE audit_log SET actor = 'orang-lain'")
    with pytest.raises((sqlite3.DatabaseError, psycopg.Error), match="append-only"):
        rows(url, "DELETE FROM audit_log")


def test_a_revision_that_fails_leaves_the_store_as_it_was(
        legacy: tuple[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = legacy
    before = snapshot(url)
    legacy_names = rows(url, "SELECT name FROM schema_migrations ORDER BY name")

    def broken(_: str) -> str:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("damai.identity.hashlib.sha256", broken)
    with pytest.raises(RuntimeError, match="disk is full"):
        open_store(url)
    assert snapshot(url) == before
    assert rows(url, "SELECT name FROM schema_migrations ORDER BY name") == legacy_names
    assert rows(url, "SELECT count(*) FROM post_labels") != [(0,)]  # not dropped
    tables = rows(url, "SELECT name FROM sqlite_master WHERE type = 'table'" if url.startswith(
        "sqlite:") else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    assert "post_flags" not in {t[0] for t in tables}  # the DDL was rolled back too


# -- bad input (``store_url``: an empty database on each backend) ---------------------------------
_ = store_url


def _run(url: str, *statements: str) -> None:
    if url.startswith("sqlite:"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            for statement in statements:
                db.execute(statement)
        finally:
            db.close()
        return
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


def test_a_store_from_a_newer_damai_is_refused(store_url: str) -> None:
    open_store(store_url).close()
    _run(store_url, "UPDATE alembic_version SET version_num = '0099_dari_masa_depan'")
    with pytest.raises(MigrationError, match=r"0099_dari_masa_depan.*newer Damai"):
        open_store(store_url)


def test_a_partial_damai_0_1_store_is_refused(store_url: str) -> None:
    done = ", ".join(f"('{n}', '2026-01-01')" for n in LEGACY_POSTS[:5])
    _run(store_url, "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)",
         f"INSERT INTO schema_migrations VALUES {done}", "CREATE TABLE posts (id INTEGER)")
    with pytest.raises(MigrationError, match=r"stopped at migration 0005_labels.*a832da6"):
        open_store(store_url)


def test_tables_without_a_version_are_refused(store_url: str) -> None:
    _run(store_url, "CREATE TABLE posts (id INTEGER)")
    with pytest.raises(MigrationError, match="no record of its schema version"):
        open_store(store_url)


def test_a_table_missing_at_the_newest_revision_is_refused(store_url: str) -> None:
    open_store(store_url).close()
    _run(store_url, "DROP TABLE post_tombstones")
    with pytest.raises(MigrationError, match=f"{revisions()[-1]}.*post_tombstones"):
        open_store(store_url)


def test_a_store_at_0011_keeps_its_publications_and_may_then_retract_one(
        store_url: str) -> None:
    """A store at 0011, whose state check knows no ``queued`` or ``retracted``, keeps its
    publications through 0012-0014 (a rebuild on SQLite, a swapped constraint on PostgreSQL)
    and may then retract one."""
    open_store(store_url).close()
    if store_url.startswith("sqlite:"):  # the check as 0011 left it
        _run(store_url, "PRAGMA writable_schema = ON", "UPDATE sqlite_master SET sql = "
             "replace(sql, ', ''retracted''', '') WHERE name = 'publications'")
    else:
        _run(store_url, "ALTER TABLE publications DROP CONSTRAINT publications_state_check",
             "ALTER TABLE publications ADD CONSTRAINT publications_state_check CHECK (state "
             "IN ('pending', 'sent', 'failed', 'uncertain'))")
    _run(store_url, "UPDATE alembic_version SET version_num = '0011_ambassadors'",
         "INSERT INTO publications (entry_id, entry_version, channel, idempotency_key, state, "
         "created_by, created_at, payload, post_id, attempts) VALUES ('cn-damai', 1, "
         "'x:damai_id', 'entry:cn-damai:v1:x:damai_id', 'sent', 'budi', "
         "'2026-12-01 08:00:00+00:00', '{\"text\": \"Salam damai\"}', '1850000000000000001', 1)")
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        _run(store_url, "UPDATE publications SET state = 'retracted'")
    open_store(store_url).close()
    assert rows(store_url, "SELECT version_num FROM alembic_version") == [(revisions()[-1],)]
    _run(store_url, "UPDATE publications SET state = 'retracted'")
    assert rows(store_url, "SELECT idempotency_key, state, post_id FROM publications") == [
        ("entry:cn-damai:v1:x:damai_id", "retracted", "1850000000000000001")]
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        _run(store_url, "UPDATE publications SET state = 'dihapus'")


def test_a_store_before_0026_keeps_its_deliveries_and_may_then_fail_one(store_url: str) -> None:
    """A store just before ``0026_notification_reads``, whose delivery check knows no
    ``failed`` and which has no ``notification_reads``, keeps its notification and delivery
    through the upgrade (a rebuild on SQLite, a swapped constraint on PostgreSQL)."""
    open_store(store_url).close()
    before = revisions()[revisions().index("0026_notification_reads") - 1]
    if store_url.startswith("sqlite:"):  # the check as 0022 left it
        _run(store_url, "PRAGMA writable_schema = ON", "UPDATE sqlite_master SET sql = "
             "replace(sql, ', ''failed''', '') WHERE name = 'notification_deliveries'")
    else:
        _run(store_url, "ALTER TABLE notification_deliveries DROP CONSTRAINT "
             "notification_deliveries_state_check", "ALTER TABLE notification_deliveries ADD "
             "CONSTRAINT notification_deliveries_state_check CHECK (state IN ('pending', "
             "'sent'))")
    _run(store_url, "DROP TABLE notification_reads",
         f"UPDATE alembic_version SET version_num = '{before}'",
         "INSERT INTO watchlists (name, query, words, labels, provinces, created_by, created_at)"
         " VALUES ('Banjir', 'banjir', 'banjir', '[]', '[]', 'ani', '2026-12-01 08:00:00+00:00')",
         "INSERT INTO notifications (watchlist_id, window_start, window_end, count, baseline, "
         "p_value, created_at) VALUES (1, '2026-12-01 07:00:00+00:00', "
         "'2026-12-01 08:00:00+00:00', 9, 1.0, 0.0001, '2026-12-01 08:00:00+00:00')",
         "INSERT INTO notification_deliveries (notification_id, way, state, attempts, "
         "next_try_at, last_error) VALUES (1, 'telegram', 'pending', 3, "
         "'2026-12-01 08:07:00+00:00', 'HTTP 400: Bad Request: chat not found')")
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        _run(store_url, "UPDATE notification_deliveries SET state = 'failed'")
    open_store(store_url).close()
    assert rows(store_url, "SELECT version_num FROM alembic_version") == [(revisions()[-1],)]
    _run(store_url, "UPDATE notification_deliveries SET state = 'failed'")
    assert rows(store_url, "SELECT notification_id, way, state, attempts, last_error FROM "
                "notification_deliveries") == [
        (1, "telegram", "failed", 3, "HTTP 400: Bad Request: chat not found")]
    assert rows(store_url, "SELECT count(*) FROM notification_reads") == [(0,)]
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        _run(store_url, "UPDATE notification_deliveries SET state = 'gagal'")
