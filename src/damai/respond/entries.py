"""Counter-narrative library entries: their fields, their rules, and reading them from a file.

A library file is YAML (a list of mappings, or a mapping with an ``entries`` list) or CSV with the
same field names, lists written ``a;b`` in a cell. Every row is checked, and the problems are
reported row by row; an import with any problem imports nothing (``read_entries`` raises).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from damai.spreadsheet import FORMULA_STARTS

#: Theme ids, with their Indonesian and English names. Exactly these; see issue #11.
THEMES: dict[str, tuple[str, str]] = {
    "anti_violence": ("Tolak kekerasan", "Rejecting violence and terrorism"),
    "tolerance": ("Toleransi", "Religious and ethnic tolerance, moderation"),
    "pancasila": ("Pancasila dan kebangsaan", "Pancasila, Bhinneka Tunggal Ika, citizenship"),
    "anti_recruitment": ("Tolak rekrutmen", "Countering recruitment and the foreign-fighter myth"),
    "literacy": ("Literasi digital", "Digital and anti-hoax literacy"),
    "disaster_solidarity": ("Solidaritas bencana", "Solidarity after disasters"),
    "humanitarian": ("Kemanusiaan", "Humanitarian messages"),
}

TONES: dict[str, tuple[str, str]] = {
    "empathetic": ("Empatik", "Empathetic"),
    "factual": ("Faktual", "Factual"),
    "religious": ("Religius", "Religious"),
    "civic": ("Kewargaan", "Civic"),
    "hopeful": ("Penuh harapan", "Hopeful"),
    "humorous": ("Jenaka", "Humorous"),
}

STATUSES = ("draft", "approved", "retired")
SHORT_280 = 280
SHORT_500 = 500
MAX_THEMES = 2
MAX_TEXT = 5000

_REQUIRED = ("id", "title", "text_id", "short_280", "short_500", "themes", "tone", "author")
_LISTS = ("themes", "labels")


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One version of one counter-narrative. ``labels`` are taxonomy names it answers (labels or
    sub-labels, e.g. ``radicalism`` or ``hate_speech.category.religion``)."""

    id: str
    title: str
    text_id: str
    short_280: str
    short_500: str
    themes: tuple[str, ...]
    tone: str
    author: str
    labels: tuple[str, ...] = ()
    text_en: str | None = None
    source: str | None = None
    status: str = "approved"
    version: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "text_id": self.text_id, "text_en": self.text_en,
            "short_280": self.short_280, "short_500": self.short_500,
            "themes": list(self.themes), "labels": list(self.labels), "tone": self.tone,
            "source": self.source, "author": self.author, "status": self.status,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one row: ``row`` counts data rows from 1, ``entry_id`` when known."""

    row: int
    entry_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"baris {self.row}" + (f" ({self.entry_id})" if self.entry_id else "")
        return f"{where}: {self.field}: {self.message}"


@dataclass
class ImportRefused(Exception):
    """Raised when any row has a problem; nothing was imported."""

    problems: list[RowProblem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{len(self.problems)} masalah, tidak ada yang diimpor / nothing imported"
        return "\n".join([head, *(str(p) for p in self.problems)])


def _text(value: object) -> str | None:
    if value is None:
        return None
    out = str(value).strip()
    return out or None


def _list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(";") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return tuple(s for s in (str(i).strip() for i in items) if s)


def check_entry(raw: Mapping[str, object], row: int, known_labels: Iterable[str] = ()
                ) -> tuple[LibraryEntry | None, list[RowProblem]]:
    """One row → an entry, or the list of what is wrong with it."""
    entry_id = _text(raw.get("id"))
    problems: list[RowProblem] = []

    def bad(name: str, message: str) -> None:
        problems.append(RowProblem(row, entry_id, name, message))

    for name in _REQUIRED:
        value = raw.get(name)
        if (_list(value) if name in _LISTS else _text(value)) in (None, ()):
            bad(name, "wajib diisi / required")
    themes = _list(raw.get("themes"))
    for theme in themes:
        if theme not in THEMES:
            bad("themes", f"tema tidak dikenal / unknown theme {theme!r}")
    if len(themes) > MAX_THEMES:
        bad("themes", f"paling banyak {MAX_THEMES} tema / at most {MAX_THEMES} themes")
    if len(set(themes)) != len(themes):
        bad("themes", "tema ganda / a theme twice")
    tone = _text(raw.get("tone"))
    if tone is not None and tone not in TONES:
        bad("tone", f"nada tidak dikenal / unknown tone {tone!r}")
    status = _text(raw.get("status")) or "approved"
    if status not in STATUSES:
        bad("status", f"status tidak dikenal / unknown status {status!r}")
    for name, limit in (("short_280", SHORT_280), ("short_500", SHORT_500),
                        ("text_id", MAX_TEXT), ("text_en", MAX_TEXT)):
        value = _text(raw.get(name))
        if value is not None and len(value) > limit:
            bad(name, f"{len(value)} karakter, batas {limit} / "
                      f"{len(value)} characters, limit {limit}")
    labels = _list(raw.get("labels"))
    known = set(known_labels)
    if known:
        for label in labels:
            if label not in known:
                bad("labels", f"label tidak dikenal / unknown label {label!r}")
    if problems:
        return None, problems
    assert entry_id is not None
    return LibraryEntry(
        id=entry_id, title=_text(raw.get("title")) or "", text_id=_text(raw.get("text_id")) or "",
        text_en=_text(raw.get("text_en")), short_280=_text(raw.get("short_280")) or "",
        short_500=_text(raw.get("short_500")) or "", themes=themes, labels=labels,
        tone=tone or "", source=_text(raw.get("source")), author=_text(raw.get("author")) or "",
        status=status,
    ), []


def check_rows[T](rows: Iterable[object],
                  check: Callable[[Mapping[str, object], int], tuple[T | None, list[RowProblem]]],
                  id_field: str, id_of: Callable[[T], str], not_mapping: str) -> list[T]:
    """Check every row with ``check`` and refuse duplicate ids; raise ``ImportRefused`` with
    every problem, or return every checked row (library entries and claims alike)."""
    checked: list[T] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, Mapping):
            problems.append(RowProblem(number, None, "-", not_mapping))
            continue
        item, found = check(raw, number)
        problems.extend(found)
        if item is None:
            continue
        key = id_of(item)
        if key in seen:
            problems.append(RowProblem(number, key, id_field,
                                       f"id ganda, juga di baris {seen[key]} / duplicate id"))
            continue
        seen[key] = number
        checked.append(item)
    if problems:
        raise ImportRefused(problems)
    return checked


def parse_rows(rows: Iterable[Mapping[str, object]], known_labels: Iterable[str] = ()
               ) -> list[LibraryEntry]:
    """Check every row; raise ``ImportRefused`` with every problem, or return all entries."""
    known = list(known_labels)
    return check_rows(rows, lambda raw, number: check_entry(raw, number, known), "id",
                      lambda entry: entry.id, "bukan pemetaan / not a mapping")


def _unquoted(value: object) -> object:
    """A CSV cell as written before a spreadsheet-safe export quoted it (``'=...`` → ``=...``)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def read_rows(path: Path) -> list[Mapping[str, object]]:
    """The raw rows of a YAML or CSV library file (by suffix; ``.yml``/``.yaml`` or ``.csv``)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return [{k: _unquoted(v) for k, v in row.items()}
                for row in csv.DictReader(io.StringIO(text, newline=""))]
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (baris berkas / file line {mark.line + 1})" if mark is not None else ""
        raise ImportRefused([RowProblem(0, None, "-", "YAML tidak sah / invalid YAML" + where)]
                            ) from None
    if isinstance(loaded, Mapping):
        loaded = loaded.get("entries")
    if not isinstance(loaded, list):
        raise ImportRefused([RowProblem(0, None, "-", "berkas harus berisi daftar entri / "
                                        "the file must hold a list of entries")])
    return loaded


def read_entries(path: Path, known_labels: Iterable[str] = ()) -> list[LibraryEntry]:
    return parse_rows(read_rows(path), known_labels)


STARTER = Path(__file__).with_name("starter") / "library.yaml"
