"""Issue #10: JSON nested past ``DAMAI_MAX_JSON_DEPTH`` is refused before any parser sees it, and
quarantined as ``too_deep`` wherever records are read (JSONL, arrays, documents, Telegram
exports, Mastodon stream payloads, and files whose format could not be sniffed)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.sources.base import RawRecord, RecordFailure
from damai.sources.mastodon import MastodonSource
from damai.sources.nesting import DepthGuard, DepthScanner, TooDeep, too_deep
from damai.sources.reader import iter_json_array, iter_json_document, iter_jsonl
from damai.sources.registry import detect_source
from damai.sources.telegram import iter_export
from damai.storage import Store
from tests.conftest import page, tweet, write_jsonl


def nested(depth: int, inner: bytes = b"1") -> bytes:
    return b"[" * depth + inner + b"]" * depth


#: (JSON, its true depth): brackets inside strings, escaped quotes and backslashes do not count
DEPTHS: list[tuple[bytes, int]] = [
    (b"{}", 1),
    (b'{"a": [1, {"b": [2]}]}', 4),
    (b'{"a": "[[[[[[[[[[[[[[[["}', 1),
    (b'{"a": "\\"[[[[[[[[[[[[[[[", "b": []}', 2),
    (b'{"a": "x\\\\", "b": [[[[]]]]}', 5),
    (b'["\\\\\\"]]]]]]]]]]]", [[[]]]]', 4),
    (b'[{"k": "}}}}{{{{"}, [{}], [[{"\\u005b": "["}]]]', 4),
    (nested(10), 10),
]


def depth_of(data: bytes) -> int:
    """The first limit the data does not exceed."""
    return next(limit for limit in range(64) if not too_deep(data, limit))


@pytest.mark.parametrize(("data", "depth"), DEPTHS)
def test_depth_ignores_brackets_inside_strings(data: bytes, depth: int) -> None:
    orjson.loads(data)  # every case is valid JSON
    assert depth_of(data) == depth


@pytest.mark.parametrize(("data", "depth"), DEPTHS)
def test_depth_is_the_same_whatever_the_chunk_boundaries(data: bytes, depth: int) -> None:
    for size in (1, 2, 3, 5):
        scanner = DepthScanner(depth - 1)
        with pytest.raises(TooDeep):
            for start in range(0, len(data), size):
                scanner.feed(data[start:start + size])
        fits = DepthScanner(depth)
        for start in range(0, len(data), size):
            fits.feed(data[start:start + size])
        assert fits.depth == 0


def test_the_guard_stops_a_stream_at_the_limit() -> None:
    class Chunks:
        def __init__(self, data: bytes) -> None:
            self.data, self.read_bytes = data, 0

        def read(self, size: int = -1) -> bytes:
            chunk = self.data[self.read_bytes:self.read_bytes + 1000]
            self.read_bytes += len(chunk)
            return chunk

    source = Chunks(nested(100_000))
    guard = DepthGuard(source, 64)
    with pytest.raises(TooDeep, match="DAMAI_MAX_JSON_DEPTH"):
        while guard.read(1000):
            pass
    assert source.read_bytes == 1000  # refused in the first chunk, nothing more read


def failures(records: list[RawRecord | RecordFailure]) -> list[RecordFailure]:
    return [r for r in records if isinstance(r, RecordFailure)]


def test_jsonl_quarantines_a_deep_line_and_reads_on(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n' + nested(65) + b"\n" + nested(64) + b'\n{"b": 2}\n')
    records = list(iter_jsonl(path))
    bad = failures(records)
    assert [(f.location, f.reason) for f in bad] == [("line 2", "too_deep")]
    assert "64" in bad[0].message and bad[0].raw_bytes == nested(65)
    assert len(records) == 4


def test_an_array_keeps_the_items_before_a_deep_one(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'[{"a": 1}, {"b": 2}, ' + nested(2000) + b"]")
    records = list(iter_json_array(path))
    assert [r.data for r in records if isinstance(r, RawRecord)] == [{"a": 1}, {"b": 2}]
    assert [f.reason for f in failures(records)] == ["too_deep"]


def test_a_deep_document_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'{"posts": ' + nested(500) + b"}")
    assert [f.reason for f in failures(list(iter_json_document(path)))] == ["too_deep"]


def test_a_deep_telegram_message_stops_the_export_as_too_deep(tmp_path: Path) -> None:
    message = {"id": 1, "type": "message", "date_unixtime": "1730448000", "text": "halo"}
    export = (b'{"name": "c", "type": "public_channel", "id": 5, "messages": ['
              + orjson.dumps(message) + b', {"id": 2, "text": ' + nested(3000) + b"}]}")
    path = tmp_path / "result.json"
    path.write_bytes(export)
    records = list(iter_export(path))
    assert len([r for r in records if isinstance(r, RawRecord)]) == 1
    assert [f.reason for f in failures(records)] == ["too_deep"]


def test_a_deep_mastodon_stream_payload_is_too_deep(tmp_path: Path) -> None:
    event = {"stream": ["public"], "event": "update",
             "payload": nested(300, b'{"id": "1"}').decode()}
    source = MastodonSource()
    path = write_jsonl(tmp_path / "stream.jsonl", [event])
    record = next(iter(source.records(path)))
    assert isinstance(record, RawRecord)
    with pytest.raises(Exception, match="deeper than 64") as raised:
        source.map_item(record.data)
    assert getattr(raised.value, "reason", None) == "too_deep"


@pytest.mark.parametrize("depth", [2000, 100_000])
def test_a_deep_body_of_any_size_is_quarantined_as_too_deep(tmp_path: Path, store: Store,
                                                            depth: int) -> None:
    """The 4 KB body gave a crash (orjson: "Recursion limit reached") and lost the record;
    the 200 KB one made ijson's prefixes use memory quadratic in the depth (23 GB)."""
    path = tmp_path / "body.json"
    path.write_bytes(nested(depth))
    assert detect_source(path) is None
    report = ingest_paths([path], store, IngestOptions())
    assert (report.received, report.quarantined, report.stored) == (1, 1, 0)
    assert report.failures[0].reason == "too_deep"
    assert store.posts.stats().quarantined == 1


def test_records_within_the_limit_are_read_as_before(tmp_path: Path, store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jsonl(tmp_path / "page.jsonl", [page([tweet(1), tweet(2)])])
    assert ingest_paths([path], store, IngestOptions()).stored == 2
    monkeypatch.setenv("DAMAI_MAX_JSON_DEPTH", "3")  # a tweet page is deeper than 3
    again = write_jsonl(tmp_path / "again.jsonl", [page([tweet(3)])])
    report = ingest_paths([again], store, IngestOptions(format="twarc2"))
    assert [f.reason for f in report.failures] == ["too_deep"]
