"""Registry of file sources, and format detection (detect_source).

Formats are recognised from the content of a file (its first record), never from its name.
"""

from __future__ import annotations

from pathlib import Path

from damai.sources.base import FileSource
from damai.sources.bluesky import BlueskySource
from damai.sources.csv import CsvColumns, CsvSource
from damai.sources.mastodon import MastodonSource
from damai.sources.reader import container_kind, first_text_line, peek_first
from damai.sources.telegram import TelegramSource
from damai.sources.twarc2 import Twarc2Source

__all__ = [
    "FORMATS",
    "CsvColumns",
    "FileSource",
    "detect_source",
    "get_source",
]

#: every ``--format`` value except ``auto``
FORMATS: tuple[str, ...] = ("twarc2", "mastodon", "bluesky", "telegram", "csv")


def _json_sources() -> list[FileSource]:
    return [Twarc2Source(), MastodonSource(), BlueskySource(), TelegramSource()]


def get_source(name: str, *, csv_columns: CsvColumns | None = None) -> FileSource:
    if name == "csv":
        return CsvSource(csv_columns or CsvColumns())
    for source in _json_sources():
        if source.name == name:
            return source
    raise KeyError(name)


def detect_source(path: Path, *, csv_columns: CsvColumns | None = None,
                  encoding: str | None = None) -> FileSource | None:
    """The source whose format ``path`` is in, judged from its content; ``None`` if unknown."""
    kind = container_kind(path)
    if kind == "empty":
        return None
    if kind == "text":
        first_line = first_text_line(path, encoding)
        if MastodonSource().sniff_text(first_line):
            return MastodonSource()
        source = CsvSource(csv_columns or CsvColumns())
        return source if source.sniff_header(first_line) else None
    first = peek_first(path, encoding=encoding)
    if first is None and encoding is None:
        # Detection only: a cp1252 file still shows its format; its records then fail as
        # invalid UTF-8 with a hint to re-run with --encoding, instead of "unknown format".
        first = peek_first(path, encoding="latin-1")
    if first is None:
        return None
    for candidate in _json_sources():
        if candidate.sniff(first):
            return candidate
    return None
