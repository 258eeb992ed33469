"""The one ingest pipeline (issue #10): what the API's ingest shares with files and live sources.

- Quarantine through the API is idempotent: the same bad body posted twice is quarantined once
  (records are named "request body", never by the random temporary path).
- An ingest is audited when it starts and again when it ends, so one killed part-way shows as a
  start with no end, and its batch id names what it stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from damai.pipeline.classify import ClassifyStage
from damai.storage import PostQuery, open_store
from tests.conftest import page, tweet
from tests.integration.test_api import Api, open_api


@pytest.fixture
def lite(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def _ingest(api: Api, body: bytes) -> Any:
    return api.post("/ingest", content=body, headers={"content-type": "application/x-ndjson"})


def test_the_same_bad_body_posted_twice_is_quarantined_once(lite: Api) -> None:
    body = orjson.dumps(page([tweet(1)])) + b'\n{"data": [{"id": \n{rusak\n'
    reports = [_ingest(lite, body).json() for _ in range(2)]
    assert [r["quarantined"] for r in reports] == [2, 2]
    with open_store(lite.url) as store:
        entries = store.quarantine.entries()
    assert [(e.path, e.location) for e in entries] == [
        ("isi permintaan / request body", "line 2"), ("isi permintaan / request body", "line 3")]
    assert all("damai-api-" not in e.message for e in entries)


def test_an_api_ingest_that_dies_part_way_is_audited_at_its_start(
        lite: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_BATCH_SIZE", "2")
    calls = []
    real = ClassifyStage.__call__

    def dies_on_the_second_batch(self: ClassifyStage, posts: list[Any]) -> list[Any]:
        calls.append(len(posts))
        if len(calls) == 2:
            raise MemoryError("the worker died")
        return real(self, posts)

    monkeypatch.setattr(ClassifyStage, "__call__", dies_on_the_second_batch)
    body = b"".join(orjson.dumps(page([tweet(100 + i)])) + b"\n" for i in range(5))
    assert _ingest(lite, body).status_code == 500
    with open_store(lite.url) as store:
        started = store.audit.query(action="api_ingest_start")
        assert [(e.actor, e.detail) for e in started] == [
            ("u-analyst", {"bytes": len(body), "files": 1})]
        assert store.audit.query(action="api_ingest") == []  # no end: it died
        batch = started[0].target
        assert store.posts.count(PostQuery(ingest_batch=batch)) == 2  # the first batch
