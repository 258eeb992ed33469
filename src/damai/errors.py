"""Damai's error tree.

Every error a user can cause carries a short code (``E1xx`` input, ``E2xx`` storage, ``E3xx``
sources and network, ``E4xx`` configuration, ``E5xx`` models) and a message that says what to do
next. The CLI prints ``code: message`` and exits with status 2; it never shows a traceback for
these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

__all__ = [
    "ConfigError",
    "DamaiError",
    "InputError",
    "ModelError",
    "NotFound",
    "PublishError",
    "RecordError",
    "ReviewRefused",
    "SourceError",
    "StorageError",
]


class DamaiError(Exception):
    """Base of every error Damai raises on purpose."""

    code = "E000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return f"{self.code}: {self.args[0] if self.args else ''}"


class InputError(DamaiError):
    """The user gave a path, option or value Damai cannot use."""

    code = "E100"


class RecordError(DamaiError):
    """One input record cannot become a post. The record is quarantined; the run continues.

    ``reason`` is a short machine-readable slug (``malformed_json``, ``invalid_utf8``,
    ``truncated``, ``too_long``, ``missing_id``, ``missing_text``, ``unknown_format``,
    ``unmappable``); the message explains it to a person.
    """

    code = "E110"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotFound(InputError):
    """What a request names (a post, a library entry, a response) does not exist."""

    code = "E104"


class ReviewRefused(DamaiError):
    """The review workflow or the publishing boundary refuses a step (issue #11).

    ``reason`` is a short slug a program can test: ``wrong_state`` (the response is not in a
    state that allows the step), ``blocked`` (its text scored high on a harmful label),
    ``not_approved`` (publishing anything that is not approved), ``four_eyes`` (approving one's
    own proposal while four-eyes review is on), ``unknown_channel``.
    """

    code = "E120"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class StorageError(DamaiError):
    """The store cannot be opened, migrated or written."""

    code = "E200"


class SourceError(DamaiError):
    """A live source failed in a way retries did not fix."""

    code = "E300"


class ConfigError(DamaiError):
    """A setting is missing or has a value Damai cannot use."""

    code = "E400"


class ModelError(DamaiError):
    """A registered model cannot be loaded or put in service (a damaged or missing archive, a
    bundled model this Damai no longer ships, a candidate worse than the model in service)."""

    code = "E500"


PublishKind = Literal["rate_limited", "server", "network", "auth", "invalid", "unknown"]

#: per kind: what happened, then what to do next (Indonesian / English)
_LEADS: dict[str, str] = {
    "auth": "platform menolak kredensial akun / the platform refused the account's credentials",
    "invalid": "platform menolak teks ini / the platform refused this text",
    "rate_limited": "batas laju platform tercapai / the platform's rate limit was reached",
    "server": "platform gagal menjawab / the platform failed",
    "network": "tidak ada jawaban dari platform / no answer from the platform",
    "unknown": ("tidak bisa dipastikan apakah sudah terbit / cannot tell whether it was "
                "published"),
}
_HINTS: dict[str, str] = {
    "auth": ("periksa token/kata sandi akun di pengaturan rahasia (DAMAI_*_PUBLISH_*) dan izin "
             "akunnya / check the account's token or password in the secret settings and its "
             "permissions"),
    "invalid": ("ubah teksnya (panjang, sebutan akun, tautan), lalu ajukan lagi untuk ditinjau / "
                "edit the text (length, mentions, links), then send it back to review"),
    "rate_limited": ("tunggu beberapa menit lalu jalankan `damai publish` lagi / wait a few "
                     "minutes and run `damai publish` again"),
    "server": ("platform sedang bermasalah; jalankan `damai publish --reconcile` nanti / the "
               "platform is failing; run `damai publish --reconcile` later"),
    "network": ("periksa koneksi dan URL API; jalankan `damai publish --reconcile` nanti / check "
                "the connection and the API URL; run `damai publish --reconcile` later"),
    "unknown": ("periksa akun di platform lalu tandai publikasinya / check the account on the "
                "platform, then settle the publication"),
}


class PublishError(DamaiError):
    """A platform refused or failed a publishing call (issue #12).

    ``kind`` says what may follow: ``rate_limited`` (429: wait as the platform says, retry),
    ``server`` and ``network`` (5xx, no answer, a timeout: the post may be there, so look it up
    before a retry), ``auth`` (401, 403) and ``invalid`` (400, 422: the platform refused the
    text) fail at once, ``unknown`` (a lookup that cannot tell). ``detail`` is the platform's
    own reason, never a credential.
    """

    code = "E320"

    def __init__(self, kind: PublishKind, detail: str, *, status: int | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        self.kind: PublishKind = kind
        self.detail = detail[:300]
        self.status = status
        self.headers: Mapping[str, str] = dict(headers or {})
        http = f"HTTP {status}: " if status else ""
        super().__init__(f"{_LEADS[kind]} ({http}{self.detail}). {_HINTS[kind]}")

    @property
    def ambiguous(self) -> bool:
        """Whether the platform may have accepted the post all the same (5xx, no answer)."""
        return self.kind in ("server", "network")
