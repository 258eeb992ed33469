"""Issue #10: the API answers unchecked input with 400/404/413 in its error shape, never 500;
deeply nested bodies are quarantined, not fatal; ``/classify`` has a character limit."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from damai.export import export_posts
from damai.records import Post
from damai.storage import open_store
from damai.web.security import SECURITY_HEADERS
from tests.conftest import page, tweet
from tests.integration.test_api import Api, api, assert_error, ingest, lite, open_api
from tests.integration.test_jobs import finished

__all__ = ["api", "lite"]  # the fixtures, shared with test_api


def forged_cursor(when: str, row: int, filters: tuple[Any, ...] = (None,) * 9) -> str:
    """A cursor as a client could forge it: the filter digest needs no secret."""
    digest = hashlib.sha256(orjson.dumps(filters)).hexdigest()[:16]
    payload = orjson.dumps({"v": 1, "t": when, "i": row, "f": digest})
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


#: query strings that answered 500 before issue #10, and the error each gets now
BAD_QUERIES: list[tuple[dict[str, str], int, str]] = [
    ({"since": "9999-12-31T23:59:59-05:00"}, 400, "invalid_time"),
    ({"until": "9999-12-31T23:59:59-05:00"}, 400, "invalid_time"),
    ({"cursor": forged_cursor("2026-11-01T08:00:00.000000Z", 2**64 - 1)}, 400, "invalid_cursor"),
    ({"cursor": forged_cursor("2026-11-01T08:00:00.000000Z", 2**63)}, 400, "invalid_cursor"),
    ({"cursor": forged_cursor("9999-12-31T23:59:59-05:00", 5)}, 400, "invalid_cursor"),
    ({"q": "banjir\x00"}, 400, "invalid_parameter"),
    ({"platform": "\x00"}, 400, "invalid_parameter"),
]


@pytest.mark.parametrize(("params", "status", "code"), BAD_QUERIES)
def test_unchecked_query_values_are_client_errors(api: Api, params: dict[str, str], status: int,
                                                  code: str) -> None:
    response = api.get("/posts", params=params)
    assert_error(response, status, code)
    assert all(response.headers[k] == v for k, v in SECURITY_HEADERS.items())


@pytest.mark.parametrize("post_id", ["twitter:99999999999999999999", "x:%00",
                                     "99999999999999999999"])
def test_odd_post_ids_are_404_or_400(api: Api, post_id: str) -> None:
    response = api.get(f"/posts/{post_id}")
    assert response.status_code in (400, 404), response.text
    assert_error(response, response.status_code,
                 "not_found" if response.status_code == 404 else "invalid_parameter")


def test_api_answers_are_not_cached(lite: Api) -> None:
    for path in ("/posts", "/stats", "/openapi.json"):
        assert lite.get(path).headers["cache-control"] == "no-store"


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("depth", [2000, 32_000, 100_000])
def test_a_deeply_nested_body_is_quarantined_not_fatal(api: Api, depth: int) -> None:
    """4 KB of nesting was a 500 that lost the record; 64 KB took 2.8 GB; 200 KB, 23 GB."""
    response = ingest(api, nested(depth), "application/json")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["received"], report["stored"], report["quarantined"]) == (1, 0, 1)
    assert report["failures"][0]["reason"] == "too_deep"
    assert "DAMAI_MAX_JSON_DEPTH" in report["failures"][0]["message"]


def test_a_deep_line_among_good_ones_is_quarantined_alone(lite: Api) -> None:
    body = (orjson.dumps(page([tweet(1)])) + b"\n" + nested(5000) + b"\n"
            + orjson.dumps(page([tweet(2)])) + b"\n")
    report = ingest(lite, body, "application/x-ndjson").json()
    assert (report["received"], report["stored"], report["quarantined"]) == (3, 2, 1)
    assert [f["reason"] for f in report["failures"]] == ["too_deep"]


@pytest.fixture
def small_classify(monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[Api]:
    monkeypatch.setenv("DAMAI_API_MAX_CLASSIFY_CHARS", "1000")
    yield from open_api(db_url)


def test_classify_limits_the_total_characters(small_classify: Api) -> None:
    ok = small_classify.post("/classify", json={"texts": ["banjir " * 70, "gempa " * 60]})
    assert ok.status_code == 200, ok.text
    error = assert_error(small_classify.post("/classify", json={"texts": ["a" * 600] * 2}),
                         413, "too_many_characters")
    assert error["detail"] == {"limit_chars": 1000, "chars": 1200}
    assert "DAMAI_API_MAX_CLASSIFY_CHARS" in error["message"]


def test_ingest_of_nul_bytes_and_overflowing_times_never_fails(api: Api) -> None:
    tweets = [tweet(1, "NUL\x00 di teks"), tweet(2, created_at="9999-12-31T23:59:59-05:00"),
              tweet(3, "biasa saja")]
    response = ingest(api, orjson.dumps(page(tweets)), "application/json")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["received"] == report["stored"] + report["duplicates"] + report["quarantined"]
    assert report["stored"] >= 1, report


def test_an_oversized_field_is_quarantined(lite: Api) -> None:
    body = orjson.dumps(page([tweet(1, "x" * 2_000_000)]))  # over DAMAI_MAX_LINE_BYTES
    response = ingest(lite, body, "application/x-ndjson")
    assert response.status_code == 202  # over DAMAI_API_SYNC_INGEST_BYTES: a job
    report = finished(lite, response.json()["status_url"])
    assert (report["received"], report["stored"], report["quarantined"]) == (1, 0, 1)


def test_a_csv_error_does_not_name_the_server_temporary_file(lite: Api) -> None:
    error = assert_error(ingest(lite, b"id,text\n1,halo\n", "text/csv"), 400, "invalid_input")
    assert "damai-api-" not in error["message"] and "/tmp" not in error["message"]
    assert "request body" in error["message"]


def test_rows_stored_before_the_fix_show_no_handle(lite: Api) -> None:
    """A row written by the old mappers (not yet migrated) must not show its author's name."""
    when = datetime(2026, 11, 1, tzinfo=UTC)
    old = Post(platform="x", platform_id="777", text="lama", created_at=when,
               url="https://x.com/warga_rahasia/status/777")
    kept = Post(platform="x", platform_id="778", text="resmi", created_at=when,
                url="https://x.com/humas_damai/status/778", author_handle="humas_damai")
    store = open_store(lite.url)
    store.posts.write_batch([old, kept], [], [])
    stored = [store.posts.get("x", "777"), store.posts.get("x", "778")]
    store.close()
    assert lite.get("/posts/x:777").json()["url"] == "https://x.com/i/web/status/777"
    assert lite.get("/posts/x:778").json()["url"] == "https://x.com/humas_damai/status/778"
    for fmt in ("csv", "jsonl"):
        out = io.BytesIO()
        export_posts([p for p in stored if p], fmt, out)
        assert b"warga_rahasia" not in out.getvalue() and b"humas_damai" in out.getvalue()
