"""Accounts, roles, API tokens and the append-only audit log.

The accounts live in the same database as the posts: their tables are declared with the others in
:mod:`damai.storage.schema` and kept by the store's ``users`` and ``audit`` repositories. This
package holds the rules: names, roles, passwords and token secrets.
"""

from __future__ import annotations

from damai.auth.base import (
    ApiToken,
    AuditEntry,
    AuthStore,
    Session,
    User,
    check_name,
    export_audit_csv,
)
from damai.auth.passwords import MIN_PASSWORD_LENGTH, Passwords, check_password, hash_token
from damai.auth.roles import ROLES, check_role, role_at_least
from damai.storage import open_store

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
    "hash_token",
    "open_auth_store",
    "role_at_least",
]


def open_auth_store(url: str | None = None, *, migrate: bool = True,
                    passwords: Passwords | None = None) -> AuthStore:
    """Open (and by default migrate) the account store at ``url``; default: the SQLite file.
    ``passwords`` sets the hashing parameters (tests use cheap ones). It has a store (and an
    engine) of its own; :class:`AuthStore` over an open store shares that store's engine."""
    return AuthStore(open_store(url, migrate=migrate), passwords, owns_store=True)
