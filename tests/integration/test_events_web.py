"""Issue #13: the events page and ``GET /api/v1/events`` show the stored events as the CLI
does, with BMKG's words unchanged, what could not be read, and a feed that stays down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from damai.sources.bmkg import parse_feed
from damai.storage import open_store
from tests.integration.test_api import Api, lite  # noqa: F401  (fixture)
from tests.integration.web_helpers import add_users, client_for, login

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bmkg"


def stock(db_url: str, *, down_since: datetime | None = None) -> None:
    with open_store(db_url) as store:
        now = datetime.now(UTC)
        for name in ("autogempa.json", "gempaterkini.json", "bad.json"):
            store.events.save(parse_feed((FIXTURES / name).read_bytes()), name, now)
        if down_since is not None:
            store.events.record_feed("http://127.0.0.1:9/autogempa.json", down_since,
                                     error="HTTP 503")


@pytest.fixture
def viewer(db_url: str) -> Iterator[object]:
    add_users(db_url)
    client = client_for(db_url)
    login(client, "viewer")
    yield client


def test_the_page_lists_events_with_bmkg_words_and_problems(db_url: str, viewer: object) -> None:
    stock(db_url)
    page = viewer.get("/events")  # type: ignore[attr-defined]
    assert page.status_code == 200
    html = page.text
    assert html.count('data-event="') == 6
    assert "Tidak berpotensi tsunami, namun masyarakat agar mewaspadai gempa susulan" in html
    assert "Magnitude: tidak terbaca / unreadable" in html  # what bad.json could not give
    assert "data-feed-down" not in html


def test_a_feed_down_past_the_stated_time_is_warned_of(db_url: str, viewer: object,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_BMKG_DOWN_MINUTES", "15")
    stock(db_url, down_since=datetime.now(UTC) - timedelta(minutes=10))
    assert "data-feed-down" not in viewer.get("/events").text  # type: ignore[attr-defined]
    stock(db_url, down_since=datetime.now(UTC) - timedelta(minutes=30))  # (keeps the first)
    assert "data-feed-down" not in viewer.get("/events").text  # type: ignore[attr-defined]
    monkeypatch.setenv("DAMAI_BMKG_DOWN_MINUTES", "5")
    html = viewer.get("/events").text  # type: ignore[attr-defined]
    assert 'data-feed-down="http://127.0.0.1:9/autogempa.json"' in html and "HTTP 503" in html


def test_the_empty_page_says_what_to_do(db_url: str, viewer: object) -> None:
    assert "damai bmkg poll" in viewer.get("/events").text  # type: ignore[attr-defined]


def test_the_api_lists_events(lite: Api) -> None:  # noqa: F811  (the fixture above)
    stock(lite.url, down_since=datetime.now(UTC) - timedelta(hours=2))
    body = lite.get("/events", params={"limit": 2}).json()
    assert [e["time"] for e in body["items"]] == ["2026-12-02T01:14:27+00:00",
                                                  "2026-12-01T17:40:05+00:00"]
    first = body["items"][0]
    assert first["felt"] == "III Sukabumi, III Cianjur, II Bogor" and first["reports"] == []
    assert first["feeds"] == ["autogempa.json", "gempaterkini.json"]
    (down,) = body["down"]
    assert down["last_error"] == "HTTP 503"
    assert lite.get("/events", params={"source": "cap"}).json()["items"] == []
    assert lite.get("/events", params={"limit": 0}).status_code == 422
