"""Live Bluesky source: the atproto SDK against a fake AppView/PDS on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from damai.errors import SourceError
from damai.live.bluesky import BlueskySearchSource
from damai.live.watch import run_watch
from damai.storage import PostQuery, Store
from tests.integration.platform_servers import (
    BlueskyServer,
    Reply,
    bad_gateway,
    fast_policy,
    service_unavailable,
)

pytestmark = pytest.mark.timeout(60)

SEARCH = "/xrpc/app.bsky.feed.searchPosts"


@pytest.fixture
def server() -> Iterator[BlueskyServer]:
    with BlueskyServer() as s:
        yield s


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def source(server: BlueskyServer, waits: list[float]) -> Iterator[BlueskySearchSource]:
    s = BlueskySearchSource("banjir", base_url=server.url, policy=fast_policy(waits))
    yield s
    s.close()


def _searches(server: BlueskyServer) -> list[dict[str, str]]:
    return [seen.query for seen in server.requests_to(SEARCH)]


def test_search_posts_are_stored_and_cursor_resumes(server: BlueskyServer,
                                                    source: BlueskySearchSource,
                                                    store: Store) -> None:
    first = [server.add_post(f"Banjir setinggi lutut di Kemang, laporan {i} #banjir",
                             minutes=10 * i, tags=("banjir",)) for i in range(3)]
    server.add_post("Cuaca cerah di Bandung", minutes=25)

    report = run_watch([source], store, once=True)

    assert (report.received, report.stored, report.duplicates) == (3, 3, 0)
    assert _searches(server)[0] == {"q": "banjir", "sort": "latest", "limit": "100"}
    cursor = store.cursors.get(source.name)
    assert cursor == "2026-11-01T08:19:00.000Z"  # newest sortAt (08:20) minus the 60 s overlap
    post = store.posts.get("bluesky", first[0]["uri"])
    assert post is not None and post.raw == first[0]  # the JSON as received, no added $type
    assert post.hashtags == ["banjir"] and post.author_key and post.author_handle is None

    newer = server.add_post("Banjir surut, warga kembali ke rumah", minutes=40)
    report = run_watch([source], store, once=True)

    assert _searches(server)[-1]["since"] == cursor
    # the newest old post is inside the overlap window: fetched again, counted as a duplicate
    assert (report.received, report.stored, report.duplicates) == (2, 1, 1)
    assert store.posts.get("bluesky", newer["uri"]) is not None
    assert store.posts.count(PostQuery(platform="bluesky")) == 4
    assert store.cursors.get(source.name) == "2026-11-01T08:39:00.000Z"


def test_pages_with_the_cursor_until_the_end(server: BlueskyServer, waits: list[float]) -> None:
    for i in range(5):
        server.add_post(f"Banjir di RW {i}", minutes=i + 10)
    source = BlueskySearchSource("banjir", base_url=server.url, page_size=2,
                                 policy=fast_policy(waits))
    try:
        result = source.poll("2026-11-01T08:00:00.000Z")
    finally:
        source.close()
    searches = _searches(server)
    assert [s.get("cursor") for s in searches] == [None, "2", "4"]
    assert all(s["since"] == "2026-11-01T08:00:00.000Z" for s in searches)
    assert len(result.posts) == 5 and not result.notices


def test_page_limit_leaves_a_gap_notice(server: BlueskyServer, waits: list[float]) -> None:
    for i in range(5):
        server.add_post(f"Banjir di RW {i}", minutes=i + 10)
    source = BlueskySearchSource("banjir", base_url=server.url, page_size=2, max_pages=2,
                                 policy=fast_policy(waits))
    try:
        result = source.poll("2026-11-01T08:00:00.000Z")
    finally:
        source.close()
    assert len(result.posts) == 4 and [n.kind for n in result.notices] == ["gap"]


def test_rate_limit_and_server_errors_are_recovered(server: BlueskyServer,
                                                    source: BlueskySearchSource,
                                                    waits: list[float], store: Store) -> None:
    server.add_post("Banjir di Kemang", minutes=1)
    server.fail(SEARCH, server.rate_limited(reset_in=20), bad_gateway())

    report = run_watch([source], store, once=True)

    assert report.stored == 1 and not report.errors
    assert len(_searches(server)) == 3
    assert 18 <= waits[0] <= 21  # ratelimit-reset, an epoch time
    assert waits[1] == 1.0  # 502: backoff


def test_exhausted_retries_raise_source_error(server: BlueskyServer,
                                              source: BlueskySearchSource) -> None:
    server.fail(SEARCH, *[service_unavailable()] * 3)
    with pytest.raises(SourceError) as caught:
        source.poll(None)
    assert caught.value.code == "E302" and source.name in caught.value.message


def test_search_refused_without_login_says_how_to_log_in(waits: list[float]) -> None:
    with BlueskyServer(account=("relawan.bsky.social", "app-pass-1234"),
                       require_auth=True) as server:
        source = BlueskySearchSource("banjir", base_url=server.url, policy=fast_policy(waits))
        try:
            with pytest.raises(SourceError) as caught:
                source.poll(None)
        finally:
            source.close()
    assert caught.value.code == "E303"
    assert "DAMAI_BLUESKY_HANDLE" in caught.value.message and waits == []


def test_login_once_then_search_with_the_session(waits: list[float],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    password = "app-pass-rahasia-5678"
    with BlueskyServer(account=("relawan.bsky.social", password), require_auth=True) as server:
        server.add_post("Banjir di Kemang", minutes=1)
        source = BlueskySearchSource("banjir", base_url=server.url, handle="relawan.bsky.social",
                                     password=password, policy=fast_policy(waits))
        try:
            assert len(source.poll(None).posts) == 1
            assert len(source.poll(None).posts) == 1
        finally:
            source.close()
        sessions = server.requests_to("/xrpc/com.atproto.server.createSession")
        assert len(sessions) == 1
        assert sessions[0].json() == {"identifier": "relawan.bsky.social", "password": password}
        assert all(s.headers["authorization"] == f"Bearer {server.access_jwt}"
                   for s in server.requests_to(SEARCH))
    assert password not in caplog.text


def test_wrong_password_is_explained(waits: list[float]) -> None:
    with BlueskyServer(account=("relawan.bsky.social", "benar")) as server:
        source = BlueskySearchSource("banjir", base_url=server.url, handle="relawan.bsky.social",
                                     password="salah-sekali", policy=fast_policy(waits))
        try:
            with pytest.raises(SourceError) as caught:
                source.poll(None)
        finally:
            source.close()
    assert caught.value.code == "E303" and "login failed" in caught.value.message
    assert "DAMAI_BLUESKY_PASSWORD" in caught.value.message
    assert "salah-sekali" not in str(caught.value)


def test_a_bad_post_view_is_quarantined_and_the_rest_stored(server: BlueskyServer,
                                                            source: BlueskySearchSource,
                                                            store: Store) -> None:
    good = server.add_post("Banjir di Kemang", minutes=1)
    bad = server.add_post("Banjir di Cawang", minutes=2)
    bad["record"] = "Banjir di Cawang"  # not a record object: cannot be mapped
    report = run_watch([source], store, once=True)
    assert (report.received, report.stored, report.quarantined) == (2, 1, 1)
    assert report.balanced
    entry = store.quarantine.entries()[0]
    assert entry.path == source.name and entry.format == "bluesky"
    assert store.posts.get("bluesky", good["uri"]) is not None


def test_non_json_answer_is_retried(server: BlueskyServer, source: BlueskySearchSource,
                                    waits: list[float]) -> None:
    server.add_post("Banjir di Kemang", minutes=1)
    server.fail(SEARCH, Reply(200, b"<html>maintenance</html>"))
    assert len(source.poll(None).posts) == 1 and waits == [0.5]
