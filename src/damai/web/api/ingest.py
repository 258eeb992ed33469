"""``POST /api/v1/ingest``: a JSON or JSONL body in any format the file sources read, and
``GET /api/v1/jobs/{id}``: the progress of a large one.

A body up to ``DAMAI_API_SYNC_INGEST_BYTES`` is ingested while the client waits (in the thread
pool, never on the event loop); a larger one is kept and answered at once with ``202
{"job_id", "status_url"}``, then ingested by the job runner (:mod:`damai.pipeline.jobs`) at full
speed while the server goes on answering everyone else.

The body is streamed to a temporary file (the size limit is enforced while reading, see
:class:`~damai.web.api.errors.BodyLimit`) and goes through the same ingest pipeline as ``damai
ingest``: format detection from the content, pseudonymisation, classification, quarantine, and
``received = stored + duplicates + quarantined``. Each ingest is written to the audit log when it
starts (``api_ingest_start``) and when it ends (``api_ingest``, with the counts). Its records are
named "request body", never by the temporary path, so posting the same bad body twice
quarantines its bad records once.
"""


from pathlib import Path as FilePath
from tempfile import TemporaryDirectory
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from damai import settings
from damai.auth import User
from damai.errors import DamaiError
from damai.pipeline.classify import ClassifyStage
from damai.pipeline.ingest import IngestAudit, IngestOptions, IngestReport, ingest_paths
from damai.pipeline.jobs import REQUEST_BODY
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.routes import model_of
from damai.web.api.schemas import IngestOut, JobAcceptedOut, JobOut
from damai.web.api.security import API_PREFIX, require
from damai.web.context import WebContext

__all__ = ["INGEST_MEDIA_TYPES", "add_ingest_route", "ingest_stage"]

#: accepted content types → the suffix of the temporary file (detection reads the content)
INGEST_MEDIA_TYPES: Final[dict[str, str]] = {
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/x-jsonlines": ".jsonl",
    "text/csv": ".csv",
}
_BODY_NAME = REQUEST_BODY
_SHOWN_FAILURES = 100


def _suffix(request: Request) -> str:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in INGEST_MEDIA_TYPES:
        raise ApiError(415, message=(
            f"Jenis isi {media or '(kosong)'!r} tidak didukung: pakai application/json, "
            "application/x-ndjson atau text/csv / Content type not supported: use "
            "application/json, application/x-ndjson or text/csv."),
            detail={"accepted": sorted(INGEST_MEDIA_TYPES)})
    return INGEST_MEDIA_TYPES[media]


async def _save(request: Request, path: FilePath) -> int:
    size = 0
    with path.open("wb") as handle:
        async for chunk in request.stream():
            size += len(chunk)
            handle.write(chunk)
    return size


def ingest_stage(ctx: WebContext) -> ClassifyStage | None:
    """The classify stage for API ingests and jobs (``None`` without a model)."""
    from damai.understand.bundled import DEFAULT_MODEL_DIR
    from damai.understand.model import MODEL_FILE

    if (ctx.model_dir is None and ctx.store.models.in_service() is None
            and not (DEFAULT_MODEL_DIR / MODEL_FILE).is_file()):
        return None  # posts are stored unscored; `damai reclassify` scores them later
    return ClassifyStage(model_of(ctx))


def _hide_path(text: str, path: FilePath) -> str:
    """``text`` with the server's temporary file named as the request body instead."""
    return text.replace(str(path), _BODY_NAME)


def _report_json(report: IngestReport) -> dict[str, Any]:
    return {
        "batch": report.batch, "format": report.files.get(_BODY_NAME),
        "received": report.received, "stored": report.stored, "duplicates": report.duplicates,
        "quarantined": report.quarantined, "ignored": report.ignored, "notices": report.notices,
        "classified": report.classified, "model_version": report.model_version,
        "failures": [{"location": f.location, "reason": f.reason, "message": f.message}
                     for f in report.failures[:_SHOWN_FAILURES]],
    }


def _ingest(ctx: WebContext, path: FilePath, size: int, user: User,
            ip: str | None) -> dict[str, Any]:
    audit = IngestAudit(user.name, "api_ingest", ip, {"bytes": size})
    try:
        report = ingest_paths([path], ctx.store, IngestOptions.from_settings(),
                              classifier=ingest_stage(ctx), audit=audit,
                              names={path: _BODY_NAME})
    except DamaiError as exc:  # e.g. a CSV header without the columns: no server paths
        raise ApiError(400, "invalid_input", _hide_path(exc.message, path),
                       {"damai_code": exc.code}) from None
    return _report_json(report)


_BODY_DOC: Final[dict[str, Any]] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {}},
    "application/x-ndjson": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
}}}


def add_ingest_route(router: APIRouter, ctx: WebContext) -> None:
    declared = documented(
        (400, "Isi kosong / Empty body."),
        (413, "Isi melebihi DAMAI_API_MAX_BODY_BYTES / Body over DAMAI_API_MAX_BODY_BYTES."),
        (415, "Jenis isi tidak didukung / Unsupported content type."))

    declared[202] = {"model": JobAcceptedOut, "description": (
        "Isi di atas DAMAI_API_SYNC_INGEST_BYTES diterima sebagai tugas / A body over "
        "DAMAI_API_SYNC_INGEST_BYTES, accepted as a job.")}
    sync_limit = settings.get_int("api_sync_ingest_bytes")

    @router.post("/ingest", response_model=IngestOut, responses=declared,
                 openapi_extra=_BODY_DOC, summary="Masukkan post / Ingest posts")
    async def ingest(request: Request,
                     user: Annotated[User, Depends(require(ctx, "POST", "/ingest"))]) -> JSONBody:
        """Isi JSON atau JSONL dalam format ekspor mana pun yang dikenal Damai (Twitter v2 /
        twarc2, Mastodon, Bluesky, Telegram) atau CSV; formatnya dikenali dari isinya. Post
        baru langsung diklasifikasi; rekaman rusak dikarantina /
        A JSON or JSONL body in any export format Damai reads, or CSV, recognised from its
        content. New posts are classified; broken records are quarantined."""
        suffix = _suffix(request)
        with TemporaryDirectory(prefix="damai-api-") as folder:
            path = FilePath(folder) / f"body{suffix}"
            size = await _save(request, path)
            if size == 0:
                raise ApiError(400, "empty_body", "Isi permintaan kosong: kirim post dalam JSON "
                                                  "atau JSONL / The body is empty: send posts as "
                                                  "JSON or JSONL.")
            ip = request.client.host if request.client else None
            if size > sync_limit and ctx.jobs is not None:
                job = ctx.jobs.submit(path, actor=user.name, ip=ip, detail={"bytes": size})
                return JSONBody({"job_id": job.id, "status_url": f"{API_PREFIX}/jobs/{job.id}"},
                                status_code=202)
            body = await run_in_threadpool(_ingest, ctx, path, size, user, ip)
        return JSONBody(body)

    @router.get("/jobs/{job_id}", response_model=JobOut,
                responses=documented((404, "Tidak ada / Not found.")),
                summary="Kemajuan tugas ingest / Ingest job progress")
    def job(job_id: Annotated[int, Path(ge=1, le=2**53)],
            _: Annotated[User, Depends(require(ctx, "GET", "/jobs/{job_id}"))]) -> JSONBody:
        """Status tugas dari `POST /ingest` yang dijawab 202 / The state of a job that `POST
        /ingest` answered with 202."""
        found = ctx.store.jobs.get(job_id)
        if found is None or found.kind != "ingest":  # re-scoring jobs: the model page
            raise ApiError(404, message=f"Tugas {job_id} tidak ada / No job {job_id}.")
        return JSONBody({"id": found.id, "state": found.state, "received": found.received,
                         "stored": found.stored, "duplicates": found.duplicates,
                         "quarantined": found.quarantined, "error": found.error})
