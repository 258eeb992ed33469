"""The job repository: background work kept in the database, so a restart never loses it.

A job is ``queued`` when accepted, ``running`` while a worker has it, and ends ``done`` or
``failed`` (with an error message; its input file is kept). Counts are written as the job goes,
so ``GET /api/v1/jobs/{id}`` shows progress, and the final ones balance like any ingest's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from damai.storage.engine import Repository
from damai.storage.schema import jobs

__all__ = ["JOB_STATES", "Job", "JobRepository"]

JOB_STATES: tuple[str, ...] = ("queued", "running", "done", "failed")
_COUNTS = ("received", "stored", "duplicates", "quarantined")


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    state: str
    actor: str
    ip: str | None
    path: str
    batch: str | None
    received: int
    stored: int
    duplicates: int
    quarantined: int
    error: str | None
    created_at: datetime
    updated_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
    #: progress of work that is not an upload (re-scoring): ``done`` of ``total`` (None: unknown)
    done: int = 0
    total: int | None = None


def _job(row: Any) -> Job:
    m = row._mapping
    return Job(**{k: m[k] for k in Job.__dataclass_fields__ if k != "detail"},
               detail=m["detail"] or {})


def _now() -> datetime:
    return datetime.now(UTC)


class JobRepository(Repository):
    def add(self, kind: str, *, actor: str, ip: str | None, path: str = "",
            detail: dict[str, Any]) -> Job:
        now = _now()
        with self.db.write() as conn:
            row = conn.execute(jobs.insert().returning(*jobs.c), {
                "kind": kind, "state": "queued", "actor": actor, "ip": ip, "path": path,
                "detail": detail, "created_at": now, "updated_at": now}).one()
        return _job(row)

    def get(self, job_id: int) -> Job | None:
        with self.db.read() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
        return _job(row) if row else None

    def claim(self, job_id: int) -> bool:
        """Take a queued job for this process (False if another took it first)."""
        with self.db.write() as conn:
            done = conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.state == "queued")
                                .values(state="running", updated_at=_now()))
        return int(done.rowcount) == 1

    def recent(self, kinds: tuple[str, ...], limit: int) -> list[Job]:
        """The newest ``limit`` jobs of these kinds, newest first."""
        with self.db.read() as conn:
            rows = conn.execute(select(jobs).where(jobs.c.kind.in_(kinds))
                                .order_by(jobs.c.id.desc()).limit(limit)).all()
        return [_job(r) for r in rows]

    def progress(self, job_id: int, done: int, total: int | None) -> None:
        with self.db.write() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(
                done=done, total=total, updated_at=_now()))

    def unfinished(self) -> list[Job]:
        """Queued and running jobs, oldest first (what a restarted server takes up again)."""
        with self.db.read() as conn:
            rows = conn.execute(select(jobs).where(jobs.c.state.in_(("queued", "running")))
                                .order_by(jobs.c.id)).all()
        return [_job(r) for r in rows]

    def update(self, job_id: int, *, state: str | None = None, batch: str | None = None,
               error: str | None = None, counts: dict[str, int] | None = None,
               detail: dict[str, Any] | None = None) -> None:
        values: dict[str, Any] = {"updated_at": _now()}
        if detail is not None:
            values["detail"] = detail
        if state is not None:
            values["state"] = state
        if batch is not None:
            values["batch"] = batch
        if error is not None:
            values["error"] = error
        values |= {k: v for k, v in (counts or {}).items() if k in _COUNTS}
        with self.db.write() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(values))
