"""The user repository: dashboard users, their API tokens and login sessions.

It keeps hashes only: password hashes made by :mod:`damai.auth` (which owns hashing and every
rule about names and roles), SHA-256 hashes of API tokens and of session ids. Every change is
written to the audit log in the same transaction (:func:`damai.storage.audit.append`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from damai.errors import InputError
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import api_tokens, sessions, users

__all__ = ["ApiToken", "SessionInfo", "StoredSession", "TotpState", "User", "UserRepository"]

#: how stale ``last_used_at`` may get before a token check writes it again
_TOKEN_TOUCH = timedelta(minutes=1)
_USER = (users.c.id, users.c.name, users.c.role, users.c.created_at, users.c.disabled,
         users.c.must_change_password, users.c.totp_enabled)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    created_at: datetime
    disabled: bool = False
    #: a reset or demo password: the dashboard asks for a new one before anything else
    must_change: bool = False
    #: TOTP two-factor login is on
    totp: bool = False


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One live dashboard session of a user, as the user sees it (``key`` is the stored hash of
    the cookie, which cannot be turned back into the cookie)."""

    key: str
    created_at: datetime
    expires_at: datetime
    ip: str | None


@dataclass(frozen=True, slots=True)
class TotpState:
    secret: str | None
    enabled: bool
    last_step: int | None


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
                disabled=bool(row.disabled), must_change=bool(row.must_change_password),
                totp=bool(row.totp_enabled))


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
            ip: str | None, must_change: bool = False) -> User:
        with self.db.write() as conn:
            if self._get(conn, name) is not None:
                raise InputError(f"pengguna {name!r} sudah ada; ganti perannya dengan `damai user "
                                 f"role` / user {name!r} already exists; change its role with "
                                 "`damai user role`")
            row = conn.execute(users.insert().returning(*_USER), {
                "name": name, "role": role, "password_hash": password_hash,
                "created_at": _now(), "disabled": False,
                "must_change_password": must_change}).one()
            append(conn, actor, "user_add", name, {"role": role}, ip)
        return _user(row)

    def set_role(self, name: str, role: str, *, actor: str, ip: str | None) -> User:
        with self.db.write() as conn:
            user = self._existing(conn, name)
            conn.execute(update(users).where(users.c.id == user.id).values(role=role))
            append(conn, actor, "user_role", user.name, {"from": user.role, "to": role}, ip)
        return replace(user, role=role)

    def disable(self, name: str, *, actor: str, ip: str | None) -> User:
        with self.db.write() as conn:
            user = self._existing(conn, name)
            conn.execute(update(users).where(users.c.id == user.id).values(disabled=True))
            conn.execute(delete(sessions).where(sessions.c.user_id == user.id))
            append(conn, actor, "user_disable", user.name, {}, ip)
        return replace(user, disabled=True)

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

    # -- passwords, sessions and two-factor login (issue #14 part 7) ---------------------------
    def set_password(self, name: str, password_hash: str, *, must_change: bool, actor: str,
                     action: str, ip: str | None, keep_session: str | None = None) -> User:
        """Store a new password hash and end the user's sessions (all but ``keep_session``, the
        hash of the session that changed it), audited as ``action``."""
        with self.db.write() as conn:
            user = self._existing(conn, name)
            conn.execute(update(users).where(users.c.id == user.id).values(
                password_hash=password_hash, must_change_password=must_change,
                password_changed_at=_now()))
            ended = conn.execute(delete(sessions).where(
                sessions.c.user_id == user.id,
                sessions.c.id_hash != (keep_session or "")).returning(sessions.c.id_hash)).all()
            append(conn, actor, action, user.name, {"sessions_ended": len(ended),
                                                    "must_change": must_change}, ip)
        return replace(user, must_change=must_change)

    def sessions_of(self, name: str) -> list[SessionInfo]:
        """The user's live sessions, newest first."""
        statement = (select(sessions.c.id_hash, sessions.c.created_at, sessions.c.expires_at,
                            sessions.c.ip)
                     .join(users, users.c.id == sessions.c.user_id)
                     .where(users.c.name == name.strip().lower(),
                            sessions.c.expires_at > _now())
                     .order_by(sessions.c.created_at.desc()))
        with self.db.read() as conn:
            return [SessionInfo(r.id_hash, r.created_at, r.expires_at, r.ip)
                    for r in conn.execute(statement)]

    def end_user_session(self, name: str, key: str | None, *, actor: str,
                         ip: str | None) -> int:
        """End one session of the user (``key``) or all of them (``None``); audited as
        ``session_end``. Returns how many ended."""
        with self.db.write() as conn:
            user = self._existing(conn, name)
            statement = delete(sessions).where(sessions.c.user_id == user.id)
            if key is not None:
                statement = statement.where(sessions.c.id_hash == key)
            ended = len(conn.execute(statement.returning(sessions.c.id_hash)).all())
            if ended:
                append(conn, actor, "session_end", user.name,
                       {"sessions": ended, "all": key is None}, ip)
        return ended

    def totp(self, name: str) -> TotpState:
        with self.db.read() as conn:
            row = conn.execute(select(users.c.totp_secret, users.c.totp_enabled,
                                      users.c.totp_last_step)
                               .where(users.c.name == name.strip().lower())).first()
        if row is None:
            raise _missing(name)
        return TotpState(row.totp_secret, bool(row.totp_enabled),
                         None if row.totp_last_step is None else int(row.totp_last_step))

    def set_totp(self, name: str, secret: str | None, *, enabled: bool, actor: str,
                 action: str | None, ip: str | None) -> None:
        """Set (or clear, ``secret`` None) the TOTP secret; audited as ``action`` if given."""
        with self.db.write() as conn:
            user = self._existing(conn, name)
            conn.execute(update(users).where(users.c.id == user.id).values(
                totp_secret=secret, totp_enabled=enabled, totp_last_step=None))
            if action is not None:
                append(conn, actor, action, user.name, {}, ip)

    def use_totp_step(self, name: str, step: int) -> bool:
        """Record that the code of time step ``step`` was used; False when that step (or a
        later one) was used before, so a code seen by someone else cannot be replayed."""
        with self.db.write() as conn:
            done = conn.execute(update(users).where(
                users.c.name == name.strip().lower(),
                (users.c.totp_last_step.is_(None)) | (users.c.totp_last_step < step))
                .values(totp_last_step=step).returning(users.c.id)).all()
        return bool(done)
