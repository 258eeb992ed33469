"""Issue #10: large ingest bodies are accepted with 202 and run as jobs kept in the database.

``DAMAI_API_SYNC_INGEST_BYTES`` is set small here, so an ordinary body becomes a job. The job's
counts balance, a body malformed halfway keeps what came before the break exactly as a file
ingest does, and a server that starts again takes up queued jobs and fails interrupted ones with
their upload kept.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.pipeline.jobs import jobs_dir
from damai.storage import PostQuery, open_store
from tests.conftest import page, tweet
from tests.integration.test_api import API, Api, assert_error, open_api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[Api]:
    monkeypatch.setenv("DAMAI_API_SYNC_INGEST_BYTES", "200")
    yield from open_api(db_url)


def _post(api: Api, body: bytes, content_type: str = "application/x-ndjson") -> Any:
    return api.post("/ingest", content=body, headers={"content-type": content_type})


def finished(api: Api, status_url: str) -> dict[str, Any]:
    """The job once it is done or failed (polled, at most 30 s)."""
    for _ in range(300):
        body: dict[str, Any] = api.client.get(status_url, headers=api.auth("analyst")).json()
        if body["state"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"the job never finished: {body}")


def test_a_large_body_is_a_job_that_balances(small: Api) -> None:
    body = b"".join(orjson.dumps(page([tweet(100 + i), tweet(200 + i)])) + b"\n"
                    for i in range(10)) + b"{rusak\n"
    response = _post(small, body)
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert set(accepted) == {"job_id", "status_url"}
    assert accepted["status_url"] == f"{API}/jobs/{accepted['job_id']}"
    job = finished(small, accepted["status_url"])
    assert job == {"id": accepted["job_id"], "state": "done", "received": 21, "stored": 20,
                   "duplicates": 0, "quarantined": 1, "error": None}
    with open_store(small.url) as store:
        [end] = store.audit.query(action="api_ingest")
        assert end.detail["job"] == accepted["job_id"] and end.detail["stored"] == 20
        assert store.posts.count(PostQuery(ingest_batch=end.target)) == 20
    assert list(jobs_dir().iterdir()) == []  # a done job's upload is removed


def test_a_body_malformed_halfway_keeps_what_came_before(small: Api, tmp_path: Path) -> None:
    whole = (FIXTURES / "mastodon" / "statuses.json").read_bytes()
    cut = whole[: len(whole) * 2 // 3]
    job = finished(small, _post(small, cut, "application/json").json()["status_url"])
    as_file = tmp_path / "potong.json"
    as_file.write_bytes(cut)
    with open_store(f"sqlite:///{tmp_path / 'banding.sqlite3'}") as other:
        report = ingest_paths([as_file], other, IngestOptions())
    assert job["state"] == "done" and job["stored"] > 0 and job["quarantined"] > 0
    assert (job["received"], job["stored"], job["quarantined"]) == (
        report.received, report.stored, report.quarantined)


def test_an_unknown_job_is_a_404(small: Api) -> None:
    assert_error(small.get("/jobs/999", "analyst"), 404, "not_found")
    assert small.get("/jobs/1", "viewer").status_code == 403


def test_a_restarted_server_takes_up_queued_jobs_and_fails_interrupted_ones(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    waiting, cut_off = jobs_dir() / "menunggu.jsonl", jobs_dir() / "terputus.jsonl"
    waiting.write_bytes(orjson.dumps(page([tweet(300), tweet(301)])) + b"\n")
    cut_off.write_bytes(orjson.dumps(page([tweet(400)])) + b"\n")
    with open_store(db_url) as store:
        queued = store.jobs.add("ingest", actor="sari", ip=None, path=str(waiting), detail={})
        running = store.jobs.add("ingest", actor="sari", ip=None, path=str(cut_off), detail={})
        assert store.jobs.claim(running.id)  # it was running when the server stopped
    for api in open_api(db_url):
        done = finished(api, f"{API}/jobs/{queued.id}")
        failed = finished(api, f"{API}/jobs/{running.id}")
    assert (done["state"], done["stored"]) == ("done", 2)
    assert failed["state"] == "failed" and str(cut_off) in str(failed["error"])
    assert cut_off.is_file() and not waiting.exists()
