"""The quarantine repository: records that could not become posts, kept with their raw bytes.

Quarantining is idempotent on a fingerprint of path, location and bytes, so ingesting the same bad
file twice keeps one entry per bad record. A retry marks an entry resolved, or counts one more try.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from damai.records import RecordFailure
from damai.storage.audit import append
from damai.storage.base import QuarantineEntry, fingerprint
from damai.storage.dialects import Dialect
from damai.storage.engine import Repository
from damai.storage.schema import quarantine

__all__ = ["QuarantineRepository", "insert_failures"]


def insert_failures(conn: Connection, dialect: Dialect,
                    failures: list[tuple[RecordFailure, str | None]], now: datetime) -> None:
    """Quarantine ``failures`` (each with the format it failed in) inside ``conn``'s
    transaction; an entry with the same fingerprint is kept as it is."""
    if not failures:
        return
    conn.execute(dialect.insert(quarantine).on_conflict_do_nothing(), [
        {"fingerprint": fingerprint(f), "path": f.path, "location": f.location, "format": fmt,
         "reason": f.reason, "message": f.message, "raw": f.raw_bytes, "created_at": now}
        for f, fmt in failures])


class QuarantineRepository(Repository):
    def entries(self, *, include_resolved: bool = False,
                limit: int | None = None) -> list[QuarantineEntry]:
        """Open entries (every entry with ``include_resolved``), oldest first."""
        statement = select(quarantine).order_by(quarantine.c.id).limit(limit)
        if not include_resolved:
            statement = statement.where(quarantine.c.resolved.is_(False))
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
        return [QuarantineEntry(id=r.id, path=r.path, location=r.location, format=r.format,
                                reason=r.reason, message=r.message, raw=bytes(r.raw),
                                created_at=r.created_at, retries=r.retries,
                                resolved=bool(r.resolved)) for r in rows]

    def mark(self, ids: list[int], *, resolved: bool) -> None:
        """Record a re-try: resolved entries leave the open list; others count one more try."""
        if not ids:
            return
        with self.db.write() as conn:
            conn.execute(update(quarantine).where(quarantine.c.id == bindparam("entry"))
                         .values(retries=quarantine.c.retries + 1, resolved=resolved),
                         [{"entry": i} for i in ids])

    def add(self, failures: list[tuple[RecordFailure, str | None]]) -> None:
        with self.db.write() as conn:
            insert_failures(conn, self.dialect, failures, datetime.now(UTC))

    def drop(self, ids: list[int], actor: str) -> list[int]:
        """Delete the entries ``ids`` (raw bytes included) and audit it in the same
        transaction: ``quarantine_drop`` with each dropped entry's file, place and reason.
        Returns the ids that existed; unknown ids are ignored."""
        with self.db.write() as conn:
            rows = conn.execute(select(quarantine.c.id, quarantine.c.path,
                                       quarantine.c.location, quarantine.c.reason)
                                .where(quarantine.c.id.in_(ids)).order_by(quarantine.c.id)).all()
            found = [int(r.id) for r in rows]
            if found:
                conn.execute(delete(quarantine).where(quarantine.c.id.in_(found)))
                append(conn, actor, "quarantine_drop", ",".join(map(str, found)), {
                    "entries": [{"id": int(r.id), "path": r.path, "location": r.location,
                                 "reason": r.reason} for r in rows]}, None)
        return found
