"""Issue #13 part 5: ``damai serve`` polls the BMKG feeds only when DAMAI_BMKG_SERVE is on (off
by default: the demo never reaches the internet), and a new event's alert draft is then readable
through the API."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from damai.storage import open_store
from damai.web.app import create_app
from tests.integration.test_bmkg_poll import Feeds, feeds  # noqa: F401  (fixture)


@pytest.fixture
def quiet_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_SCHEDULER", "false")
    monkeypatch.setenv("DAMAI_BMKG_INTERVAL", "0.05")


def test_serve_does_not_poll_by_default(db_url: str, feeds: Feeds,  # noqa: F811
                                        monkeypatch: pytest.MonkeyPatch,
                                        quiet_app: None) -> None:
    monkeypatch.setenv("DAMAI_BMKG_FEEDS", feeds.url("autogempa.json"))
    with TestClient(create_app(db_url)) as client:
        assert client.get("/healthz").status_code == 200
    assert feeds.seen == []


def test_serve_polls_and_drafts_when_enabled(db_url: str, feeds: Feeds,  # noqa: F811
                                             monkeypatch: pytest.MonkeyPatch,
                                             quiet_app: None) -> None:
    monkeypatch.setenv("DAMAI_BMKG_SERVE", "true")
    monkeypatch.setenv("DAMAI_BMKG_FEEDS", feeds.url("autogempa.json"))
    seen = threading.Event()
    with TestClient(create_app(db_url)), open_store(db_url) as store:
        for _ in range(400):  # until the poller's first poll is stored (at most ~20 s)
            if store.alerts.has_alert(1):
                seen.set()
                break
            threading.Event().wait(0.05)
    assert seen.is_set() and feeds.seen
    with open_store(db_url) as store:
        (alert,) = store.alerts.for_event(1)
        assert alert.state == "in_review" and alert.created_by == "damai:alerts"
