"""The web export of a posts search (issue #14 part 6): ``/posts/export?format=csv|jsonl`` with
the posts page's filters, for analysts.

The rows are the CLI export's (:mod:`damai.export`): the same columns, authors as their
pseudonymous key (a handle only where the store keeps one), CSV cells a spreadsheet would run as
a formula prefixed with ``'``. The answer is streamed page by page from the store, and stops at
``DAMAI_EXPORT_MAX_ROWS`` posts. Each export is audited as ``posts_export`` when the stream ends
(also when the download is broken off): who, the filters, the rows written, and whether the
maximum cut it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, Final

from damai import settings
from damai.export import flat_columns, flat_row, iter_jsonl
from damai.records import Post
from damai.spreadsheet import safe_cell
from damai.storage import PostQuery
from damai.web.context import WebContext

__all__ = ["EXPORT_TYPES", "export_stream"]

EXPORT_TYPES: Final = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def _csv_line(values: list[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue().encode()


def _encoder(fmt: str, labels: list[str]) -> Callable[[Post], bytes]:
    """One post as a line of ``fmt``: JSONL as the CLI writes it, or a CSV row of flat cells."""
    if fmt == "jsonl":
        return lambda post: next(iter_jsonl([post]))
    # flat_row's cells are in flat_columns' order, the header's
    return lambda post: _csv_line([safe_cell(v) for v in flat_row(post, labels).values()])


def export_stream(ctx: WebContext, query: PostQuery, fmt: str, actor: str, ip: str | None,
                  filters: dict[str, Any]) -> Iterator[bytes]:
    """The export's bytes, one post a chunk (a CSV's header first); audited at the end."""
    most = settings.get_int("export_max_rows")
    labels = ctx.store.labels.names() if fmt == "csv" else []
    encode = _encoder(fmt, labels)
    rows, cut = 0, False
    try:
        if fmt == "csv":
            yield _csv_line(flat_columns(labels))
        for post in ctx.store.posts.iterate(replace(query, limit=most + 1, before=None)):
            if rows == most:
                cut = True
                break
            yield encode(post)
            rows += 1
    finally:
        ctx.store.audit.record(actor, "posts_export", None,
                               {"format": fmt, "filters": filters, "rows": rows, "cut": cut},
                               ip=ip)
