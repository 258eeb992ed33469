"""Registry of file sources, and format detection (detect_source).

Formats are recognised from the content of a file (its first record), never from its name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from damai.sources.base import FileSource, RecordFailure
from damai.sources.bluesky import BlueskySource
from damai.sources.csv import CsvColumns, CsvSource
from damai.sources.mastodon import MastodonSource
from damai.sources.nesting import DepthScanner, TooDeep, max_depth, too_deep_message
from damai.sources.reader import container_kind, first_text_line, iter_lines, peek_first
from damai.sources.telegram import TelegramSource
from damai.sources.twarc2 import Twarc2Source

__all__ = [
    "FORMATS",
    "CsvColumns",
    "FileSource",
    "detect_source",
    "get_source",
    "undetected_failures",
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
        # A file named .csv/.tsv is read as CSV even when its header lacks the text column:
        # reading it then fails before the first row, naming the columns it has (issue #14),
        # instead of quarantining every line, header included, as an unknown format.
        named_csv = path.suffix.lower() in (".csv", ".tsv")
        return source if named_csv or source.sniff_header(first_line) else None
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


def _file_too_deep(path: Path, limit: int) -> bool:
    scanner = DepthScanner(limit)
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1024 * 1024):
                scanner.feed(chunk)
        except TooDeep:
            return True
    return False


def undetected_failures(path: Path, *, max_line_bytes: int,
                        text_col: str = "text") -> Iterator[RecordFailure]:
    """Every non-blank line of a file whose format :func:`detect_source` did not recognise, as a
    failure to quarantine: ``too_deep`` when the file nests deeper than
    ``DAMAI_MAX_JSON_DEPTH`` (the reason nothing could be sniffed), else ``unknown_format``."""
    limit = max_depth()
    if _file_too_deep(path, limit):
        reason, message = "too_deep", too_deep_message(limit)
    else:
        reason, message = "unknown_format", (
            f"unknown format: {path} is not Twitter v2/twarc2, Mastodon, Bluesky, Telegram or "
            f"CSV with a '{text_col}' column; pass --format and the CSV column options")
    for number, raw, _ in iter_lines(path, max_line_bytes):
        if raw.strip():
            yield RecordFailure(str(path), f"line {number}", reason, message, raw)
