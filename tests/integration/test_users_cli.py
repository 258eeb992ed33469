"""``damai user``, ``damai token`` and ``damai audit``, called as a user would call them."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from damai.auth import open_auth_store
from damai.cli.main import app, main

PASSWORD = "kata-sandi-yang-panjang"


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def add_user(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_url: str,
             name: str = "budi", role: str = "admin") -> None:
    code, out, _ = run(capsys, "user", "add", name, "--role", role, "--password-stdin",
                       "--db", db_url, stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    assert code == 0, out


def test_user_add_from_stdin_then_login(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    add_user(capsys, monkeypatch, db_url)
    with open_auth_store(db_url) as auth:
        assert auth.authenticate("budi", PASSWORD) is not None
        [entry] = auth.query_audit(action="user_add")
    assert (entry.actor, entry.target, entry.detail) == ("cli:operator", "budi", {"role": "admin"})
    _, out, _ = run(capsys, "user", "list", "--db", db_url)
    assert "budi" in out and "admin" in out


def test_short_password_is_a_clear_error(capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    code, out, err = run(capsys, "user", "add", "budi", "--password-stdin", "--db", db_url,
                         stdin="pendek\n", monkeypatch=monkeypatch)
    assert code == 2
    assert "kata sandi terlalu pendek" in err and "at least 12 characters" in err
    assert "Traceback" not in err + out
    with open_auth_store(db_url) as auth:
        assert auth.list_users() == []


def test_user_add_prompts_twice(db_url: str) -> None:
    result = CliRunner().invoke(app, ["user", "add", "siti", "--role", "analyst", "--db", db_url],
                                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Ulangi" in result.output and PASSWORD not in result.output
    with open_auth_store(db_url) as auth:
        assert auth.authenticate("siti", PASSWORD) is not None


def test_role_disable_and_unknown_user(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    add_user(capsys, monkeypatch, db_url, role="viewer")
    code, out, _ = run(capsys, "user", "role", "budi", "approver", "--db", db_url)
    assert code == 0 and "approver" in out
    code, _, err = run(capsys, "user", "role", "budi", "root", "--db", db_url)
    assert code == 2 and "unknown role" in err
    code, _, err = run(capsys, "user", "disable", "siti", "--db", db_url)
    assert code == 2 and "see `damai user list`" in err and "Traceback" not in err
    code, _, _ = run(capsys, "user", "disable", "budi", "--db", db_url)
    assert code == 0
    with open_auth_store(db_url) as auth:
        assert auth.authenticate("budi", PASSWORD) is None
        actions = [e.action for e in auth.query_audit()]
    assert actions == ["login_failed", "user_disable", "user_role", "user_add"]


def test_token_is_printed_once(capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    add_user(capsys, monkeypatch, db_url)
    code, out, err = run(capsys, "token", "create", "budi", "--label", "mitra", "--db", db_url)
    assert code == 0
    token = out.strip()
    assert token.startswith("damai_") and "\n" not in token
    assert "tidak akan ditampilkan lagi" in err and "will not be shown again" in err
    with open_auth_store(db_url) as auth:
        user = auth.verify_token(token)
        assert user is not None and user.name == "budi"
    _, listing, _ = run(capsys, "audit", "--db", db_url)
    _, exported, _ = run(capsys, "audit", "--csv", "--db", db_url)
    assert token not in listing + exported
    code, out, _ = run(capsys, "token", "revoke", "budi", "--label", "mitra", "--db", db_url)
    assert code == 0
    with open_auth_store(db_url) as auth:
        assert auth.verify_token(token) is None


def test_audit_listing_filters_and_csv(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    add_user(capsys, monkeypatch, db_url)
    run(capsys, "user", "role", "budi", "analyst", "--db", db_url)
    with open_auth_store(db_url) as auth:
        auth.authenticate("budi", "salah-salah-salah", ip="10.0.0.7")
    _, out, _ = run(capsys, "audit", "--db", db_url)
    assert "user_add" in out and "user_role" in out and "login_failed" in out
    _, out, _ = run(capsys, "audit", "--action", "login_failed", "--csv", "--db", db_url)
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert (row["actor"], row["action"], row["ip"]) == ("budi", "login_failed", "10.0.0.7")
    _, out, _ = run(capsys, "audit", "--actor", "cli:operator", "--csv", "--db", db_url)
    assert [r["action"] for r in csv.DictReader(io.StringIO(out))] == ["user_role", "user_add"]
    _, out, _ = run(capsys, "audit", "--since", "2999-01-01", "--csv", "--db", db_url)
    assert out.strip() == "id,at,actor,action,target,detail,ip"
    code, _, err = run(capsys, "audit", "--since", "kemarin", "--db", db_url)
    assert code == 2 and "is not a date" in err
