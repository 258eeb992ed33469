"""Telegram file source: single-chat and full exports, entity text, truncation, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from damai.errors import RecordError
from damai.sources.base import Mapped, RawRecord, RecordFailure
from damai.sources.registry import detect_source
from damai.sources.telegram import TelegramSource, map_message, message_text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "telegram"
CHANNEL = {"id": 1784512345, "name": "Kabar Damai Nusantara", "type": "public_channel"}


def messages() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads((FIXTURES / "result.json").read_text())
    result: list[dict[str, Any]] = data["messages"]
    return result


def read(path: Path) -> list[RawRecord | RecordFailure]:
    return list(TelegramSource().records(path))


def map_all(path: Path) -> list[Mapped]:
    source = TelegramSource()
    return [source.map_item(r.data) for r in read(path) if isinstance(r, RawRecord)]


def test_single_chat_records_carry_chat_context() -> None:
    records = [r for r in read(FIXTURES / "result.json") if isinstance(r, RawRecord)]
    assert [r.location for r in records] == [f"messages[{i}]" for i in range(8)]
    assert records[1].data["chat"] == CHANNEL


def test_message_fields() -> None:
    (post,) = map_message(CHANNEL, messages()[1]).posts
    assert post.platform == "telegram"
    assert post.platform_id == "1784512345/2"
    assert post.url is None
    assert post.author_id == "channel1784512345"
    assert post.author_handle == "Kabar Damai Nusantara"
    assert post.created_at.isoformat() == "2024-04-20T02:05:00+00:00"
    assert post.raw == {"chat": CHANNEL, "message": messages()[1]}


def test_entity_array_text_and_entities() -> None:
    (post,) = map_message(CHANNEL, messages()[2]).posts
    assert post.text == (
        "Beredar pesan bahwa bendungan akan jebol malam ini. Itu HOAKS. Info resmi dari "
        "@infobencana_contoh dan https://bnpb.go.id. Baca penjelasan lengkap di sini "
        "#CekFakta #JanganPanik")
    assert post.hashtags == ["CekFakta", "JanganPanik"]
    assert post.mentions == ["infobencana_contoh"]
    assert post.links == ["https://bnpb.go.id", "https://cekfakta.contoh.id/bendungan"]
    assert post.engagement == {"likes": 47}


def test_entities_from_text_array_when_text_entities_absent() -> None:
    message = dict(messages()[2])
    del message["text_entities"]
    (post,) = map_message(CHANNEL, message).posts
    assert post.hashtags == ["CekFakta", "JanganPanik"]
    assert post.links[-1] == "https://cekfakta.contoh.id/bendungan"


def test_plain_string_text_without_entities_falls_back_to_text() -> None:
    message = {"id": 50, "type": "message", "date": "2024-04-23T10:00:00",
               "text": "Ikuti #SiagaBanjir dari @relawan_kota di https://contoh.id/siaga"}
    (post,) = map_message(CHANNEL, message).posts
    assert post.hashtags == ["SiagaBanjir"]
    assert post.mentions == ["relawan_kota"]
    assert post.links == ["https://contoh.id/siaga"]


def test_message_text_shapes() -> None:
    assert message_text("  halo  ") == "halo"
    assert message_text(["Halo ", {"type": "bold", "text": "semua"}, "!"]) == "Halo semua!"
    assert message_text(None) == ""


def test_photo_without_text_is_kept() -> None:
    (post,) = map_message(CHANNEL, messages()[3]).posts
    assert post.text == ""
    assert post.media_count == 1


def test_reply_and_forward() -> None:
    (reply,) = map_message(CHANNEL, messages()[4]).posts
    assert reply.reply_to_id == "1784512345/3"
    (forward,) = map_message(CHANNEL, messages()[5]).posts
    assert forward.raw is not None
    assert forward.raw["message"]["forwarded_from"] == "Forum Kerukunan Warga"


def test_date_without_unixtime_is_taken_as_utc() -> None:
    (post,) = map_message(CHANNEL, messages()[7]).posts
    assert post.created_at.isoformat() == "2024-04-23T10:00:00+00:00"


def test_service_messages_are_skipped_events() -> None:
    mapped = map_all(FIXTURES / "result.json")
    assert [len(m.posts) for m in mapped] == [0, 1, 1, 1, 1, 1, 0, 1]
    notices = [n for m in mapped for n in m.notices]
    assert [(n.kind, n.detail) for n in notices] == [
        ("skipped_event", {"kind": "service", "action": "create_channel"}),
        ("skipped_event", {"kind": "service", "action": "pin_message"}),
    ]


def test_full_export_reads_every_chat() -> None:
    records = [r for r in read(FIXTURES / "full_export.json") if isinstance(r, RawRecord)]
    assert [r.location for r in records] == [
        "chats.list[0].messages[0]", "chats.list[0].messages[1]", "chats.list[0].messages[2]",
        "chats.list[1].messages[0]", "chats.list[1].messages[1]",
        "left_chats.list[0].messages[0]"]
    assert records[0].data["chat"]["name"] == "Relawan Bencana Jabar"
    assert records[3].data["chat"]["id"] == 1784512345
    assert records[5].data["chat"]["type"] == "public_supergroup"
    posts = [p for m in map_all(FIXTURES / "full_export.json") for p in m.posts]
    assert posts[1].reply_to_id == "1923456780/101"
    assert posts[2].media_count == 1
    assert posts[5].platform_id == "1600000042/9"


def test_truncated_export_keeps_complete_messages(tmp_path: Path) -> None:
    data = (FIXTURES / "result.json").read_bytes()
    cut = data.index(b'"id": 6')
    path = tmp_path / "result.json"
    path.write_bytes(data[:cut + 30])
    records = read(path)
    good = [r for r in records if isinstance(r, RawRecord)]
    failures = [r for r in records if isinstance(r, RecordFailure)]
    assert len(good) == 5
    assert all(r.data["chat"]["id"] == 1784512345 for r in good)
    assert len(failures) == 1
    assert failures[0].reason == "truncated"
    assert failures[0].location == "after messages[4]"
    assert failures[0].raw_bytes == data[:cut + 30]


def test_malformed_export_keeps_messages_before_the_error(tmp_path: Path) -> None:
    data = (FIXTURES / "result.json").read_bytes()
    path = tmp_path / "result.json"
    path.write_bytes(data.replace(b'"id": 3,', b'"id": 3 oops,'))
    records = read(path)
    assert len([r for r in records if isinstance(r, RawRecord)]) == 2
    assert isinstance(records[-1], RecordFailure)
    assert records[-1].reason == "malformed_json"


def test_json_without_messages_is_not_silently_empty(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "Obrolan", "type": "personal_chat", "id": 5}')
    (failure,) = read(path)
    assert isinstance(failure, RecordFailure) and failure.reason == "unknown_format"


def test_empty_chat_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "Obrolan", "type": "personal_chat", "id": 5, "messages": []}')
    assert read(path) == []


def test_other_encoding_is_read(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    chat = {"name": "Kafé", "type": "private_group", "id": 7, "messages": [
        {"id": 1, "type": "message", "date": "2024-01-01T00:00:00", "text": "Kopi di kafé"}]}
    path.write_bytes(json.dumps(chat, ensure_ascii=False).encode("cp1252"))
    (record,) = TelegramSource().records(path, encoding="cp1252")
    assert isinstance(record, RawRecord)
    assert record.data["message"]["text"] == "Kopi di kafé"
    (failure,) = TelegramSource().records(path)
    assert isinstance(failure, RecordFailure) and failure.reason == "invalid_utf8"


def test_empty_text_without_media_is_missing_text() -> None:
    message = {"id": 60, "type": "message", "date": "2024-04-23T10:00:00", "text": "",
               "text_entities": []}
    with pytest.raises(RecordError) as err:
        map_message(CHANNEL, message)
    assert err.value.reason == "missing_text"


def test_missing_ids_are_missing_id() -> None:
    with pytest.raises(RecordError) as err:
        map_message({}, messages()[1])
    assert err.value.reason == "missing_id"
    message = dict(messages()[1])
    del message["id"]
    with pytest.raises(RecordError) as err:
        map_message(CHANNEL, message)
    assert err.value.reason == "missing_id"


def test_unknown_record_is_unmappable() -> None:
    with pytest.raises(RecordError) as err:
        TelegramSource().map_item({"messages": []})
    assert err.value.reason == "unmappable"


def test_a_public_chat_gets_a_link_that_names_no_one() -> None:
    (post,) = map_message(dict(CHANNEL, username="kabardamai"), messages()[1]).posts
    assert post.url == f"https://t.me/c/{CHANNEL['id']}/2"  # issue #10: not t.me/kabardamai/2


@pytest.mark.parametrize(("fixture", "name"), [
    ("result.json", "data.bin"),
    ("full_export.json", "ekspor.txt"),
])
def test_detected_from_content_not_name(tmp_path: Path, fixture: str, name: str) -> None:
    path = tmp_path / name
    shutil.copy(FIXTURES / fixture, path)
    source = detect_source(path)
    assert source is not None and source.name == "telegram"
