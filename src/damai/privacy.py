"""Pseudonymisation of authors, and the installation secret.

``author_key = HMAC-SHA256(installation secret, "platform:author id")``, hex, first 32 characters.
The secret comes from ``DAMAI_INSTALLATION_SECRET`` or the secrets file; failing both, a random one
is created once in the data directory (mode 0600) and reused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from damai import settings
from damai.identity import url_with_handle
from damai.records import Post

__all__ = ["Pseudonymiser", "author_key", "installation_secret"]

_SECRET_FILE = "installation_secret"


def installation_secret(data_dir: Path | None = None) -> bytes:
    configured = settings.get_secret("installation_secret")
    if configured:
        return configured.encode("utf-8")
    path = (data_dir or settings.data_dir()) / _SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip().encode("ascii")
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value.encode("ascii")


def author_key(secret: bytes, platform: str, author_id: str) -> str:
    digest = hmac.new(secret, f"{platform}:{author_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class Pseudonymiser:
    """Pipeline stage: writes ``author_key``; clears ``author_id`` and unregistered handles.

    Mappers store handle-free links (:mod:`damai.identity`); when a handle is kept (a
    registered account, or ``DAMAI_STORE_HANDLES``), its link gets the handle back."""

    writes = ("author_key", "author_handle", "url")

    def __init__(self, secret: bytes, *, registered: Iterable[tuple[str, str]] = (),
                 keep_handles: bool = False) -> None:
        self._secret = secret
        self._registered = {(p, h.lower().lstrip("@")) for p, h in registered}
        self._keep_handles = keep_handles

    def __call__(self, posts: list[Post]) -> list[Post]:
        for post in posts:
            if post.author_id is not None:
                post.author_key = author_key(self._secret, post.platform, post.author_id)
                post.author_id = None
            handle = post.author_handle
            if handle is None:
                continue
            if self._keep_handles or (post.platform,
                                      handle.lower().lstrip("@")) in self._registered:
                post.url = url_with_handle(post.platform, post.url, handle)
            else:
                post.author_handle = None
        return posts
