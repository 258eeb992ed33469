"""SQLite account store: the embedded default, in the same file as the posts.

Its migrations are recorded in the shared ``schema_migrations`` table under ``auth_*`` names.
Triggers make ``audit_log`` append-only: an UPDATE or DELETE of a row aborts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

import orjson

from damai.auth.base import SQLAuthStore
from damai.auth.passwords import Passwords
from damai.auth.roles import ROLES
from damai.storage.base import Migration, format_time
from damai.storage.sqlite import apply_migrations, connect_sqlite

__all__ = ["MIGRATIONS", "SQLiteAuthStore"]

_ROLE_CHECK = "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")"

MIGRATIONS: tuple[Migration, ...] = (
    Migration("auth_0001_users_tokens_audit", (
        f"""CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK ({_ROLE_CHECK}),
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users (id),
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT,
            detail TEXT NOT NULL DEFAULT '{}',
            ip TEXT
        )""",
        "CREATE INDEX audit_log_at ON audit_log (at)",
        "CREATE INDEX audit_log_actor ON audit_log (actor, id)",
        "CREATE INDEX audit_log_action ON audit_log (action, id)",
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be updated'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted'); END""",
    )),
    Migration("auth_0002_sessions", (
        """CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            ip TEXT
        )""",
        "CREATE INDEX sessions_user ON sessions (user_id)",
        "CREATE INDEX sessions_expires ON sessions (expires_at)",
    )),
)


class SQLiteAuthStore(SQLAuthStore):
    """``sqlite:///path/to/file.sqlite3`` or ``sqlite://:memory:``."""

    def __init__(self, url: str, passwords: Passwords | None = None) -> None:
        super().__init__(url, passwords)
        self._db = connect_sqlite(url)

    def applied_migrations(self) -> list[str]:
        self._db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                         "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        return [r[0] for r in self._db.execute(
            "SELECT name FROM schema_migrations WHERE substr(name, 1, 5) = 'auth_' ORDER BY name")]

    def migrate(self) -> list[str]:
        return apply_migrations(self._db, MIGRATIONS, set(self.applied_migrations()))

    def _transaction(self) -> AbstractContextManager[None]:
        return _transaction(self._db)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute(sql, tuple(params)).fetchall()]

    def _time_param(self, value: datetime) -> Any:
        return format_time(value)

    def _json_param(self, value: dict[str, Any]) -> Any:
        return orjson.dumps(value).decode()

    def close(self) -> None:
        self._db.close()


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
