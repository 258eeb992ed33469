"""Dashboard login: sessions, cookies, CSRF, rate limit, no user enumeration, security headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from damai.auth import open_auth_store
from damai.web.security import CSRF_MESSAGE, LoginLimiter, safe_next
from tests.integration.web_helpers import (
    PASSWORD,
    add_users,
    client_for,
    fill_posts,
    login,
    login_token,
)


@pytest.fixture
def web_db(tmp_path: Path, db_url: str) -> str:
    fill_posts(tmp_path, db_url)
    add_users(db_url, ("admin", "viewer"))
    return db_url


def test_anonymous_pages_redirect_to_login(web_db: str) -> None:
    with client_for(web_db) as client:
        response = client.get("/")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/"
        assert client.get("/login").status_code == 200


def test_login_sets_a_safe_cookie_and_rotates_the_session(web_db: str) -> None:
    with client_for(web_db) as client:
        client.cookies.set("damai_session", "ditanam-penyerang", domain="testserver.local")
        token = login_token(client.get("/login").text)
        response = client.post("/login", data={"name": "viewer", "password": PASSWORD,
                                               "csrf_token": token, "next": "/posts"})
        assert response.status_code == 303 and response.headers["location"] == "/posts"
        cookie = response.headers["set-cookie"]
        assert "damai_session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
        assert "SameSite=lax" in cookie
        first = client.cookies["damai_session"]
        assert first != "ditanam-penyerang"
        assert client.get("/").status_code == 200
        login(client, "viewer")  # logging in again issues a new id and ends the old one
        second = client.cookies["damai_session"]
        assert second != first
    auth = open_auth_store(web_db)
    try:
        assert auth.get_session(first) is None and auth.get_session(second) is not None
        actions = [e.action for e in auth.query_audit(actor="viewer")]
        assert actions.count("login") == 2
    finally:
        auth.close()


def test_wrong_user_and_wrong_password_get_the_same_answer(web_db: str) -> None:
    with client_for(web_db) as client:
        answers = []
        for name, password in (("viewer", "salah-sandi-panjang-sekali"),
                               ("tidak-ada", "salah-sandi-panjang-sekali")):
            token = login_token(client.get("/login").text)
            response = client.post("/login", data={"name": name, "password": password,
                                                   "csrf_token": token})
            answers.append((response.status_code, response.text.replace(token, "")))
            assert "damai_session" not in response.headers.get("set-cookie", "")
    (status_a, body_a), (status_b, body_b) = answers
    assert status_a == status_b == 401
    # the pages differ only in their fresh form token
    assert _without_tokens(body_a) == _without_tokens(body_b)
    auth = open_auth_store(web_db)
    try:
        failed = auth.query_audit(action="login_failed")
        assert {e.detail["reason"] for e in failed} == {"wrong_password", "unknown_user"}
    finally:
        auth.close()


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def test_login_needs_its_form_token(web_db: str) -> None:
    with client_for(web_db) as client:
        client.get("/login")
        response = client.post("/login", data={"name": "viewer", "password": PASSWORD,
                                               "csrf_token": "palsu"})
        assert response.status_code == 403 and "damai_session" not in client.cookies


def test_login_is_rate_limited_per_name(web_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_LOGIN_RATE", "3/minute")
    with client_for(web_db) as client:
        statuses = []
        for _ in range(4):
            token = login_token(client.get("/login").text)
            statuses.append(client.post("/login", data={
                "name": "viewer", "password": "bukan-sandinya-sama-sekali",
                "csrf_token": token}).status_code)
        assert statuses == [401, 401, 401, 429]
        token = login_token(client.get("/login").text)  # even the right password waits now
        assert client.post("/login", data={"name": "viewer", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 429


def test_limiter_counts_ip_and_name_separately() -> None:
    limiter = LoginLimiter("2/minute")
    assert limiter.allow("10.0.0.1", "a") and limiter.allow("10.0.0.2", "a")
    assert not limiter.allow("10.0.0.3", "a")  # "a" is over its limit, whatever the IP
    assert limiter.allow("10.0.0.4", "b") and limiter.allow("10.0.0.4", "c")
    assert not limiter.allow("10.0.0.4", "d")  # the IP is over its limit, whatever the name
    assert limiter.allow("10.0.0.5", "e")


def test_forms_need_the_session_csrf_token(web_db: str) -> None:
    with client_for(web_db) as client:
        token = login(client, "viewer")
        refused = client.post("/logout", data={"csrf_token": "salah"})
        assert refused.status_code == 403 and refused.text == CSRF_MESSAGE
        assert client.get("/").status_code == 200
        response = client.post("/logout", headers={"X-CSRF-Token": token})
        assert response.status_code == 303
        assert client.get("/").status_code == 303  # logged out


def test_security_headers_forbid_inline_scripts(web_db: str) -> None:
    with client_for(web_db) as client:
        for path in ("/login", "/", "/static/damai.css"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"


def test_language_switch_and_safe_redirects(web_db: str) -> None:
    with client_for(web_db) as client:
        assert "Masuk ke Damai" in client.get("/login").text
        response = client.get("/lang", params={"to": "en", "next": "//evil.example/"})
        assert response.headers["location"] == "/"
        assert "Log in to Damai" in client.get("/login").text
    assert safe_next("/posts?q=a") == "/posts?q=a"
    for bad in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:x"):
        assert safe_next(bad) == "/"
