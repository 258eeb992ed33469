"""The account service: users, API tokens, sessions and the append-only audit log.

:class:`AuthStore` holds the rules (names, roles, password strength, argon2 hashing, token and
session secrets) and keeps only hashes through the store's ``users`` and ``audit`` repositories
(:mod:`damai.storage.users`, :mod:`damai.storage.audit`), on the same database and engine as the
posts. Every change to users and tokens is written to the audit log in the same transaction, and
the database itself refuses to update or delete audit rows.
"""

from __future__ import annotations

import csv
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self, TextIO

import orjson
import pyotp

from damai import settings
from damai.auth.passwords import Passwords, check_password, hash_token, new_token
from damai.auth.roles import role_at_least
from damai.errors import InputError
from damai.roles import check_role
from damai.spreadsheet import safe_cell
from damai.storage import Store
from damai.storage.audit import AuditEntry
from damai.storage.users import ApiToken, SessionInfo, User

__all__ = ["AUDIT_COLUMNS", "ApiToken", "AuditEntry", "AuthStore", "Session", "SessionInfo",
           "User",
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
                 ip: str | None = None, must_change: bool = False) -> User:
        name, role = check_name(name), check_role(role)
        hashed = self.passwords.hash(check_password(password))
        return self.store.users.add(name, role, hashed, actor=actor, ip=ip,
                                    must_change=must_change)

    def get_user(self, name: str) -> User | None:
        return self.store.users.get(name)

    def list_users(self) -> list[User]:
        return self.store.users.all()

    def set_role(self, name: str, role: str, *, actor: str, ip: str | None = None) -> User:
        return self.store.users.set_role(name, check_role(role), actor=actor, ip=ip)

    def disable_user(self, name: str, *, actor: str, ip: str | None = None) -> User:
        return self.store.users.disable(name, actor=actor, ip=ip)

    def authenticate(self, name: str, password: str, *, ip: str | None = None,
                     code: str | None = None) -> User | None:
        """The user, or None for an unknown user, a wrong password, a disabled account or (for
        a user with two-factor login) a missing, wrong or replayed code alike (same answer).
        Writes ``login`` or ``login_failed`` to the audit log."""
        key = name.strip().lower()[:64]
        found = self.store.users.with_hash(key)
        stored = found[1] if found else None
        ok = self.passwords.verify(stored, password)
        user = found[0] if found else None
        if user is None or stored is None or not ok or user.disabled:
            reason = "unknown_user" if user is None else "disabled" if ok else "wrong_password"
            self.audit(key, "login_failed", key, {"reason": reason}, ip=ip)
            return None
        if user.totp and not self.totp_check(user.name, code or ""):
            self.audit(key, "login_failed", key, {"reason": "totp"}, ip=ip)
            return None
        new_hash = self.passwords.hash(password) if self.passwords.needs_rehash(stored) else None
        self.store.users.logged_in(user, new_hash, ip)
        return user

    # -- passwords (issue #14 part 7) ----------------------------------------------------------
    def change_password(self, name: str, current: str, new: str, *, ip: str | None = None,
                        session_id: str | None = None) -> User:
        """A user changes their own password: the current one must be right and the new one
        differ from it. The user's other sessions end (``session_id``, the one asking, stays)."""
        found = self.store.users.with_hash(check_name(name))
        if found is None or not self.passwords.verify(found[1], current):
            self.audit(name, "password_change_failed", name, {}, ip=ip)
            raise InputError("kata sandi sekarang salah / the current password is wrong")
        if new == current:
            raise InputError("kata sandi baru harus berbeda / the new password must differ")
        hashed = self.passwords.hash(check_password(new))
        return self.store.users.set_password(
            found[0].name, hashed, must_change=False, actor=found[0].name,
            action="password_change", ip=ip,
            keep_session=hash_token(session_id) if session_id else None)

    def reset_password(self, name: str, *, actor: str, ip: str | None = None) -> str:
        """An administrator resets ``name``'s password: a one-time password, returned in plain
        text this once, that must be changed at the next login; every session of the user
        ends."""
        password = secrets.token_urlsafe(12)
        self.store.users.set_password(check_name(name), self.passwords.hash(password),
                                      must_change=True, actor=actor, action="password_reset",
                                      ip=ip)
        return password

    def sessions_of(self, name: str) -> list[SessionInfo]:
        return self.store.users.sessions_of(name)

    def end_sessions_of(self, name: str, key: str | None, *, actor: str,
                        ip: str | None = None) -> int:
        """End one of ``name``'s sessions (by its ``key``) or, with None, all of them."""
        return self.store.users.end_user_session(name, key, actor=actor, ip=ip)

    # -- two-factor login (TOTP, RFC 6238; issue #14 part 7) -----------------------------------
    def totp_begin(self, name: str) -> tuple[str, str]:
        """A new TOTP secret for ``name`` (not yet on: :meth:`totp_confirm` turns it on) and its
        ``otpauth://`` URI for an authenticator app."""
        if self.store.users.totp(name).enabled:
            raise InputError("login dua langkah sudah aktif / two-factor login is already on")
        secret = pyotp.random_base32()
        self.store.users.set_totp(name, secret, enabled=False, actor=name, action=None, ip=None)
        return secret, pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="Damai")

    def totp_confirm(self, name: str, code: str, *, ip: str | None = None) -> None:
        """Turn two-factor login on once a code from the app matches the begun secret."""
        state = self.store.users.totp(name)
        if state.secret is None or state.enabled:
            raise InputError("mulai dulu penyiapan login dua langkah / begin the two-factor "
                             "set-up first")
        if not self.totp_check(name, code, enabling=True):
            raise InputError("kode salah atau kedaluwarsa / wrong or expired code")
        self.store.users.set_totp(name, state.secret, enabled=True, actor=name,
                                  action="totp_enable", ip=ip)

    def totp_disable(self, name: str, *, actor: str, ip: str | None = None) -> None:
        self.store.users.set_totp(name, None, enabled=False, actor=actor, action="totp_disable",
                                  ip=ip)

    def totp_check(self, name: str, code: str, *, enabling: bool = False) -> bool:
        """True when ``code`` is the user's TOTP code of now or of the step before or after
        (clock drift), and that step was not used before."""
        state = self.store.users.totp(name)
        if state.secret is None or not (state.enabled or enabling):
            return False
        code = code.strip().replace(" ", "")
        totp = pyotp.TOTP(state.secret)
        step = int(datetime.now(UTC).timestamp()) // totp.interval
        for candidate in (step - 1, step, step + 1):
            if hmac.compare_digest(totp.at(candidate * totp.interval), code):
                return self.store.users.use_totp_step(name, candidate)
        return False

    def needs_totp(self, user: User) -> bool:
        """True when the installation requires two-factor login of ``user``'s role and it is
        off (``DAMAI_REQUIRE_2FA``: admins and approvers)."""
        return (not user.totp and settings.get_bool("require_2fa")
                and role_at_least(user.role, "approver"))

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
