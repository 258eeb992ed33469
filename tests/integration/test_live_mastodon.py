"""Live Mastodon source: Mastodon.py against a fake instance on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from damai.errors import SourceError
from damai.identity import mastodon_key
from damai.live.mastodon import MastodonTimelineSource
from damai.live.watch import run_watch
from damai.storage import PostQuery, Store
from tests.integration.platform_servers import (
    MastodonServer,
    bad_gateway,
    fast_policy,
    service_unavailable,
)

pytestmark = pytest.mark.timeout(60)

TAG_PATH = "/api/v1/timelines/tag/gempa"


@pytest.fixture
def server() -> Iterator[MastodonServer]:
    with MastodonServer() as s:
        yield s


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def source(server: MastodonServer, waits: list[float]) -> Iterator[MastodonTimelineSource]:
    s = MastodonTimelineSource(server.url, tag="gempa", policy=fast_policy(waits))
    yield s
    s.close()


def _timeline_calls(server: MastodonServer, path: str = TAG_PATH) -> list[dict[str, str]]:
    return [seen.query for seen in server.requests_to(path)]


def test_hashtag_posts_are_stored_and_cursor_resumes(server: MastodonServer,
                                                     source: MastodonTimelineSource,
                                                     store: Store) -> None:
    first = [server.add_status(f"Gempa terasa di Cianjur, laporan {i}.", tags=("gempa",))
             for i in range(3)]
    server.add_status("Selamat pagi semua.", tags=("pagi",))

    report = run_watch([source], store, once=True)

    assert (report.received, report.stored, report.duplicates) == (3, 3, 0)
    assert store.cursors.get(source.name) == first[-1]["id"]
    assert "since_id" not in _timeline_calls(server)[0]
    post = store.posts.get("mastodon", mastodon_key(first[0]["uri"]))
    assert post is not None
    assert post.text.startswith("Gempa terasa di Cianjur, laporan 0.")
    assert post.raw == first[0]  # the exact JSON the instance sent
    assert post.author_key and post.author_handle is None  # pseudonymised like ingest
    assert post.fetched_at is not None

    newer = [server.add_status(f"Gempa susulan {i}.", tags=("gempa",)) for i in range(2)]
    report = run_watch([source], store, once=True)

    assert _timeline_calls(server)[-1]["since_id"] == first[-1]["id"]
    assert (report.received, report.stored, report.duplicates) == (2, 2, 0)
    assert store.cursors.get(source.name) == newer[-1]["id"]
    assert store.posts.count(PostQuery(platform="mastodon")) == 5

    report = run_watch([source], store, once=True)
    assert (report.received, report.stored) == (0, 0)
    assert store.cursors.get(source.name) == newer[-1]["id"]


def test_pages_back_with_max_id_until_empty(server: MastodonServer, waits: list[float]) -> None:
    old = server.add_status("Gempa kemarin.", tags=("gempa",))
    new = [server.add_status(f"Gempa hari ini {i}.", tags=("gempa",)) for i in range(5)]
    source = MastodonTimelineSource(server.url, tag="gempa", page_size=2,
                                    policy=fast_policy(waits))
    try:
        result = source.poll(old["id"])
    finally:
        source.close()

    calls = _timeline_calls(server)
    assert all(c["since_id"] == old["id"] and c["limit"] == "2" for c in calls)
    assert [c.get("max_id") for c in calls] == [None, new[3]["id"], new[1]["id"], new[0]["id"]]
    keys = sorted(mastodon_key(s["uri"]) for s in new)
    assert sorted(p.platform_id for p in result.posts) == keys
    assert result.next_cursor == new[-1]["id"]
    assert not result.notices


def test_page_limit_leaves_a_gap_notice(server: MastodonServer, waits: list[float]) -> None:
    old = server.add_status("Gempa kemarin.", tags=("gempa",))
    for i in range(5):
        server.add_status(f"Gempa hari ini {i}.", tags=("gempa",))
    source = MastodonTimelineSource(server.url, tag="gempa", page_size=2, max_pages=2,
                                    policy=fast_policy(waits))
    try:
        result = source.poll(old["id"])
    finally:
        source.close()
    assert len(result.posts) == 4
    assert [n.kind for n in result.notices] == ["gap"]


def test_public_timeline(server: MastodonServer, waits: list[float], store: Store) -> None:
    server.add_status("Damai itu indah.", tags=("damai",))
    server.add_status("Tanpa tagar.")
    source = MastodonTimelineSource(server.url, policy=fast_policy(waits))
    try:
        report = run_watch([source], store, once=True)
    finally:
        source.close()
    assert source.name == f"mastodon:public@{server.url}"
    assert report.stored == 2
    assert server.requests_to("/api/v1/timelines/public")


def test_server_errors_are_retried(server: MastodonServer, source: MastodonTimelineSource,
                                   waits: list[float], store: Store) -> None:
    server.add_status("Gempa terasa.", tags=("gempa",))
    server.fail(TAG_PATH, service_unavailable(), bad_gateway())

    report = run_watch([source], store, once=True)

    assert report.stored == 1 and not report.errors
    assert len(_timeline_calls(server)) == 3
    assert waits == [1.0, 1.0]  # Retry-After: 1 beats the 0.5 s backoff; the 502 backs off 1.0


def test_rate_limit_waits_until_reset(server: MastodonServer, source: MastodonTimelineSource,
                                      waits: list[float], store: Store) -> None:
    server.add_status("Gempa terasa.", tags=("gempa",))
    server.fail(TAG_PATH, server.rate_limited(reset_in=30))

    report = run_watch([source], store, once=True)

    assert report.stored == 1
    assert len(waits) == 1 and 25 <= waits[0] <= 31  # what X-RateLimit-Reset said, not a guess


def test_exhausted_retries_raise_source_error(server: MastodonServer,
                                              source: MastodonTimelineSource,
                                              store: Store) -> None:
    server.add_status("Gempa terasa.", tags=("gempa",))
    server.fail(TAG_PATH, *[service_unavailable()] * 3)

    with pytest.raises(SourceError) as caught:
        source.poll(None)
    assert caught.value.code == "E302"
    assert source.name in caught.value.message and "after 3 attempts" in caught.value.message
    assert "damai watch" in caught.value.message

    server.fail(TAG_PATH, *[service_unavailable()] * 3)
    report = run_watch([source], store, once=True)
    assert report.errors and report.errors[0][0] == source.name
    assert store.cursors.get(source.name) is None and report.stored == 0


def test_rate_limit_exhausted(server: MastodonServer, source: MastodonTimelineSource) -> None:
    server.fail(TAG_PATH, *[server.rate_limited()] * 3)
    with pytest.raises(SourceError) as caught:
        source.poll(None)
    assert caught.value.code == "E301" and "rate limited" in caught.value.message


def test_access_token_is_sent_and_a_bad_one_is_explained(waits: list[float]) -> None:
    with MastodonServer(token="rahasia-token-benar") as server:
        server.add_status("Gempa terasa.", tags=("gempa",))
        good = MastodonTimelineSource(server.url, tag="gempa", access_token="rahasia-token-benar",
                                      policy=fast_policy(waits))
        bad = MastodonTimelineSource(server.url, tag="gempa", access_token="token-salah",
                                     policy=fast_policy(waits))
        try:
            assert len(good.poll(None).posts) == 1
            with pytest.raises(SourceError) as caught:
                bad.poll(None)
        finally:
            good.close()
            bad.close()
    assert server.seen[-1].headers["authorization"] == "Bearer token-salah"
    assert caught.value.code == "E303"
    assert "DAMAI_MASTODON_ACCESS_TOKEN" in caught.value.message
    assert "token-salah" not in str(caught.value)
    assert waits == []  # a refusal is not retried


def test_closed_public_feed_becomes_a_notice(waits: list[float]) -> None:
    with MastodonServer(public_feed="authenticated") as server:
        server.add_status("Damai itu indah.")
        source = MastodonTimelineSource(server.url, policy=fast_policy(waits))
        try:
            result = source.poll(None)
        finally:
            source.close()
    assert [n.kind for n in result.notices] == ["platform_warning"]
    assert "unavailable" in result.notices[0].detail["message"]


def test_unreachable_instance(waits: list[float]) -> None:
    server = MastodonServer()
    url = server.url
    server.close()
    source = MastodonTimelineSource(url, tag="gempa", policy=fast_policy(waits), timeout=5)
    try:
        with pytest.raises(SourceError) as caught:
            source.poll(None)
    finally:
        source.close()
    assert caught.value.code == "E302" and "no answer" in caught.value.message
    assert waits == [0.5, 1.0]
