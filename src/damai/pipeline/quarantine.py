"""Re-trying quarantined records, e.g. with another ``--format`` or ``--encoding``."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.privacy import Pseudonymiser
from damai.sources.reader import check_encoding
from damai.storage import Store
from damai.storage.base import QuarantineEntry

__all__ = ["RetryReport", "retry_quarantine"]


@dataclass(slots=True)
class RetryReport:
    tried: int = 0
    resolved: list[int] = field(default_factory=list)
    failing: dict[int, str] = field(default_factory=dict)
    stored: int = 0
    duplicates: int = 0


def _csv_header(entry: QuarantineEntry) -> bytes | None:
    """The header line of the CSV a quarantined row came from (quarantine keeps only the row's
    own bytes), or ``None`` when that file is gone or unreadable."""
    try:
        with Path(entry.path).open("rb") as handle:
            line = handle.readline(1024 * 1024)
    except OSError:
        return None
    return line if line.strip() else None


def _retry_one(entry: QuarantineEntry, store: Store, options: IngestOptions,
               pseudonymiser: Pseudonymiser | None, report: RetryReport) -> None:
    raw = entry.raw if entry.raw.endswith(b"\n") else entry.raw + b"\n"
    if options.format == "csv":
        header = _csv_header(entry)
        if header is None:
            report.failing[entry.id] = (
                f"the CSV header is not kept in quarantine and {entry.path} can no longer be "
                "read; put the header line back above the row and ingest it as a file")
            return
        raw = (header if header.endswith(b"\n") else header + b"\n") + raw
    with tempfile.TemporaryDirectory(prefix="damai-retry-") as folder:
        path = Path(folder) / f"quarantine-{entry.id}"
        path.write_bytes(raw)
        failures: list[str] = []
        result = ingest_paths([path], store, options, pseudonymiser=pseudonymiser,
                              on_failure=lambda f: failures.append(f"{f.reason}: {f.message}"))
    report.stored += result.stored
    report.duplicates += result.duplicates
    if result.quarantined == 0 and result.received + result.ignored > 0:
        report.resolved.append(entry.id)
    else:
        report.failing[entry.id] = failures[0] if failures else "no record found"


def retry_quarantine(store: Store, options: IngestOptions, *, ids: list[int] | None = None,
                     pseudonymiser: Pseudonymiser | None = None) -> RetryReport:
    """Run each open quarantine entry (or only ``ids``) through ingest again.

    With ``options.format == "auto"`` an entry is read in the format it failed in, if known.
    An entry that now maps cleanly is marked resolved; the others count one more try.
    """
    check_encoding(options.encoding)
    report = RetryReport()
    wanted = set(ids) if ids else None
    for entry in store.quarantine.entries():
        if wanted is not None and entry.id not in wanted:
            continue
        report.tried += 1
        fmt = options.format if options.format != "auto" else (entry.format or "auto")
        entry_options = IngestOptions(format=fmt, csv_columns=options.csv_columns,
                                      encoding=options.encoding, batch_size=options.batch_size,
                                      max_line_bytes=options.max_line_bytes, quarantine=False)
        _retry_one(entry, store, entry_options, pseudonymiser, report)
    store.quarantine.mark(report.resolved, resolved=True)
    store.quarantine.mark(list(report.failing), resolved=False)
    return report
