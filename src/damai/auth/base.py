"""The account service: users, API tokens, sessions and the append-only audit log.

:class:`AuthStore` holds the rules (names, roles, password strength, argon2 hashing, token and
session secrets) and keeps only hashes through the store's ``users`` and ``audit`` repositories
(:mod:`damai.storage.users`, :mod:`damai.storage.audit`), on the same database and engine as the
posts. Every change to users and tokens is written to the audit log in the same transaction, and
the database itself refuses to update or delete audit rows.
"""

from __future__ import annotations

import csv
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self, TextIO

import orjson

from damai.auth.passwords import Passwords, check_password, hash_token, new_token
from damai.errors import InputError
from damai.roles import check_role
from damai.spreadsheet import safe_cell
from damai.storage import Store
from damai.storage.audit import AuditEntry
from damai.storage.users import ApiToken, User

__all__ = ["AUDIT_COLUMNS", "ApiToken", "AuditEntry", "AuthStore", "Session", "User",
           "check_name", "export_audit_csv"]

_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
AUDIT_COLUMNS: tuple[str, ...] = ("id", "at", "actor", "action", "target", "detail", "ip")


@dataclass(frozen=True, slots=True)
class Session:
    """A dashboard login. ``id`` is the cookie value: only its hash is stored, so it is known in
    plain text only to the request that created it or presented it."""

    id: str
    user: User
    csrf: str
    expires_at: datetime


def check_name(name: str) -> str:
    """A user name, lower-cased: letters, digits and ``. _ @ -``, at most 64 characters."""
    name = name.strip().lower()
    if not _NAME.fullmatch(name):
        raise InputError(f"nama pengguna {name!r} tidak sah: pakai huruf, angka dan . _ @ - "
                         f"(maks. 64) / invalid user name {name!r}: use letters, digits and "
                         ". _ @ - (at most 64)")
    return name


class AuthStore:
    """Accounts of the dashboard and API on one :class:`~damai.storage.Store`."""

    def __init__(self, store: Store, passwords: Passwords | None = None, *,
                 owns_store: bool = False) -> None:
        self.store = store
        self.url = store.url
        self.passwords = passwords or Passwords()
        self._owns_store = owns_store

    def close(self) -> None:
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- users -------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, *, actor: str,
                 ip: str | None = None) -> User:
        name, role = check_name(name), check_role(role)
        hashed = self.passwords.hash(check_password(password))
        return self.store.users.add(name, role, hashed, actor=actor, ip=ip)

    def get_user(self, name: str) -> User | None:
        return self.store.users.get(name)

    def list_users(self) -> list[User]:
        return self.store.users.all()

    def set_role(self, name: str, role: str, *, actor: str, ip: str | None = None) -> User:
        return self.store.users.set_role(name, check_role(role), actor=actor, ip=ip)

    def disable_user(self, name: str, *, actor: str, ip: str | None = None) -> User:
        return self.store.users.disable(name, actor=actor, ip=ip)

    def authenticate(self, name: str, password: str, *, ip: str | None = None) -> User | None:
        """The user, or None for an unknown user, a wrong password or a disabled account alike
        (same answer, same cost). Writes ``login`` or ``login_failed`` to the audit log."""
        key = name.strip().lower()[:64]
        found = self.store.users.with_hash(key)
        stored = found[1] if found else None
        ok = self.passwords.verify(stored, password)
        user = found[0] if found else None
        if user is None or stored is None or not ok or user.disabled:
            reason = "unknown_user" if user is None else "disabled" if ok else "wrong_password"
            self.audit(key, "login_failed", key, {"reason": reason}, ip=ip)
            return None
        new_hash = self.passwords.hash(password) if self.passwords.needs_rehash(stored) else None
        self.store.users.logged_in(user, new_hash, ip)
        return user

    # -- API tokens --------------------------------------------------------------------------
    def create_token(self, user: str, name: str, *, actor: str, ip: str | None = None) -> str:
        """A new API token for ``user``, returned in plain text this once; only its hash is
        kept."""
        label = name.strip()
        if not label or len(label) > 100:
            raise InputError("nama token wajib diisi (maks. 100 karakter) / a token needs a name "
                             "(at most 100 characters)")
        token = new_token()
        self.store.users.add_token(user, label, hash_token(token), actor=actor, ip=ip)
        return token

    def verify_token(self, token: str) -> User | None:
        """The token's user, or None if it is unknown, revoked or its user is disabled."""
        return self.store.users.token_user(hash_token(token))

    def list_tokens(self, user: str | None = None) -> list[ApiToken]:
        return self.store.users.tokens(user)

    def revoke_token(self, user: str, name: str, *, actor: str, ip: str | None = None) -> int:
        """Revoke ``user``'s live tokens called ``name``; return how many."""
        return self.store.users.revoke_tokens(user, name.strip(), actor=actor, ip=ip)

    # -- dashboard sessions ------------------------------------------------------------------
    def create_session(self, user: User, *, hours: float, ip: str | None = None) -> Session:
        """A new session for ``user`` (a fresh random id and CSRF token), valid ``hours``."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(hours=hours)
        self.store.users.add_session(user, hash_token(session_id), csrf, expires, ip)
        return Session(session_id, user, csrf, expires)

    def get_session(self, session_id: str) -> Session | None:
        """The live session with this id, or None if it is unknown, expired, or its user is
        disabled. The user's role is read now, so a role change applies at once."""
        found = self.store.users.session(hash_token(session_id))
        return Session(session_id, found.user, found.csrf, found.expires_at) if found else None

    def end_session(self, session_id: str) -> None:
        self.store.users.end_session(hash_token(session_id))

    # -- audit log ---------------------------------------------------------------------------
    def audit(self, actor: str, action: str, target: str | None = None,
              detail: dict[str, Any] | None = None, *, ip: str | None = None) -> AuditEntry:
        return self.store.audit.record(actor, action, target, detail, ip=ip)

    def query_audit(self, *, since: datetime | None = None, until: datetime | None = None,
                    actor: str | None = None, action: str | None = None,
                    limit: int | None = 100) -> list[AuditEntry]:
        """Audit entries, newest first; ``since`` inclusive, ``until`` exclusive."""
        return self.store.audit.query(since=since, until=until, actor=actor, action=action,
                                      limit=limit)


def export_audit_csv(entries: Iterable[AuditEntry], stream: TextIO) -> int:
    """Write ``entries`` as CSV with a header row; return how many rows were written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(AUDIT_COLUMNS)
    count = 0
    for e in entries:
        detail = orjson.dumps(e.detail, option=orjson.OPT_SORT_KEYS).decode()
        at = e.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        writer.writerow([e.id, at, *(safe_cell(v) for v in (e.actor, e.action, e.target, detail,
                                                         e.ip))])
        count += 1
    return count
