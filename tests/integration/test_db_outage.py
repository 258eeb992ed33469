"""Issue #10: the database goes away in the middle of serving, then comes back.

A PostgreSQL server of this test's own (``scripts/postgres-test-server.sh`` in a temporary
folder) is stopped while the app runs: API requests get a 503 in the API's error shape, with
``Retry-After``, a page gets a plain 503, and ``/healthz`` says ``unavailable``; once the
server is back the same app answers again, without a restart (the pool checks connections
before use).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_api import API, Api, open_api
from tests.integration.test_store_contract import pg_base_url

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres-test-server.sh"


def _server(action: str, folder: Path, port: int) -> str:
    done = subprocess.run(["bash", str(SCRIPT), action, str(folder), str(port)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.fixture
def own_server() -> Iterator[tuple[str, Path, int]]:
    pg_base_url()  # skip (or fail on CI) like every PostgreSQL test when there is no server
    folder = Path(tempfile.mkdtemp(prefix="damai-pg-outage-", dir="/tmp"))
    folder.chmod(0o755)
    port = 54380
    try:
        url = _server("start", folder, port)
        yield url, folder, int((folder / "port").read_text())
    finally:
        _server("stop", folder, port)
        shutil.rmtree(folder, ignore_errors=True)


def _assert_unavailable(api: Api) -> None:
    response = api.get("/posts")
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "store_unavailable"
    assert set(response.json()["error"]) == {"code", "message", "detail"}
    assert response.headers["retry-after"] == "5"
    health = api.client.get("/healthz")
    assert (health.status_code, health.json()["status"]) == (503, "unavailable")
    api.client.cookies.set("damai_session", "sesi-lama")
    page = api.client.get("/posts", follow_redirects=False)
    api.client.cookies.delete("damai_session")
    assert (page.status_code, page.headers["retry-after"]) == (503, "5")
    assert "database cannot be reached" in page.text


@pytest.mark.postgres
@pytest.mark.slow
def test_a_lost_database_is_a_503_and_the_server_recovers(
        own_server: tuple[str, Path, int]) -> None:
    url, folder, port = own_server
    for api in open_api(url):
        assert api.get("/posts").status_code == 200
        _server("stop", folder, port)
        _assert_unavailable(api)
        _server("start", folder, port)
        response = api.get("/posts")
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == 50
        assert api.client.get("/healthz").json()["status"] == "ok"
        assert api.client.get(API + "/stats", headers=api.auth("viewer")).status_code == 200
