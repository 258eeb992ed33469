"""The account store: users, API tokens and the append-only audit log.

:class:`AuthStore` is the interface; :class:`SQLAuthStore` holds the behaviour both backends share
(:mod:`damai.auth.sqlite` and :mod:`damai.auth.postgres` only connect, migrate and run SQL). SQL
here is written with ``?`` placeholders; a backend rewrites them if it needs to.

Every change to users and tokens is written to the audit log in the same transaction, so a change
without its audit entry cannot happen. The database itself refuses to update or delete audit
rows (triggers in both backends).
"""

from __future__ import annotations

import csv
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, Self, TextIO

import orjson

from damai.auth.passwords import Passwords, check_password, hash_token, new_token
from damai.auth.roles import check_role
from damai.errors import InputError
from damai.spreadsheet import safe_cell
from damai.storage.base import parse_time

__all__ = ["AUDIT_COLUMNS", "ApiToken", "AuditEntry", "AuthStore", "SQLAuthStore", "Session",
           "User", "check_name", "export_audit_csv"]

_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
#: how stale ``last_used_at`` may get before a token check writes it again
_TOKEN_TOUCH = timedelta(minutes=1)
AUDIT_COLUMNS: tuple[str, ...] = ("id", "at", "actor", "action", "target", "detail", "ip")
_USER = "SELECT id, name, role, created_at, disabled FROM users"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    name: str
    user: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any] = field(default_factory=dict)
    ip: str | None = None


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


class AuthStore(Protocol):
    url: str

    def migrate(self) -> list[str]:
        """Apply pending ``auth_*`` migrations; return the names applied now."""
        ...

    def applied_migrations(self) -> list[str]: ...

    def add_user(self, name: str, role: str, password: str, *, actor: str,
                 ip: str | None = None) -> User: ...

    def get_user(self, name: str) -> User | None: ...

    def list_users(self) -> list[User]: ...

    def set_role(self, name: str, role: str, *, actor: str, ip: str | None = None) -> User: ...

    def disable_user(self, name: str, *, actor: str, ip: str | None = None) -> User: ...

    def authenticate(self, name: str, password: str, *, ip: str | None = None) -> User | None:
        """The user, or None for an unknown user, a wrong password or a disabled account alike
        (same answer, same cost). Writes ``login`` or ``login_failed`` to the audit log."""
        ...

    def create_token(self, user: str, name: str, *, actor: str, ip: str | None = None) -> str:
        """A new API token for ``user``, returned in plain text this once; only its hash is
        kept."""
        ...

    def verify_token(self, token: str) -> User | None:
        """The token's user, or None if it is unknown, revoked or its user is disabled."""
        ...

    def list_tokens(self, user: str | None = None) -> list[ApiToken]: ...

    def revoke_token(self, user: str, name: str, *, actor: str, ip: str | None = None) -> int:
        """Revoke ``user``'s live tokens called ``name``; return how many."""
        ...

    def create_session(self, user: User, *, hours: float, ip: str | None = None) -> Session:
        """A new session for ``user`` (a fresh random id and CSRF token), valid ``hours``."""
        ...

    def get_session(self, session_id: str) -> Session | None:
        """The live session with this id, or None if it is unknown, expired, or its user is
        disabled. The user's role is read now, so a role change applies at once."""
        ...

    def end_session(self, session_id: str) -> None: ...

    def audit(self, actor: str, action: str, target: str | None = None,
              detail: dict[str, Any] | None = None, *, ip: str | None = None) -> AuditEntry: ...

    def query_audit(self, *, since: datetime | None = None, until: datetime | None = None,
                    actor: str | None = None, action: str | None = None,
                    limit: int | None = 100) -> list[AuditEntry]:
        """Audit entries, newest first; ``since`` inclusive, ``until`` exclusive."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


def _load(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        return orjson.loads(value)
    return value  # already decoded (PostgreSQL jsonb)


def _time(value: Any) -> datetime:
    parsed = parse_time(value)
    assert parsed is not None
    return parsed


def _user(row: dict[str, Any]) -> User:
    return User(id=int(row["id"]), name=row["name"], role=row["role"],
                created_at=_time(row["created_at"]), disabled=bool(row["disabled"]))


def _entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(id=int(row["id"]), at=_time(row["at"]), actor=row["actor"],
                      action=row["action"], target=row["target"],
                      detail=_load(row["detail"]) or {}, ip=row["ip"])


class SQLAuthStore(ABC):
    """The shared behaviour; a backend supplies the connection, migrations and SQL runner."""

    url: str

    def __init__(self, url: str, passwords: Passwords | None = None) -> None:
        self.url = url
        self.passwords = passwords or Passwords()

    # -- what a backend supplies -------------------------------------------------------------
    @abstractmethod
    def migrate(self) -> list[str]: ...

    @abstractmethod
    def applied_migrations(self) -> list[str]: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one statement (``?`` placeholders); return its rows as dicts."""

    @abstractmethod
    def _time_param(self, value: datetime) -> Any: ...

    @abstractmethod
    def _json_param(self, value: dict[str, Any]) -> Any: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- users -------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, *, actor: str,
                 ip: str | None = None) -> User:
        name, role = check_name(name), check_role(role)
        hashed = self.passwords.hash(check_password(password))
        with self._transaction():
            if self._rows("SELECT 1 FROM users WHERE name = ?", (name,)):
                raise InputError(f"pengguna {name!r} sudah ada; ganti perannya dengan `damai user "
                                 f"role` / user {name!r} already exists; change its role with "
                                 "`damai user role`")
            rows = self._rows(
                "INSERT INTO users (name, role, password_hash, created_at, disabled) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id, name, role, created_at, disabled",
                (name, role, hashed, self._time_param(_now()), False))
            self._append(actor, "user_add", name, {"role": role}, ip)
        return _user(rows[0])

    def get_user(self, name: str) -> User | None:
        rows = self._rows(f"{_USER} WHERE name = ?", (name.strip().lower(),))
        return _user(rows[0]) if rows else None

    def list_users(self) -> list[User]:
        return [_user(r) for r in self._rows(f"{_USER} ORDER BY name")]

    def _existing(self, name: str) -> User:
        user = self.get_user(name)
        if user is None:
            raise InputError(f"pengguna {name!r} tidak ada; lihat `damai user list` / no user "
                             f"{name!r}; see `damai user list`")
        return user

    def set_role(self, name: str, role: str, *, actor: str, ip: str | None = None) -> User:
        role = check_role(role)
        with self._transaction():
            user = self._existing(name)
            self._rows("UPDATE users SET role = ? WHERE id = ?", (role, user.id))
            self._append(actor, "user_role", user.name, {"from": user.role, "to": role}, ip)
        return User(user.id, user.name, role, user.created_at, user.disabled)

    def disable_user(self, name: str, *, actor: str, ip: str | None = None) -> User:
        with self._transaction():
            user = self._existing(name)
            self._rows("UPDATE users SET disabled = ? WHERE id = ?", (True, user.id))
            self._rows("DELETE FROM sessions WHERE user_id = ?", (user.id,))
            self._append(actor, "user_disable", user.name, {}, ip)
        return User(user.id, user.name, user.role, user.created_at, True)

    def authenticate(self, name: str, password: str, *, ip: str | None = None) -> User | None:
        key = name.strip().lower()[:64]
        rows = self._rows("SELECT id, name, role, created_at, disabled, password_hash FROM users "
                          "WHERE name = ?", (key,))
        stored: str | None = rows[0]["password_hash"] if rows else None
        ok = self.passwords.verify(stored, password)
        user = _user(rows[0]) if rows else None
        if user is None or stored is None or not ok or user.disabled:
            reason = "unknown_user" if user is None else "disabled" if ok else "wrong_password"
            self.audit(key, "login_failed", key, {"reason": reason}, ip=ip)
            return None
        with self._transaction():
            if self.passwords.needs_rehash(stored):
                self._rows("UPDATE users SET password_hash = ? WHERE id = ?",
                           (self.passwords.hash(password), user.id))
            self._append(user.name, "login", user.name, {}, ip)
        return user

    # -- API tokens --------------------------------------------------------------------------
    def create_token(self, user: str, name: str, *, actor: str, ip: str | None = None) -> str:
        label = name.strip()
        if not label or len(label) > 100:
            raise InputError("nama token wajib diisi (maks. 100 karakter) / a token needs a name "
                             "(at most 100 characters)")
        token = new_token()
        with self._transaction():
            owner = self._existing(user)
            if owner.disabled:
                raise InputError(f"pengguna {owner.name!r} dinonaktifkan / user {owner.name!r} "
                                 "is disabled")
            self._rows("INSERT INTO api_tokens (token_hash, name, user_id, created_at, revoked) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (hash_token(token), label, owner.id, self._time_param(_now()), False))
            self._append(actor, "token_create", owner.name, {"name": label}, ip)
        return token

    def verify_token(self, token: str) -> User | None:
        rows = self._rows(
            "SELECT t.id AS token_id, t.last_used_at, u.id, u.name, u.role, u.created_at, "
            "u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = ? AND t.revoked = ? AND u.disabled = ?",
            (hash_token(token), False, False))
        if not rows:
            return None
        now = _now()
        last = parse_time(rows[0]["last_used_at"])
        if last is None or now - last > _TOKEN_TOUCH:
            self._rows("UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                       (self._time_param(now), rows[0]["token_id"]))
        return _user(rows[0])

    def list_tokens(self, user: str | None = None) -> list[ApiToken]:
        sql = ("SELECT t.id, t.name, u.name AS user_name, t.created_at, t.last_used_at, t.revoked "
               "FROM api_tokens t JOIN users u ON u.id = t.user_id")
        params: tuple[Any, ...] = ()
        if user is not None:
            sql, params = sql + " WHERE u.name = ?", (user.strip().lower(),)
        return [ApiToken(id=int(r["id"]), name=r["name"], user=r["user_name"],
                         created_at=_time(r["created_at"]),
                         last_used_at=parse_time(r["last_used_at"]), revoked=bool(r["revoked"]))
                for r in self._rows(sql + " ORDER BY t.id", params)]

    def revoke_token(self, user: str, name: str, *, actor: str, ip: str | None = None) -> int:
        with self._transaction():
            owner = self._existing(user)
            rows = self._rows("UPDATE api_tokens SET revoked = ? WHERE user_id = ? AND name = ? "
                              "AND revoked = ? RETURNING id", (True, owner.id, name.strip(), False))
            if rows:
                self._append(actor, "token_revoke", owner.name,
                             {"name": name.strip(), "count": len(rows)}, ip)
        return len(rows)

    # -- dashboard sessions ------------------------------------------------------------------
    def create_session(self, user: User, *, hours: float, ip: str | None = None) -> Session:
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now()
        expires = now + timedelta(hours=hours)
        with self._transaction():
            self._rows("DELETE FROM sessions WHERE expires_at < ?", (self._time_param(now),))
            self._rows("INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at, ip) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (hash_token(session_id), user.id, csrf, self._time_param(now),
                        self._time_param(expires), ip))
        return Session(session_id, user, csrf, expires)

    def get_session(self, session_id: str) -> Session | None:
        rows = self._rows(
            "SELECT s.csrf, s.expires_at, u.id, u.name, u.role, u.created_at, u.disabled "
            "FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = ?",
            (hash_token(session_id), self._time_param(_now()), False))
        if not rows:
            return None
        return Session(session_id, _user(rows[0]), rows[0]["csrf"], _time(rows[0]["expires_at"]))

    def end_session(self, session_id: str) -> None:
        self._rows("DELETE FROM sessions WHERE id_hash = ?", (hash_token(session_id),))

    # -- audit log ---------------------------------------------------------------------------
    def audit(self, actor: str, action: str, target: str | None = None,
              detail: dict[str, Any] | None = None, *, ip: str | None = None) -> AuditEntry:
        with self._transaction():
            return self._append(actor, action, target, detail or {}, ip)

    def _append(self, actor: str, action: str, target: str | None, detail: dict[str, Any],
                ip: str | None) -> AuditEntry:
        rows = self._rows(
            "INSERT INTO audit_log (at, actor, action, target, detail, ip) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id, at, actor, action, target, detail, ip",
            (self._time_param(_now()), actor, action, target, self._json_param(detail), ip))
        return _entry(rows[0])

    def query_audit(self, *, since: datetime | None = None, until: datetime | None = None,
                    actor: str | None = None, action: str | None = None,
                    limit: int | None = 100) -> list[AuditEntry]:
        conditions: list[str] = []
        params: list[Any] = []
        for condition, value in (("at >= ?", since), ("at < ?", until)):
            if value is not None:
                conditions.append(condition)
                params.append(self._time_param(value))
        for condition, text in (("actor = ?", actor), ("action = ?", action)):
            if text is not None:
                conditions.append(condition)
                params.append(text)
        sql = "SELECT id, at, actor, action, target, detail, ip FROM audit_log"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_entry(r) for r in self._rows(sql, params)]


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
