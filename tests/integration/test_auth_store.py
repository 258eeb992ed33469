"""The account store: users, tokens and the append-only audit log, on SQLite and PostgreSQL.

The PostgreSQL runs need ``DAMAI_TEST_PG_URL`` (see ``test_store_contract.py``).
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher

from damai.auth import (
    ROLES,
    AuditEntry,
    AuthStore,
    Passwords,
    export_audit_csv,
    open_auth_store,
    role_at_least,
)
from damai.errors import InputError
from damai.storage import open_store, revisions
from tests.integration.test_store_contract import pg_schema

PASSWORD = "kata-sandi-yang-panjang"


def fast_passwords() -> Passwords:
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def auth_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'auth.sqlite3'}"
    else:
        with pg_schema() as url:
            yield url


@pytest.fixture
def auth(auth_url: str) -> Iterator[AuthStore]:
    store = open_auth_store(auth_url, passwords=fast_passwords())
    yield store
    store.close()


def raw_execute(url: str, statement: str) -> None:
    """Run ``statement`` on a plain connection, bypassing Damai's code."""
    if url.startswith("sqlite:"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            db.execute(statement)
        finally:
            db.close()
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement.encode())


def raw_rows(url: str, query: str) -> list[tuple[object, ...]]:
    if url.startswith("sqlite:"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return list(db.execute(query))
        finally:
            db.close()
    with psycopg.connect(url) as conn:
        return list(conn.execute(query.encode()))


def test_roles_are_ordered() -> None:
    assert ROLES == ("admin", "approver", "analyst", "viewer")
    assert role_at_least("admin", "approver") and role_at_least("analyst", "analyst")
    assert not role_at_least("viewer", "analyst") and not role_at_least("nobody", "viewer")
    with pytest.raises(InputError):
        role_at_least("admin", "superuser")


def test_accounts_share_the_post_stores_schema_and_revision(auth_url: str) -> None:
    posts = open_store(auth_url)
    auth = open_auth_store(auth_url, passwords=fast_passwords())
    try:
        assert auth.store.revision() == posts.revision() == revisions()[-1]
        assert auth.store.migrate() == [] and posts.migrate() == []
        versions = {str(r[0]) for r in raw_rows(auth_url, "SELECT version_num FROM "
                                                          "alembic_version")}
        assert versions == {revisions()[-1]}
        assert raw_rows(auth_url, "SELECT count(*) FROM users") == [(0,)]
    finally:
        auth.close()
        posts.close()


def test_password_is_hashed_and_verifies(auth: AuthStore, auth_url: str) -> None:
    user = auth.add_user("Budi", "analyst", PASSWORD, actor="test")
    assert (user.name, user.role, user.disabled) == ("budi", "analyst", False)
    [(stored,)] = raw_rows(auth_url, "SELECT password_hash FROM users")
    assert isinstance(stored, str) and PASSWORD not in stored and stored.startswith("$argon2id$")
    assert auth.authenticate("budi", PASSWORD, ip="10.0.0.1") == user
    assert auth.authenticate(" BUDI ", PASSWORD) == user
    login = auth.query_audit(action="login", limit=None)
    assert [(e.actor, e.ip) for e in login] == [("budi", None), ("budi", "10.0.0.1")]


def test_bad_users_and_passwords_are_refused(auth: AuthStore) -> None:
    auth.add_user("budi", "viewer", PASSWORD, actor="test")
    with pytest.raises(InputError, match="12"):
        auth.add_user("siti", "viewer", "pendek", actor="test")
    with pytest.raises(InputError, match="already exists"):
        auth.add_user("BUDI", "viewer", PASSWORD, actor="test")
    with pytest.raises(InputError, match="unknown role"):
        auth.add_user("siti", "root", PASSWORD, actor="test")
    with pytest.raises(InputError, match="invalid user name"):
        auth.add_user("<script>", "viewer", PASSWORD, actor="test")
    assert [u.name for u in auth.list_users()] == ["budi"]


def test_unknown_user_and_wrong_password_look_the_same(auth: AuthStore) -> None:
    auth.add_user("budi", "viewer", PASSWORD, actor="test")
    wrong_password = auth.authenticate("budi", "salah-salah-salah", ip="10.0.0.9")
    unknown_user = auth.authenticate("tidakada", PASSWORD, ip="10.0.0.9")
    assert wrong_password is None and unknown_user is None
    failed = auth.query_audit(action="login_failed")
    assert [(e.target, e.ip, e.detail["reason"]) for e in failed] == [
        ("tidakada", "10.0.0.9", "unknown_user"), ("budi", "10.0.0.9", "wrong_password")]


def test_unknown_user_costs_a_password_check() -> None:
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            calls.append("verify")
            return super().verify(hash, password)

    passwords = Passwords(Counting(time_cost=1, memory_cost=8, parallelism=1))
    assert passwords.verify(None, PASSWORD) is False
    assert calls == ["verify"]


def test_role_changes_and_disabling_are_audited(auth: AuthStore) -> None:
    auth.add_user("budi", "viewer", PASSWORD, actor="cli:root")
    assert auth.set_role("budi", "approver", actor="cli:root").role == "approver"
    token = auth.create_token("budi", "mitra", actor="cli:root")
    auth.disable_user("budi", actor="cli:root", ip="10.0.0.2")
    assert auth.authenticate("budi", PASSWORD) is None
    assert auth.verify_token(token) is None
    actions = [(e.action, e.target, e.detail) for e in reversed(auth.query_audit())]
    assert actions == [
        ("user_add", "budi", {"role": "viewer"}),
        ("user_role", "budi", {"from": "viewer", "to": "approver"}),
        ("token_create", "budi", {"name": "mitra"}),
        ("user_disable", "budi", {}),
        ("login_failed", "budi", {"reason": "disabled"}),
    ]
    with pytest.raises(InputError, match="no user"):
        auth.set_role("siti", "admin", actor="cli:root")


def test_tokens_verify_store_only_a_hash_and_revoke(auth: AuthStore, auth_url: str) -> None:
    user = auth.add_user("budi", "analyst", PASSWORD, actor="test")
    token = auth.create_token("budi", "mitra", actor="test")
    other = auth.create_token("budi", "laporan", actor="test")
    assert token != other and len(token) > 40
    assert auth.verify_token(token) == user
    assert auth.verify_token(token + "x") is None and auth.verify_token("") is None
    stored = [str(r[0]) for r in raw_rows(auth_url, "SELECT token_hash FROM api_tokens")]
    assert token not in stored and all(len(h) == 64 for h in stored)
    [mitra, _] = auth.list_tokens("budi")
    assert mitra.name == "mitra" and mitra.last_used_at is not None and not mitra.revoked
    assert auth.revoke_token("budi", "mitra", actor="test") == 1
    assert auth.verify_token(token) is None
    assert auth.verify_token(other) == user
    assert auth.revoke_token("budi", "mitra", actor="test") == 0


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'someone-else'",
    "DELETE FROM audit_log",
])
def test_audit_log_is_append_only_in_the_database(auth: AuthStore, auth_url: str,
                                                  statement: str) -> None:
    auth.audit("cli:root", "settings_change", "raw_retention_days", {"to": 7})
    with pytest.raises((sqlite3.DatabaseError, psycopg.Error), match="append-only"):
        raw_execute(auth_url, statement)
    [entry] = auth.query_audit()
    assert (entry.actor, entry.action, entry.detail) == ("cli:root", "settings_change", {"to": 7})


def test_query_audit_filters(auth: AuthStore) -> None:
    for i in range(5):
        auth.audit(f"user{i % 2}", "approve" if i < 3 else "publish", f"post:{i}", {"i": i})
    everything = auth.query_audit()
    assert [e.target for e in everything] == [f"post:{i}" for i in reversed(range(5))]
    assert [e.target for e in auth.query_audit(actor="user1")] == ["post:3", "post:1"]
    assert [e.target for e in auth.query_audit(action="publish")] == ["post:4", "post:3"]
    assert [e.target for e in auth.query_audit(actor="user0", action="approve")] == [
        "post:2", "post:0"]
    assert len(auth.query_audit(limit=2)) == 2
    middle = everything[2].at
    assert [e.target for e in auth.query_audit(since=middle)] == ["post:4", "post:3", "post:2"]
    assert [e.target for e in auth.query_audit(until=middle)] == ["post:1", "post:0"]
    future = datetime.now(UTC) + timedelta(days=1)
    assert auth.query_audit(since=future) == []


def test_export_audit_csv(auth: AuthStore) -> None:
    auth.audit("budi", "login", "budi", ip="10.0.0.1")
    auth.audit("=cmd|'/c calc'!A1", "login_failed", "=cmd|'/c calc'!A1", {"reason": "x"})
    stream = io.StringIO()
    assert export_audit_csv(auth.query_audit(), stream) == 2
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert list(rows[0]) == ["id", "at", "actor", "action", "target", "detail", "ip"]
    assert rows[0]["actor"] == "'=cmd|'/c calc'!A1"  # never a live spreadsheet formula
    assert rows[0]["detail"] == '{"reason":"x"}'
    assert (rows[1]["actor"], rows[1]["ip"], rows[1]["detail"]) == ("budi", "10.0.0.1", "{}")
    assert rows[1]["at"].endswith("Z")


def test_audit_entries_round_trip(auth: AuthStore) -> None:
    entry = auth.audit("budi", "edit", None, {"nested": {"a": [1, 2]}, "text": "Ñ ✓"})
    assert isinstance(entry, AuditEntry) and entry.target is None
    assert auth.query_audit() == [entry]


def test_sessions_store_only_a_hash_and_end(auth: AuthStore, auth_url: str) -> None:
    user = auth.add_user("sari", "analyst", PASSWORD, actor="cli:test")
    session = auth.create_session(user, hours=1, ip="127.0.0.1")
    other = auth.create_session(user, hours=1)
    assert session.id != other.id and session.csrf != other.csrf
    stored = [str(r[0]) for r in raw_rows(auth_url, "SELECT id_hash FROM sessions")]
    assert session.id not in stored and len(stored) == 2
    found = auth.get_session(session.id)
    assert found is not None and found.user.name == "sari" and found.csrf == session.csrf
    auth.set_role("sari", "viewer", actor="cli:test")
    found = auth.get_session(session.id)
    assert found is not None and found.user.role == "viewer"
    auth.end_session(session.id)
    assert auth.get_session(session.id) is None and auth.get_session(other.id) is not None
    assert auth.get_session("tebakan-acak") is None


def test_sessions_expire_and_die_with_a_disabled_user(auth: AuthStore) -> None:
    user = auth.add_user("budi", "viewer", PASSWORD, actor="cli:test")
    assert auth.get_session(auth.create_session(user, hours=-1).id) is None
    live = auth.create_session(user, hours=1)
    auth.disable_user("budi", actor="cli:test")
    assert auth.get_session(live.id) is None
