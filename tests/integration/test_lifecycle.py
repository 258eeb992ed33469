"""The data lifecycle (issue #10), on both backends: platform deletions leave a tombstone,
retention and erasure keep only aggregate counts and are audited, and a store is backed up,
restored and copied from SQLite to PostgreSQL with nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.privacy import Pseudonymiser
from damai.storage import PostQuery, Store, open_store
from damai.storage.schema import metadata
from tests.conftest import page, run_cli, tweet, write_jsonl
from tests.integration.test_store_contract import db, pg_schema, store_url

_ = (db, store_url)  # fixtures: ``db`` is an empty store on each backend
DID = "did:plc:warga0000000000000000001"
POST_NSID = "app.bsky.feed.post"


def ingest(store: Store, path: Path) -> Any:
    return ingest_paths([path], store, IngestOptions(), pseudonymiser=Pseudonymiser(b"s"))


def jetstream(path: Path, operation: str, rkey: str, text: str = "Banjir di Bekasi") -> Path:
    commit: dict[str, Any] = {"rev": "r1", "operation": operation, "collection": POST_NSID,
                              "rkey": rkey}
    if operation == "create":
        commit["record"] = {"$type": POST_NSID, "text": text,
                            "createdAt": "2026-11-01T08:00:00.000Z"}
    return write_jsonl(path, [{"did": DID, "time_us": 1793000000000000, "kind": "commit",
                               "commit": commit}])


# -- platform deletions ---------------------------------------------------------------------------
def test_a_bluesky_delete_removes_the_post_and_keeps_a_tombstone(db: Store,
                                                                  tmp_path: Path) -> None:
    ingest(db, jetstream(tmp_path / "a.jsonl", "create", "3kpost1", "Banjir rob di Muara Baru"))
    ingest(db, jetstream(tmp_path / "b.jsonl", "create", "3kpost2", "Posko di Muara Angke"))
    counts = db.posts.post_counts()
    report = ingest(db, jetstream(tmp_path / "d.jsonl", "delete", "3kpost1"))
    assert (report.received, report.ignored, report.deletions, report.deleted) == (0, 0, 1, 1)
    assert db.posts.get("bluesky", f"at://{DID}/{POST_NSID}/3kpost1") is None
    assert db.posts.count(PostQuery(text="Muara")) == 1  # the text left the search index
    assert db.lifecycle.tombstones() == 1
    assert db.posts.post_counts() == counts  # aggregates stay
    again = ingest(db, jetstream(tmp_path / "a.jsonl", "create", "3kpost1"))
    assert (again.received, again.stored, again.duplicates) == (1, 0, 1)


def test_a_mastodon_stream_delete_removes_the_status(db: Store, tmp_path: Path) -> None:
    status = {"id": "777", "uri": "https://m.contoh.id/users/sari/statuses/777",
              "url": "https://m.contoh.id/@sari/777", "created_at": "2026-11-01T08:00:00.000Z",
              "content": "<p>Gempa terasa di Cianjur</p>", "account": {
                  "id": "1", "username": "sari", "acct": "sari",
                  "url": "https://m.contoh.id/@sari"}}
    events = [{"event": "update", "payload": orjson.dumps(status).decode()},
              {"event": "delete", "payload": "777"}, {"event": "delete", "payload": "778"}]
    report = ingest(db, write_jsonl(tmp_path / "stream.jsonl", events))
    assert (report.stored, report.deletions, report.deleted) == (1, 2, 1)
    assert db.posts.count(PostQuery()) == 0 and db.lifecycle.tombstones() == 1


# -- retention and erasure ------------------------------------------------------------------------
def _tweets(tmp_path: Path) -> Path:
    now = datetime.now(UTC)
    old = [tweet(i, created_at=(now - timedelta(days=100 + i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
           for i in range(3)]
    new = [tweet(10 + i, created_at=now.strftime("%Y-%m-%dT%H:%M:%S.000Z")) for i in range(4)]
    return write_jsonl(tmp_path / "t.jsonl", [page(old + new)])


def test_purge_old_posts_keeps_aggregates_and_audits_counts(
        store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(store_url) as store:
        ingest(store, _tweets(tmp_path))
        counts = store.posts.post_counts()
    code, out, err = run_cli(capsys, "purge", "--posts-older-than", "30", "--db", store_url)
    assert code == 0, err
    assert "3 posts older than 30 days removed" in out
    with open_store(store_url) as store:
        assert store.posts.count(PostQuery()) == 4
        assert store.posts.post_counts() == counts
        [entry] = store.audit.query(action="posts_purge")
        assert entry.detail == {"older_than_days": 30, "posts": 3}


def test_erase_an_author_on_request(store_url: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    source = _tweets(tmp_path)
    with open_store(store_url) as store:
        ingest(store, source)
        key = store.posts.query(PostQuery(limit=1))[0].author_key
        assert key is not None
        theirs = store.posts.count(PostQuery(limit=None)) - sum(
            1 for p in store.posts.iterate(PostQuery(limit=None)) if p.author_key != key)
    code, out, err = run_cli(capsys, "erase", "--author-key", key, "--db", store_url)
    assert code == 0, err
    assert out.startswith(f"{theirs} posts erased")
    with open_store(store_url) as store:
        assert not any(p.author_key == key for p in store.posts.iterate(PostQuery(limit=None)))
        [entry] = store.audit.query(action="author_erase")
        assert entry.detail == {"posts": theirs} and key not in orjson.dumps(entry.detail).decode()
        again = ingest(store, source)  # an old export ingested again does not bring them back
        assert (again.stored, again.duplicates) == (0, 7)


# -- backup, restore, copy ------------------------------------------------------------------------
def everything(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as the column types read them."""
    with store.db.read() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(
            select(t).order_by(*t.primary_key.columns))] for t in metadata.sorted_tables}


def _rich_store(url: str, tmp_path: Path) -> None:
    from damai.auth import AuthStore
    from tests.integration.test_auth_store import fast_passwords

    with open_store(url) as store:
        ingest(store, _tweets(tmp_path))
        bad = tmp_path / "bad.jsonl"
        bad.write_bytes(b"{rusak\n")
        ingest(store, bad)
        stored = store.posts.page(PostQuery(limit=2)).items
        store.triage.set(stored[0].id, status="reviewed", assignee=None, user="sari")
        store.triage.add_corrections(stored[1].id, {"hate": 0, "abusive": None}, "sari")
        store.accounts.add("twitter", "@BNPB", "official")
        store.cursors.set("x:search:banjir", "99")
        auth = AuthStore(store, fast_passwords())
        user = auth.add_user("sari", "analyst", "kata-sandi-yang-panjang", actor="test")
        auth.create_token("sari", "ci", actor="test")
        auth.create_session(user, hours=1)
        assert store.lifecycle.platform_deleted([("x", "1850000000000000012")]) == 1


def test_backup_and_restore_lose_nothing(store_url: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _rich_store(store_url, tmp_path)
    with open_store(store_url) as store:
        before = everything(store)
    backup = tmp_path / "cadangan.sqlite3"
    assert run_cli(capsys, "backup", str(backup), "--db", store_url)[0] == 0
    restored = f"sqlite:///{tmp_path / 'pulih.sqlite3'}"
    code, out, err = run_cli(capsys, "restore", str(backup), "--db", restored)
    assert code == 0 and out.endswith(f"restored from {backup}\n"), err
    with open_store(restored) as store:
        after = everything(store)
        assert store.posts.count(PostQuery(text="Bandung")) == 6  # search index rebuilt
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"}
    assert after["audit_log"][:len(before["audit_log"])] == before["audit_log"]
    assert [e["action"] for e in after["audit_log"][len(before["audit_log"]):]] == [
        "store_restore"]
    code, _, err = run_cli(capsys, "restore", str(backup), "--db", restored)
    assert code == 2 and "not empty" in err


@pytest.mark.postgres
def test_copy_store_from_sqlite_to_postgresql_loses_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = f"sqlite:///{tmp_path / 'sumber.sqlite3'}"
    _rich_store(source, tmp_path)
    with open_store(source) as store:
        before = everything(store)
    with pg_schema() as target:
        code, _, err = run_cli(capsys, "copy-store", "--from", source, "--to", target)
        assert code == 0, err
        with open_store(target) as store:
            after = everything(store)
            assert store.posts.count(PostQuery(text="Bandung")) == 6
            result = store.posts.write_batch([], [], [])  # ids go on after the copied ones
            assert (result.stored, result.duplicates) == (0, 0)
            last = max(r["id"] for r in after["posts"])
            ingest(store, write_jsonl(tmp_path / "baru.jsonl", [page([tweet(500)])]))
            assert store.posts.query(PostQuery(limit=1))[0] is not None
            assert max(r["id"] for r in everything(store)["posts"]) > last
    assert after["audit_log"][:-1] == before["audit_log"]
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"}
