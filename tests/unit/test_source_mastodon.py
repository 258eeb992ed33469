"""Mastodon file source: statuses, websocket and SSE streams, HTML to text, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from damai.errors import RecordError
from damai.identity import mastodon_key
from damai.sources.base import Mapped, RawRecord, RecordFailure
from damai.sources.mastodon import MastodonSource, html_to_text, map_event, map_status
from damai.sources.registry import detect_source

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mastodon"
GEMPA_URI = "https://damai.contoh.id/users/sariwulan/statuses/112340000000000001"
ASLI_URI = "https://toot.contoh.id/users/lintasiman/statuses/112330000000000777"


def statuses() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((FIXTURES / "statuses.json").read_text())
    return data


def read(path: Path) -> list[RawRecord | RecordFailure]:
    return list(MastodonSource().records(path))


def map_all(path: Path) -> list[Mapped]:
    source = MastodonSource()
    return [source.map_item(r.data) for r in read(path) if isinstance(r, RawRecord)]


def test_status_fields() -> None:
    post = map_status(statuses()[0])
    assert post.platform == "mastodon"
    # issue #10: neither the key nor the link carries the account name
    assert post.platform_id == mastodon_key(GEMPA_URI) and "sariwulan" not in post.platform_id
    assert post.url == "https://damai.contoh.id/web/statuses/112340000000000001"
    assert post.author_id == "https://damai.contoh.id/@sariwulan"
    assert post.author_handle == "sariwulan@damai.contoh.id"
    assert post.created_at.isoformat() == "2024-05-01T01:15:30+00:00"
    assert post.hashtags == ["gempacianjur", "jagadamai"]
    assert post.mentions == ["posko_bencana@toot.contoh.id"]
    assert post.links == ["https://www.bmkg.go.id/gempabumi"]
    assert post.media_count == 1
    assert post.engagement == {"likes": 30, "reposts": 12, "replies": 4, "quotes": 1}
    assert post.language is None
    assert post.raw is not None and post.raw["language"] == "id"


def test_html_becomes_plain_text_with_line_breaks_and_entities() -> None:
    text = map_status(statuses()[0]).text
    assert text == (
        "Gempa M5,2 terasa di Cianjur pagi ini. Tetap tenang & ikuti arahan @posko_bencana.\n"
        'Jauhi bangunan yang retak "sementara" waktu.\n\n'
        "Info resmi: https://www.bmkg.go.id/gempabumi #GempaCianjur #JagaDamai")


def test_html_to_text_skips_mention_and_hashtag_links() -> None:
    text, links = html_to_text(
        '<p>Baca <a href="https://contoh.id/a">ini</a> &lt;penting&gt;<br/>'
        '<a class="u-url mention" href="https://x.id/@a">@a</a> '
        '<a class="mention hashtag" href="https://x.id/tags/b">#b</a></p><p>Salam</p>')
    assert text == "Baca ini <penting>\n@a #b\n\nSalam"
    assert links == ["https://contoh.id/a"]


def test_spoiler_text_is_prepended_and_reply_kept() -> None:
    post = map_status(statuses()[1])
    assert post.text.startswith("Peringatan: hoaks\n\nPesan berantai soal tsunami")
    assert "tidak benar." in post.text
    assert post.reply_to_id == "112340000000000001"


def test_boost_yields_boost_and_boosted_status() -> None:
    mapped = MastodonSource().map_item(statuses()[2])
    boost, original = mapped.posts
    assert boost.repost_of_id == mastodon_key(ASLI_URI) == original.platform_id
    assert boost.text == original.text == (
        "Mari saling menghormati antarumat beragama. Perbedaan itu indah 🌿")
    assert boost.url is None
    assert boost.platform_id == mastodon_key(statuses()[2]["uri"])
    assert boost.platform_id != original.platform_id
    assert original.author_handle == "lintasiman@toot.contoh.id"
    assert original.engagement["reposts"] == 40


def test_quote_sets_quote_of_id_and_drops_inline_fallback() -> None:
    quoting, quoted = MastodonSource().map_item(statuses()[3]).posts
    assert quoting.quote_of_id == mastodon_key(ASLI_URI) == quoted.platform_id
    assert quoting.text == "Setuju! Persatuan lebih penting dari perbedaan."
    assert quoting.links == []


def test_shallow_quote_uses_quoted_status_id() -> None:
    status = dict(statuses()[1], quote={"state": "accepted", "quoted_status_id": "998877"})
    assert map_status(status).quote_of_id == "998877"


def test_json_array_and_jsonl_give_the_same_posts() -> None:
    from_array = [p.platform_id for m in map_all(FIXTURES / "statuses.json") for p in m.posts]
    from_lines = [p.platform_id for m in map_all(FIXTURES / "statuses.jsonl") for p in m.posts]
    assert from_array == from_lines
    assert len(from_array) == 6


def test_websocket_stream_maps_updates_and_skips_other_events() -> None:
    mapped = map_all(FIXTURES / "stream_websocket.jsonl")
    assert [len(m.posts) for m in mapped] == [1, 0, 1, 0, 2]
    assert [n.detail for m in mapped for n in m.notices] == [
        {"platform": "mastodon", "status_id": "112330000000000555"}, {"event": "notification"}]
    assert [n.kind for m in mapped for n in m.notices] == ["deletion", "skipped_event"]
    edited = mapped[2].posts[0]
    assert "situs BMKG" in edited.text


def test_sse_stream_is_read_block_by_block() -> None:
    records = [r for r in read(FIXTURES / "stream_sse.txt") if isinstance(r, RawRecord)]
    assert [r.location for r in records] == ["line 2", "line 6", "line 9", "line 12"]
    assert [r.data["event"] for r in records] == [
        "update", "delete", "status.update", "update"]
    mapped = map_all(FIXTURES / "stream_sse.txt")
    assert mapped[0].posts[0].platform_id == mastodon_key(GEMPA_URI)
    assert mapped[1].posts == [] and mapped[1].notices[0].kind == "deletion"
    assert mapped[3].posts[0].quote_of_id == mastodon_key(ASLI_URI)


def test_sse_without_blank_lines_and_with_truncated_last_event(tmp_path: Path) -> None:
    status = json.dumps(statuses()[1])
    path = tmp_path / "stream.txt"
    path.write_text(f"event: update\ndata: {status}\nevent: update\ndata: {status[:80]}")
    records = read(path)
    assert isinstance(records[0], RawRecord)
    assert isinstance(records[1], RecordFailure)
    assert records[1].reason == "truncated"
    assert records[1].raw_bytes.startswith(b"event: update\ndata: {")


def test_sse_malformed_event_in_the_middle(tmp_path: Path) -> None:
    status = json.dumps(statuses()[1])
    path = tmp_path / "stream.txt"
    path.write_text(f"event: update\ndata: {{oops\n\nevent: update\ndata: {status}\n\n")
    first, second = read(path)
    assert isinstance(first, RecordFailure) and first.reason == "malformed_json"
    assert isinstance(second, RawRecord)


def test_sse_unknown_lines_are_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "stream.txt"
    path.write_text(":)\nid: 7\nretry: 1000\n\nini bukan SSE\nbaris kedua\n")
    (failure,) = read(path)
    assert isinstance(failure, RecordFailure) and failure.reason == "unknown_format"
    assert failure.location == "line 5"
    assert failure.raw_bytes == b"ini bukan SSE\nbaris kedua"


def test_sse_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "stream.txt"
    path.write_bytes(b"event: update\ndata: {\"content\": \"caf\xe9\"}\n\n")
    (failure,) = read(path)
    assert isinstance(failure, RecordFailure) and failure.reason == "invalid_utf8"


def test_truncated_array_keeps_complete_statuses(tmp_path: Path) -> None:
    data = (FIXTURES / "statuses.json").read_bytes()
    cut = data.index(b'"id": "112340000000000004"')
    path = tmp_path / "statuses.json"
    path.write_bytes(data[:cut + 40])
    records = read(path)
    good = [r for r in records if isinstance(r, RawRecord)]
    failures = [r for r in records if isinstance(r, RecordFailure)]
    assert len(good) == 3
    assert len(failures) == 1 and failures[0].reason == "truncated"


def test_missing_uri_is_missing_id() -> None:
    status = dict(statuses()[0], uri=None, url=None)
    with pytest.raises(RecordError) as err:
        map_status(status)
    assert err.value.reason == "missing_id"


def test_empty_status_without_media_is_missing_text() -> None:
    status = dict(statuses()[1], content="<p></p>", spoiler_text="", media_attachments=[])
    with pytest.raises(RecordError) as err:
        map_status(status)
    assert err.value.reason == "missing_text"


def test_media_only_status_is_kept() -> None:
    status = dict(statuses()[0], content="")
    assert map_status(status).text == ""


def test_bad_websocket_payload_is_malformed_json() -> None:
    with pytest.raises(RecordError) as err:
        map_event({"event": "update", "payload": "{tidak valid"})
    assert err.value.reason == "malformed_json"


def test_unknown_record_is_unmappable() -> None:
    with pytest.raises(RecordError) as err:
        MastodonSource().map_item(["bukan", "status"])
    assert err.value.reason == "unmappable"


@pytest.mark.parametrize(("fixture", "name"), [
    ("statuses.json", "timeline.dat"),
    ("statuses.jsonl", "export.txt"),
    ("stream_websocket.jsonl", "ws.log"),
    ("stream_sse.txt", "stream.csv"),
])
def test_detected_from_content_not_name(tmp_path: Path, fixture: str, name: str) -> None:
    path = tmp_path / name
    shutil.copy(FIXTURES / fixture, path)
    source = detect_source(path)
    assert source is not None and source.name == "mastodon"


def test_sse_starting_with_event_line_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "stream.txt"
    lines = (FIXTURES / "stream_sse.txt").read_text().splitlines(keepends=True)
    path.write_text("".join(lines[1:]))
    source = detect_source(path)
    assert source is not None and source.name == "mastodon"
