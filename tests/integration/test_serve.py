"""The interim page of ``damai serve``: counts, search, and hostile post text rendered inert."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.storage import open_store
from damai.web.app import create_app
from tests.conftest import page, tweet, write_jsonl

HOSTILE = '<script>alert("x")</script> <a href="javascript:alert(1)">klik</a> <b>tebal</b>'


def _client(tmp_path: Path, db_url: str) -> TestClient:
    tweets = [tweet(1, HOSTILE), tweet(2, "Banjir di Bekasi")]
    path = write_jsonl(tmp_path / "t.jsonl", [page(tweets)])
    store = open_store(db_url)
    ingest_paths([path], store, IngestOptions())
    store.close()
    return TestClient(create_app(db_url))


def test_page_shows_counts_and_escapes_post_text(tmp_path: Path, db_url: str) -> None:
    with _client(tmp_path, db_url) as client:
        response = client.get("/")
    assert response.status_code == 200
    body = response.text
    assert "<script>alert" not in body and 'href="javascript:' not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    assert "2</strong> post tersimpan" in body
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_search_filters_posts(tmp_path: Path, db_url: str) -> None:
    with _client(tmp_path, db_url) as client:
        body = client.get("/", params={"q": "banjir"}).text
        assert "Banjir di Bekasi" in body and "tebal" not in body
        assert client.get("/healthz").json() == {"status": "ok", "posts": 2}
