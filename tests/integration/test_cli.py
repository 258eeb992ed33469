"""The CLI end to end, through ``damai.cli.main.main`` as a user would call it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from tests.conftest import page, tweet, write_jsonl
from tests.conftest import run_cli as run


@pytest.fixture
def tweets_file(tmp_path: Path) -> Path:
    tweets = [tweet(i) for i in range(5)]
    tweets[0]["text"] = "Gempa terasa kuat di Cianjur, warga keluar rumah"
    tweets[1]["lang"] = "en"
    return write_jsonl(tmp_path / "export.data", [page(tweets)])


def test_ingest_prints_balanced_summary(capsys: pytest.CaptureFixture[str], tweets_file: Path,
                                        db_url: str) -> None:
    code, out, _ = run(capsys, "ingest", str(tweets_file), "--db", db_url)
    assert code == 0
    assert "received 5 = stored 5 + duplicates 0 + quarantined 0" in out
    code, out, _ = run(capsys, "ingest", str(tweets_file), "--db", db_url, "--json")
    report = orjson.loads(out)
    assert (report["received"], report["stored"], report["duplicates"]) == (5, 0, 5)


def test_posts_search_and_formats(capsys: pytest.CaptureFixture[str], tweets_file: Path,
                                  db_url: str) -> None:
    run(capsys, "ingest", str(tweets_file), "--db", db_url)
    _, out, _ = run(capsys, "posts", "--search", "gempa", "--output", "jsonl", "--db", db_url)
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert [r["text"] for r in rows] == ["Gempa terasa kuat di Cianjur, warga keluar rumah"]
    assert rows[0]["author_key"] and "author_id" not in rows[0]
    _, out, _ = run(capsys, "posts", "--output", "csv", "--db", db_url,
                    "--until", "2026-11-01T08:02:00Z")
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert len(parsed) == 2
    _, out, _ = run(capsys, "posts", "--db", db_url, "--platform", "mastodon")
    assert "0 of 0 posts" in out


def test_stats_json(capsys: pytest.CaptureFixture[str], tweets_file: Path, db_url: str) -> None:
    run(capsys, "ingest", str(tweets_file), "--db", db_url)
    _, out, _ = run(capsys, "stats", "--json", "--db", db_url)
    stats = orjson.loads(out)
    assert stats["total"] == 5
    assert stats["by_platform"] == {"x": 5}
    assert stats["by_day"] == {"2026-11-01": 5}


def test_export_parquet_and_jsonl(capsys: pytest.CaptureFixture[str], tweets_file: Path,
                                  db_url: str, tmp_path: Path) -> None:
    run(capsys, "ingest", str(tweets_file), "--db", db_url)
    target = tmp_path / "out.parquet"
    code, _, err = run(capsys, "export", "--format", "parquet", "--output", str(target),
                       "--db", db_url)
    assert code == 0 and "5 posts exported" in err
    table = pq.read_table(target)
    assert table.num_rows == 5
    assert sorted(table.column("likes").to_pylist()) == [0, 1, 2, 3, 4]
    _, out, _ = run(capsys, "export", "--format", "jsonl", "--db", db_url)
    assert len(out.splitlines()) == 5


def test_user_mistakes_get_a_code_not_a_traceback(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path, db_url: str) -> None:
    code, _, err = run(capsys, "ingest", str(tmp_path / "missing.jsonl"), "--db", db_url)
    assert code == 2 and "E100" in err and "Traceback" not in err
    code, _, err = run(capsys, "posts", "--since", "kemarin", "--db", db_url)
    assert code == 2 and "--since" in err
    code, _, err = run(capsys, "stats", "--db", "mysql://nope")
    assert code == 2 and "unknown database URL" in err


def test_quarantine_list_show_retry(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    db_url: str) -> None:
    path = tmp_path / "cp.jsonl"
    path.write_bytes(orjson.dumps(page([tweet(1, "Es teh manis di kafé")])).decode()
                     .encode("cp1252") + b"\n")
    _, _, err = run(capsys, "ingest", str(path), "--db", db_url)
    assert f"{path}:line 1" in err and "invalid_utf8" in err
    _, out, _ = run(capsys, "quarantine", "--db", db_url)
    assert "invalid_utf8" in out and "1 record(s)" in out
    _, out, _ = run(capsys, "quarantine", "retry", "--encoding", "cp1252", "--db", db_url)
    assert "resolved 1" in out
    _, out, _ = run(capsys, "posts", "--search", "kafé", "--output", "jsonl", "--db", db_url)
    assert orjson.loads(out)["text"] == "Es teh manis di kafé"


def test_db_from_environment(capsys: pytest.CaptureFixture[str], tweets_file: Path, db_url: str,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_DB", db_url)
    run(capsys, "ingest", str(tweets_file))
    _, out, _ = run(capsys, "stats", "--json")
    assert orjson.loads(out)["total"] == 5


def test_registered_accounts_keep_handles(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          db_url: str) -> None:
    tweets = [tweet(1, author_id="1001"), tweet(2, author_id="1002")]
    path = write_jsonl(tmp_path / "t.jsonl", [page(tweets)])
    code, _, _ = run(capsys, "accounts", "add", "x", "@Warga1001", "--db", db_url)
    assert code == 0
    _, out, _ = run(capsys, "accounts", "--db", db_url)
    assert "warga1001" in out and "official" in out
    run(capsys, "ingest", str(path), "--db", db_url)
    _, out, _ = run(capsys, "posts", "--output", "jsonl", "--db", db_url)
    handles = {orjson.loads(line)["author_handle"] for line in out.splitlines()}
    assert handles == {"warga1001", None}
    code, _, err = run(capsys, "accounts", "remove", "x", "nobody", "--db", db_url)
    assert code == 2 and "not registered" in err
    code, _, err = run(capsys, "accounts", "add", "x", "a", "--role", "boss", "--db", db_url)
    assert code == 2 and "unknown role" in err


def test_watch_dry_run_and_bad_spec(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, _ = run(capsys, "watch", "--dry-run", "--once", "--json",
                       "mastodon:tag:gempa@https://mastodon.social", "x:search:gempa lang:in")
    report = orjson.loads(out)
    assert code == 0 and report["balanced"] and report["stored"] > 0 and report["polls"] == 2
    code, _, err = run(capsys, "watch", "--once", "myspace:tag:x", "--db", db_url)
    assert code == 2 and "E1" in err and "Traceback" not in err


def test_post_text_is_never_read_as_terminal_markup(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path, db_url: str) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [page([tweet(1, "[bold]tebal[/bold] :x: [red]")])])
    run(capsys, "ingest", str(path), "--db", db_url)
    _, out, _ = run(capsys, "posts", "--db", db_url)
    assert "[bold]tebal[/bold] :x: [red]" in out
