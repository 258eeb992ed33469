"""CSV source: column mapping, header errors, bad bytes and rows, line numbers, times, text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from damai.errors import InputError, RecordError
from damai.records import Post
from damai.sources.base import RawRecord, RecordFailure
from damai.sources.csv import CsvColumns, CsvSource, parse_time
from damai.sources.text import extract_hashtags, extract_links, extract_mentions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"


def _records(path: Path, source: CsvSource | None = None,
             **kwargs: Any) -> list[RawRecord | RecordFailure]:
    return list((source or CsvSource()).records(path, **kwargs))


def _post(record: RawRecord | RecordFailure, source: CsvSource | None = None) -> Post:
    assert isinstance(record, RawRecord), record
    (post,) = (source or CsvSource()).map_item(record.data).posts
    return post


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    return path


# --- mapping ---------------------------------------------------------------------------------


def test_default_columns_map_each_row_to_a_post() -> None:
    records = _records(FIXTURES / "basic.csv")
    assert [r.location for r in records] == ["line 2", "line 3", "line 4"]
    first, second, third = (_post(r) for r in records)
    assert (first.platform, first.platform_id) == ("csv", "101")
    assert first.created_at == datetime(2024, 5, 2, 13, 20, 5, tzinfo=UTC)
    assert (first.author_id, first.author_handle) == ("relawan_jabar", "relawan_jabar")
    assert first.hashtags == ["GempaCianjur"]
    assert first.links == ["https://bpbd.example.id/posko"]
    assert second.created_at == datetime(2024, 5, 2, 13, 15, tzinfo=UTC)
    assert second.mentions == ["infoBMKG"]
    # day first, the Indonesian order; a numeric author is an id, not a handle
    assert third.created_at == datetime(2024, 5, 2, 21, 0, tzinfo=UTC)
    assert (third.author_id, third.author_handle) == ("1400000099", None)
    assert third.hashtags == ["IndonesiaDamai", "Toleransi"]


def test_raw_is_the_whole_row() -> None:
    record = _records(FIXTURES / "basic.csv")[0]
    assert isinstance(record, RawRecord)
    post = _post(record)
    assert post.raw == record.data
    assert post.raw is not None and post.raw["lang"] == "in"
    assert record.raw_bytes.startswith(b"101,2024-05-02T13:20:05Z,@relawan_jabar,")


def test_custom_columns_semicolons_bom_and_indonesian_dates() -> None:
    columns = CsvColumns(text_col="isi_pesan", id_col="no", time_col="waktu", author_col="akun",
                         platform="facebook")
    source = CsvSource(columns)
    first, second = (_post(r, source) for r in _records(FIXTURES / "semicolon_custom.csv",
                                                          source))
    assert (first.platform, first.platform_id, first.author_handle) == (
        "facebook", "A-1", "warga_palu")
    assert first.created_at == datetime(2024, 5, 2, 6, 20, tzinfo=UTC)  # 13:20 WIB
    assert second.created_at == datetime(2024, 8, 17, tzinfo=UTC)
    assert second.hashtags == ["MerdekaDamai"]


def test_explicit_delimiter_and_time_format(tmp_path: Path) -> None:
    path = _write(tmp_path, b"id|created_at|author|text\n9|02-05-2024 07.30|budi|Pagi damai\n")
    source = CsvSource(CsvColumns(delimiter="|", time_format="%d-%m-%Y %H.%M"))
    post = _post(_records(path, source)[0], source)
    assert post.created_at == datetime(2024, 5, 2, 7, 30, tzinfo=UTC)


def test_no_author_column(tmp_path: Path) -> None:
    path = _write(tmp_path, b"id,created_at,text\n1,2024-05-02,Salam damai\n")
    source = CsvSource(CsvColumns(author_col=""))
    post = _post(_records(path, source)[0], source)
    assert post.author_id is None and post.author_handle is None


@pytest.mark.parametrize(("row", "reason"), [
    ({"id": " ", "created_at": "2024-05-02", "author": "a", "text": "x"}, "missing_id"),
    ({"id": "1", "created_at": "2024-05-02", "author": "a", "text": "  "}, "missing_text"),
    ({"id": "1", "created_at": "", "author": "a", "text": "x"}, "bad_time"),
    ({"id": "1", "author": "a", "text": "x"}, "bad_time"),
])
def test_rows_that_cannot_be_posts(row: dict[str, str], reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        CsvSource().map_item(row)
    assert caught.value.reason == reason


def test_map_item_needs_a_row_dict() -> None:
    with pytest.raises(RecordError) as caught:
        CsvSource().map_item(["1", "x"])
    assert caught.value.reason == "unmappable"


# --- header ----------------------------------------------------------------------------------


def test_missing_columns_name_what_the_file_has() -> None:
    with pytest.raises(InputError) as caught:
        _records(FIXTURES / "missing_column.csv")
    message = caught.value.message
    for expected in ("'text' (text)", "'id' (id)", "'created_at' (time)", "'author' (author)",
                     "'tweet_id'", "'tanggal'", "'isi'", "--text-col", "missing_column.csv"):
        assert expected in message


def test_only_the_missing_column_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, b"id,created_at,text\n1,2024-05-02,Salam\n")
    with pytest.raises(InputError) as caught:
        _records(path)
    assert "'author' (author)" in caught.value.message
    assert "'text' (text)" not in caught.value.message
    assert "--author-col ''" in caught.value.message


@pytest.mark.parametrize(("line", "columns", "expected"), [
    ("id,created_at,author,text\n", CsvColumns(), True),
    ("\ufeffno;isi\r\n", CsvColumns(text_col="isi"), True),
    ("id\ttext\n", CsvColumns(), True),
    ("id,isi\n", CsvColumns(), False),
    ('{"id": "1", "text": "x"}\n', CsvColumns(), False),
    ("", CsvColumns(), False),
])
def test_sniff_header(line: str, columns: CsvColumns, expected: bool) -> None:
    assert CsvSource(columns).sniff_header(line) is expected


def test_sniff_never_claims_a_json_record() -> None:
    assert CsvSource().sniff({"id": "1", "text": "x"}) is False


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    assert _records(_write(tmp_path, b"")) == []
    assert _records(_write(tmp_path, b"id,created_at,author,text\n")) == []


def test_repeated_header_names_keep_every_cell(tmp_path: Path) -> None:
    path = _write(tmp_path, b"id,created_at,author,text,tag,tag\n1,2024-05-02,a,Halo,x,y\n")
    record = _records(path)[0]
    assert isinstance(record, RawRecord)
    assert record.data["tag"] == "x" and record.data["tag.1"] == "y"


# --- bad bytes and rows ----------------------------------------------------------------------


def test_cp1252_row_is_quarantined_with_its_bytes() -> None:
    records = _records(FIXTURES / "cp1252.csv")
    assert [type(r).__name__ for r in records] == ["RawRecord", "RecordFailure", "RawRecord"]
    failure = records[1]
    assert isinstance(failure, RecordFailure)
    assert (failure.location, failure.reason) == ("line 3", "invalid_utf8")
    assert b"\x93damai\x94" in failure.raw_bytes and b"caf\xe9" in failure.raw_bytes
    assert "--encoding cp1252" in failure.message
    assert records[2].location == "line 4"


@pytest.mark.parametrize("how", ["argument", "columns"])
def test_cp1252_reads_with_the_encoding_given(how: str) -> None:
    if how == "argument":
        records = _records(FIXTURES / "cp1252.csv", encoding="cp1252")
    else:
        records = _records(FIXTURES / "cp1252.csv", CsvSource(CsvColumns(encoding="cp1252")))
    assert all(isinstance(r, RawRecord) for r in records)
    assert _post(records[1]).text == "Kata “damai” diucapkan bersama di café desa"


def test_multi_line_quoted_fields_keep_line_numbers_and_bytes() -> None:
    path = FIXTURES / "multiline.csv"
    records = _records(path)
    assert [r.location for r in records] == ["lines 2-4", "line 5", "lines 6-7", "line 8"]
    assert b"".join(r.raw_bytes for r in records) == path.read_bytes().split(b"\r\n", 1)[1]
    first, second, third, fourth = (_post(r) for r in records)
    assert first.text == "Daftar kebutuhan posko:\r\n- tenda\r\n- selimut, obat-obatan"
    assert second.text == 'Kutipan warga: "Kami butuh air bersih", kata Pak RT.'
    assert third.text.endswith("hoaks.\r\nSumber: BMKG")
    assert fourth.platform_id == "204"


def test_bad_rows_fail_alone_and_the_rest_is_read() -> None:
    records = _records(FIXTURES / "bad_rows.csv")
    summary = [(r.location, getattr(r, "reason", "ok")) for r in records]
    assert summary == [("line 2", "ok"), ("line 3", "ok"), ("line 4", "ok"), ("line 5", "ok"),
                       ("line 6", "malformed_csv"), ("line 7", "malformed_csv"),
                       ("line 8", "ok")]
    reasons = []
    for record in records[1:4]:
        with pytest.raises(RecordError) as caught:
            _post(record)
        reasons.append(caught.value.reason)
    assert reasons == ["missing_id", "missing_text", "bad_time"]
    unclosed = records[5]
    assert isinstance(unclosed, RecordFailure)
    assert unclosed.raw_bytes == b'406,2024-05-02T10:05:00Z,warga_f,"kutip tidak ditutup\n'
    assert "never closed" in unclosed.message
    assert _post(records[6]).platform_id == "407"


def test_unclosed_quote_on_the_last_line(tmp_path: Path) -> None:
    path = _write(tmp_path, b'id,created_at,author,text\n1,2024-05-02,a,"putus')
    (failure,) = _records(path)
    assert isinstance(failure, RecordFailure)
    assert (failure.location, failure.reason) == ("line 2", "malformed_csv")
    assert failure.raw_bytes == b'1,2024-05-02,a,"putus'


def test_text_after_a_closing_quote_is_malformed(tmp_path: Path) -> None:
    path = _write(tmp_path, b'id,created_at,author,text\n1,2024-05-02,a,"ok"x\n2,2024-05-02,b,c\n')
    first, second = _records(path)
    assert isinstance(first, RecordFailure) and first.reason == "malformed_csv"
    assert first.raw_bytes == b'1,2024-05-02,a,"ok"x\n'
    assert second.location == "line 3"


def test_last_line_without_newline_and_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path,
                  b"id,created_at,author,text\n\n1,2024-05-02,a,Satu\n\n2,2024-05-02,b,Dua")
    records = _records(path)
    assert [r.location for r in records] == ["line 3", "line 5"]
    assert _post(records[1]).text == "Dua"


def test_too_long_row(tmp_path: Path) -> None:
    path = _write(tmp_path, b"id,created_at,author,text\n1,2024-05-02,a," + b"x" * 200 + b"\n")
    (failure,) = _records(path, max_line_bytes=100)
    assert isinstance(failure, RecordFailure) and failure.reason == "too_long"


def test_undecodable_header_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, b"id,created_at,author,te\xefxt\n")
    with pytest.raises(InputError) as caught:
        _records(path)
    assert "--encoding" in caught.value.message


# --- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-05-02", datetime(2024, 5, 2, tzinfo=UTC)),  # ISO stays year-month-day
    ("2024/05/02 10:00", datetime(2024, 5, 2, 10, tzinfo=UTC)),
    ("2024-05-02T13:20:05.000Z", datetime(2024, 5, 2, 13, 20, 5, tzinfo=UTC)),
    ("03/04/2024", datetime(2024, 4, 3, tzinfo=UTC)),
    ("1714656005", datetime(2024, 5, 2, 13, 20, 5, tzinfo=UTC)),
    ("1714656005000", datetime(2024, 5, 2, 13, 20, 5, tzinfo=UTC)),
    ("Jumat, 3 Mei 2024 jam 08:00 WITA", datetime(2024, 5, 3, 0, 0, tzinfo=UTC)),
    ("5 Des 2024 19:00 WIT", datetime(2024, 12, 5, 10, 0, tzinfo=UTC)),
    ("Thu May 02 13:20:05 +0000 2024", datetime(2024, 5, 2, 13, 20, 5, tzinfo=UTC)),
])
def test_parse_time(value: str, expected: datetime) -> None:
    assert parse_time(value) == expected


def test_parse_time_month_first_when_asked() -> None:
    assert parse_time("03/04/2024", dayfirst=False) == datetime(2024, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize("value", ["", "kemarin sore", "2024-05-02 10:00 XYZT", "31/02/2024"])
def test_parse_time_rejects(value: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_time(value)
    assert caught.value.reason == "bad_time"


def test_parse_time_with_a_format_that_does_not_fit() -> None:
    with pytest.raises(RecordError) as caught:
        parse_time("2024-05-02", time_format="%d/%m/%Y")
    assert "'%d/%m/%Y'" in caught.value.message


# --- text helpers ----------------------------------------------------------------------------


def test_extract_hashtags() -> None:
    text = "Ayo #JagaDamai, #Pemilu2024 dan #jaga_damai! Bukan tag: #123 a#b &#39; #JagaDamai"
    assert extract_hashtags(text) == ["JagaDamai", "Pemilu2024", "jaga_damai"]


def test_extract_mentions() -> None:
    text = "cc @infoBMKG, @budi@mastodon.social. Surel: relawan@posko.id. @infoBMKG lagi"
    assert extract_mentions(text) == ["infoBMKG", "budi@mastodon.social"]


def test_extract_links() -> None:
    text = ("Baca https://bpbd.example.id/posko. dan (www.example.id/gempa) serta "
            "https://id.wikipedia.org/wiki/Gempa_(geologi), juga http://")
    assert extract_links(text) == ["https://bpbd.example.id/posko", "www.example.id/gempa",
                                   "https://id.wikipedia.org/wiki/Gempa_(geologi)"]
