"""Issue #13, geoparsing through the CLI: ``damai geoparse`` on a file and on stdin, and
``damai evaluate-geoparse`` on the bundled set, whose figures must equal a recomputation from
``damai geoparse``'s own output."""

from __future__ import annotations

import io
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import run_cli as run
from tests.conftest import write_jsonl

TEST_SET = Path(__file__).resolve().parents[2] / "seeds" / "geo" / "test.jsonl"


def _lines(out: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in out.splitlines()]


def test_geoparse_writes_one_line_of_places_per_text(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "posts.jsonl", [
        {"text": "Kab. Bekasi banjir lagi"}, {"text": "Selamat pagi semua"},
        {"text": "Longsor di Kec. Lembang, Kab. Bandung Barat"}])
    code, out, _ = run(capsys, "geoparse", str(data))
    rows = _lines(out)
    assert code == 0 and len(rows) == 3
    assert rows[0]["places"][0] == {
        "name": "Kabupaten Bekasi", "level": "regency", "province": "Jawa Barat",
        "regency": "Kabupaten Bekasi", "district": None,
        "lat": rows[0]["places"][0]["lat"], "lon": rows[0]["places"][0]["lon"]}
    assert rows[1] == {"places": []}
    assert [(p["name"], p["level"]) for p in rows[2]["places"]] == [
        ("Lembang", "district"), ("Kabupaten Bandung Barat", "regency")]


def test_geoparse_reads_stdin_and_names_a_bad_line(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"text": "Jogja hujan deras"}\n{"txt": 1}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body)))
    code, out, err = run(capsys, "geoparse")
    assert code == 2 and "baris/line 2" in err
    assert out == ""  # the batch is written only once read whole


def _recompute(labelled: list[dict[str, Any]], found: list[dict[str, Any]]) -> dict[str, float]:
    province_hits = regency_hits = false_places = 0
    for post, got in zip(labelled, found, strict=True):
        places = got["places"]
        counts = Counter(p["province"] for p in places)
        province = max(counts, key=lambda name: counts[name]) if places else None
        regency = next((p["regency"] for p in places
                        if p["province"] == province and p["regency"]), None)
        province_hits += post["province"] is not None and province == post["province"]
        regency_hits += bool(post["regency"]) and regency in post["regency"]
        false_places += post["province"] is None and bool(places)
    with_province = sum(p["province"] is not None for p in labelled)
    with_regency = sum(bool(p["regency"]) for p in labelled)
    return {"province_accuracy": round(province_hits / with_province, 4),
            "regency_accuracy": round(regency_hits / with_regency, 4),
            "no_place_false_rate": round(false_places / (len(labelled) - with_province), 4)}


def test_evaluate_geoparse_figures_equal_a_recomputation(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    labelled = _lines(TEST_SET.read_text(encoding="utf-8"))
    assert len(labelled) >= 300
    texts = write_jsonl(tmp_path / "texts.jsonl", [{"text": p["text"]} for p in labelled])
    code, out, _ = run(capsys, "geoparse", str(texts))
    assert code == 0
    expected = _recompute(labelled, _lines(out))
    code, out, _ = run(capsys, "evaluate-geoparse", "--data", str(TEST_SET), "--json")
    report = orjson.loads(out)
    assert code == 0
    assert {k: report[k] for k in expected} == expected
    assert report["posts"] == len(labelled)
    code, out, _ = run(capsys, "evaluate-geoparse", "--data", str(TEST_SET))
    assert code == 0
    assert f"province: {expected['province_accuracy']} " in out
    assert f"regency: {expected['regency_accuracy']} " in out
    assert f"a place: {expected['no_place_false_rate']} " in out


def test_evaluate_geoparse_names_a_bad_line(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "bad.jsonl", [{"text": "x", "province": None},
                                                {"text": "y", "province": 3}])
    code, _, err = run(capsys, "evaluate-geoparse", "--data", str(data))
    assert code == 2 and "bad.jsonl:2" in err
