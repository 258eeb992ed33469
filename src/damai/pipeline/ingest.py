"""Ingest files into the store without losing a record.

``received = stored + duplicates + quarantined`` holds for every run. Records that are valid but
are not posts (a Bluesky delete event, a Telegram service message) are counted apart as
``ignored``. Each batch is one transaction, so a run killed halfway leaves whole batches behind;
running it again stores the rest and counts the first part as duplicates.

With a ``classifier`` (:class:`~damai.pipeline.classify.ClassifyStage`), each batch is scored
after pseudonymisation and before the write, so new posts are stored with their labels. Posts that
were already stored keep theirs: ``damai reclassify`` re-scores them.
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
from damai.privacy import Pseudonymiser, installation_secret
from damai.records import Notice, Post, RecordFailure
from damai.sources.base import FileSource, RawRecord, sort_notices
from damai.sources.reader import check_encoding, iter_lines
from damai.sources.registry import FORMATS, CsvColumns, detect_source, get_source
from damai.storage import Store

if TYPE_CHECKING:
    from damai.pipeline.classify import ClassifyStage

__all__ = [
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


@dataclass(slots=True)
class IngestReport:
    batch: str
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    ignored: int = 0
    notices: int = 0
    raw_purged: int = 0
    classified: int = 0
    model_version: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    failures: list[RecordFailure] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.received == self.stored + self.duplicates + self.quarantined

    def to_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, "received": self.received, "stored": self.stored,
                "duplicates": self.duplicates, "quarantined": self.quarantined,
                "ignored": self.ignored, "notices": self.notices, "raw_purged": self.raw_purged,
                "classified": self.classified, "model_version": self.model_version,
                "files": self.files, "balanced": self.balanced}


def new_batch_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def default_pseudonymiser(store: Store) -> Pseudonymiser:
    """The installation's pseudonymiser: its secret, its registered accounts, its opt-in."""
    return Pseudonymiser(installation_secret(),
                         registered=[(a.platform, a.handle) for a in store.accounts.all()],
                         keep_handles=settings.get_bool("store_handles"))


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
    """Collects mapped posts, failures and notices; writes them one transaction at a time."""

    def __init__(self, store: Store, report: IngestReport, options: IngestOptions,
                 pseudonymise: Pseudonymiser, on_failure: FailureHook | None,
                 classifier: ClassifyStage | None = None) -> None:
        self.store, self.report, self.options = store, report, options
        self.pseudonymise, self.on_failure = pseudonymise, on_failure
        self.classifier = classifier
        self.posts: list[Post] = []
        self.failures: list[tuple[RecordFailure, str | None]] = []
        self.notices: list[tuple[str, Notice]] = []

    def add_posts(self, posts: list[Post]) -> None:
        for post in posts:
            post.ingest_batch = self.report.batch
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

    def add_notice(self, notice: Notice) -> None:
        self.report.notices += 1
        self.notices.append((self.report.batch, notice))

    def flush(self) -> None:
        if not (self.posts or self.failures or self.notices):
            return
        posts = self.pseudonymise(self.posts)
        if self.classifier is not None and posts:
            posts = self.classifier(posts)
            self.report.classified += len(posts)
        result = self.store.posts.write_batch(posts, self.failures, self.notices)
        self.report.stored += result.stored
        self.report.duplicates += result.duplicates
        self.posts, self.failures, self.notices = [], [], []


def _unknown_format(path: Path, options: IngestOptions) -> Iterator[RecordFailure]:
    message = (f"unknown format: {path} is not Twitter v2/twarc2, Mastodon, Bluesky, Telegram or "
               f"CSV with a '{(options.csv_columns or CsvColumns()).text_col}' column; "
               "pass --format and the CSV column options")
    for number, raw, _ in iter_lines(path, options.max_line_bytes):
        if raw.strip():
            yield RecordFailure(str(path), f"line {number}", "unknown_format", message, raw)


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
    for notice in sorted_notices.notices:
        batcher.add_notice(notice)


def ingest_paths(paths: Iterable[Path], store: Store, options: IngestOptions | None = None, *,
                 batch: str | None = None, on_failure: FailureHook | None = None,
                 on_progress: ProgressHook | None = None,
                 pseudonymiser: Pseudonymiser | None = None,
                 classifier: ClassifyStage | None = None) -> IngestReport:
    """Ingest every file in ``paths`` (folders are walked) and return the counts.

    ``classifier`` scores each batch before it is written; ``None`` stores posts unscored.
    """
    options = options or IngestOptions.from_settings()
    check_encoding(options.encoding)
    report = IngestReport(batch=batch or new_batch_id(),
                          model_version=classifier.version if classifier else None)
    pseudonymise = pseudonymiser or default_pseudonymiser(store)
    batcher = _Batcher(store, report, options, pseudonymise, on_failure, classifier)
    done = 0
    for path in expand_paths(paths):
        source = _resolve_source(path, options)
        report.files[str(path)] = source.name if source else "unknown"
        if source is None:
            for failure in _unknown_format(path, options):
                batcher.add_failure(failure, None)
            continue
        for record in _records(source, path, options):
            if isinstance(record, RecordFailure):
                batcher.add_failure(record, source.name)
            else:
                _map_record(record, source, batcher)
            done += 1
            if on_progress is not None and done % 500 == 0:
                on_progress(done)
    batcher.flush()
    if on_progress is not None:
        on_progress(done)
    retention = settings.get_int("raw_retention_days")
    report.raw_purged = store.posts.purge_raw(datetime.now(UTC) - timedelta(days=retention))
    return report
