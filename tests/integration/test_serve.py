"""``damai serve``'s app: health check, security headers, and pages behind the login."""

from __future__ import annotations

from pathlib import Path

from tests.integration.web_helpers import client_for, fill_posts


def test_health_is_public_and_pages_need_a_login(tmp_path: Path, db_url: str) -> None:
    fill_posts(tmp_path, db_url)
    with client_for(db_url) as client:
        health = client.get("/healthz")
        assert health.json() == {"status": "ok", "posts": 2}
        assert "default-src 'none'" in health.headers["content-security-policy"]
        assert health.headers["x-content-type-options"] == "nosniff"
        page = client.get("/")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert "default-src 'none'" in page.headers["content-security-policy"]
