"""The user repository: dashboard users, their API tokens and login sessions.

It keeps hashes only: password hashes made by :mod:`damai.auth` (which owns hashing and every
rule about names and roles), SHA-256 hashes of API tokens and of session ids. Every change is
written to the audit log in the same transaction (:func:`damai.storage.audit.append`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from damai.errors import InputError
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import api_tokens, sessions, users

__all__ = ["ApiToken", "StoredSession", "User", "UserRepository"]

#: how stale ``last_used_at`` may get before a token check writes it again
_TOKEN_TOUCH = timedelta(minutes=1)
_USER = (users.c.id, users.c.name, users.c.role, users.c.created_at, users.c.disabled)


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
class StoredSession:
    user: User
    csrf: str
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _user(row: Any) -> User:
    return User(id=int(row.id), name=row.name, role=row.role, created_at=row.created_at,
                disabled=bool(row.disabled))


def _missing(name: str) -> InputError:
    return InputError(f"pengguna {name!r} tidak ada; lihat `damai user list` / no user {name!r}; "
                      "see `damai user list`")


class UserRepository(Repository):
    # -- users -------------------------------------------------------------------------------
    def get(self, name: str) -> User | None:
        with self.db.read() as conn:
            return self._get(conn, name)

    @staticmethod
    def _get(conn: Connection, name: str) -> User | None:
        row = conn.execute(select(*_USER).where(users.c.name == name.strip().lower())).first()
        return _user(row) if row else None

    def _existing(self, conn: Connection, name: str) -> User:
        user = self._get(conn, name)
        if user is None:
            raise _missing(name)
        return user

    def all(self) -> list[User]:
        with self.db.read() as conn:
            return [_user(r) for r in conn.execute(select(*_USER).order_by(users.c.name))]

    def with_hash(self, name: str) -> tuple[User, str] | None:
        """The user called ``name`` and their password hash (for a login check)."""
        with self.db.read() as conn:
            row = conn.execute(select(*_USER, users.c.password_hash)
                               .where(users.c.name == name)).first()
        return (_user(row), str(row.password_hash)) if row else None

    def add(self, name: str, role: str, password_hash: str, *, actor: str,
            ip: str | None) -> User:
        with self.db.write() as conn:
            if self._get(conn, name) is not None:
                raise InputError(f"pengguna {name!r} sudah ada; ganti perannya dengan `damai user "
                                 f"role` / user {name!r} already exists; change its role with "
                                 "`damai user role`")
            row = conn.execute(users.insert().returning(*_USER), {
                "name": name, "role": role, "password_hash": password_hash,
                "created_at": _now(), "disabled": False}).one()
            append(conn, actor, "user_add", name, {"role": role}, ip)
        return _user(row)

    def set_role(self, name: str, role: str, *, actor: str, ip: str | None) -> User:
        with self.db.write() as conn:
            user = self._existing(conn, name)
            conn.execute(update(users).where(users.c.id == user.id).values(role=role))
            append(conn, actor, "user_role", user.name, {"from": user.role, "to": role}, ip)
        return User(user.id, user.name, role, user.created_at, user.disabled)

    def disable(self, name: str, *, actor: str, ip: str | None) -> User:
        with self.db.write() as conn:
            user = self._existing(conn, name)
            conn.execute(update(users).where(users.c.id == user.id).values(disabled=True))
            conn.execute(delete(sessions).where(sessions.c.user_id == user.id))
            append(conn, actor, "user_disable", user.name, {}, ip)
        return User(user.id, user.name, user.role, user.created_at, True)

    def logged_in(self, user: User, new_hash: str | None, ip: str | None) -> None:
        """Audit a successful login, and store a re-hashed password if there is one."""
        with self.db.write() as conn:
            if new_hash is not None:
                conn.execute(update(users).where(users.c.id == user.id)
                             .values(password_hash=new_hash))
            append(conn, user.name, "login", user.name, {}, ip)

    # -- API tokens --------------------------------------------------------------------------
    def add_token(self, user: str, name: str, token_hash: str, *, actor: str,
                  ip: str | None) -> None:
        with self.db.write() as conn:
            owner = self._existing(conn, user)
            if owner.disabled:
                raise InputError(f"pengguna {owner.name!r} dinonaktifkan / user {owner.name!r} "
                                 "is disabled")
            conn.execute(api_tokens.insert(), {"token_hash": token_hash, "name": name,
                                               "user_id": owner.id, "created_at": _now(),
                                               "revoked": False})
            append(conn, actor, "token_create", owner.name, {"name": name}, ip)

    def token_user(self, token_hash: str) -> User | None:
        """The live token's user (touching its ``last_used_at`` at most once a minute)."""
        statement = (select(api_tokens.c.id.label("token_id"), api_tokens.c.last_used_at, *_USER)
                     .join(users, users.c.id == api_tokens.c.user_id)
                     .where(api_tokens.c.token_hash == token_hash,
                            api_tokens.c.revoked.is_(False), users.c.disabled.is_(False)))
        with self.db.read() as conn:
            row = conn.execute(statement).first()
        if row is None:
            return None
        now = _now()
        if row.last_used_at is None or now - row.last_used_at > _TOKEN_TOUCH:
            with self.db.write() as conn:
                conn.execute(update(api_tokens).where(api_tokens.c.id == row.token_id)
                             .values(last_used_at=now))
        return _user(row)

    def tokens(self, user: str | None = None) -> list[ApiToken]:
        statement = (select(api_tokens, users.c.name.label("user_name"))
                     .join(users, users.c.id == api_tokens.c.user_id).order_by(api_tokens.c.id))
        if user is not None:
            statement = statement.where(users.c.name == user.strip().lower())
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
        return [ApiToken(id=int(r.id), name=r.name, user=r.user_name, created_at=r.created_at,
                         last_used_at=r.last_used_at, revoked=bool(r.revoked)) for r in rows]

    def revoke_tokens(self, user: str, name: str, *, actor: str, ip: str | None) -> int:
        with self.db.write() as conn:
            owner = self._existing(conn, user)
            rows = conn.execute(update(api_tokens).where(
                api_tokens.c.user_id == owner.id, api_tokens.c.name == name,
                api_tokens.c.revoked.is_(False)).values(revoked=True)
                .returning(api_tokens.c.id)).all()
            if rows:
                append(conn, actor, "token_revoke", owner.name, {"name": name,
                                                                 "count": len(rows)}, ip)
        return len(rows)

    # -- sessions ----------------------------------------------------------------------------
    def add_session(self, user: User, id_hash: str, csrf: str, expires: datetime,
                    ip: str | None) -> None:
        now = _now()
        with self.db.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(sessions.insert(), {"id_hash": id_hash, "user_id": user.id,
                                             "csrf": csrf, "created_at": now,
                                             "expires_at": expires, "ip": ip})

    def session(self, id_hash: str) -> StoredSession | None:
        statement = (select(sessions.c.csrf, sessions.c.expires_at, *_USER)
                     .join(users, users.c.id == sessions.c.user_id)
                     .where(sessions.c.id_hash == id_hash, sessions.c.expires_at > _now(),
                            users.c.disabled.is_(False)))
        with self.db.read() as conn:
            row = conn.execute(statement).first()
        return StoredSession(_user(row), row.csrf, row.expires_at) if row else None

    def end_session(self, id_hash: str) -> None:
        with self.db.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash))
