"""The counter-narrative library repository: every version of every entry, and each use of one.

A change to an entry is a new row, version n+1; no version is ever rewritten, so what was
approved, and what a response quoted, can always be shown again. Saving an entry whose content
equals its current version writes nothing (an import run twice is a no-op); retiring or approving
is a new version with that status. Each save is audited in the same transaction. The rules of an
entry (themes, tones, lengths) live in :mod:`damai.respond.entries`; who may do what lives in the
web layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from damai.errors import InputError
from damai.respond.entries import LibraryEntry
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import USAGE_KINDS, library_entries, library_usage

__all__ = ["USAGE_KINDS", "LibraryRepository", "LibraryVersion", "SaveResult", "Usage",
           "insert_use"]

_T = library_entries.c
_FIELDS = ("title", "text_id", "text_en", "short_280", "short_500", "tone", "source", "author",
           "status")


@dataclass(frozen=True, slots=True)
class LibraryVersion:
    """One stored version of an entry, with who made it and when."""

    entry: LibraryEntry
    created_by: str
    created_at: datetime
    current: bool

    def to_dict(self) -> dict[str, Any]:
        """The entry's fields with who made this version and when (what ``damai library list
        --json`` and ``GET /api/v1/library`` answer)."""
        return {**self.entry.as_dict(), "created_by": self.created_by,
                "created_at": self.created_at}


@dataclass(frozen=True, slots=True)
class Usage:
    entry_id: str
    version: int
    used_at: datetime
    kind: str
    ref: str | None
    user: str


@dataclass
class SaveResult:
    """What a save did, entry id by entry id."""

    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {"created": self.created, "changed": self.changed, "unchanged": self.unchanged}


def _version(row: Any) -> LibraryVersion:
    m = row._mapping
    entry = LibraryEntry(id=m["entry_id"], version=int(m["version"]),
                         themes=tuple(m["themes"]), labels=tuple(m["labels"]),
                         **{k: m[k] for k in _FIELDS})
    return LibraryVersion(entry, m["created_by"], m["created_at"], bool(m["is_current"]))


def same_content(a: LibraryEntry, b: LibraryEntry) -> bool:
    """Whether two versions say the same (the version number aside)."""
    return replace(a, version=0) == replace(b, version=0)


def _row(entry: LibraryEntry, by: str, at: datetime) -> dict[str, Any]:
    return {"entry_id": entry.id, "version": entry.version, "themes": list(entry.themes),
            "labels": list(entry.labels), "is_current": True, "created_by": by,
            "created_at": at, **{k: getattr(entry, k) for k in _FIELDS}}


def insert_use(conn: Connection, use: Usage) -> Usage:
    """Keep one use of an entry inside ``conn``'s transaction (a publication's, for one)."""
    conn.execute(library_usage.insert(), {
        "entry_id": use.entry_id, "version": use.version, "used_at": use.used_at,
        "kind": use.kind, "ref": use.ref, "user_name": use.user})
    return use


class LibraryRepository(Repository):
    def save(self, entries: Sequence[LibraryEntry], *, actor: str, action: str,
             ip: str | None = None) -> SaveResult:
        """Store each entry as its next version unless it equals its current one; audit each
        new version as ``action`` (``library_import``, ``library_create``, ...), one
        transaction for all."""
        result = SaveResult()
        now = datetime.now(UTC)
        with self.db.write() as conn:
            for entry in entries:
                current = self._current(conn, entry.id)
                if current is not None and same_content(current.entry, entry):
                    result.unchanged.append(entry.id)
                    continue
                number = 1 if current is None else current.entry.version + 1
                self._insert(conn, replace(entry, version=number), actor, now)
                (result.created if current is None else result.changed).append(entry.id)
                append(conn, actor, action, f"library:{entry.id}",
                       {"version": number, "status": entry.status}, ip)
        return result

    def set_status(self, entry_id: str, status: str, *, actor: str, action: str,
                   ip: str | None = None) -> LibraryVersion:
        """A new version of the entry with ``status`` (approve, retire), audited; an
        :class:`InputError` if there is no such entry or it already has that status."""
        with self.db.write() as conn:
            current = self._current(conn, entry_id)
            if current is None:
                raise InputError(f"no library entry {entry_id!r}; `damai library list` shows "
                                 "them")
            if current.entry.status == status:
                raise InputError(f"library entry {entry_id} is already {status}")
            entry = replace(current.entry, status=status, version=current.entry.version + 1)
            self._insert(conn, entry, actor, datetime.now(UTC))
            append(conn, actor, action, f"library:{entry_id}",
                   {"version": entry.version, "status": status}, ip)
            done = self._current(conn, entry_id)
        assert done is not None
        return done

    def _current(self, conn: Connection, entry_id: str) -> LibraryVersion | None:
        row = conn.execute(select(library_entries).where(_T.entry_id == entry_id,
                                                         _T.is_current)).first()
        return _version(row) if row else None

    def _insert(self, conn: Connection, entry: LibraryEntry, by: str, at: datetime) -> None:
        conn.execute(update(library_entries).where(_T.entry_id == entry.id, _T.is_current)
                     .values(is_current=False))
        conn.execute(library_entries.insert(), _row(entry, by, at))

    def get(self, entry_id: str, version: int | None = None) -> LibraryVersion | None:
        """The entry as it stands, or one of its versions."""
        where = _T.is_current if version is None else _T.version == version
        with self.db.read() as conn:
            row = conn.execute(select(library_entries)
                               .where(_T.entry_id == entry_id, where)).first()
        return _version(row) if row else None

    def current(self, *, status: str | None = None, theme: str | None = None,
                tone: str | None = None) -> list[LibraryVersion]:
        """Every entry as it stands, by id; themes are filtered here, not in SQL (a library
        holds hundreds of entries, and a JSON list is not indexable on both databases)."""
        statement = select(library_entries).where(_T.is_current).order_by(_T.entry_id)
        if status is not None:
            statement = statement.where(_T.status == status)
        if tone is not None:
            statement = statement.where(_T.tone == tone)
        with self.db.read() as conn:
            found = [_version(r) for r in conn.execute(statement)]
        return [v for v in found if theme is None or theme in v.entry.themes]

    def versions(self, entry_id: str) -> list[LibraryVersion]:
        """Every version of an entry, newest first."""
        with self.db.read() as conn:
            rows = conn.execute(select(library_entries).where(_T.entry_id == entry_id)
                                .order_by(_T.version.desc())).all()
        return [_version(r) for r in rows]

    def record_use(self, entry_id: str, *, kind: str, ref: str | None, user: str,
                   version: int | None = None, at: datetime | None = None) -> Usage:
        """Keep one use of an entry (by default its current version)."""
        if kind not in USAGE_KINDS:
            raise InputError(f"unknown use {kind!r}; use one of {', '.join(USAGE_KINDS)}")
        with self.db.write() as conn:
            if version is None:
                current = self._current(conn, entry_id)
                if current is None:
                    raise InputError(f"no library entry {entry_id!r}")
                version = current.entry.version
            return insert_use(conn, Usage(entry_id, version, at or datetime.now(UTC), kind,
                                          ref, user))

    def usage(self, entry_id: str, limit: int = 100) -> list[Usage]:
        """An entry's uses, newest first."""
        u = library_usage.c
        with self.db.read() as conn:
            rows = conn.execute(select(library_usage).where(u.entry_id == entry_id)
                                .order_by(u.used_at.desc(), u.id.desc()).limit(limit)).all()
        return [Usage(r.entry_id, int(r.version), r.used_at, r.kind, r.ref, r.user_name)
                for r in rows]

    def use_counts(self, since: datetime) -> dict[str, int]:
        """Entry id → how many times it was used since ``since``."""
        u = library_usage.c
        with self.db.read() as conn:
            return {str(e): int(n) for e, n in conn.execute(
                select(u.entry_id, func.count()).where(u.used_at >= since)
                .group_by(u.entry_id))}

    def last_used(self, since: datetime | None = None) -> dict[str, datetime]:
        """When each entry was last used (since ``since``): what recommendation penalises."""
        u = library_usage.c
        statement = select(u.entry_id, func.max(u.used_at)).group_by(u.entry_id)
        if since is not None:
            statement = statement.where(u.used_at >= since)
        with self.db.read() as conn:
            return {entry_id: at for entry_id, at in conn.execute(statement)}
