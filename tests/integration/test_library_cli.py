"""``damai library`` (issue #11): import all or nothing, export that imports back unchanged,
versions on change, and listing with filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from damai.respond.entries import STARTER, read_entries
from damai.storage import open_store
from tests.conftest import run_cli

Capsys = pytest.CaptureFixture[str]

ROW: dict[str, Any] = {
    "id": "cn-uji", "title": "Uji", "text_id": "Teks lengkap untuk diuji.",
    "short_280": "Teks pendek.", "short_500": "Teks sedang.", "themes": ["literacy"],
    "labels": ["hoax"], "tone": "factual", "source": "tim", "author": "tim damai",
    "status": "approved",
}


def write_yaml(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    return path


def listed(capsys: Capsys, db: str, *args: str) -> list[dict[str, Any]]:
    code, out, err = run_cli(capsys, "library", "list", "--json", "--db", db, *args)
    assert code == 0, err
    result: list[dict[str, Any]] = orjson.loads(out)
    return result


def test_the_starter_library_imports_once(capsys: Capsys, db_url: str) -> None:
    starter = len(read_entries(STARTER))
    assert starter >= 8
    code, out, _ = run_cli(capsys, "library", "import", "--starter", "--db", db_url)
    assert code == 0 and f"baru / new: {starter}," in out
    code, out, _ = run_cli(capsys, "library", "import", "--starter", "--db", db_url)
    assert code == 0 and f"tidak berubah / unchanged: {starter}" in out
    entries = listed(capsys, db_url)
    assert len(entries) == starter and {e["version"] for e in entries} == {1}


def test_a_bad_file_reports_every_row_and_imports_nothing(capsys: Capsys, db_url: str,
                                                          tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "pustaka.yaml", [
        ROW,
        {**ROW, "id": "cn-2", "themes": ["cinta_damai"]},
        {**ROW, "id": "cn-3", "short_280": "x" * 281},
        {**ROW, "id": "cn-4", "labels": ["hate_speech.category.religion", "tidak_ada"]},
        {**ROW},  # a second cn-uji
        {**ROW, "id": "cn-6", "text_id": None},
    ])
    code, out, err = run_cli(capsys, "library", "import", str(path), "--db", db_url)
    assert code == 1 and out == ""
    assert "5 masalah, tidak ada yang diimpor / nothing imported" in err
    for line in ("baris 2 (cn-2): themes", "baris 3 (cn-3): short_280",
                 "baris 4 (cn-4): labels: label tidak dikenal / unknown label 'tidak_ada'",
                 "baris 5 (cn-uji): id", "baris 6 (cn-6): text_id"):
        assert line in err
    assert listed(capsys, db_url) == []
    store = open_store(db_url)
    try:
        assert store.audit.query(action="library_import") == []
    finally:
        store.close()


def test_invalid_yaml_and_wrong_arguments_are_refused(capsys: Capsys, db_url: str,
                                                      tmp_path: Path) -> None:
    broken = tmp_path / "rusak.yaml"
    broken.write_text("- id: [tidak ditutup\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "library", "import", str(broken), "--db", db_url)
    assert code == 1 and "YAML tidak sah / invalid YAML" in err
    code, _, err = run_cli(capsys, "library", "import", "--db", db_url)
    assert code == 2 and "--starter" in err
    code, _, err = run_cli(capsys, "library", "import", str(broken), "--starter", "--db", db_url)
    assert code == 2
    code, _, err = run_cli(capsys, "library", "list", "--theme", "cinta", "--db", db_url)
    assert code == 2 and "anti_violence" in err


def test_a_changed_entry_becomes_its_next_version(capsys: Capsys, db_url: str,
                                                  tmp_path: Path) -> None:
    other = {**ROW, "id": "cn-lain", "themes": ["humanitarian"], "tone": "empathetic"}
    path = write_yaml(tmp_path / "pustaka.yaml", [ROW, other])
    assert run_cli(capsys, "library", "import", str(path), "--db", db_url)[0] == 0
    write_yaml(path, [{**ROW, "short_280": "Teks pendek yang diperbaiki."}, other])
    code, out, _ = run_cli(capsys, "library", "import", str(path), "--db", db_url)
    assert code == 0
    assert "versi baru / new versions: 1, tidak berubah / unchanged: 1" in out
    by_id = {e["id"]: e for e in listed(capsys, db_url)}
    assert by_id["cn-uji"]["version"] == 2 and by_id["cn-lain"]["version"] == 1
    assert by_id["cn-uji"]["short_280"] == "Teks pendek yang diperbaiki."
    store = open_store(db_url)
    try:
        assert [v.entry.short_280 for v in store.library.versions("cn-uji")] == [
            "Teks pendek yang diperbaiki.", "Teks pendek."]
        retired = store.library.set_status("cn-uji", "retired", actor="cli:test",
                                           action="library_retire")
        assert retired.entry.version == 3
    finally:
        store.close()
    assert [e["id"] for e in listed(capsys, db_url, "--status", "retired")] == ["cn-uji"]
    assert [e["id"] for e in listed(capsys, db_url, "--theme", "humanitarian")] == ["cn-lain"]
    assert [e["id"] for e in listed(capsys, db_url, "--status", "draft")] == []


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_imports_back_unchanged(capsys: Capsys, db_url: str, tmp_path: Path,
                                       fmt: str) -> None:
    tricky = {**ROW, "id": "cn-rumus", "title": "=HYPERLINK(\"x\")", "text_id": "-- awas, ; "
              "titik koma, \"kutip\"\nbaris baru", "text_en": None, "source": None,
              "themes": ["literacy", "tolerance"], "labels": [], "status": "draft"}
    path = write_yaml(tmp_path / "pustaka.yaml", [ROW, tricky])
    assert run_cli(capsys, "library", "import", str(path), "--db", db_url)[0] == 0
    assert run_cli(capsys, "library", "import", "--starter", "--db", db_url)[0] == 0
    out_file = tmp_path / f"ekspor.{fmt}"
    code, _, err = run_cli(capsys, "library", "export", "--format", fmt, "--out", str(out_file),
                           "--db", db_url)
    assert code == 0 and f"{len(read_entries(STARTER)) + 2} entri diekspor" in err
    if fmt == "csv":  # safe to open in a spreadsheet
        assert "'=HYPERLINK" in out_file.read_text(encoding="utf-8")
    before = listed(capsys, db_url)
    code, out, _ = run_cli(capsys, "library", "import", str(out_file), "--db", db_url)
    assert code == 0 and "baru / new: 0, versi baru / new versions: 0" in out
    fresh = f"sqlite:///{tmp_path / 'baru.sqlite3'}"
    assert run_cli(capsys, "library", "import", str(out_file), "--db", fresh)[0] == 0

    def content(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k not in ("created_at", "created_by")}
                for e in entries]

    assert content(listed(capsys, fresh)) == content(before)
    assert {e["id"]: e for e in before}["cn-rumus"]["text_id"] == tricky["text_id"]


def test_export_writes_to_stdout_by_default(capsys: Capsys, db_url: str) -> None:
    assert run_cli(capsys, "library", "import", "--starter", "--db", db_url)[0] == 0
    code, out, _ = run_cli(capsys, "library", "export", "--db", db_url)
    assert code == 0
    assert [row["id"] for row in yaml.safe_load(out)] == sorted(
        e.id for e in read_entries(STARTER))
