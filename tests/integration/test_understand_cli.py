"""The contract of `damai train`, `damai evaluate` and `damai classify` (external evaluations
call these names and flags)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import orjson
import pytest

from tests.conftest import run_cli as run

ROWS = [("dasar {} goblok tolol", "HS", 1), ("{} bodoh sekali kamu, bego", "HS", 1),
        ("anjing lu {} tolol", "HS", 1), ("selamat pagi {} semuanya", "Non_HS", 0),
        ("terima kasih {} atas bantuannya", "Non_HS", 0), ("ayo makan siang {}", "Non_HS", 0)]
NAMES = ["budi", "sari", "andi", "rina", "joko", "wati", "dedi", "tuti"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    lines = ["Tweet,Label,HS"] + [f'"{t.format(n)}",{lab},{hs}' for n in NAMES
                                  for t, lab, hs in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def model(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "model"
    code, stdout, _ = run(capsys, "train", "--data", str(data), "--text-col", "Tweet",
                          "--labels", "hate_speech=Label:HS", "--out", str(out))
    assert code == 0 and "hate_speech" in stdout
    return out


def test_evaluate_json_shape(capsys: pytest.CaptureFixture[str], data: Path, model: Path) -> None:
    code, stdout, _ = run(capsys, "evaluate", "--model", str(model), "--data", str(data),
                          "--text-col", "Tweet", "--labels", "hate_speech=HS", "--json")
    result = orjson.loads(stdout)
    assert code == 0
    assert set(result["labels"]["hate_speech"]) >= {"precision", "recall", "f1", "support",
                                                    "threshold"}
    assert result["labels"]["hate_speech"]["f1"] == 1.0 and result["macro_f1"] == 1.0
    code, stdout, _ = run(capsys, "evaluate", "--data", str(data), "--text-col", "Tweet",
                          "--labels", "hate_speech=HS", "--cv", "2", "--json")
    assert code == 0 and orjson.loads(stdout)["labels"]["hate_speech"]["f1"] > 0.8


def test_classify_jsonl(capsys: pytest.CaptureFixture[str], model: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    lines = b'{"text": "dasar goblok tolol", "id": 7}\nbukan json\n{"teks": "x"}\n' \
            b'{"text": "selamat pagi kawan"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    code, stdout, stderr = run(capsys, "classify", "--model", str(model))
    out = [orjson.loads(line) for line in stdout.splitlines()]
    # A plain-text line is a text to classify; a JSON line without "text" is skipped.
    assert code == 0 and len(out) == 3
    assert out[0]["id"] == 7 and out[0]["flags"] == ["hate_speech"]
    assert out[1]["text"] == "bukan json"
    assert out[2]["flags"] == [] and set(out[2]) >= {"labels", "flags", "language"}
    assert "-:3" in stderr and "-:2" not in stderr and "3 classified, 1 skipped" in stderr


@pytest.mark.slow  # trains a model on several files
def test_multi_file_training_keeps_unknown_labels(capsys: pytest.CaptureFixture[str],
                                                  data: Path, tmp_path: Path) -> None:
    other = tmp_path / "disaster.csv"
    other.write_text("isi,bencana\n" + "".join(
        f"banjir besar melanda {n},1\njalan-jalan ke {n},0\n" for n in NAMES * 2),
        encoding="utf-8")
    code, stdout, _ = run(capsys, "train", "--data", str(data), "--text-col", "Tweet",
                          "--labels", "hate_speech=HS", "--data", str(other), "--text-col", "isi",
                          "--labels", "disaster=bencana", "--out", str(tmp_path / "m2"))
    assert code == 0 and "hate_speech, disaster" in stdout
    meta = orjson.loads((tmp_path / "m2" / "model.json").read_bytes())
    assert meta["support"]["disaster"] == {"positive": 16, "negative": 16}
    assert meta["support"]["hate_speech"]["positive"] == 24


def test_user_errors(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, "train", "--data", str(data), "--text-col", "teks", "--labels",
                       "hate_speech=HS", "--out", str(tmp_path / "x"))
    assert code == 2 and "'Tweet', 'Label', 'HS'" in err
    code, _, err = run(capsys, "evaluate", "--model", str(tmp_path / "none"), "--data",
                       str(data), "--text-col", "Tweet", "--labels", "hate_speech=HS")
    assert code == 2 and "not a Damai model" in err


def test_issue_10_classify_explains_unless_told_not_to(capsys: pytest.CaptureFixture[str],
                                                       model: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    lines = b'{"text": "dasar goblok tolol"}\n'
    outputs = {}
    for flag in ("--explain", "--no-explain"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
        code, stdout, _ = run(capsys, "classify", "--model", str(model), flag)
        assert code == 0
        outputs[flag] = orjson.loads(stdout)
    explained, bare = outputs["--explain"], outputs["--no-explain"]
    assert explained["flags"] == bare["flags"] == ["hate_speech"]
    assert explained["labels"] == bare["labels"]
    assert explained["explanations"]["hate_speech"] and bare["explanations"] == {}
    code, _, err = run(capsys, "classify", "--engine", "ray", "--no-explain", "--input", "x")
    assert code == 2 and "--engine local" in err
