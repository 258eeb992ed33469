"""What every file source is: declarative metadata plus a pure ``map_item``.

A file source reads records out of a file (``records``), recognises its own format from the first
record (``sniff``), and maps one raw record to posts (``map_item``). ``map_item`` is pure: no I/O,
no clock, no secrets. It returns a list because one raw record can hold several posts (a Twitter
API v2 page holds many tweets, plus the referenced tweets in ``includes``).

``map_item`` raises :class:`damai.errors.RecordError` for a record that cannot become a post
(``missing_id``, ``missing_text``, ``unmappable``); the pipeline quarantines it and goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

import orjson

from damai.records import Notice, Post, RecordFailure

__all__ = ["FileSource", "Mapped", "Notice", "RawRecord", "RecordFailure"]


@dataclass(slots=True)
class RawRecord:
    """One parsed record and where it came from.

    ``location`` is what a person needs to find it again: ``line 12`` for JSONL and CSV,
    ``element 7`` for a JSON array, ``messages[3]`` for a Telegram export.
    """

    path: str
    location: str
    data: Any
    raw_bytes: bytes


@dataclass(slots=True)
class Mapped:
    """What ``map_item`` returns: the posts, plus any notices found in the record."""

    posts: list[Post]
    notices: list[Notice] = field(default_factory=list)


@dataclass(slots=True)
class SortedNotices:
    """A mapper's notices, sorted the way every ingest path accounts for them."""

    failures: list[RecordFailure] = field(default_factory=list)
    ignored: int = 0
    notices: list[Notice] = field(default_factory=list)
    #: what a platform deleted: ``{"platform", "platform_id"}`` or ``{"platform", "status_id"}``
    deletions: list[dict[str, Any]] = field(default_factory=list)


def sort_notices(notices: list[Notice], *, path: str, location: str) -> SortedNotices:
    """``quarantine`` notices (one bad item in a record that also held good ones) become
    failures; ``skipped_event`` notices (valid records that are not posts) are counted as
    ignored; ``deletion`` notices (the platform deleted a post) are kept apart for the pipeline
    to honour; every other notice (e.g. ``platform_error``) is kept to be recorded."""
    out = SortedNotices()
    for notice in notices:
        if notice.kind == "quarantine":
            detail = notice.detail
            out.failures.append(RecordFailure(
                path, f"{location} ({detail.get('where', 'item')})",
                str(detail.get("reason", "unmappable")), str(detail.get("message", "")),
                orjson.dumps(detail.get("raw"))))
        elif notice.kind == "skipped_event":
            out.ignored += 1
        elif notice.kind == "deletion":
            out.deletions.append(notice.detail)
        else:
            out.notices.append(notice)
    return out


class FileSource(Protocol):
    #: short name used by ``--format``
    name: ClassVar[str]
    #: value of ``Post.platform`` this source produces
    platform: ClassVar[str]
    #: one line for ``damai ingest --help`` and the docs
    description: ClassVar[str]

    def sniff(self, first: Any) -> bool:
        """True when ``first`` (the first parsed record of a file) is in this format."""
        ...

    def records(self, path: Path, *, max_line_bytes: int = 1024 * 1024,
                encoding: str | None = None) -> Iterator[RawRecord | RecordFailure]:
        """Yield each record of ``path``; unreadable ones as ``RecordFailure``.

        ``max_line_bytes`` bounds one line (longer lines fail as ``too_long``); ``encoding``
        overrides UTF-8 for files a user knows are cp1252 or latin-1.
        """
        ...

    def map_item(self, raw: Any) -> Mapped:
        """Map one record to posts. Pure. Raises ``RecordError`` when it cannot."""
        ...
