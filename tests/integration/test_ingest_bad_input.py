"""Issue #2: bad input never loses data. Each case names file, line and reason, is quarantined
with its raw bytes, and the run goes on; received = stored + duplicates + quarantined."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from damai.errors import InputError
from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.pipeline.quarantine import retry_quarantine
from damai.storage import PostQuery, Store
from tests.conftest import page, tweet, write_jsonl


def _ingest(store: Store, *paths: Path, **options: object) -> object:
    return ingest_paths(list(paths), store, IngestOptions(**options))  # type: ignore[arg-type]


def _good_lines(n: int, start: int = 0) -> list[bytes]:
    return [orjson.dumps(page([tweet(start + i)])) for i in range(n)]


def test_malformed_json_is_quarantined_and_run_continues(tmp_path: Path, store: Store) -> None:
    lines = _good_lines(3)
    lines.insert(1, b'{"data": [{"id": "1", "text": "rusak"')  # broken JSON in the middle
    path = tmp_path / "tweets.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = ingest_paths([path], store, IngestOptions())
    assert (report.received, report.stored, report.quarantined) == (4, 3, 1)
    assert report.balanced
    [entry] = store.quarantine.entries()
    assert entry.path == str(path)
    assert entry.location == "line 2"
    assert entry.reason == "malformed_json"
    assert entry.raw == lines[1]


def test_invalid_utf8_line_is_quarantined_with_raw_bytes(tmp_path: Path, store: Store) -> None:
    bad = orjson.dumps(page([tweet(9, "Caf\u00e9 enak di Braga")])).replace(
        "Café".encode(), "Café".encode("cp1252"))
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([*_good_lines(2), bad]) + b"\n")
    report = ingest_paths([path], store, IngestOptions())
    assert report.stored == 2 and report.quarantined == 1 and report.balanced
    [entry] = store.quarantine.entries()
    assert entry.reason == "invalid_utf8"
    assert "cp1252" in entry.message and entry.location == "line 3"
    assert entry.raw == bad


def test_cp1252_file_ingests_with_encoding_option(tmp_path: Path, store: Store) -> None:
    text = "Kopi di kafé Braga enak sekali"
    path = tmp_path / "cp1252.jsonl"
    path.write_bytes(orjson.dumps(page([tweet(1, text)])).decode().encode("cp1252") + b"\n")
    assert ingest_paths([path], store, IngestOptions()).quarantined == 1
    report = ingest_paths([path], store, IngestOptions(encoding="cp1252"))
    assert report.stored == 1
    [post] = store.posts.query(PostQuery(text="Braga"))
    assert post.text == text


def test_cp1252_json_array_ingests_with_encoding_option(tmp_path: Path, store: Store) -> None:
    """A JSON array (streamed, not read line by line) honours --encoding too."""
    text = "Kafé di Braga tutup lebih awal karena hujan deras"
    path = tmp_path / "cp1252-array.json"
    path.write_bytes(orjson.dumps([tweet(7, text)]).decode().encode("cp1252"))
    first = ingest_paths([path], store, IngestOptions())
    assert (first.stored, first.quarantined) == (0, 1) and first.balanced
    [entry] = store.quarantine.entries()
    assert entry.reason == "invalid_utf8"
    report = ingest_paths([path], store, IngestOptions(encoding="cp1252"))
    assert report.stored == 1 and report.balanced
    [post] = store.posts.query(PostQuery(text="Braga"))
    assert post.text == text


def test_unknown_encoding_is_refused_before_reading(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "array.json"
    path.write_bytes(orjson.dumps([tweet(8, "Selamat pagi")]))
    with pytest.raises(InputError, match=r"unknown encoding 'no-such-codec'.*cp1252"):
        ingest_paths([path], store, IngestOptions(encoding="no-such-codec"))
    with pytest.raises(InputError, match="unknown encoding"):
        retry_quarantine(store, IngestOptions(encoding="no-such-codec"))
    assert store.quarantine.entries() == [] and store.posts.query(PostQuery()) == []


def test_truncated_last_line_is_reported_as_truncated(tmp_path: Path, store: Store) -> None:
    lines = _good_lines(3)
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b"\n".join(lines)[: -len(lines[-1]) // 2])
    report = ingest_paths([path], store, IngestOptions())
    assert (report.stored, report.quarantined) == (2, 1) and report.balanced
    [entry] = store.quarantine.entries()
    assert entry.reason == "truncated" and entry.location == "line 3"


def test_line_over_limit_is_quarantined_whole(tmp_path: Path, store: Store) -> None:
    long_line = orjson.dumps(page([tweet(5, "panjang " * 200_000)]))
    assert len(long_line) > 1024 * 1024
    path = tmp_path / "long.jsonl"
    path.write_bytes(b"\n".join([_good_lines(1)[0], long_line, _good_lines(1, 7)[0]]) + b"\n")
    report = ingest_paths([path], store, IngestOptions())
    assert (report.stored, report.quarantined) == (2, 1) and report.balanced
    [entry] = store.quarantine.entries()
    assert entry.reason == "too_long" and entry.location == "line 2"
    assert entry.raw == long_line


@pytest.mark.parametrize(("record", "reason"), [
    ({k: v for k, v in tweet(3).items() if k != "id"}, "missing_id"),
    (tweet(4, ""), "missing_text"),
])
def test_record_without_id_or_text(tmp_path: Path, store: Store, record: dict[str, object],
                                   reason: str) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [page([tweet(1)]), page([record])])
    report = ingest_paths([path], store, IngestOptions())
    assert report.stored == 1 and report.quarantined == 1 and report.balanced
    [entry] = store.quarantine.entries()
    assert entry.reason == reason
    assert str(path) == entry.path


def test_unknown_format_quarantines_every_line(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "notes.jsonl"
    write_jsonl(path, [{"foo": 1}, {"bar": 2}])
    report = ingest_paths([path], store, IngestOptions())
    assert (report.received, report.quarantined, report.stored) == (2, 2, 0)
    assert report.files[str(path)] == "unknown"
    assert {e.reason for e in store.quarantine.entries()} == {"unknown_format"}


def test_unknown_format_option_is_a_clear_error(tmp_path: Path, store: Store) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [page([tweet(1)])])
    with pytest.raises(InputError, match="unknown --format"):
        ingest_paths([path], store, IngestOptions(format="myspace"))


def test_missing_path_is_a_clear_error(tmp_path: Path, store: Store) -> None:
    with pytest.raises(InputError, match="no such file"):
        ingest_paths([tmp_path / "nope.jsonl"], store, IngestOptions())


def test_rerun_adds_nothing_and_quarantine_is_not_doubled(tmp_path: Path, store: Store) -> None:
    lines = [*_good_lines(5), b"{not json"]
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    first = ingest_paths([path], store, IngestOptions(batch_size=2))
    second = ingest_paths([path], store, IngestOptions(batch_size=2))
    assert (first.stored, first.duplicates, first.quarantined) == (5, 0, 1)
    assert (second.stored, second.duplicates, second.quarantined) == (0, 5, 1)
    assert second.balanced
    assert store.posts.count(PostQuery(limit=None)) == 5
    assert len(store.quarantine.entries()) == 1


def test_quarantine_retry_with_encoding_resolves(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "cp.jsonl"
    path.write_bytes(orjson.dumps(page([tweet(2, "Salam dari kafé")])).decode().encode("cp1252"))
    ingest_paths([path], store, IngestOptions())
    failing = retry_quarantine(store, IngestOptions())
    assert failing.resolved == [] and len(failing.failing) == 1
    fixed = retry_quarantine(store, IngestOptions(encoding="cp1252"))
    assert len(fixed.resolved) == 1 and fixed.stored == 1
    assert store.quarantine.entries() == []
    assert store.quarantine.entries(include_resolved=True)[0].retries == 2


def _cp1252_csv(tmp_path: Path) -> Path:
    path = tmp_path / "laporan.csv"
    path.write_bytes(b"id,created_at,author,text\n"
                     b"1,2024-05-02T10:00:00Z,warga1,Jalan ke pasar macet pagi ini\n"
                     + "2,2024-05-02T11:00:00Z,warga2,Kafé dekat alun-alun buka lagi\n"
                     .encode("cp1252"))
    return path


def test_quarantined_csv_row_retries_with_its_files_header(tmp_path: Path, store: Store) -> None:
    path = _cp1252_csv(tmp_path)
    first = ingest_paths([path], store, IngestOptions(format="csv"))
    assert (first.stored, first.quarantined) == (1, 1) and first.balanced
    [entry] = store.quarantine.entries()
    assert entry.format == "csv" and not entry.raw.startswith(b"id,")
    fixed = retry_quarantine(store, IngestOptions(encoding="cp1252"))
    assert fixed.resolved == [entry.id] and fixed.stored == 1 and not fixed.failing
    [post] = store.posts.query(PostQuery(text="alun"))
    assert post.text == "Kafé dekat alun-alun buka lagi"


def test_csv_retry_says_so_when_the_file_is_gone(tmp_path: Path, store: Store) -> None:
    path = _cp1252_csv(tmp_path)
    ingest_paths([path], store, IngestOptions(format="csv"))
    [entry] = store.quarantine.entries()
    path.unlink()
    report = retry_quarantine(store, IngestOptions(encoding="cp1252"))
    assert report.resolved == [] and "header" in report.failing[entry.id]
    assert str(path) in report.failing[entry.id]
    assert store.posts.count(PostQuery(limit=None)) == 1
