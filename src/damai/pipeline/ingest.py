"""Ingest files into the store without losing a record.

``received = stored + duplicates + quarantined`` holds for every run. Records that are valid but
are not posts (a Telegram service message, a like) are counted apart as ``ignored``; a platform's
delete events as ``deletions`` (they tombstone the stored post). Each batch goes through the one
stage chain (:class:`~damai.pipeline.chain.StageChain`: pseudonymise → classify → write) in one
transaction, so a run killed halfway leaves whole batches behind; running it again stores the rest
and counts the first part as duplicates. With an ``actor``, the run is audited when it starts and
again when it ends, so a run killed part-way shows as a start with no end.

With a ``classifier`` (:class:`~damai.pipeline.classify.ClassifyStage`), each batch is scored
after pseudonymisation and before the write, so new posts are stored with their labels. Posts that
were already stored keep theirs: ``damai reclassify`` re-scores them. A run that stored posts
and saw a post flagged ``disaster`` then links the citizen disaster reports to events
(:mod:`damai.pipeline.linking`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from damai import settings
from damai.errors import InputError, RecordError
from damai.pipeline.chain import IngestCounts, StageChain, default_pseudonymiser
from damai.privacy import Pseudonymiser
from damai.records import Notice, Post, RecordFailure
from damai.sources.base import FileSource, RawRecord, sort_notices
from damai.sources.reader import check_encoding
from damai.sources.registry import (
    FORMATS,
    CsvColumns,
    detect_source,
    get_source,
    undetected_failures,
)
from damai.storage import Store

if TYPE_CHECKING:
    from damai.pipeline.classify import ClassifyStage

__all__ = [
    "IngestAudit",
    "IngestOptions",
    "IngestReport",
    "default_pseudonymiser",
    "expand_paths",
    "ingest_paths",
    "new_batch_id",
]

#: ``on_failure(failure)`` is called for every quarantined record, for the CLI to print it
FailureHook = Callable[[RecordFailure], None]
#: ``on_progress(records_done)`` is called now and then with the running record count
ProgressHook = Callable[[int], None]


@dataclass(slots=True)
class IngestOptions:
    format: str = "auto"
    csv_columns: CsvColumns | None = None
    encoding: str | None = None
    batch_size: int = 1000
    max_line_bytes: int = 1024 * 1024
    quarantine: bool = True

    @classmethod
    def from_settings(cls, **overrides: Any) -> IngestOptions:
        options = cls(batch_size=settings.get_int("batch_size"),
                      max_line_bytes=settings.get_int("max_line_bytes"))
        for key, value in overrides.items():
            setattr(options, key, value)
        return options


@dataclass(frozen=True, slots=True)
class IngestAudit:
    """Who runs an ingest, for the audit log: ``{action}_start`` is written when it starts and
    ``{action}`` when it ends, with the counts, so a run killed part-way shows as a start with no
    end (its batch id names the posts it stored)."""

    actor: str
    action: str = "ingest"
    ip: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def end(self, report: IngestReport) -> dict[str, Any]:
        formats = set(report.files.values())
        return {**self.detail, "format": formats.pop() if len(formats) == 1 else None,
                **{k: getattr(report, k) for k in ("received", "stored", "duplicates",
                                                     "quarantined")}}


@dataclass(slots=True)
class IngestReport(IngestCounts):
    batch: str = ""
    raw_purged: int = 0
    model_version: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    failures: list[RecordFailure] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, **self.counts(), "raw_purged": self.raw_purged,
                "model_version": self.model_version, "files": self.files,
                "balanced": self.balanced}


def new_batch_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and every file below each folder, in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"no such file or folder: {path}")
    return files


class _Batcher:
    """Collects mapped posts, failures, notices and deletions; hands them to the stage chain
    one batch (one transaction) at a time."""

    def __init__(self, chain: StageChain, report: IngestReport, options: IngestOptions,
                 on_failure: FailureHook | None) -> None:
        self.chain, self.report, self.options, self.on_failure = chain, report, options, on_failure
        self.posts: list[Post] = []
        self.failures: list[tuple[RecordFailure, str | None]] = []
        self.notices: list[Notice] = []
        self.deletions: list[dict[str, Any]] = []

    def add_posts(self, posts: list[Post]) -> None:
        self.posts.extend(posts)
        self.report.received += len(posts)
        if len(self.posts) >= self.options.batch_size:
            self.flush()

    def add_failure(self, failure: RecordFailure, fmt: str | None) -> None:
        self.report.received += 1
        self.report.quarantined += 1
        if len(self.report.failures) < 1000:
            self.report.failures.append(failure)
        if self.on_failure is not None:
            self.on_failure(failure)
        if self.options.quarantine:
            self.failures.append((failure, fmt))

    def flush(self) -> None:
        if not (self.posts or self.failures or self.notices or self.deletions):
            return
        counts = self.chain.write(self.posts, self.failures, self.notices, self.deletions)
        for name in ("stored", "duplicates", "notices", "classified", "deletions", "deleted"):
            setattr(self.report, name, getattr(self.report, name) + getattr(counts, name))
        self.posts, self.failures, self.notices, self.deletions = [], [], [], []


def _unknown_format(path: Path, options: IngestOptions) -> Iterator[RecordFailure]:
    return undetected_failures(path, max_line_bytes=options.max_line_bytes,
                               text_col=(options.csv_columns or CsvColumns()).text_col)


def _resolve_source(path: Path, options: IngestOptions) -> FileSource | None:
    if options.format == "auto":
        return detect_source(path, csv_columns=options.csv_columns, encoding=options.encoding)
    if options.format not in FORMATS:
        raise InputError(f"unknown --format {options.format!r}; choose auto or one of "
                         f"{', '.join(FORMATS)}")
    return get_source(options.format, csv_columns=options.csv_columns)


def _records(source: FileSource, path: Path,
             options: IngestOptions) -> Iterator[RawRecord | RecordFailure]:
    return source.records(path, max_line_bytes=options.max_line_bytes, encoding=options.encoding)


def _map_record(record: RawRecord, source: FileSource, batcher: _Batcher) -> None:
    try:
        mapped = source.map_item(record.data)
    except RecordError as exc:
        batcher.add_failure(RecordFailure(record.path, record.location, exc.reason, exc.message,
                                          record.raw_bytes), source.name)
        return
    batcher.add_posts(mapped.posts)
    sorted_notices = sort_notices(mapped.notices, path=record.path, location=record.location)
    for failure in sorted_notices.failures:
        batcher.add_failure(failure, source.name)
    batcher.report.ignored += sorted_notices.ignored
    batcher.notices.extend(sorted_notices.notices)
    batcher.deletions.extend(sorted_notices.deletions)


def ingest_paths(paths: Iterable[Path], store: Store, options: IngestOptions | None = None, *,
                 batch: str | None = None, on_failure: FailureHook | None = None,
                 on_progress: ProgressHook | None = None,
                 pseudonymiser: Pseudonymiser | None = None,
                 classifier: ClassifyStage | None = None, audit: IngestAudit | None = None,
                 names: dict[Path, str] | None = None) -> IngestReport:
    """Ingest every file in ``paths`` (folders are walked) and return the counts.

    ``classifier`` scores each batch before it is written; ``None`` stores posts unscored.
    ``audit`` records the run at its start and its end. ``names`` gives a file the
    name its records carry in quarantine and messages instead of its path (the API names its
    temporary file "request body", so the same bad body is quarantined once, not once per
    temporary path).
    """
    options = options or IngestOptions.from_settings()
    check_encoding(options.encoding)
    report = IngestReport(batch=batch or new_batch_id(),
                          model_version=classifier.version if classifier else None)
    files = expand_paths(paths)
    if audit is not None:
        store.audit.record(audit.actor, f"{audit.action}_start", report.batch,
                           {**audit.detail, "files": len(files)}, ip=audit.ip)
    chain = StageChain(store, report.batch, pseudonymiser=pseudonymiser, classifier=classifier)
    batcher = _Batcher(chain, report, options, on_failure)
    done = 0
    for path in files:
        done = _ingest_file(path, (names or {}).get(path), options, batcher, done, on_progress)
    batcher.flush()
    if on_progress is not None:
        on_progress(done)
    if report.stored and chain.saw_disaster:
        from damai.pipeline.linking import link_reports

        link_reports(store)
    retention = settings.get_int("raw_retention_days")
    report.raw_purged = store.posts.purge_raw(datetime.now(UTC) - timedelta(days=retention))
    if audit is not None:
        store.audit.record(audit.actor, audit.action, report.batch, audit.end(report),
                           ip=audit.ip)
    return report


def _ingest_file(path: Path, name: str | None, options: IngestOptions, batcher: _Batcher,
                 done: int, on_progress: ProgressHook | None) -> int:
    source = _resolve_source(path, options)
    label = name or str(path)
    batcher.report.files[label] = source.name if source else "unknown"
    if source is None:
        for failure in _unknown_format(path, options):
            batcher.add_failure(_renamed(failure, path, name), None)
        return done
    for record in _records(source, path, options):
        if isinstance(record, RecordFailure):
            batcher.add_failure(_renamed(record, path, name), source.name)
        else:
            if name is not None:
                record.path = name
            _map_record(record, source, batcher)
        done += 1
        if on_progress is not None and done % 500 == 0:
            on_progress(done)
    return done


def _renamed(failure: RecordFailure, path: Path, name: str | None) -> RecordFailure:
    if name is None:
        return failure
    return RecordFailure(name, failure.location, failure.reason,
                         failure.message.replace(str(path), name), failure.raw_bytes)
