"""Password hashing with argon2id, and API tokens kept only as SHA-256 hashes.

Verifying a password costs the same whether or not the user exists: an unknown user's password
is checked against a dummy hash made with the same parameters, so timing does not tell an
attacker which names are taken.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from damai.errors import InputError

__all__ = ["MIN_PASSWORD_LENGTH", "Passwords", "check_password", "hash_token", "new_token"]

MIN_PASSWORD_LENGTH: Final = 12
#: printed in front of every API token, so secret scanners and people recognise one
TOKEN_PREFIX: Final = "damai_"


def check_password(password: str) -> str:
    """Return ``password`` if it is long enough; else an :class:`InputError` saying so."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"kata sandi terlalu pendek: minimal {MIN_PASSWORD_LENGTH} karakter, pakai frasa "
            f"yang panjang / password too short: use at least {MIN_PASSWORD_LENGTH} characters, "
            "for example a long phrase")
    return password


class Passwords:
    """Hash and verify passwords. Tests pass a cheap ``PasswordHasher`` for speed."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``. ``None`` (no such user) is always False, after
        checking a dummy hash that takes as long as a real check."""
        if stored is None:
            self._check(self._dummy_hash(), password)
            return False
        return self._check(stored, password)

    def _check(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(24))
        return self._dummy

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def new_token() -> str:
    """A fresh API token (shown once; only :func:`hash_token` of it is stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
