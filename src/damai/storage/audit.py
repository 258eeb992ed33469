"""The audit log repository: append-only, in the database itself (see ``schema.audit_log``).

:func:`append` writes an entry inside a caller's transaction, so a change and its audit entry are
committed together or not at all; :meth:`AuditRepository.record` writes one on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from damai.storage.engine import Repository
from damai.storage.schema import audit_log

__all__ = ["AuditEntry", "AuditRepository", "append"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any] = field(default_factory=dict)
    ip: str | None = None


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(id=int(row.id), at=row.at, actor=row.actor, action=row.action,
                      target=row.target, detail=row.detail or {}, ip=row.ip)


def append(conn: Connection, actor: str, action: str, target: str | None = None,
           detail: dict[str, Any] | None = None, ip: str | None = None) -> AuditEntry:
    """Append one entry inside ``conn``'s transaction."""
    row = conn.execute(audit_log.insert().returning(*audit_log.c), {
        "at": datetime.now(UTC), "actor": actor, "action": action, "target": target,
        "detail": detail or {}, "ip": ip}).one()
    return _entry(row)


class AuditRepository(Repository):
    def record(self, actor: str, action: str, target: str | None = None,
               detail: dict[str, Any] | None = None, *, ip: str | None = None) -> AuditEntry:
        with self.db.write() as conn:
            return append(conn, actor, action, target, detail, ip)

    def query(self, *, since: datetime | None = None, until: datetime | None = None,
              actor: str | None = None, action: str | None = None,
              limit: int | None = 100) -> list[AuditEntry]:
        """Audit entries, newest first; ``since`` inclusive, ``until`` exclusive."""
        statement = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if since is not None:
            statement = statement.where(audit_log.c.at >= since)
        if until is not None:
            statement = statement.where(audit_log.c.at < until)
        if actor is not None:
            statement = statement.where(audit_log.c.actor == actor)
        if action is not None:
            statement = statement.where(audit_log.c.action == action)
        with self.db.read() as conn:
            return [_entry(r) for r in conn.execute(statement)]
