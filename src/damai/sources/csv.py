"""CSV files: one post per row, with the columns a user names.

Rows are read from the file's bytes, so each one keeps its exact raw bytes and the line it starts
on, even when a quoted field runs over several lines. A row that is not valid UTF-8 (or not valid
in the ``--encoding`` given), has the wrong number of fields or broken quoting becomes a
``RecordFailure`` with its bytes; the rows around it are read as usual. An unclosed quote does not
swallow the rest of the file: its line is quarantined alone and reading goes on from the next one.

Times are parsed leniently: ISO 8601, ``02/05/2024 20:15`` (day first, the Indonesian order),
Indonesian month and day names (``Kamis, 2 Mei 2024 pukul 13:20 WIB``), the zones WIB, WITA and
WIT, and Unix timestamps in seconds or milliseconds. A time without a zone is taken as UTC.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

from dateutil import parser as dateparser
from dateutil.parser import UnknownTimezoneWarning

from damai.errors import InputError, RecordError
from damai.records import Post, utc
from damai.sources.base import Mapped, RawRecord, RecordFailure
from damai.sources.reader import DEFAULT_MAX_LINE, decode
from damai.sources.text import extract_hashtags, extract_links, extract_mentions

__all__ = ["CsvColumns", "CsvSource", "parse_time"]

_DELIMITERS = (",", ";", "\t", "|")
_ZONES = {"WIB": 7 * 3600, "WITA": 8 * 3600, "WIT": 9 * 3600}
_YEAR_FIRST = re.compile(r"\s*\d{4}\D")
_EPOCH = re.compile(r"\s*(\d{10}|\d{13})(?:\.\d+)?\s*")
# csv errors that mean "a quote was never closed", where backing up one line saves the rest
_RUNAWAY = ("end of data", "field limit")


@dataclass(slots=True)
class CsvColumns:
    """Which CSV columns hold what. ``author_col`` may be ``None`` or ``""``: no author column.

    ``delimiter`` ``None`` means: guess from the header (comma, semicolon, tab or ``|``; Excel in
    an Indonesian locale writes semicolons). ``time_format`` is a ``strptime`` format; without
    it, times are parsed leniently (see the module doc), day first when ``dayfirst``.
    """

    text_col: str = "text"
    id_col: str = "id"
    time_col: str = "created_at"
    author_col: str | None = "author"
    platform: str = "csv"
    time_format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    dayfirst: bool = True

    def required(self) -> dict[str, str]:
        """``{role: column name}`` for every column the header must have."""
        roles = {"text": self.text_col, "id": self.id_col, "time": self.time_col}
        if self.author_col:
            roles["author"] = self.author_col
        return roles


class CsvSource:
    """Rows of a CSV file, mapped through :class:`CsvColumns`."""

    name: ClassVar[str] = "csv"
    platform: ClassVar[str] = "csv"  # instances write ``columns.platform`` into each post
    description: ClassVar[str] = (
        "CSV with a header row; name the text, id, time and author columns "
        "(defaults: text, id, created_at, author)")

    def __init__(self, columns: CsvColumns | None = None) -> None:
        self.columns = columns or CsvColumns()

    def sniff(self, first: Any) -> bool:
        """CSV is never a JSON record; it is recognised by :meth:`sniff_header` instead."""
        return False

    def sniff_header(self, first_line: str) -> bool:
        """True when ``first_line``, read as a CSV header, has the text column."""
        return self._delimiter(first_line) is not None

    def records(self, path: Path, *, max_line_bytes: int = DEFAULT_MAX_LINE,
                encoding: str | None = None) -> Iterator[RawRecord | RecordFailure]:
        """Yield one record per row, ``data`` a ``{column: value}`` dict.

        Raises :class:`InputError` before the first row when the header lacks a mapped column.
        """
        encoding = encoding or self.columns.encoding
        with path.open("rb") as handle:
            lines = _Lines(handle, encoding)
            header = self._header(path, lines)
            if header is None:
                return
            names, delimiter = header
            rows = _RowReader(str(path), lines, names, delimiter, encoding, max_line_bytes)
            yield from rows

    def map_item(self, raw: Any) -> Mapped:
        if not isinstance(raw, dict):
            raise RecordError("unmappable", "expected a CSV row ({column: value})")
        return Mapped(posts=[self._post(raw)])

    # --- header ---------------------------------------------------------------------------

    def _delimiter(self, line: str) -> str | None:
        """The delimiter under which ``line`` has the text column, if any."""
        candidates = (self.columns.delimiter,) if self.columns.delimiter else _DELIMITERS
        for delimiter in candidates:
            if self.columns.text_col in _split_header(line, delimiter):
                return delimiter
        return None

    def _header(self, path: Path, lines: _Lines) -> tuple[list[str], str] | None:
        first = lines.peek()
        if first is None:
            return None
        text, why = decode(first, lines.encoding)
        if text is None:
            raise InputError(f"cannot read the header line of {path}: {why}")
        delimiter = self._delimiter(text)
        names = _split_header(text, delimiter or _widest_delimiter(text))
        missing = {role: col for role, col in self.columns.required().items() if col not in names}
        if delimiter is None or missing:
            raise InputError(_missing_message(path, missing or self.columns.required(), names))
        next(lines)
        lines.take()
        return _unique_names(names), delimiter

    # --- one row --------------------------------------------------------------------------

    def _post(self, row: dict[str, Any]) -> Post:
        columns = self.columns
        row_id = _cell(row, columns.id_col).strip()
        if not row_id:
            raise RecordError("missing_id", f"the id column '{columns.id_col}' is empty")
        text = _cell(row, columns.text_col)
        if not text.strip():
            raise RecordError("missing_text", f"the text column '{columns.text_col}' is empty")
        author = _cell(row, columns.author_col).strip().lstrip("@")
        created = parse_time(_cell(row, columns.time_col), time_format=columns.time_format,
                             dayfirst=columns.dayfirst)
        return Post(platform=columns.platform, platform_id=row_id, text=text,
                    created_at=created, author_id=author or None,
                    author_handle=_handle(author), hashtags=extract_hashtags(text),
                    mentions=extract_mentions(text), links=extract_links(text), raw=dict(row))


def parse_time(value: str, *, time_format: str | None = None, dayfirst: bool = True) -> datetime:
    """Parse a time from a CSV cell (see the module doc); aware UTC. Raises ``bad_time``."""
    if not value.strip():
        raise RecordError("bad_time", "the time column is empty")
    try:
        return utc(_parse(value.strip(), time_format, dayfirst))
    except UnknownTimezoneWarning as exc:
        raise RecordError("bad_time", f"unknown time zone in {value!r} ({exc.args[0].split('.')[0]}"
                                      "); write it as an offset such as +07:00") from exc
    except (ValueError, OverflowError) as exc:
        hint = f"the format {time_format!r}" if time_format else "any known date format"
        raise RecordError("bad_time", f"cannot read the time {value!r} with {hint}; pass the "
                                      "format (e.g. %d/%m/%Y %H:%M) or fix the cell") from exc


def _parse(value: str, time_format: str | None, dayfirst: bool) -> datetime:
    if time_format:
        return datetime.strptime(value, time_format)
    if _EPOCH.fullmatch(value):
        seconds = float(value)
        return datetime.fromtimestamp(seconds / 1000 if seconds >= 1e11 else seconds, tz=UTC)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    # dayfirst turns ISO-like 2024-05-02 into 5 February, so only use it when the day leads
    info = _DATE_NAMES[dayfirst and not _YEAR_FIRST.match(value)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownTimezoneWarning)
        return dateparser.parse(value, parserinfo=info, tzinfos=_ZONES)


# dateutil's English names plus Indonesian ones (typed loosely: the stubs allow 2-3 names only)
_MONTHS: list[Any] = [
    ("Jan", "January", "Januari"), ("Feb", "February", "Februari"), ("Mar", "March", "Maret"),
    ("Apr", "April"), ("May", "Mei"), ("Jun", "June", "Juni"), ("Jul", "July", "Juli"),
    ("Aug", "August", "Agu", "Agt", "Agustus"), ("Sep", "Sept", "September"),
    ("Oct", "October", "Okt", "Oktober"), ("Nov", "November", "Nop", "Nopember"),
    ("Dec", "December", "Des", "Desember")]
_WEEKDAYS: list[Any] = [
    ("Mon", "Monday", "Senin", "Sen"), ("Tue", "Tuesday", "Selasa", "Sel"),
    ("Wed", "Wednesday", "Rabu", "Rab"), ("Thu", "Thursday", "Kamis", "Kam"),
    ("Fri", "Friday", "Jumat", "Jum'at", "Jum"), ("Sat", "Saturday", "Sabtu", "Sab"),
    ("Sun", "Sunday", "Minggu", "Min", "Ahad")]
_JUMP: list[str] = [*dateparser.parserinfo.JUMP, "pukul", "jam", "tanggal", "tgl"]


class _IndonesianDates(dateparser.parserinfo):
    """Month and day names in Indonesian and English, and filler words such as *pukul*."""

    MONTHS = _MONTHS
    WEEKDAYS = _WEEKDAYS
    JUMP = _JUMP


_DATE_NAMES = {first: _IndonesianDates(dayfirst=first) for first in (True, False)}


# --- reading rows out of bytes ----------------------------------------------------------------


class _Lines:
    """Hands ``csv.reader`` one physical line at a time and remembers the bytes it handed out.

    Lines can be pushed back, so a row that swallowed the lines after an unclosed quote can give
    them back to be read again.
    """

    def __init__(self, handle: IO[bytes], encoding: str | None) -> None:
        self.encoding = encoding
        self._handle = handle
        self._pending: deque[bytes] = deque()
        self._taken: list[bytes] = []
        self.next_line = 1  # number of the first line not yet handed to a row

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self._pending.popleft() if self._pending else self._handle.readline()
        if not raw:
            raise StopIteration
        self._taken.append(raw)
        return raw.decode(self.encoding or "utf-8", errors="surrogateescape")

    def peek(self) -> bytes | None:
        raw = self._pending[0] if self._pending else self._handle.readline()
        if not raw:
            return None
        if not self._pending:
            self._pending.append(raw)
        return raw

    def take(self) -> tuple[int, list[bytes]]:
        """``(first line number, lines)`` handed out since the last call."""
        start, taken = self.next_line, self._taken
        self._taken = []
        self.next_line += len(taken)
        return start, taken

    def give_back(self, lines: list[bytes]) -> None:
        self._pending.extendleft(reversed(lines))


class _RowReader:
    """Iterates the rows after the header as ``RawRecord`` / ``RecordFailure``."""

    def __init__(self, path: str, lines: _Lines, names: list[str], delimiter: str,
                 encoding: str | None, max_bytes: int) -> None:
        self.path, self.lines, self.names = path, lines, names
        self.delimiter, self.encoding, self.max_bytes = delimiter, encoding, max_bytes

    def __iter__(self) -> Iterator[RawRecord | RecordFailure]:
        reader = self._reader()
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield self._broken(exc)
                reader = self._reader()
                continue
            record = self._record(row)
            if record is not None:
                yield record

    def _reader(self) -> Iterator[list[str]]:
        return csv.reader(self.lines, delimiter=self.delimiter, strict=True)

    def _broken(self, exc: csv.Error) -> RecordFailure:
        start, taken = self.lines.take()
        message = f"broken CSV quoting ({exc}); check the quotes in this row"
        if any(part in str(exc) for part in _RUNAWAY):
            message = "a quoted field on this line is never closed; check its quotes"
            if len(taken) > 1:  # give back the lines the open quote swallowed
                self.lines.give_back(taken[1:])
                self.lines.next_line = start + 1
                taken = taken[:1]
        return RecordFailure(self.path, _where(start, taken), "malformed_csv", message,
                             b"".join(taken))

    def _record(self, row: list[str]) -> RawRecord | RecordFailure | None:
        start, taken = self.lines.take()
        raw = b"".join(taken)
        where = _where(start, taken)
        if not raw.strip():
            return None
        if len(raw) > self.max_bytes:
            return RecordFailure(self.path, where, "too_long",
                                 f"row is {len(raw):,} bytes, over the {self.max_bytes:,}-byte "
                                 "limit (raise DAMAI_MAX_LINE_BYTES to accept it)", raw)
        text, why = decode(raw, self.encoding)
        if text is None:
            return RecordFailure(self.path, where, "invalid_utf8", why, raw)
        if len(row) != len(self.names):
            return RecordFailure(self.path, where, "malformed_csv",
                                 f"row has {len(row)} fields but the header has "
                                 f"{len(self.names)}; check for an unquoted delimiter", raw)
        return RawRecord(self.path, where, dict(zip(self.names, row, strict=True)), raw)


# --- small helpers ------------------------------------------------------------------------


def _split_header(line: str, delimiter: str) -> list[str]:
    try:
        cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        return []
    return [cell.strip().lstrip("\ufeff").strip() for cell in cells]


def _widest_delimiter(line: str) -> str:
    return max(_DELIMITERS, key=lambda d: len(_split_header(line, d)))


def _unique_names(names: list[str]) -> list[str]:
    """Repeated header names get ``.1``, ``.2`` so no cell is dropped from the row dict."""
    seen: dict[str, int] = {}
    unique: list[str] = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(f"{name}.{count}" if count else name)
    return unique


def _missing_message(path: Path, missing: dict[str, str], names: list[str]) -> str:
    wanted = ", ".join(f"'{col}' ({role})" for role, col in missing.items())
    found = ", ".join(repr(n) for n in names) or "none"
    return (f"header CSV {path} tidak punya kolom {wanted}; kolom dalam berkas: {found}. "
            f"/ the CSV header of {path} has no column {wanted}. Columns in the file: {found}. "
            "Name the right ones with --text-col, --id-col, --time-col and --author-col "
            "(--author-col '' when there is no author column).")


def _where(start: int, taken: list[bytes]) -> str:
    end = start + len(taken) - 1
    return f"line {start}" if end <= start else f"lines {start}-{end}"


def _cell(row: dict[str, Any], column: str | None) -> str:
    value = row.get(column) if column else None
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _handle(author: str) -> str | None:
    """An author cell that looks like a handle (``budi``), not a numeric account id."""
    return author if author and not author.isdigit() else None
