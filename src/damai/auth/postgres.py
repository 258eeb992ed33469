"""PostgreSQL account store: the same behaviour as the SQLite one, for shared deployments.

Migrations are recorded in the shared ``schema_migrations`` table under ``auth_*`` names, under
the same advisory lock as the post store's, so the two never interleave. A trigger makes
``audit_log`` append-only: UPDATE, DELETE and TRUNCATE raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from damai.auth.base import SQLAuthStore
from damai.auth.passwords import Passwords
from damai.auth.roles import ROLES
from damai.storage.base import Migration
from damai.storage.postgres import apply_migrations, connect_postgres

__all__ = ["MIGRATIONS", "PostgresAuthStore"]

_ROLE_CHECK = "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")"

MIGRATIONS: tuple[Migration, ...] = (
    Migration("auth_0001_users_tokens_audit", (
        f"""CREATE TABLE users (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL UNIQUE,
            role text NOT NULL CHECK ({_ROLE_CHECK}),
            password_hash text NOT NULL,
            created_at timestamptz NOT NULL,
            disabled boolean NOT NULL DEFAULT false
        )""",
        """CREATE TABLE api_tokens (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            token_hash text NOT NULL UNIQUE,
            name text NOT NULL,
            user_id bigint NOT NULL REFERENCES users (id),
            created_at timestamptz NOT NULL,
            last_used_at timestamptz,
            revoked boolean NOT NULL DEFAULT false
        )""",
        "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
        """CREATE TABLE audit_log (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at timestamptz NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            target text,
            detail jsonb NOT NULL DEFAULT '{}',
            ip text
        )""",
        "CREATE INDEX audit_log_at ON audit_log (at)",
        "CREATE INDEX audit_log_actor ON audit_log (actor, id)",
        "CREATE INDEX audit_log_action ON audit_log (action, id)",
        """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$""",
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
    )),
    Migration("auth_0002_sessions", (
        """CREATE TABLE sessions (
            id_hash text PRIMARY KEY,
            user_id bigint NOT NULL REFERENCES users (id),
            csrf text NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            ip text
        )""",
        "CREATE INDEX sessions_user ON sessions (user_id)",
        "CREATE INDEX sessions_expires ON sessions (expires_at)",
    )),
)


class PostgresAuthStore(SQLAuthStore):
    """``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB`` (any libpq URL or conninfo string)."""

    def __init__(self, url: str, passwords: Passwords | None = None) -> None:
        super().__init__(url, passwords)
        self._db: psycopg.Connection[DictRow] = connect_postgres(url)

    def applied_migrations(self) -> list[str]:
        row = self._db.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS ok")
        if not (found := row.fetchone()) or not found["ok"]:
            return []
        rows = self._db.execute(
            "SELECT name FROM schema_migrations WHERE substr(name, 1, 5) = 'auth_' ORDER BY name")
        return [r["name"] for r in rows]

    def migrate(self) -> list[str]:
        return apply_migrations(self._db, MIGRATIONS, self.applied_migrations, self.url)

    def _transaction(self) -> AbstractContextManager[Any]:
        return self._db.transaction()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self._db.execute(sql.replace("?", "%s").encode(), tuple(params))
        return [dict(r) for r in cursor.fetchall()] if cursor.description else []

    def _time_param(self, value: datetime) -> Any:
        return value

    def _json_param(self, value: dict[str, Any]) -> Any:
        return Jsonb(value)

    def close(self) -> None:
        self._db.close()
