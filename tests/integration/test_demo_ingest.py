"""The bundled demo set goes through the real parsers into both backends with the same result."""

from __future__ import annotations

import re

import orjson
import pytest

from damai.auth import open_auth_store
from damai.cli.main import main
from damai.respond.entries import STARTER, read_entries
from tests.integration.test_store_contract import pg_schema


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    assert exit_info.value.code in (0, None)
    return capsys.readouterr().out


def _demo_stats(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, object]:
    first = _run(capsys, "demo", "--no-serve", "--db", db)
    password = re.search(r"Admin demo / demo admin: admin  kata sandi / password: (\S+)", first)
    assert password, "the first demo run creates an administrator and prints its password"
    again = _run(capsys, "demo", "--no-serve", "--db", db)
    assert "stored 0 +" in again and "quarantined 0" in again  # a re-run adds nothing
    assert "Admin demo" not in again  # and creates no second administrator ...
    assert "an admin exists: admin" in again and "user reset-password" in again  # ... says how
    # to get back in
    starter = len(read_entries(STARTER))  # the demo loads the starter library, once
    assert f"baru / new: {starter}," in first and f"tidak berubah / unchanged: {starter}" in again
    assert len(orjson.loads(_run(capsys, "library", "list", "--json", "--db", db))) == starter
    auth = open_auth_store(db)
    try:
        admin = auth.authenticate("admin", password.group(1))
        assert admin is not None and admin.must_change  # changed at the first login
        assert [u.role for u in auth.list_users()] == ["admin"]
    finally:
        auth.close()
    return dict(orjson.loads(_run(capsys, "stats", "--json", "--db", db)))


def test_demo_ingests_cleanly_into_sqlite(capsys: pytest.CaptureFixture[str],
                                          db_url: str) -> None:
    stats = _demo_stats(capsys, db_url)
    assert isinstance(stats["total"], int) and stats["total"] >= 300
    assert set(stats["by_platform"]) == {"x", "mastodon", "telegram"}  # type: ignore[arg-type]
    assert stats["quarantined"] == 0


@pytest.mark.postgres
def test_demo_postgres_matches_sqlite(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    expected = _demo_stats(capsys, db_url)
    with pg_schema() as pg_url:
        assert _demo_stats(capsys, pg_url) == expected
        rows = _run(capsys, "posts", "--search", "gempa", "--output", "jsonl", "--limit", "500",
                    "--db", pg_url)
        sqlite_rows = _run(capsys, "posts", "--search", "gempa", "--output", "jsonl", "--limit",
                           "500", "--db", db_url)
    assert len(rows.splitlines()) == len(sqlite_rows.splitlines()) > 5
