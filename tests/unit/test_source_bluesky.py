"""Bluesky file source: Jetstream events, searchPosts responses, skipped events, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from damai.errors import RecordError
from damai.sources.base import Mapped, RawRecord, RecordFailure
from damai.sources.bluesky import BlueskySource, map_jetstream, map_post_view, post_url
from damai.sources.registry import detect_source

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bluesky"
DEWI = "did:plc:dewi7k2m4n5p6q7r8s9t0uvw"
POSKO = "did:plc:posko3a4b5c6d7e8f9g0h1ij"
POST = "app.bsky.feed.post"


def lines(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text().splitlines()]


def read(path: Path) -> list[RawRecord | RecordFailure]:
    return list(BlueskySource().records(path))


def map_all(path: Path) -> list[Mapped]:
    source = BlueskySource()
    return [source.map_item(r.data) for r in read(path) if isinstance(r, RawRecord)]


def test_jetstream_post_fields() -> None:
    (post,) = map_jetstream(lines("jetstream.jsonl")[0]).posts
    assert post.platform == "bluesky"
    assert post.platform_id == f"at://{DEWI}/{POST}/3kn5banjir01x"
    assert post.url == f"https://bsky.app/profile/{DEWI}/post/3kn5banjir01x"
    assert post.author_id == DEWI
    assert post.author_handle is None
    assert post.text.startswith("Banjir setinggi 1 meter di Kampung Melayu.")
    assert post.created_at.isoformat() == "2024-03-12T06:30:00.123000+00:00"
    assert post.hashtags == ["BanjirJakarta", "InfoBencana"]
    assert post.mentions == [POSKO]
    assert post.links == ["https://petabencana.id/banjir"]
    assert post.conversation_id == post.platform_id
    assert post.language is None
    assert post.raw is not None and post.raw["commit"]["record"]["langs"] == ["id"]


def test_jetstream_reply_with_images() -> None:
    (post,) = map_jetstream(lines("jetstream.jsonl")[2]).posts
    root = f"at://{DEWI}/{POST}/3kn5rootaaa2x"
    assert post.reply_to_id == root
    assert post.conversation_id == root
    assert post.media_count == 2


def test_jetstream_quote_and_record_tags() -> None:
    (post,) = map_jetstream(lines("jetstream.jsonl")[3]).posts
    assert post.quote_of_id == f"at://{POSKO}/{POST}/3kn5quoted22x"
    assert post.hashtags == ["CekFakta"]


def test_jetstream_non_posts_are_skipped_events_and_deletes_are_deletions() -> None:
    mapped = map_all(FIXTURES / "jetstream.jsonl")
    assert [len(m.posts) for m in mapped] == [1, 0, 1, 1, 0, 0, 0]
    notices = [n for m in mapped for n in m.notices]
    assert [n.kind for n in notices] == ["skipped_event", "deletion", "skipped_event",
                                         "skipped_event"]
    assert [n.detail for n in notices] == [
        {"kind": "commit", "collection": "app.bsky.feed.like", "operation": "create"},
        {"platform": "bluesky",
         "platform_id": f"at://did:plc:adi9z8y7x6w5v4u3t2s1r0qp/{POST}/3kn5hapus001x"},
        {"kind": "identity", "collection": None, "operation": None},
        {"kind": "account", "collection": None, "operation": None},
    ]


def test_jetstream_update_is_a_post() -> None:
    event = lines("jetstream.jsonl")[0]
    event["commit"]["operation"] = "update"
    assert len(map_jetstream(event).posts) == 1


def test_jetstream_time_us_when_created_at_is_bad() -> None:
    event = lines("jetstream.jsonl")[0]
    event["commit"]["record"]["createdAt"] = "kemarin"
    (post,) = map_jetstream(event).posts
    assert post.created_at.isoformat() == "2024-03-12T06:30:00.123456+00:00"


def test_post_view_fields() -> None:
    view = lines("search_posts.jsonl")[0]["posts"][0]
    post = map_post_view(view)
    # issue #10: the link names the DID, never the handle (the handle is dropped unless kept)
    assert post.url == f"https://bsky.app/profile/{DEWI}/post/3kn6longsor1x"
    assert post.author_handle == "dewi.bsky.social"
    assert post.author_id == DEWI
    assert post.hashtags == ["PeduliLongsor"]
    assert post.links == ["https://donasi.contoh.id/longsor"]
    assert post.engagement == {"likes": 18, "reposts": 5, "replies": 2, "quotes": 0}


def test_record_with_media_gives_quote_and_video() -> None:
    post = map_post_view(lines("search_posts.jsonl")[0]["posts"][1])
    assert post.quote_of_id == f"at://{DEWI}/{POST}/3kn5banjir01x"
    assert post.media_count == 1


def test_invalid_handle_falls_back_to_did() -> None:
    post = map_post_view(lines("search_posts.jsonl")[1]["posts"][0])
    assert post.author_handle is None
    assert post.url is not None and "/profile/did:plc:" in post.url


def test_search_pages_are_split_one_record_per_post() -> None:
    records = read(FIXTURES / "search_posts.jsonl")
    assert [r.location for r in records] == [
        "line 1 posts[0]", "line 1 posts[1]", "line 2 posts[0]"]
    assert [len(m.posts) for m in map_all(FIXTURES / "search_posts.jsonl")] == [1, 1, 1]


def test_single_search_document() -> None:
    records = read(FIXTURES / "search_posts.json")
    assert [r.location for r in records] == ["document posts[0]", "document posts[1]"]


def test_whole_page_maps_through_map_item() -> None:
    mapped = BlueskySource().map_item(lines("search_posts.jsonl")[0])
    assert len(mapped.posts) == 2


def test_truncated_search_document_keeps_complete_posts(tmp_path: Path) -> None:
    data = (FIXTURES / "search_posts.json").read_bytes()
    cut = data.index(b"3kn6video01x")
    path = tmp_path / "search.json"
    path.write_bytes(data[:cut])
    records = read(path)
    good = [r for r in records if isinstance(r, RawRecord)]
    failures = [r for r in records if isinstance(r, RecordFailure)]
    assert len(good) == 1 and good[0].data["uri"].endswith("3kn6longsor1x")
    assert len(failures) == 1 and failures[0].reason == "truncated"
    assert failures[0].raw_bytes == data[:cut]


def test_bad_post_in_page_is_isolated() -> None:
    page = lines("search_posts.jsonl")[0]
    del page["posts"][0]["uri"]
    source = BlueskySource()
    with pytest.raises(RecordError) as err:
        source.map_item(page["posts"][0])
    assert err.value.reason == "missing_id"
    assert len(source.map_item(page["posts"][1]).posts) == 1


def test_empty_text_without_media_is_missing_text() -> None:
    event = lines("jetstream.jsonl")[0]
    event["commit"]["record"]["text"] = "  "
    with pytest.raises(RecordError) as err:
        map_jetstream(event)
    assert err.value.reason == "missing_text"


def test_image_only_post_is_kept() -> None:
    event = lines("jetstream.jsonl")[2]
    event["commit"]["record"]["text"] = ""
    assert map_jetstream(event).posts[0].media_count == 2


def test_jetstream_without_rkey_is_missing_id() -> None:
    event = lines("jetstream.jsonl")[0]
    del event["commit"]["rkey"]
    with pytest.raises(RecordError) as err:
        map_jetstream(event)
    assert err.value.reason == "missing_id"


def test_post_url_rejects_non_post_uri() -> None:
    assert post_url(f"at://{DEWI}/app.bsky.feed.like/3kn5x") is None


@pytest.mark.parametrize(("fixture", "name"), [
    ("jetstream.jsonl", "firehose.txt"),
    ("search_posts.jsonl", "hasil.log"),
    ("search_posts.json", "cari.dat"),
])
def test_detected_from_content_not_name(tmp_path: Path, fixture: str, name: str) -> None:
    path = tmp_path / name
    shutil.copy(FIXTURES / fixture, path)
    source = detect_source(path)
    assert source is not None and source.name == "bluesky"
