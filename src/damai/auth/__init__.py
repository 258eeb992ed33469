"""Accounts, roles, API tokens and the append-only audit log.

The store lives in the same database as the posts (same URL) and records its migrations, named
``auth_*``, in the same ``schema_migrations`` table.
"""

from __future__ import annotations

from damai import settings
from damai.auth.base import (
    ApiToken,
    AuditEntry,
    AuthStore,
    Session,
    User,
    check_name,
    export_audit_csv,
)
from damai.auth.passwords import MIN_PASSWORD_LENGTH, Passwords, check_password
from damai.auth.roles import ROLES, check_role, role_at_least
from damai.storage import backend_of

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "ApiToken",
    "AuditEntry",
    "AuthStore",
    "Passwords",
    "Session",
    "User",
    "check_name",
    "check_password",
    "check_role",
    "export_audit_csv",
    "open_auth_store",
    "role_at_least",
]


def open_auth_store(url: str | None = None, *, migrate: bool = True,
                    passwords: Passwords | None = None) -> AuthStore:
    """Open (and by default migrate) the account store at ``url``; default: the SQLite file.
    ``passwords`` sets the hashing parameters (tests use cheap ones)."""
    url = url or settings.default_db_url()
    store: AuthStore
    if backend_of(url) == "sqlite":
        from damai.auth.sqlite import SQLiteAuthStore

        store = SQLiteAuthStore(url, passwords)
    else:
        from damai.auth.postgres import PostgresAuthStore

        store = PostgresAuthStore(url, passwords)
    if migrate:
        store.migrate()
    return store
