"""File sources: each turns one platform's export format into ``Post`` records.

The registry and content-based format detection (``detect_source``) live in
:mod:`damai.sources.registry`, so importing ``damai.sources.base`` stays light.
"""

from __future__ import annotations

from damai.sources.base import FileSource, Mapped, Notice, RawRecord, RecordFailure

__all__ = ["FileSource", "Mapped", "Notice", "RawRecord", "RecordFailure"]
