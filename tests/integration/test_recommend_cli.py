"""``damai recommend`` and ``damai evaluate-recommend`` (issue #11), run in process."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import yaml

from damai.respond.entries import STARTER, read_rows
from tests.conftest import run_cli as run


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Two starter entries per theme and a retired one: small enough to embed in a second."""
    rows = [dict(r) for r in read_rows(STARTER)]
    picked = [r for theme in {r["themes"][0] for r in rows}  # type: ignore[index]
              for r in [x for x in rows if x["themes"][0] == theme][:2]]  # type: ignore[index]
    picked.append({**picked[0], "id": "ditarik", "status": "retired"})
    path = tmp_path / "pustaka.yaml"
    path.write_text(yaml.safe_dump(picked, allow_unicode=True), encoding="utf-8")
    return path


def feed(monkeypatch: pytest.MonkeyPatch, lines: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))


def test_recommend_writes_one_line_per_input_with_reasons(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        library: Path) -> None:
    feed(monkeypatch, b'{"text": "Pancasila itu thogut, tegakkan khilafah sekarang"}\n'
                      b'not json\n\n'
                      b'{"id": 7}\n'
                      b'{"text": "Gempa kuat di Palu, rumah roboh, warga butuh tenda"}\n')
    code, stdout, stderr = run(capsys, "recommend", "--k", "2", "--library", str(library))
    assert code == 0
    lines = [orjson.loads(line) for line in stdout.splitlines()]
    assert len(lines) == 4  # the blank line is not a post
    first, bad_json, no_text, quake = lines
    assert len(first["recommendations"]) == 2
    assert "pancasila" in first["recommendations"][0]["themes"]
    assert set(first["recommendations"][0]) == {"entry_id", "title", "themes", "score",
                                                "reasons"}
    assert "disaster_solidarity" in quake["recommendations"][0]["themes"]
    assert bad_json["recommendations"] == [] and "-:2" in bad_json["error"]
    assert no_text["recommendations"] == [] and "'text'" in no_text["error"]
    assert "-:2:" in stderr and "-:4:" in stderr
    ids = {r["entry_id"] for line in lines for r in line["recommendations"]}
    assert "ditarik" not in ids


def test_evaluate_recommend_reports_hits_beside_random(
        capsys: pytest.CaptureFixture[str], library: Path, tmp_path: Path) -> None:
    data = tmp_path / "uji.jsonl"
    data.write_text(
        '{"text": "Info grup sebelah: vaksin berisi chip, sebarkan sebelum dihapus!", '
        '"themes": ["literacy"]}\n'
        '{"text": "Banjir bandang di desa kami, tolong kirim perahu", '
        '"themes": ["disaster_solidarity"]}\n', encoding="utf-8")
    code, stdout, _ = run(capsys, "evaluate-recommend", "--data", str(data), "--library",
                          str(library), "--json")
    assert code == 0
    report = orjson.loads(stdout)
    assert report["posts"] == 2 and report["k"] == 3
    assert report["hit@1"] == 1.0 and report["hit@3"] == 1.0 and report["mrr"] == 1.0
    # 3 of the 14 approved entries carry each post's theme (lit-02 carries both; rec-02 literacy)
    assert report["random"]["hit@1"] == pytest.approx(3 / 14, abs=1e-4)
    code, stdout, _ = run(capsys, "evaluate-recommend", "--data", str(data), "--library",
                          str(library), "--signals", "labels,bm25", "--k", "1")
    assert code == 0 and "hit@1" in stdout and "acak/random" in stdout


def test_usage_history_lowers_an_entry_used_yesterday(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, library: Path,
        tmp_path: Path) -> None:
    post = b'{"text": "Pancasila itu thogut, tegakkan khilafah sekarang"}\n'
    feed(monkeypatch, post)
    _, before, _ = run(capsys, "recommend", "--k", "1", "--library", str(library))
    first = orjson.loads(before)["recommendations"][0]
    usage = tmp_path / "usage.json"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    usage.write_text(orjson.dumps({"last_used": {first["entry_id"]: yesterday}}).decode(),
                     encoding="utf-8")
    feed(monkeypatch, post)
    code, after, _ = run(capsys, "recommend", "--k", "14", "--library", str(library), "--usage",
                         str(usage))
    (lowered,) = [r for r in orjson.loads(after)["recommendations"]
                  if r["entry_id"] == first["entry_id"]]
    assert code == 0 and lowered["score"] < first["score"] - 0.3
    assert any(x.startswith("Dipakai baru-baru ini") for x in lowered["reasons"])
    usage.write_text('{"last_used": {"pc-01": "kemarin"}}', encoding="utf-8")
    feed(monkeypatch, post)
    code, _, stderr = run(capsys, "recommend", "--library", str(library), "--usage", str(usage))
    assert code == 2 and "kemarin" in stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--signals", "magic"], "--signals"),
    (["--library", "tidak-ada.yaml"], "tidak ada"),
])
def test_bad_options_are_clear_errors(capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch, args: list[str],
                                      message: str) -> None:
    feed(monkeypatch, b'{"text": "x"}\n')
    code, _, stderr = run(capsys, "recommend", *args)
    assert code == 2 and message in stderr and "Traceback" not in stderr


def test_a_bad_library_or_evaluation_file_is_refused_row_by_row(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, library: Path) -> None:
    broken = tmp_path / "rusak.yaml"
    broken.write_text(yaml.safe_dump([{"id": "a", "title": "t", "themes": ["perang"]}]),
                      encoding="utf-8")
    data = tmp_path / "uji.jsonl"
    data.write_text('{"text": "a", "themes": ["literacy"]}\n', encoding="utf-8")
    code, _, stderr = run(capsys, "evaluate-recommend", "--data", str(data), "--library",
                          str(broken))
    assert code == 2 and "baris 1 (a): themes" in stderr
    data.write_text('{"text": "a", "themes": []}\n', encoding="utf-8")
    code, _, stderr = run(capsys, "evaluate-recommend", "--data", str(data), "--library",
                          str(library))
    assert code == 2 and "uji.jsonl:1" in stderr


@pytest.mark.slow  # embeds the whole starter library and 164 posts
def test_issue_11_targets_hold_on_the_test_posts(capsys: pytest.CaptureFixture[str]) -> None:
    data = Path(__file__).resolve().parents[2] / "seeds" / "recommend" / "test.jsonl"
    code, stdout, _ = run(capsys, "evaluate-recommend", "--data", str(data), "--json")
    report = orjson.loads(stdout)
    assert code == 0 and report["posts"] >= 150 and report["no_recommendation"] == 0
    assert report["hit@1"] >= 0.75 and report["hit@3"] >= 0.92, report
    assert report["mrr"] > report["random"]["mrr"] + 0.3
