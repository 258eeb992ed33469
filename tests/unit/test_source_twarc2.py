"""Twitter API v2 / twarc2 source: pages, flattened tweets, bare tweets, bad tweets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from damai.errors import RecordError
from damai.records import Geo, Post
from damai.sources.base import Mapped, RawRecord, RecordFailure
from damai.sources.twarc2 import PLATFORM_ERROR, QUARANTINE, Twarc2Source, tweet_to_post

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "twarc2"
SOURCE = Twarc2Source()

REPLY = "1786022850851766293"
QUOTE = "1786014021841846294"
RETWEET = "1786032896209846295"
POSKO = "1785988856017846283"
HOAX = "1786010246968246284"
DAMAI = "1785595010872246285"
NOTE = "1786050512286646303"
GONE = "1786999999999999999"
RETRIEVED = datetime(2024, 5, 3, 1, 2, 3, tzinfo=UTC)


def _records(name: str) -> list[RawRecord | RecordFailure]:
    return list(SOURCE.records(FIXTURES / name))


def _data(name: str) -> list[Any]:
    found = []
    for record in _records(name):
        assert isinstance(record, RawRecord), record
        found.append(record.data)
    return found


def _mapped(name: str, index: int = 0) -> Mapped:
    return SOURCE.map_item(_data(name)[index])


def _by_id(mapped: Mapped) -> dict[str, Post]:
    return {post.platform_id: post for post in mapped.posts}


# --- pages ------------------------------------------------------------------------------------


def test_page_with_data_list_maps_data_then_included_tweets() -> None:
    mapped = _mapped("search_pages.jsonl")
    assert [p.platform_id for p in mapped.posts] == [REPLY, QUOTE, RETWEET, POSKO, HOAX, DAMAI]
    assert {p.platform for p in mapped.posts} == {"x"}


def test_handles_and_urls_come_from_includes_users() -> None:
    posts = _by_id(_mapped("search_pages.jsonl"))
    assert posts[REPLY].author_handle == "relawan_jabar"
    assert posts[REPLY].author_id == "1400000001"
    assert posts[REPLY].url == f"https://x.com/i/web/status/{REPLY}"  # issue #10: no handle
    assert posts[POSKO].author_handle == "posko_cianjur"
    assert posts[HOAX].url == f"https://x.com/i/web/status/{HOAX}"


def test_referenced_tweets_link_to_the_included_posts() -> None:
    posts = _by_id(_mapped("search_pages.jsonl"))
    assert posts[REPLY].reply_to_id == POSKO
    assert posts[QUOTE].quote_of_id == HOAX
    assert posts[RETWEET].repost_of_id == DAMAI
    assert posts[RETWEET].text.startswith("RT @damai_id: Mari saling jaga.")
    assert posts[POSKO].reply_to_id is None
    assert posts[REPLY].conversation_id == POSKO


def test_fields_of_a_tweet() -> None:
    reply = _by_id(_mapped("search_pages.jsonl"))[REPLY]
    assert reply.created_at == datetime(2024, 5, 2, 13, 20, 5, tzinfo=UTC)
    assert reply.hashtags == ["GempaCianjur"]
    assert reply.mentions == ["posko_cianjur"]
    # the pic.x.com link of the tweet's own photo is media, not an outbound link
    assert reply.links == ["https://www.bmkg.go.id/gempabumi/gempabumi-dirasakan.bmkg"]
    assert reply.media_count == 2
    assert reply.fetched_at == RETRIEVED
    assert reply.language is None


def test_public_metrics_become_engagement() -> None:
    reply = _by_id(_mapped("search_pages.jsonl"))[REPLY]
    assert reply.engagement == {"likes": 40, "reposts": 12, "replies": 3, "quotes": 1,
                                "views": 1500}


def test_geo_from_place_and_point() -> None:
    posts = _by_id(_mapped("search_pages.jsonl"))
    assert posts[REPLY].geo == Geo(lat=-6.8168, lon=107.1397, place="Cianjur, Jawa Barat",
                                   country_code="ID")
    assert posts[QUOTE].geo is None


def test_raw_is_the_tweet_not_the_page() -> None:
    mapped = _mapped("search_pages.jsonl")
    for post in mapped.posts:
        assert post.raw is not None
        assert post.raw["id"] == post.platform_id
        assert "includes" not in post.raw and "data" not in post.raw


def test_errors_objects_become_platform_error_notices() -> None:
    page = _data("search_pages.jsonl")[0]
    mapped = SOURCE.map_item(page)
    assert [n.kind for n in mapped.notices] == [PLATFORM_ERROR]
    assert mapped.notices[0].detail == page["errors"][0]
    assert mapped.notices[0].detail["resource_id"] == GONE


def test_page_with_only_errors_gives_notices_and_no_posts() -> None:
    mapped = _mapped("errors_only.jsonl")
    assert mapped.posts == []
    assert [n.detail["title"] for n in mapped.notices] == ["Not Found Error",
                                                           "Authorization Error"]
    assert {n.kind for n in mapped.notices} == {PLATFORM_ERROR}


def test_errors_line_without_meta_is_still_a_page() -> None:
    error = {"title": "operational-disconnect", "detail": "Stream dropped; reconnect.",
             "type": "https://api.twitter.com/2/problems/operational-disconnect"}
    mapped = SOURCE.map_item({"errors": [error]})
    assert mapped.posts == []
    assert mapped.notices[0].detail == error


def test_data_as_a_single_object_in_a_pretty_printed_document() -> None:
    records = _records("lookup_single.json")
    assert len(records) == 1 and isinstance(records[0], RawRecord)
    assert records[0].location == "document"
    mapped = SOURCE.map_item(records[0].data)
    assert [p.platform_id for p in mapped.posts] == [NOTE]
    assert mapped.posts[0].fetched_at is None  # no __twarc in this file


def test_note_tweet_holds_the_long_text_and_its_entities() -> None:
    mapped = _mapped("search_pages.jsonl", 1)
    post = mapped.posts[0]
    assert post.platform_id == NOTE
    assert len(post.text) > 280
    assert post.text.endswith("#SiagaGempa #GempaCianjur")
    assert "…" not in post.text
    assert post.hashtags == ["SiagaGempa", "GempaCianjur"]
    assert post.engagement["likes"] == 777
    assert post.fetched_at == RETRIEVED


def test_a_tweet_in_both_data_and_includes_is_one_post() -> None:
    page = _data("search_pages.jsonl")[0]
    page["includes"]["tweets"].append(dict(page["data"][0]))
    mapped = SOURCE.map_item(page)
    assert [p.platform_id for p in mapped.posts].count(REPLY) == 1


# --- flattened and bare tweets ---------------------------------------------------------------


def test_flattened_reply_uses_inline_author_and_becomes_two_posts() -> None:
    mapped = _mapped("flattened.jsonl", 0)
    reply, original = mapped.posts
    assert (reply.platform_id, original.platform_id) == (REPLY, POSKO)
    assert reply.author_handle == "relawan_jabar"
    assert original.author_handle == "posko_cianjur"
    assert reply.reply_to_id == POSKO
    assert reply.geo == Geo(lat=-6.8168, lon=107.1397, place="Cianjur, Jawa Barat",
                            country_code="ID")
    assert reply.fetched_at == original.fetched_at == RETRIEVED
    assert original.raw is not None and "type" not in original.raw
    assert mapped.notices == []


def test_flattened_retweet_links_to_the_original() -> None:
    retweet, original = _mapped("flattened.jsonl", 1).posts
    assert retweet.repost_of_id == original.platform_id == DAMAI
    assert original.text.startswith("Mari saling jaga.")
    assert original.engagement["reposts"] == 1200


def test_flattened_reference_to_a_missing_tweet_keeps_only_the_id() -> None:
    mapped = _mapped("flattened.jsonl", 2)
    assert len(mapped.posts) == 1
    assert mapped.posts[0].quote_of_id == GONE


def test_bare_tweet_with_default_fields_takes_its_time_from_the_snowflake_id() -> None:
    post = _mapped("bare.jsonl", 0).posts[0]
    assert post.created_at == datetime(2024, 5, 3, 2, 30, tzinfo=UTC)
    assert post.url == f"https://x.com/i/web/status/{post.platform_id}"
    assert post.author_id is None and post.fetched_at is None


def test_json_array_of_tweets() -> None:
    records = _records("tweets_array.json")
    assert [r.location for r in records] == ["element 0", "element 1"]
    ids = [SOURCE.map_item(r.data).posts[0].platform_id for r in records
           if isinstance(r, RawRecord)]
    assert ids == [POSKO, HOAX]


def test_tweet_to_post_for_live_clients() -> None:
    tweet = {"id": "1786050512286646999", "text": "Posko tutup jam 10 malam.",
             "author_id": "7", "created_at": "2024-05-02T15:00:00.000Z"}
    post = tweet_to_post(tweet, users={"7": {"id": "7", "username": "posko_x"}})
    assert post.author_handle == "posko_x"
    assert post.url == "https://x.com/i/web/status/1786050512286646999"


# --- sniffing --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["search_pages.jsonl", "errors_only.jsonl", "flattened.jsonl",
                                  "bare.jsonl", "lookup_single.json", "tweets_array.json"])
def test_sniff_recognises_every_fixture(name: str) -> None:
    assert SOURCE.sniff(_data(name)[0])


@pytest.mark.parametrize("first", [
    {"id": "1", "content": "<p>Halo</p>", "account": {"acct": "budi"}},  # Mastodon status
    {"name": "Grup Warga", "type": "private_group", "id": 1, "messages": []},  # Telegram
    {"did": "did:plc:abc", "time_us": 1, "kind": "commit"},  # Bluesky Jetstream
    {"id": "1", "text": "tanpa penanda lain"},
    {"data": "bukan tweet"},
    [{"id": "1"}],
    "teks",
    None,
])
def test_sniff_rejects_other_formats(first: Any) -> None:
    assert not SOURCE.sniff(first)


# --- bad tweets ------------------------------------------------------------------------------


def test_bad_tweets_in_a_page_become_quarantine_notices() -> None:
    page = _data("bad_tweets.jsonl")[0]
    mapped = SOURCE.map_item(page)
    assert [p.text for p in mapped.posts] == [
        "Dapur umum di balai desa buka sampai jam sembilan malam. Silakan datang."]
    notices = [n for n in mapped.notices if n.kind == QUARANTINE]
    assert [(n.detail["reason"], n.detail["where"]) for n in notices] == [
        ("missing_id", "data[1]"), ("missing_text", "data[2]")]
    assert notices[0].detail["raw"] == page["data"][1]
    assert "no 'id'" in notices[0].detail["message"]
    orjson.dumps(notices[0].detail)  # the pipeline stores the raw tweet as JSON


@pytest.mark.parametrize(("index", "reason"), [(1, "missing_id"), (2, "missing_text")])
def test_a_bad_bare_tweet_raises(index: int, reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        _mapped("bad_tweets.jsonl", index)
    assert caught.value.reason == reason


def test_a_page_with_no_good_tweet_raises_for_the_whole_record() -> None:
    with pytest.raises(RecordError) as caught:
        _mapped("bad_tweets.jsonl", 3)
    assert caught.value.reason == "missing_id"
    assert caught.value.message.startswith("data[0]: ")
    assert "1 more bad tweets" in caught.value.message


def test_a_non_object_in_data_is_quarantined_next_to_good_tweets() -> None:
    good = {"id": "1786050512286646999", "text": "Aman.", "created_at": "2024-05-02T15:00:00Z"}
    mapped = SOURCE.map_item({"data": [good, "rusak"]})
    assert len(mapped.posts) == 1
    assert mapped.notices[0].detail["reason"] == "unmappable"
    assert mapped.notices[0].detail["raw"] == "rusak"


@pytest.mark.parametrize(("raw", "reason"), [
    ([1, 2], "unmappable"),
    ("teks", "unmappable"),
    ({"id": "99", "username": "budi", "name": "Budi"}, "unmappable"),  # a user, not a tweet
    ({"id": "1786050512286646999", "text": "x", "created_at": "kemarin"}, "bad_time"),
    ({"id": "12345", "text": "tanpa waktu"}, "bad_time"),
    ({"id": "", "text": "id kosong"}, "missing_id"),
    ({"id": "1786050512286646999", "text": "   "}, "missing_text"),
])
def test_unmappable_records(raw: Any, reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        SOURCE.map_item(raw)
    assert caught.value.reason == reason


def test_broken_line_fails_alone(tmp_path: Path) -> None:
    lines = (FIXTURES / "bare.jsonl").read_bytes().splitlines()
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(lines[0] + b"\n{\"id\": \"1\", \"text\": \n" + lines[1] + b"\n")
    records = list(SOURCE.records(path))
    assert [type(r).__name__ for r in records] == ["RawRecord", "RecordFailure", "RawRecord"]
    failure = records[1]
    assert isinstance(failure, RecordFailure)
    assert (failure.location, failure.reason) == ("line 2", "malformed_json")


def test_numeric_ids_and_odd_metrics_are_tolerated() -> None:
    tweet = {"id": 1786050512286646999, "text": "Angka", "author_id": 7,
             "public_metrics": {"like_count": 3, "retweet_count": None, "quote_count": True},
             "geo": {"coordinates": {"type": "Point", "coordinates": ["x", 1]}}}
    post = SOURCE.map_item(tweet).posts[0]
    assert (post.platform_id, post.author_id) == ("1786050512286646999", "7")
    assert post.engagement == {"likes": 3}
    assert post.geo is None
