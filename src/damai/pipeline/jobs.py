"""Background jobs: an upload accepted now and ingested at full speed, the stored posts
re-scored after a model is put in service, and a candidate model adapted to the analysts' labels.

``POST /api/v1/ingest`` hands a large body to :meth:`JobRunner.submit`: the body is kept as a
file under the data directory and a ``jobs`` row is written, both before the client gets its
202, so an accepted upload is never lost. One worker thread per server process takes queued
jobs in order and runs each in a child process (``python -m damai.pipeline.jobs JOB_ID``), so
parsing and classifying a large body never competes with the server's threads for the
interpreter lock: readers keep their latency, and the job runs at full speed on another core.
The child runs the ordinary :func:`~damai.pipeline.ingest.ingest_paths` (the same stage chain,
quarantine and balance as any ingest; a body malformed halfway keeps what came before the break).
An in-memory store cannot be shared with a child, so its jobs run on the worker thread itself.

When a server starts, it takes up the queued jobs again; an ingest or adapt job that was running
when the server stopped is marked failed (an upload is kept and named in the error), so nothing
runs twice. A ``reclassify`` job is queued again instead: re-scoring goes on where it stopped and
never scores a post twice with the same model.

Kinds (:data:`KINDS`): ``ingest`` (:func:`run_ingest_job`), ``reclassify``
(:func:`run_reclassify_job`: the model in service re-scores every post another model scored,
with ``done`` of ``total`` kept on the job as it goes) and ``adapt`` (:func:`run_adapt_job`: a
candidate from the training part of the labels, see :mod:`damai.pipeline.teach`).
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from damai import settings
from damai.errors import DamaiError
from damai.pipeline.ingest import IngestAudit, IngestOptions, ingest_paths
from damai.storage import Job, Store, open_store

if TYPE_CHECKING:
    from damai.pipeline.classify import ClassifyStage

__all__ = ["KINDS", "REQUEST_BODY", "JobRunner", "job_classifier", "jobs_dir", "main",
           "run_adapt_job", "run_ingest_job", "run_job", "run_reclassify_job"]

log = logging.getLogger("damai.jobs")
#: the name an uploaded body's records carry in quarantine and messages (never a server path)
REQUEST_BODY = "isi permintaan / request body"
ClassifierFactory = Callable[[], "ClassifyStage | None"]
#: how the parent tells a job process which model to classify with (empty: the model in service)
MODEL_DIR_ENV = "DAMAI_JOB_MODEL_DIR"
KINDS: tuple[str, ...] = ("ingest", "reclassify", "adapt")


def jobs_dir() -> Path:
    folder = settings.data_dir() / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_ingest_job(store: Store, job: Job, classifier: ClassifyStage | None) -> None:
    """Run one claimed job to its end: ``done`` with its counts (its file removed), or
    ``failed`` with the error (its file kept)."""
    path = Path(job.path)
    if not path.is_file():
        store.jobs.update(job.id, state="failed",
                          error=f"the uploaded body is gone from {path}; send it again")
        return
    audit = IngestAudit(job.actor, "api_ingest", job.ip, {**job.detail, "job": job.id})
    try:
        report = ingest_paths([path], store, IngestOptions.from_settings(),
                              classifier=classifier, audit=audit, names={path: REQUEST_BODY})
    except Exception as exc:  # any failure ends the job (logged), never the worker
        log.exception("ingest job %s failed", job.id)
        store.jobs.update(job.id, state="failed",
                          error=f"{type(exc).__name__}: {exc}; the upload is kept at {path}")
        return
    store.jobs.update(job.id, state="done", batch=report.batch, counts=report.counts())
    path.unlink(missing_ok=True)


def job_classifier(store: Store, model_dir: Path | None) -> ClassifyStage | None:
    """The classify stage an ingest job runs with: ``model_dir``, the model in service, or
    none (no model at all: posts are stored unscored)."""
    from damai.pipeline.classify import ClassifyStage
    from damai.pipeline.registry import serving
    from damai.understand import bundled
    from damai.understand.model import MODEL_FILE

    if (model_dir is None and store.models.in_service() is None
            and not (bundled.DEFAULT_MODEL_DIR / MODEL_FILE).is_file()):
        return None  # stored unscored; `damai reclassify` scores them later
    return ClassifyStage(serving(store, model_dir).model)


def run_reclassify_job(store: Store, job: Job, model_dir: Path | None = None,
                       on_progress: Callable[[int, int], None] | None = None) -> None:
    """Re-score the stored posts with the model in service, keeping ``done`` of ``total``."""
    from damai.pipeline.classify import ClassifyStage, reclassify
    from damai.pipeline.registry import serving

    def progress(done: int, total: int) -> None:
        store.jobs.progress(job.id, done, total)
        if on_progress is not None:
            on_progress(done, total)

    stage = ClassifyStage(serving(store, model_dir).model)
    report = reclassify(store, stage, on_progress=progress)
    store.jobs.progress(job.id, report.updated, report.candidates)
    store.jobs.update(job.id, state="done", detail={**job.detail, **report.to_dict()})


def run_adapt_job(store: Store, job: Job) -> None:
    """Build a candidate from the training part of the labels and register it."""
    from damai.pipeline.teach import adapt_candidate

    record = adapt_candidate(store, actor=job.actor, ip=job.ip)
    store.jobs.update(job.id, state="done", detail={**job.detail, "version": record.version})


def run_job(store: Store, job: Job, classifier: ClassifierFactory,
            model_dir: Path | None = None) -> None:
    """Run one claimed job of any kind to its end; a failure ends the job, never the caller."""
    if job.kind == "ingest":
        run_ingest_job(store, job, classifier())
        return
    try:
        if job.kind == "reclassify":
            run_reclassify_job(store, job, model_dir)
        elif job.kind == "adapt":
            run_adapt_job(store, job)
        else:
            raise ValueError(f"unknown job kind {job.kind!r}")
    except DamaiError as exc:  # e.g. too few labels to adapt: the message says what to do
        store.jobs.update(job.id, state="failed", error=exc.message)
    except Exception as exc:  # any failure ends the job (logged), never the worker
        log.exception("%s job %s failed", job.kind, job.id)
        store.jobs.update(job.id, state="failed", error=f"{type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> int:
    """``python -m damai.pipeline.jobs JOB_ID``: run one claimed job on ``DAMAI_DB``."""
    job_id = int((argv if argv is not None else sys.argv[1:])[0])
    model_dir = Path(os.environ[MODEL_DIR_ENV]) if os.environ.get(MODEL_DIR_ENV) else None
    with open_store(os.environ.get("DAMAI_DB") or None, migrate=False) as store:
        job = store.jobs.get(job_id)
        if job is None or job.state != "running":
            return 1
        run_job(store, job, lambda: job_classifier(store, model_dir), model_dir)
    return 0


class JobRunner:
    """One worker thread that runs this process's ingest jobs in order, each in a child
    process (see the module doc)."""

    def __init__(self, store: Store, classifier: ClassifierFactory, *,
                 model_dir: Path | None = None) -> None:
        self.store, self.classifier, self.model_dir = store, classifier, model_dir
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Take up what a previous server left, then start the worker."""
        for job in self.store.jobs.unfinished():
            if job.state == "running" and job.kind == "reclassify":
                self.store.jobs.update(job.id, state="queued")  # it goes on where it stopped
            elif job.state == "running":
                self.store.jobs.update(job.id, state="failed", error=_interrupted(job))
                continue
            self._queue.put(job.id)
        self._thread = threading.Thread(target=self._work, name="damai-jobs", daemon=True)
        self._thread.start()

    def submit(self, body: Path, *, actor: str, ip: str | None,
               detail: dict[str, Any]) -> Job:
        """Keep ``body`` (moved into the jobs folder) and queue a job for it."""
        kept = jobs_dir() / f"{secrets.token_hex(8)}{body.suffix}"
        body.replace(kept)
        job = self.store.jobs.add("ingest", actor=actor, ip=ip, path=str(kept), detail=detail)
        self._queue.put(job.id)
        return job

    def enqueue(self, job: Job) -> Job:
        """Run a job already written to the store (a re-scoring or adapt job)."""
        self._queue.put(job.id)
        return job

    def stop(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                if self.store.jobs.claim(job_id):
                    self._run(job_id)
            except Exception:  # e.g. the database is away: logged, and the worker goes on
                log.exception("job %s could not run", job_id)

    def _run(self, job_id: int) -> None:
        url = self.store.db.url
        if url.drivername == "sqlite" and url.database in (None, "", ":memory:"):
            job = self.store.jobs.get(job_id)
            if job is not None:
                run_job(self.store, job, self.classifier, self.model_dir)
            return
        env = {**os.environ, "DAMAI_DB": url.render_as_string(hide_password=False),
               MODEL_DIR_ENV: str(self.model_dir or "")}
        done = subprocess.run([sys.executable, "-m", "damai.pipeline.jobs", str(job_id)],
                              env=env, capture_output=True, text=True, check=False)
        job = self.store.jobs.get(job_id)
        if job is not None and job.state == "running":  # the child died before it could say
            self.store.jobs.update(job_id, state="failed", error=(
                f"the job process ended with code {done.returncode}: "
                f"{(done.stderr.strip().splitlines() or ['no message'])[-1]}"
                + (f"; the upload is kept at {job.path}" if job.path else "")))


def _interrupted(job: Job) -> str:
    if job.kind == "ingest":
        return (f"the server stopped while this job ran; the upload is kept at {job.path}: "
                "send it again (posts already stored count as duplicates)")
    return "the server stopped while this job ran; start it again"


if __name__ == "__main__":
    sys.exit(main())
