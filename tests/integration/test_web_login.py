"""Dashboard login: sessions, cookies, CSRF, rate limit, no user enumeration, security headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from damai.auth import open_auth_store
from damai.web.app import create_app
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
        assert statuses == [401, 401, 401, 429]  # over the address's limit
        token = login_token(client.get("/login").text)  # even the right password waits now
        assert client.post("/login", data={"name": "viewer", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 429


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fail(limiter: LoginLimiter, ip: str, name: str) -> bool:
    """One attempt with a wrong password; whether the limiter let it be checked."""
    allowed = limiter.allow(ip, name)
    if allowed:
        limiter.failed(ip, name)
    return allowed


def test_limiter_counts_every_attempt_per_address() -> None:
    limiter = LoginLimiter("2/minute", clock=Clock())
    assert limiter.allow("10.0.0.4", "b") and limiter.allow("10.0.0.4", "c")
    assert not limiter.allow("10.0.0.4", "d")  # the address is over its limit, whatever the name
    assert limiter.allow("10.0.0.5", "d")


def test_issue_10_back_off_doubles_per_address_and_name() -> None:
    clock = Clock()
    limiter = LoginLimiter("100/minute", clock=clock)
    for _ in range(LoginLimiter.FREE_FAILURES):  # typos cost nothing
        assert fail(limiter, "10.6.6.6", "admin")
    for wait in (1.0, 2.0, 4.0, 8.0, 16.0):
        assert fail(limiter, "10.6.6.6", "admin")
        clock.now += wait - 0.1
        assert not limiter.allow("10.6.6.6", "admin")
        clock.now += 0.1
    assert limiter.allow("10.6.6.6", "other")  # the pair waits, not the address for every name
    limiter.succeeded("10.6.6.6", "admin")
    assert limiter.allow("10.6.6.6", "admin")


def test_issue_10_failing_on_purpose_does_not_lock_the_real_user_out() -> None:
    """Six wrong passwords from one address used to lock the name out from every address."""
    clock = Clock()
    limiter = LoginLimiter("5/minute;20/hour", clock=clock)
    tried = [fail(limiter, "10.6.6.6", "admin") for _ in range(30)]
    assert sum(tried) <= 5  # the attacker is slowed: back-off, then the address limit
    for _ in range(20):  # others failing from other addresses push the name over its limit
        clock.now += 70
        fail(limiter, f"10.7.7.{_}", "admin")
    assert not limiter.allow("10.6.6.6", "admin")
    assert limiter.allow("192.168.1.20", "admin")  # the real user, from a clean address
    limiter.succeeded("192.168.1.20", "admin")
    assert fail(limiter, "10.9.9.9", "admin")  # a clean address may try once ...
    clock.now += 3600 - 1
    assert not limiter.allow("10.9.9.9", "admin")  # ... then the name is over for it


def test_issue_10_real_user_logs_in_while_an_attacker_fails(web_db: str) -> None:
    app = create_app(web_db)
    attacker = TestClient(app, base_url="https://testserver", follow_redirects=False,
                          client=("10.6.6.6", 4444))
    user = TestClient(app, base_url="https://testserver", follow_redirects=False,
                      client=("192.168.1.20", 5555))
    with attacker, user:
        statuses = []
        for _ in range(8):
            token = login_token(attacker.get("/login").text)
            statuses.append(attacker.post("/login", data={
                "name": "viewer", "password": "tebakan-salah", "csrf_token": token}).status_code)
        assert statuses.count(401) <= 5 and statuses[-3:] == [429, 429, 429]
        login(user, "viewer")
        assert user.get("/").status_code == 200


def test_the_login_token_is_signed(web_db: str) -> None:
    with client_for(web_db) as client:
        token = login_token(client.get("/login").text)
        nonce, _, signature = token.partition(".")
        assert nonce and len(signature) == 32
        planted = "penyerang.0123456789abcdef0123456789abcdef"
        client.cookies.set("damai_login_csrf", planted, domain="testserver.local")
        response = client.post("/login", data={"name": "viewer", "password": PASSWORD,
                                               "csrf_token": planted})
        assert response.status_code == 403


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
