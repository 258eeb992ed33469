"""Issue #14 part 7, accounts: changing one's own password (web and CLI), an admin's reset to a
one-time password that must be changed at the next login, seeing and ending one's sessions, and
TOTP two-factor login that an installation can require of admins and approvers."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient

from damai.auth import AuthStore, open_auth_store
from tests.conftest import run_cli
from tests.integration.test_auth_store import fast_passwords
from tests.integration.web_helpers import (
    PASSWORD,
    add_users,
    client_for,
    form_token,
    login,
    login_token,
)

NEW = "kata-sandi-baru-yang-panjang"


@pytest.fixture
def web_db(db_url: str) -> str:
    add_users(db_url)
    return db_url


def auth_for(db_url: str) -> AuthStore:
    return open_auth_store(db_url, passwords=fast_passwords())


def post_login(client: TestClient, name: str, password: str, code: str = "") -> int:
    token = login_token(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "code": code,
                                       "csrf_token": token, "next": "/posts"}).status_code


def test_a_user_changes_their_password_and_their_other_sessions_end(web_db: str) -> None:
    with client_for(web_db) as other, client_for(web_db) as client:
        login(other, "analyst")
        csrf = login(client, "analyst")
        page = client.get("/account")
        assert page.status_code == 200 and "sesi ini" in page.text
        assert page.text.count('class="session') == 2  # both logins are listed
        wrong = client.post("/account/password", data={"current": "salah-sekali-ya", "new": NEW,
                                                       "repeat": NEW, "csrf_token": csrf})
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        differ = client.post("/account/password", data={"current": PASSWORD, "new": NEW,
                                                        "repeat": NEW + "x", "csrf_token": csrf})
        assert differ.status_code == 400 and 'id="account-error"' in differ.text
        done = client.post("/account/password", data={"current": PASSWORD, "new": NEW,
                                                      "repeat": NEW, "csrf_token": csrf})
        assert done.status_code == 200 and 'id="account-notice"' in done.text
        assert client.get("/posts").status_code == 200  # this session stays ...
        assert other.get("/posts").status_code == 303  # ... the other one ended
    with client_for(web_db) as fresh:
        assert post_login(fresh, "analyst", PASSWORD) == 401
        assert post_login(fresh, "analyst", NEW) == 303
    with auth_for(web_db) as auth:
        actions = [e.action for e in auth.query_audit(actor="analyst")]
    assert "password_change" in actions and "password_change_failed" in actions


def test_a_reset_gives_a_one_time_password_that_must_be_changed_first(web_db: str) -> None:
    with client_for(web_db) as admin, client_for(web_db) as victim:
        login(victim, "viewer")
        csrf = login(admin, "admin")
        page = admin.post("/users/viewer/reset-password", data={"csrf_token": csrf})
        assert page.status_code == 200
        one_time = page.text.split("One-time password for viewer: " if "One-time" in page.text
                                   else "Kata sandi sekali pakai untuk viewer: ")[1].split(" ")[0]
        assert victim.get("/posts").status_code == 303  # the reset ended their sessions
        assert admin.post("/users/nobody/reset-password",
                          data={"csrf_token": csrf}).status_code == 400
    with client_for(web_db) as user:
        assert post_login(user, "viewer", PASSWORD) == 401
        assert post_login(user, "viewer", one_time) == 303
        for path in ("/posts", "/", "/events"):  # every page leads to the account page first
            answer = user.get(path)
            assert answer.status_code == 303 and answer.headers["location"] == "/account"
        page = user.get("/account")
        assert 'id="must-change"' in page.text
        csrf = form_token(page.text)
        user.post("/account/password", data={"current": one_time, "new": NEW, "repeat": NEW,
                                             "csrf_token": csrf})
        assert user.get("/posts").status_code == 200
    with auth_for(web_db) as auth:
        entry = auth.query_audit(action="password_reset")[0]
    assert entry.actor == "admin" and entry.target == "viewer"


def test_a_user_ends_one_of_their_sessions(web_db: str) -> None:
    with client_for(web_db) as phone, client_for(web_db) as laptop:
        login(phone, "viewer")
        csrf = login(laptop, "viewer")
        with auth_for(web_db) as auth:
            keys = [s.key for s in auth.sessions_of("viewer")]
        page = laptop.get("/account").text
        other = next(k for k in keys if f'name="key" value="{k}"' in page)
        laptop.post("/account/sessions/end", data={"key": other, "csrf_token": csrf})
        assert phone.get("/posts").status_code == 303 and laptop.get("/posts").status_code == 200
    with auth_for(web_db) as auth:
        assert [e.action for e in auth.query_audit(action="session_end")] == ["session_end"]


def _code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(int(time.time()) + offset * totp.interval)


def test_totp_two_factor_login_for_an_approver(web_db: str) -> None:
    with client_for(web_db) as client:
        csrf = login(client, "approver")
        page = client.post("/account/2fa/begin", data={"csrf_token": csrf})
        secret = page.text.split('id="totp-secret">')[1].split("<")[0]
        assert "otpauth://totp/Damai:approver" in page.text
        bad = client.post("/account/2fa/confirm", data={"code": "000000", "csrf_token": csrf})
        assert bad.status_code == 400
        good = client.post("/account/2fa/confirm",
                           data={"code": _code(secret), "csrf_token": csrf})
        assert good.status_code == 200 and 'id="account-notice"' in good.text
    code = _code(secret, 1)  # one code, kept: a 30 s step may pass between the two logins
    with client_for(web_db) as client:
        assert post_login(client, "approver", PASSWORD) == 401  # a password alone is not enough
        assert post_login(client, "approver", PASSWORD, code) == 303
    with client_for(web_db) as client:  # the same code cannot be used twice
        assert post_login(client, "approver", PASSWORD, code) == 401
    with client_for(web_db) as client:  # viewers do not get it
        csrf = login(client, "viewer")
        assert client.post("/account/2fa/begin", data={"csrf_token": csrf}).status_code == 403
    with auth_for(web_db) as auth:
        reasons = [e.detail.get("reason") for e in auth.query_audit(action="login_failed")]
        assert reasons.count("totp") == 2
        assert auth.query_audit(action="totp_enable")[0].actor == "approver"


def test_an_installation_can_require_two_factor_login(web_db: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_REQUIRE_2FA", "true")
    with client_for(web_db) as client:
        csrf = login(client, "viewer")  # not required of viewers
        assert client.get("/posts").status_code == 200
    with client_for(web_db) as client:
        assert post_login(client, "admin", PASSWORD) == 303
        assert client.get("/users").headers["location"] == "/account"
        page = client.get("/account")
        assert 'id="needs-totp"' in page.text
        csrf = form_token(page.text)
        secret = client.post("/account/2fa/begin", data={"csrf_token": csrf}).text.split(
            'id="totp-secret">')[1].split("<")[0]
        client.post("/account/2fa/confirm", data={"code": _code(secret), "csrf_token": csrf})
        assert client.get("/users").status_code == 200
        refused = client.post("/account/2fa/disable",
                              data={"code": _code(secret, 1), "csrf_token": csrf})
        assert refused.status_code == 400  # required: it cannot be turned off


def test_cli_password_change_reset_sessions_and_2fa_off(capsys: pytest.CaptureFixture[str],
                                                        web_db: str,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n{NEW}\n"))
    code, out, _ = run_cli(capsys, "user", "password", "analyst", "--password-stdin", "--db",
                           web_db)
    assert code == 0 and "password changed" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(f"salah-salah-salah\n{NEW}x\n"))
    code, _, err = run_cli(capsys, "user", "password", "analyst", "--password-stdin", "--db",
                           web_db)
    assert code != 0 and "current password is wrong" in err
    code, out, err = run_cli(capsys, "user", "reset-password", "analyst", "--db", web_db)
    one_time = out.strip()
    assert code == 0 and len(one_time) >= 12 and "one-time" in err
    with auth_for(web_db) as auth:
        user = auth.authenticate("analyst", one_time)
        assert user is not None and user.must_change
        auth.create_session(user, hours=1)
        secret, _ = auth.totp_begin("analyst")
        auth.totp_confirm("analyst", _code(secret))
    code, out, _ = run_cli(capsys, "user", "list", "--db", web_db)
    assert "one-time password" in out
    code, out, _ = run_cli(capsys, "user", "sessions", "analyst", "--db", web_db)
    assert code == 0 and datetime.now(UTC).strftime("%Y-%m-%d") in out  # the session's row
    code, out, _ = run_cli(capsys, "user", "sessions", "analyst", "--end-all", "--db", web_db)
    assert code == 0 and "ended: 1" in out
    code, out, _ = run_cli(capsys, "user", "2fa-off", "analyst", "--db", web_db)
    with auth_for(web_db) as auth:
        assert auth.sessions_of("analyst") == []
        user = auth.get_user("analyst")
        assert user is not None and not user.totp
        assert auth.query_audit(action="totp_disable")[0].actor.startswith("cli:")
