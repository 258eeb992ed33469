"""Damai's error tree.

Every error a user can cause carries a short code (``E1xx`` input, ``E2xx`` storage, ``E3xx``
sources and network, ``E4xx`` configuration, ``E5xx`` models) and a message that says what to do
next. The CLI prints ``code: message`` and exits with status 2; it never shows a traceback for
these.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DamaiError",
    "InputError",
    "ModelError",
    "NotFound",
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
