"""Live X source: tweepy against a fake API v2 on 127.0.0.1 (via RebasedSession)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from damai.errors import ConfigError, SourceError
from damai.live.watch import run_watch
from damai.live.x import EXPANSIONS, XSearchSource
from damai.storage import PostQuery, Store
from tests.integration.platform_servers import Reply, XServer, fast_policy, service_unavailable

pytestmark = pytest.mark.timeout(60)

SEARCH = "/2/tweets/search/recent"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAbearer-rahasia"


@pytest.fixture
def server() -> Iterator[XServer]:
    with XServer(token=TOKEN) as s:
        yield s


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def source(server: XServer, waits: list[float]) -> Iterator[XSearchSource]:
    s = XSearchSource("gempa lang:in", bearer_token=TOKEN, base_url=server.url,
                      policy=fast_policy(waits))
    yield s
    s.close()


def _searches(server: XServer) -> list[dict[str, str]]:
    return [seen.query for seen in server.requests_to(SEARCH)]


def test_recent_search_is_stored_and_since_id_resumes(server: XServer, source: XSearchSource,
                                                      store: Store) -> None:
    first = [server.add_tweet(f"Gempa terasa di Sukabumi {i} #gempa") for i in range(3)]
    server.add_tweet("Macet di tol Cipularang")

    report = run_watch([source], store, once=True)

    assert (report.received, report.stored, report.duplicates) == (3, 3, 0)
    query = _searches(server)[0]
    assert query["query"] == "gempa lang:in" and "since_id" not in query
    assert query["expansions"] == EXPANSIONS and "created_at" in query["tweet.fields"]
    assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert store.cursors.get(source.name) == first[-1]["id"]
    post = store.posts.get("x", first[0]["id"])
    assert post is not None and post.raw == first[0]
    assert post.author_key and post.author_handle is None and post.hashtags == ["gempa"]

    newer = server.add_tweet("Gempa susulan M4,1 #gempa")
    report = run_watch([source], store, once=True)

    assert _searches(server)[-1]["since_id"] == first[-1]["id"]
    assert (report.received, report.stored, report.duplicates) == (1, 1, 0)
    assert store.cursors.get(source.name) == newer["id"]
    assert store.posts.count(PostQuery(platform="x")) == 4


def test_pages_with_next_token_keeping_since_id(server: XServer, waits: list[float]) -> None:
    old = server.add_tweet("gempa lama")
    new = [server.add_tweet(f"gempa baru {i}") for i in range(25)]
    source = XSearchSource("gempa", bearer_token=TOKEN, base_url=server.url, page_size=10,
                           policy=fast_policy(waits))
    try:
        result = source.poll(old["id"])
    finally:
        source.close()
    searches = _searches(server)
    assert [s.get("next_token") for s in searches] == [None, "b26v89c19zqg8o3f10",
                                                       "b26v89c19zqg8o3f20"]
    assert all(s["since_id"] == old["id"] for s in searches)
    assert len(result.posts) == 25 and result.next_cursor == new[-1]["id"]
    assert not result.notices


def test_page_limit_leaves_a_gap_notice(server: XServer, waits: list[float]) -> None:
    old = server.add_tweet("gempa lama")
    for i in range(25):
        server.add_tweet(f"gempa baru {i}")
    source = XSearchSource("gempa", bearer_token=TOKEN, base_url=server.url, page_size=10,
                           max_pages=2, policy=fast_policy(waits))
    try:
        result = source.poll(old["id"])
    finally:
        source.close()
    assert len(result.posts) == 20 and [n.kind for n in result.notices] == ["gap"]


def test_rate_limit_waits_for_reset_then_recovers(server: XServer, source: XSearchSource,
                                                  waits: list[float], store: Store) -> None:
    server.add_tweet("Gempa terasa #gempa")
    server.fail(SEARCH, server.rate_limited(reset_in=40), service_unavailable())

    report = run_watch([source], store, once=True)

    assert report.stored == 1 and not report.errors
    assert 38 <= waits[0] <= 41  # x-rate-limit-reset
    assert waits[1] == 1.0  # 503 with Retry-After: 1


def test_exhausted_retries_raise_source_error(server: XServer, source: XSearchSource) -> None:
    server.fail(SEARCH, *[server.rate_limited()] * 3)
    with pytest.raises(SourceError) as caught:
        source.poll(None)
    assert caught.value.code == "E301" and "--interval" in caught.value.message

    server.fail(SEARCH, *[service_unavailable()] * 3)
    with pytest.raises(SourceError) as caught:
        source.poll(None)
    assert caught.value.code == "E302"


def test_bad_token_is_refused_and_never_logged(server: XServer, waits: list[float],
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "AAAAAAAAAAAAAAAAAAAAAtoken-yang-salah"
    source = XSearchSource("gempa", bearer_token=wrong, base_url=server.url,
                           policy=fast_policy(waits))
    try:
        with pytest.raises(SourceError) as caught:
            source.poll(None)
    finally:
        source.close()
    assert caught.value.code == "E303" and "DAMAI_X_BEARER_TOKEN" in caught.value.message
    assert wrong not in str(caught.value) and waits == []
    assert "Making API request" in caplog.text  # tweepy did log the request, redacted
    assert wrong not in caplog.text and "[redacted]" in caplog.text


def test_stale_since_id_starts_again_with_a_notice(waits: list[float], store: Store) -> None:
    with XServer(token=TOKEN, oldest_since_id=1851000000000000000) as server:
        fresh = server.add_tweet("Gempa hari ini")
        source = XSearchSource("gempa", bearer_token=TOKEN, base_url=server.url,
                               policy=fast_policy(waits))
        try:
            result = source.poll("1800000000000000000")
        finally:
            source.close()
    assert [n.kind for n in result.notices] == ["cursor_reset"]
    assert [p.platform_id for p in result.posts] == [fresh["id"]]
    assert result.next_cursor == fresh["id"]
    assert [s.query.get("since_id") for s in server.seen] == ["1800000000000000000", None]


def test_empty_result_keeps_the_cursor(server: XServer, source: XSearchSource) -> None:
    result = source.poll("1852000000000001000")
    assert result.posts == [] and result.next_cursor == "1852000000000001000"


def test_missing_token_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="DAMAI_X_BEARER_TOKEN"):
        XSearchSource("gempa", bearer_token="")


def test_platform_errors_in_a_page_become_notices(server: XServer, source: XSearchSource,
                                                  store: Store) -> None:
    server.add_tweet("Gempa terasa #gempa")
    original = server._search

    def with_errors(query: dict[str, str]) -> Reply:
        reply = original(query)
        reply.body["errors"] = [{"value": "123", "detail": "Could not find tweet with "
                                 "referenced_tweets.id: [123].", "title": "Not Found Error",
                                 "resource_type": "tweet", "parameter": "referenced_tweets.id",
                                 "resource_id": "123",
                                 "type": "https://api.twitter.com/2/problems/resource-not-found"}]
        return reply

    server._search = with_errors  # type: ignore[method-assign]
    report = run_watch([source], store, once=True)
    assert report.stored == 1 and report.notices == 1


def test_a_stalled_answer_times_out_and_is_retried(server: XServer, waits: list[float]) -> None:
    server.add_tweet("Gempa terasa #gempa")
    server.fail(SEARCH, Reply(200, {"meta": {"result_count": 0}}, delay=1.5))
    source = XSearchSource("gempa", bearer_token=TOKEN, base_url=server.url, timeout=0.3,
                           policy=fast_policy(waits))
    try:
        result = source.poll(None)
    finally:
        source.close()
    assert len(result.posts) == 1 and waits == [0.5]
