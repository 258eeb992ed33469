"""Issue #14 part 8, a stricter CLI: mistakes end with a non-zero exit code and say what would
have worked; plain texts can be classified without writing JSON."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from damai.storage import open_store
from tests.conftest import page, run_cli, tweet, write_jsonl
from tests.integration.test_api import (
    Api,
    lite,  # noqa: F401  (the API fixture, SQLite)
)


def test_a_csv_without_the_text_column_fails_and_names_its_columns(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "laporan.csv"
    path.write_text("no,isi,waktu\n1,banjir di jalan raya,2026-11-01T08:00:00Z\n",
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "ingest", str(path), "--db", db_url)
    assert code != 0
    assert "'no', 'isi', 'waktu'" in err and "--text-col" in err
    code, out, _ = run_cli(capsys, "ingest", str(path), "--db", db_url, "--text-col", "isi",
                           "--time-col", "waktu", "--id-col", "no", "--author-col", "")
    assert code == 0 and "stored 1" in out
    with open_store(db_url) as store:
        assert store.quarantine.entries(include_resolved=True) == []  # the header never


@pytest.fixture
def stored(capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str) -> str:
    tweets = [tweet(i) for i in range(3)]
    tweets[0]["text"] = "Tolong! Air banjir sudah sepinggang di Kampung Melayu, kami butuh perahu"
    run_cli(capsys, "ingest", str(write_jsonl(tmp_path / "t.jsonl", [page(tweets)])), "--db",
            db_url)
    return db_url


def test_an_unknown_label_is_an_error_that_lists_the_known_ones(
        capsys: pytest.CaptureFixture[str], stored: str) -> None:
    for command in ("posts", "export"):
        code, out, err = run_cli(capsys, command, "--label", "bencana", "--db", stored)
        assert code != 0 and out == ""
        assert "'bencana'" in err and "disaster.info.call_for_help" in err and "hoax" in err
    code, _, err = run_cli(capsys, "posts", "--label", "disaster.info.call_for_help", "--db",
                           stored)
    assert code == 0 and err == ""


def test_the_api_answers_400_for_an_unknown_label(lite: Api) -> None:  # noqa: F811
    answer = lite.get("/posts", params={"label": "bencana"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unknown_label"
    assert "disaster" in answer.json()["error"]["message"]
    assert lite.get("/posts", params={"label": "hate"}).status_code == 200


def test_classify_takes_texts_as_arguments_and_plain_lines_on_stdin(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(capsys, "classify", "--no-explain",
                           "Gempa terasa kuat di Cianjur, warga berlarian keluar rumah",
                           "Selamat pagi, semoga harimu lancar")
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 2
    assert "disaster" in rows[0]["flags"] and "disaster" not in rows[1]["flags"]
    lines = (b"banjir setinggi lutut di depan pasar\n"
             b'{"text": "Gempa terasa kuat di Cianjur", "id": 7}\n'
             b"\n"
             b'{"tanpa": "teks"}\n')
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines)))
    code, out, err = run_cli(capsys, "classify", "--no-explain")
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["text"] for r in rows] == ["banjir setinggi lutut di depan pasar",
                                         "Gempa terasa kuat di Cianjur"]
    assert rows[1]["id"] == 7  # JSON lines stay JSON, with their fields
    assert "no string field 'text'" in err and "2 classified, 1 skipped" in err
    code, _, err = run_cli(capsys, "classify", "teks", "--input", "x.jsonl")
    assert code != 0 and "--input" in err


def test_quarantine_drop_deletes_and_is_audited(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path, db_url: str) -> None:
    bad = tmp_path / "rusak.jsonl"
    bad.write_bytes(b'{"data": [{"id": "1"}]}\nbukan json\n')
    run_cli(capsys, "ingest", str(bad), "--db", db_url)
    with open_store(db_url) as store:
        ids = [e.id for e in store.quarantine.entries()]
    assert len(ids) == 2
    code, out, _ = run_cli(capsys, "quarantine", "drop", str(ids[0]), "--db", db_url)
    assert code == 0 and f"dropped 1: {ids[0]}" in out
    code, _, err = run_cli(capsys, "quarantine", "drop", str(ids[0]), "999", "--db", db_url)
    assert code != 0 and "999" in err
    with open_store(db_url) as store:
        assert [e.id for e in store.quarantine.entries(include_resolved=True)] == ids[1:]
        entries = [e for e in store.audit.query() if e.action == "quarantine_drop"]
    assert len(entries) == 1 and entries[0].target == str(ids[0])
    assert entries[0].actor.startswith("cli:") and entries[0].detail["entries"][0]["path"]


def test_stats_counts_flagged_posts_per_label(capsys: pytest.CaptureFixture[str],
                                              stored: str) -> None:
    _, out, _ = run_cli(capsys, "stats", "--json", "--db", stored)
    flagged = orjson.loads(out)["flagged"]
    assert flagged.get("disaster") == 1
    _, out, _ = run_cli(capsys, "stats", "--db", stored)
    assert "flagged" in out and "disaster" in out
