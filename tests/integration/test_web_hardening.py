"""Issue #10: the dashboard answers bad input with 400/404 (never 500), a crash with a 500 that
still carries the security headers, keeps signed-in answers out of caches, and limits page
bodies."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from damai.auth import open_auth_store
from damai.records import Post
from damai.storage import PostQuery, open_store
from damai.web.security import SECURITY_HEADERS
from tests.integration.web_helpers import add_users, client_for, fill_posts, login


@pytest.fixture
def web_db(tmp_path: Path, db_url: str) -> str:
    fill_posts(tmp_path, db_url)
    add_users(db_url)
    return db_url


def has_security_headers(response: object) -> bool:
    headers = response.headers  # type: ignore[attr-defined]
    return all(headers.get(name) == value for name, value in SECURITY_HEADERS.items())


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


#: URLs that answered 500 before issue #10 (SQLite: "Python int too large", the UTC overflow)
BAD_PAGE_URLS = [
    "/posts/99999999999999999999",
    "/posts/9223372036854775808",
    "/posts?before=" + cursor("2026-11-01T00:00:00.000000Z|18446744073709551615"),
    "/posts?before=" + cursor("9999-12-31T23:59:59-05:00|5"),
]


@pytest.mark.parametrize("url", BAD_PAGE_URLS)
def test_out_of_range_values_are_not_a_crash(web_db: str, url: str) -> None:
    with client_for(web_db) as client:
        login(client, "viewer")
        response = client.get(url)
        assert response.status_code in (200, 404), response.text[-300:]
        assert has_security_headers(response)
        if response.status_code == 200:  # the posts page shows why the cursor was refused
            assert "kursor halaman tidak sah" in response.text


def test_triage_actions_on_out_of_range_ids_are_404(web_db: str) -> None:
    with client_for(web_db) as client:
        token = login(client, "analyst")
        for action in ("assign", "review", "dismiss"):
            response = client.post(f"/triage/99999999999999999999/{action}",
                                   data={"csrf_token": token})
            assert response.status_code == 404, (action, response.text[-300:])


@pytest.mark.parametrize("url", ["/posts?q=a%00b", "/posts?platform=%00", "/posts/%00",
                                 "/login?next=/%00"])
def test_a_nul_byte_in_the_url_is_a_400(web_db: str, url: str) -> None:
    with client_for(web_db) as client:
        login(client, "viewer")
        response = client.get(url)
        assert response.status_code == 400
        assert "NUL" in response.text and 'lang="en"' in response.text  # both languages
        assert has_security_headers(response)


def test_a_page_crash_is_a_500_with_the_security_headers(web_db: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("rahasia internal")

    monkeypatch.setattr("damai.web.context.WebContext.model", broken)
    with client_for(web_db) as client:
        login(client, "viewer")
        post_id = re.findall(r'href="/posts/(\d+)"', client.get("/posts").text)[0]
        response = client.get(f"/posts/{post_id}")
        assert response.status_code == 500
        assert has_security_headers(response)
        assert response.headers["cache-control"] == "no-store"
        assert "rahasia" not in response.text and "Coba lagi nanti" in response.text


def test_signed_in_answers_are_not_cached_but_static_assets_are(web_db: str) -> None:
    with client_for(web_db) as client:
        token = login(client, "admin")
        for url in ("/", "/posts", "/users", "/audit", "/audit.csv", "/healthz", "/login"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["cache-control"] == "no-store", url
        assert client.post("/logout", data={"csrf_token": token}).headers[
            "cache-control"] == "no-store"
        static = client.get("/static/damai.css")
        assert static.status_code == 200 and "no-store" not in static.headers.get(
            "cache-control", "")


def test_page_bodies_are_limited(web_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_WEB_MAX_BODY_BYTES", "1000")
    with client_for(web_db) as client:
        token = login(client, "admin")
        big = {"csrf_token": token, "name": "x" * 2000, "role": "viewer", "password": "p" * 20}
        response = client.post("/users", data=big)
        assert response.status_code == 413
        assert has_security_headers(response)

        def chunks() -> object:
            yield b"csrf_token=" + token.encode() + b"&name="
            for _ in range(10):
                yield b"y" * 200  # no Content-Length: refused while it is read

        streamed = client.post("/users", content=chunks(),  # type: ignore[arg-type]
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert streamed.status_code == 413
        small = client.post("/users", data={"csrf_token": token, "name": "baru",
                                            "role": "viewer",
                                            "password": "frasa-sandi-yang-cukup-panjang"})
        assert small.status_code == 303


def test_the_last_admin_cannot_demote_or_disable_themselves(web_db: str) -> None:
    with client_for(web_db) as client:
        token = login(client, "admin")
        for path, data in (("/users/admin/role", {"role": "viewer"}),
                           ("/users/admin/disable", {})):
            response = client.post(path, data={"csrf_token": token, **data})
            assert response.status_code == 400, path
            assert "admin aktif terakhir" in response.text
        assert client.post("/users/analyst/role", data={"csrf_token": token,
                                                        "role": "admin"}).status_code == 303
        assert client.post("/users/admin/role", data={"csrf_token": token,
                                                      "role": "viewer"}).status_code == 303
    auth = open_auth_store(web_db)
    try:
        roles = {u.name: u.role for u in auth.list_users()}
        assert roles["admin"] == "viewer" and roles["analyst"] == "admin"
    finally:
        auth.close()


def test_triage_items_go_only_to_users_who_can_open_triage(web_db: str) -> None:
    with client_for(web_db) as client:
        token = login(client, "analyst")
        page = client.get("/triage").text
        assert 'value="viewer"' not in page and 'value="approver"' in page
        post_id = re.findall(r"/triage/(\d+)/assign", page)[0]
        viewer = client.post(f"/triage/{post_id}/assign",
                             data={"csrf_token": token, "assignee": "viewer"})
        assert viewer.status_code == 404
        approver = client.post(f"/triage/{post_id}/assign",
                               data={"csrf_token": token, "assignee": "approver"})
        assert approver.status_code == 303


def test_the_server_sends_no_server_header(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: seen.update(options))
    monkeypatch.setattr("damai.web.app.create_app", lambda db: None)
    from damai.cli.serve import run

    run(None, host="127.0.0.1", port=0)
    assert seen["server_header"] is False and seen["host"] == "127.0.0.1"


def test_the_post_page_hides_the_handle_of_an_old_row(web_db: str) -> None:
    """A row written by the old mappers (not yet migrated) shows a handle-free link."""
    store = open_store(web_db)
    store.posts.write_batch([Post(platform="x", platform_id="777", text="baris lama",
                            created_at=datetime(2026, 11, 1, tzinfo=UTC),
                            url="https://x.com/warga_rahasia/status/777")], [], [])
    row = next(s.id for s in store.posts.page(PostQuery(limit=None)).items
               if s.post.platform_id == "777")
    store.close()
    with client_for(web_db) as client:
        login(client, "viewer")
        page = client.get(f"/posts/{row}").text
        assert "warga_rahasia" not in page and "https://x.com/i/web/status/777" in page


def test_error_pages_are_styled_and_the_api_keeps_json(web_db: str) -> None:
    """A 403, a 404 and a 405 on a page are the styled page (Indonesian first, the favicon, a
    way back); the same under /api/ stays the API's JSON error (issue #14 part 9)."""
    with client_for(web_db) as client:
        login(client, "viewer")
        denied = client.get("/users")
        missing = client.get("/tidak-ada-halaman-ini")
        wrong = client.put("/posts")
        for response, status, title in ((denied, 403, "Akses ditolak"),
                                        (missing, 404, "Halaman tidak ditemukan"),
                                        (wrong, 405, "Permintaan tidak didukung")):
            assert response.status_code == status
            assert response.headers["content-type"].startswith("text/html")
            body = response.text
            assert f'data-status="{status}"' in body and f"<h1>{title}</h1>" in body
            assert body.index(title) < body.index('lang="en"')  # Indonesian first
            assert 'href="/static/favicon.svg"' in body and 'id="status-home"' in body
            assert response.headers["content-security-policy"]
        assert wrong.headers["allow"]
        api = client.get("/api/v1/tidak-ada")
        assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
        icon = client.get("/favicon.ico", follow_redirects=False)
        assert icon.status_code == 301 and icon.headers["location"] == "/static/favicon.svg"
        svg = client.get("/static/favicon.svg")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg")
