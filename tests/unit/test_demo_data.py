"""The bundled demo data set: present, valid in its platforms' formats, complete, reproducible."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest

from damai.demo.texts import TEXTS, THEMES

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "damai" / "demo" / "data"
TWITTER = DATA / "twitter_v2.jsonl"
MASTODON = DATA / "mastodon_statuses.json"
TELEGRAM = DATA / "telegram_result.json"
NOVEMBER_2026 = re.compile(r"^2026-11-(0[1-9]|1[0-4])T\d\d:\d\d:\d\d\.000Z$")


def _build_module() -> ModuleType:
    """``scripts/build_demo.py``, imported from its path (scripts/ is not a package)."""
    name = "damai_scripts_build_demo"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "build_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _pages() -> list[dict[str, Any]]:
    return [json.loads(line) for line in TWITTER.read_text(encoding="utf-8").splitlines()]


def _statuses() -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], json.loads(MASTODON.read_text(encoding="utf-8")))


def _channel() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(TELEGRAM.read_text(encoding="utf-8")))


class _Text(HTMLParser):
    """Mastodon status HTML back to the text a person typed."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.current.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.paragraphs.append("".join(self.current))
            self.current = []

    def handle_data(self, data: str) -> None:
        self.current.append(data)


def _mastodon_text(status: dict[str, Any]) -> str:
    parser = _Text()
    parser.feed(status["content"])
    parser.close()
    return "\n\n".join(parser.paragraphs)


def _strip_reply(text: str, is_reply: bool) -> str:
    return re.sub(r"^@\w+ ", "", text, count=1) if is_reply else text


def test_files_exist_and_parse() -> None:
    for path in (TWITTER, MASTODON, TELEGRAM):
        assert path.is_file(), path
    assert all(isinstance(page, dict) for page in _pages())
    assert isinstance(_statuses(), list)
    assert isinstance(_channel(), dict)


def test_texts_are_many_distinct_and_cover_every_theme() -> None:
    assert len({text for _, text in TEXTS}) >= 300
    assert len(TEXTS) == len({text for _, text in TEXTS}), "duplicate texts"
    counts = Counter(theme for theme, _ in TEXTS)
    assert set(counts) == set(THEMES)
    for theme in THEMES:
        assert counts[theme] >= 35, theme


def test_every_text_is_posted_exactly_once() -> None:
    posted: list[str] = []
    for page in _pages():
        for tweet in page["data"]:
            kinds = [ref["type"] for ref in tweet.get("referenced_tweets", [])]
            if "retweeted" in kinds:
                continue
            text = tweet["text"]
            for url in sorted(tweet.get("entities", {}).get("urls", []),
                              key=lambda u: u["start"], reverse=True):
                text = text[:url["start"]] + url["expanded_url"] + text[url["end"]:]
            posted.append(_strip_reply(text, "replied_to" in kinds))
    for status in _statuses():
        posted.append(_strip_reply(_mastodon_text(status), status["in_reply_to_id"] is not None))
    for message in _channel()["messages"]:
        if message["type"] == "message":
            text = message["text"]
            posted.append(text if isinstance(text, str) else "".join(
                part if isinstance(part, str) else part["text"] for part in text))
    assert len(posted) >= 300
    assert Counter(posted) == Counter(text for _, text in TEXTS)


def test_twitter_pages_are_valid_api_v2_responses() -> None:
    pages = _pages()
    total = sum(len(page["data"]) for page in pages)
    seen: set[str] = set()
    for number, page in enumerate(pages):
        data = page["data"]
        assert 0 < len(data) <= 20
        meta = page["meta"]
        assert meta["result_count"] == len(data)
        assert meta["newest_id"] == data[0]["id"] and meta["oldest_id"] == data[-1]["id"]
        assert ("next_token" in meta) == (number < len(pages) - 1)
        users = {user["id"]: user for user in page["includes"]["users"]}
        included = {tweet["id"]: tweet for tweet in page["includes"].get("tweets", [])}
        places = {place["id"]: place for place in page["includes"].get("places", [])}
        for place in places.values():
            assert place["country_code"] == "ID"
            assert place["full_name"] == f"{place['name']}, Indonesia"
        for tweet in [*data, *included.values()]:
            assert re.fullmatch(r"\d{19}", tweet["id"])
            assert NOVEMBER_2026.match(tweet["created_at"])
            assert tweet["author_id"] in users
            assert tweet["edit_history_tweet_ids"] == [tweet["id"]]
            assert set(tweet["public_metrics"]) >= {"retweet_count", "reply_count",
                                                    "like_count", "quote_count"}
            for ref in tweet.get("referenced_tweets", []):
                assert ref["type"] in ("replied_to", "quoted", "retweeted")
                assert ref["id"] in included
                assert included[ref["id"]]["created_at"] <= tweet["created_at"]
            if "in_reply_to_user_id" in tweet:
                assert tweet["in_reply_to_user_id"] in users
            if "geo" in tweet:
                assert tweet["geo"]["place_id"] in places
            text = tweet["text"]
            entities = tweet.get("entities", {})
            for tag in entities.get("hashtags", []):
                assert text[tag["start"]:tag["end"]] == "#" + tag["tag"]
            for mention in entities.get("mentions", []):
                assert text[mention["start"]:mention["end"]] == "@" + mention["username"]
                assert users[mention["id"]]["username"] == mention["username"]
            for url in entities.get("urls", []):
                assert text[url["start"]:url["end"]] == url["url"]
                assert url["url"].startswith("https://t.co/")
        for tweet in data:
            assert tweet["id"] not in seen
            seen.add(tweet["id"])
        ids = [int(tweet["id"]) for tweet in data]
        assert ids == sorted(ids, reverse=True), "a page lists the newest tweet first"
    assert total == len(seen)


def test_mastodon_statuses_are_valid_entities() -> None:
    statuses = _statuses()
    ids = {status["id"] for status in statuses}
    for status in statuses:
        assert re.fullmatch(r"\d{18}", status["id"])
        assert NOVEMBER_2026.match(status["created_at"])
        assert status["visibility"] == "public"
        assert status["spoiler_text"] == "" and status["sensitive"] is False
        assert status["content"].startswith("<p>") and status["content"].endswith("</p>")
        account = status["account"]
        assert {"id", "username", "acct", "display_name", "url"} <= set(account)
        assert status["url"].startswith(account["url"] + "/")
        if status["in_reply_to_id"] is not None:
            assert status["in_reply_to_id"] in ids
            assert status["in_reply_to_account_id"] is not None
        for tag in status["tags"]:
            assert tag["name"] == tag["name"].lower()
            assert 'class="mention hashtag" rel="tag"' in status["content"]
        for mention in status["mentions"]:
            assert f'href="{mention["url"]}" class="u-url mention"' in status["content"]
        for key in ("favourites_count", "reblogs_count", "replies_count"):
            assert isinstance(status[key], int) and status[key] >= 0


def test_telegram_export_is_a_public_channel() -> None:
    channel = _channel()
    assert channel["type"] == "public_channel"
    assert isinstance(channel["id"], int) and channel["name"]
    messages = channel["messages"]
    ids = [message["id"] for message in messages]
    assert ids == sorted(set(ids))
    assert sum(1 for message in messages if message["type"] == "service") == 2
    for message in messages:
        assert str(int(message["date_unixtime"])) == message["date_unixtime"]
        flat = message["text"] if isinstance(message["text"], str) else "".join(
            part if isinstance(part, str) else part["text"] for part in message["text"])
        assert "".join(entity["text"] for entity in message["text_entities"]) == flat
        if message["type"] == "message":
            assert message["from_id"] == f"channel{channel['id']}"
            assert flat
            if not isinstance(message["text"], str):
                kinds = {part["type"] for part in message["text"] if isinstance(part, dict)}
                assert kinds <= {"hashtag", "mention", "link"}
            if "reply_to_message_id" in message:
                assert message["reply_to_message_id"] in ids


def test_build_is_byte_identical(tmp_path: Path) -> None:
    build = cast(Callable[[Path], dict[str, int]], _build_module().build)
    counts = build(tmp_path / "a")
    build(tmp_path / "b")
    for name in ("twitter_v2.jsonl", "mastodon_statuses.json", "telegram_result.json"):
        fresh = (tmp_path / "a" / name).read_bytes()
        assert fresh == (tmp_path / "b" / name).read_bytes(), name
        assert fresh == (DATA / name).read_bytes(), f"{name} is stale: run scripts/build_demo.py"
    assert sum(counts.values()) >= 300


@pytest.mark.parametrize("share", [("twitter_v2.jsonl", 0.40, 0.50),
                                   ("mastodon_statuses.json", 0.25, 0.35),
                                   ("telegram_result.json", 0.20, 0.30)])
def test_texts_are_split_roughly_45_30_25(share: tuple[str, float, float]) -> None:
    name, low, high = share
    if name == "twitter_v2.jsonl":
        count = sum(1 for page in _pages() for tweet in page["data"]
                    if all(r["type"] != "retweeted" for r in tweet.get("referenced_tweets", [])))
    elif name == "mastodon_statuses.json":
        count = len(_statuses())
    else:
        count = sum(1 for m in _channel()["messages"] if m["type"] == "message")
    assert low <= count / len(TEXTS) <= high
