"""The model repository: every registered model version, and which one is in service.

A row holds what a person needs to trust a model (version, parent, kind, the data it learnt
from by name and count, its metrics, who created and who promoted it, and when) and, for a
trained or adapted model, its folder as a tar with the tar's SHA-256. Reading a row never reads
the archive; :meth:`ModelRepository.archive` does, for the one process that unpacks it. The rules
(what may be promoted, held-out evidence, loading) live in :mod:`damai.pipeline.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from damai.errors import InputError
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import MODEL_KINDS, MODEL_STATUSES, models

__all__ = ["MODEL_KINDS", "MODEL_STATUSES", "AuditNote", "ModelRecord", "ModelRepository"]

_ROW = tuple(c for c in models.c if c.name != "archive")


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """A registered model, without its archive."""

    id: int
    version: str
    parent: str | None
    kind: str
    status: str
    labels: list[str]
    data: list[dict[str, Any]]
    metrics: dict[str, Any]
    created_by: str
    created_at: datetime
    promoted_by: str | None = None
    promoted_at: datetime | None = None
    error: str | None = None
    sha256: str | None = None
    size: int | None = None


def _record(row: Any) -> ModelRecord:
    m = row._mapping
    return ModelRecord(**{k: m[k] for k in ModelRecord.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class AuditNote:
    """The audit entry written in the same transaction as a change of service."""

    actor: str
    action: str
    detail: dict[str, Any]
    ip: str | None = None


class ModelRepository(Repository):
    def add(self, record: ModelRecord, archive: bytes | None, note: AuditNote) -> ModelRecord:
        """Register a model (and audit it, same transaction); an :class:`InputError` if its
        version is taken."""
        if record.kind not in MODEL_KINDS or record.status not in MODEL_STATUSES:
            raise InputError(f"unknown model kind {record.kind!r} or status {record.status!r}")
        values = {k: getattr(record, k) for k in ModelRecord.__dataclass_fields__
                  if k != "id"}
        with self.db.write() as conn:
            if conn.scalar(select(models.c.id).where(models.c.version == record.version)):
                raise InputError(f"model {record.version} is already registered; `damai model "
                                 "list` shows it")
            row = conn.execute(models.insert().returning(*_ROW),
                               {**values, "archive": archive}).one()
            append(conn, note.actor, note.action, f"model:{record.version}", note.detail,
                   note.ip)
        return _record(row)

    def get(self, version: str) -> ModelRecord | None:
        with self.db.read() as conn:
            row = conn.execute(select(*_ROW).where(models.c.version == version)).first()
        return _record(row) if row else None

    def all(self) -> list[ModelRecord]:
        """Every registered model, newest first."""
        with self.db.read() as conn:
            rows = conn.execute(select(*_ROW).order_by(models.c.id.desc())).all()
        return [_record(r) for r in rows]

    def in_service(self) -> ModelRecord | None:
        with self.db.read() as conn:
            row = conn.execute(select(*_ROW).where(models.c.status == "in_service")).first()
        return _record(row) if row else None

    def served_before(self) -> list[ModelRecord]:
        """Models that were in service once and are retired now, most recently promoted
        first (where the service falls back to when the model in service cannot load)."""
        with self.db.read() as conn:
            rows = conn.execute(select(*_ROW).where(models.c.status == "retired",
                                                    models.c.promoted_at.isnot(None))
                                .order_by(models.c.promoted_at.desc(), models.c.id.desc())).all()
        return [_record(r) for r in rows]

    def archive(self, version: str) -> bytes | None:
        with self.db.read() as conn:
            value = conn.scalar(select(models.c.archive).where(models.c.version == version))
        return bytes(value) if value is not None else None

    def put_in_service(self, version: str, by: str, note: AuditNote) -> ModelRecord:
        """Retire the model in service and put ``version`` in its place, with the audit entry,
        in one transaction."""
        now = datetime.now(UTC)
        with self.db.write() as conn:
            status = conn.scalar(select(models.c.status).where(models.c.version == version))
            if status is None:
                raise InputError(f"no model {version!r} is registered; `damai model list` shows "
                                 "the versions")
            if status == "broken":
                raise InputError(f"model {version} is marked broken; register it again from a "
                                 "good folder")
            conn.execute(update(models).where(models.c.status == "in_service")
                         .values(status="retired"))
            conn.execute(update(models).where(models.c.version == version).values(
                status="in_service", promoted_by=by, promoted_at=now, error=None))
            append(conn, note.actor, note.action, f"model:{version}", note.detail, note.ip)
            row = conn.execute(select(*_ROW).where(models.c.version == version)).one()
        return _record(row)

    def mark_broken(self, version: str, error: str, note: AuditNote) -> None:
        """Take a model that cannot load out of service for good, saying why (audited)."""
        with self.db.write() as conn:
            done = conn.execute(update(models).where(models.c.version == version,
                                                     models.c.status != "broken")
                                .values(status="broken", error=error[:2000]))
            if done.rowcount:
                append(conn, note.actor, note.action, f"model:{version}",
                       {**note.detail, "error": error[:500]}, note.ip)

    def repair(self, version: str, archive: bytes, note: AuditNote) -> ModelRecord:
        """Give a broken model its archive back (the same files: same SHA-256) and make it a
        candidate again, audited."""
        with self.db.write() as conn:
            conn.execute(update(models).where(models.c.version == version,
                                              models.c.status == "broken")
                         .values(archive=archive, status="candidate", error=None))
            append(conn, note.actor, note.action, f"model:{version}", note.detail, note.ip)
            row = conn.execute(select(*_ROW).where(models.c.version == version)).one()
        return _record(row)

    def set_metrics(self, version: str, metrics: dict[str, Any]) -> None:
        with self.db.write() as conn:
            conn.execute(update(models).where(models.c.version == version)
                         .values(metrics=metrics))
