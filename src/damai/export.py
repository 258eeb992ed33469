"""Exports of stored posts: CSV, JSONL and Parquet. Streams, so big stores fit in memory.

JSONL carries every stored field, scores included. The flat formats (CSV, Parquet) add
``model_version``, ``flags`` (space-separated) and one ``score_<label>`` column per label given
(the CLI passes every label of the store), empty where a post has no score for it.

``url`` is :func:`damai.identity.display_url`: a row stored before issue #10 whose
handle was not kept is exported without the name in its link. CSV is meant for spreadsheets:
text cells that a spreadsheet would run as a formula get a leading ``'``
(:func:`damai.spreadsheet.safe_cell`). JSONL and Parquet keep every other value exact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from damai.errors import InputError
from damai.identity import display_url
from damai.records import Post
from damai.spreadsheet import safe_cell

__all__ = ["EXPORT_FORMATS", "FLAT_COLUMNS", "export_posts", "flat_columns", "flat_row",
           "iter_jsonl"]

ExportFormat = Literal["csv", "jsonl", "parquet"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")

FLAT_COLUMNS: tuple[str, ...] = (
    "platform", "platform_id", "url", "author_key", "author_handle", "created_at", "text",
    "language", "reply_to_id", "quote_of_id", "repost_of_id", "conversation_id", "hashtags",
    "mentions", "links", "media_count", "lat", "lon", "place", "country_code", "likes", "reposts",
    "replies", "quotes", "views", "fetched_at", "ingest_batch", "model_version", "flags",
)


def flat_columns(labels: Sequence[str] = ()) -> list[str]:
    return [*FLAT_COLUMNS, *(f"score_{label}" for label in labels)]


def flat_row(post: Post, labels: Sequence[str] = ()) -> dict[str, Any]:
    """One post as flat columns: lists joined by spaces, geo, engagement and scores spread out."""
    data = post.to_dict() | {"url": display_url(post)}
    geo = data.pop("geo") or {}
    engagement = data.pop("engagement") or {}
    for key in ("hashtags", "mentions", "links", "flags"):
        data[key] = " ".join(data[key])
    for key in ("lat", "lon", "place", "country_code"):
        data[key] = geo.get(key)
    for key in ("likes", "reposts", "replies", "quotes", "views"):
        data[key] = engagement.get(key)
    row = {column: data.get(column) for column in FLAT_COLUMNS}
    for label in labels:
        row[f"score_{label}"] = post.labels.get(label)
    return row


def iter_jsonl(posts: Iterable[Post], *, with_raw: bool = False) -> Iterator[bytes]:
    for post in posts:
        yield orjson.dumps(post.to_dict(with_raw=with_raw) | {"url": display_url(post)}) + b"\n"


def _write_csv(posts: Iterable[Post], out: IO[bytes], labels: Sequence[str]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=flat_columns(labels))
    writer.writeheader()
    count = 0
    for post in posts:
        writer.writerow({k: safe_cell(v) for k, v in flat_row(post, labels).items()})
        count += 1
    text.detach()
    return count


def _write_parquet(posts: Iterable[Post], path: Path, labels: Sequence[str],
                   chunk: int = 10_000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.int64() if c in {"media_count", "likes", "reposts", "replies",
                                                "quotes", "views"}
                         else pa.float64() if c in {"lat", "lon"} or c.startswith("score_")
                         else pa.string())
                        for c in flat_columns(labels)])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        rows: list[dict[str, Any]] = []
        for post in posts:
            rows.append(flat_row(post, labels))
            if len(rows) >= chunk:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                count += len(rows)
                rows = []
        if rows or count == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            count += len(rows)
    return count


def export_posts(posts: Iterable[Post], fmt: str, out: IO[bytes] | Path, *,
                 labels: Sequence[str] = ()) -> int:
    """Write ``posts`` as ``fmt`` to a binary stream or a path; return how many were written.

    ``labels`` name the ``score_<label>`` columns of the flat formats.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}")
    if fmt == "parquet":
        if not isinstance(out, Path):
            raise InputError("Parquet is binary: give --output FILE.parquet")
        return _write_parquet(posts, out, labels)
    if isinstance(out, Path):
        with out.open("wb") as handle:
            return export_posts(posts, fmt, handle, labels=labels)
    if fmt == "csv":
        return _write_csv(posts, out, labels)
    count = 0
    for line in iter_jsonl(posts):
        out.write(line)
        count += 1
    return count
