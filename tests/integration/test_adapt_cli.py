"""Issue #9: ``damai adapt suggest`` and ``damai adapt train`` — picking what to label, and a
model that learns an installation's domain from its labels without the base's training data.

The fixture is written for these tests. The base learns hate from one set of insults; the
installation's domain uses words the base never saw ("kadrun", "kampret" as slurs), so the base
misses them until it is adapted.
"""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest

from damai.understand.model import TextClassifier
from tests.conftest import run_cli as run

NAMES = ["budi", "sari", "andi", "rina", "joko", "wati", "dedi", "tuti", "agus", "lina",
         "yanto", "ratna", "hendra", "dewi", "fajar", "indah", "rudi", "maya", "eko", "nia"]
BASE = [("dasar {} goblok tolol", 1), ("{} bodoh sekali kamu, bego", 1),
        ("bego amat si {} ini", 1), ("selamat pagi {} semuanya", 0),
        ("terima kasih {} atas bantuannya", 0), ("ayo makan siang bareng {}", 0)]
# the installation's domain: political slurs the base never saw, and ordinary political talk
TARGET = [("kadrun kayak {} otaknya kosong", 1), ("kampret kayak {} memang perusak negeri", 1),
          ("{} kadrun kampret sama saja busuknya", 1), ("rapat warga bahas jalan rusak sama {}", 0),
          ("debat kandidat semalam, {} menyimak programnya", 0),
          ("{} ikut mencoblos di TPS dekat rumah", 0), ("warga {} kerja bakti bersih selokan", 0)]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from damai.cli.main import main

    folder = tmp_path_factory.mktemp("base")
    data = _write(folder / "base.csv", ["Tweet", "HS"],
                  [[t.format(n), y] for n in NAMES for t, y in BASE])
    with pytest.raises(SystemExit) as done:
        main(["train", "--data", str(data), "--text-col", "Tweet", "--labels",
              "hate_speech=HS", "--out", str(folder / "model")])
    assert done.value.code in (0, None)
    return folder / "model"


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    return _write(tmp_path / "labelled.csv", ["isi", "benci", "lain"],
                  [[t.format(n), y, ""] for n in NAMES for t, y in TARGET])


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_issue_9_adaptation_flips_a_missed_decision(capsys: pytest.CaptureFixture[str],
                                                    base: Path, labelled: Path,
                                                    tmp_path: Path) -> None:
    post = "kadrun kayak ahmad otaknya kosong"
    before = TextClassifier.load(base).predict([post])[0]
    assert "hate_speech" not in before.flags
    out = tmp_path / "adapted"
    code, stdout, stderr = run(capsys, "adapt", "train", "--model", str(base), "--data",
                               str(labelled), "--text-col", "isi", "--labels",
                               "hate_speech=benci", "--out", str(out))
    assert code == 0, stderr
    adapted = TextClassifier.load(out)
    after, calm = adapted.predict([post, "rapat warga bahas jalan rusak sama ahmad"])
    assert "hate_speech" in after.flags and after.labels["hate_speech"] > before.labels[
        "hate_speech"]
    assert calm.flags == []
    meta = adapted.meta
    assert meta["parent"] == TextClassifier.load(base).version
    assert meta["data"] == [{"name": "labelled.csv", "rows": len(NAMES) * len(TARGET)}]
    assert meta["adapted"]["hate_speech"]["method"] in {"prior", "recalibrate"}
    assert set(meta["adapted"]["hate_speech"]["cv_f1"]) >= {"recalibrate"}
    assert "kadrun" not in (out / "model.json").read_text(encoding="utf-8")
    assert adapted.version in stdout


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_source_rows_keep_the_base_domain(capsys: pytest.CaptureFixture[str], base: Path,
                                         labelled: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "source.csv", ["Tweet", "HS"],
                    [[t.format(n), y] for n in NAMES for t, y in BASE])
    out = tmp_path / "adapted"
    code, _, stderr = run(capsys, "adapt", "train", "--model", str(base), "--data",
                          str(labelled), "--text-col", "isi", "--labels", "hate_speech=benci",
                          "--source-data", str(source), "--source-text-col", "Tweet",
                          "--source-labels", "hate_speech=HS", "--source-weight", "0.5",
                          "--out", str(out))
    assert code == 0, stderr
    adapted = TextClassifier.load(out)
    insult, slur, calm = adapted.predict(["dasar ahmad goblok tolol",
                                          "kadrun kayak ahmad otaknya kosong",
                                          "ayo makan siang bareng ahmad"])
    assert "hate_speech" in insult.flags and "hate_speech" in slur.flags
    assert calm.flags == []
    assert adapted.meta["source_weight"] == 0.5
    assert {"name": "source:source.csv", "rows": len(NAMES) * len(BASE)} in adapted.meta["data"]


def test_a_label_the_base_lacks_is_trained_from_the_rows(capsys: pytest.CaptureFixture[str],
                                                         base: Path, tmp_path: Path) -> None:
    data = _write(tmp_path / "new.csv", ["text", "politik"],
                  [[t.format(n), 1 - y if "rapat" in t or "debat" in t or "TPS" in t else 0]
                   for n in NAMES for t, y in TARGET])
    out = tmp_path / "m"
    code, _, stderr = run(capsys, "adapt", "train", "--model", str(base), "--data", str(data),
                          "--text-col", "text", "--labels", "politics=politik", "--out", str(out))
    assert code == 0, stderr
    model = TextClassifier.load(out)
    assert model.labels == ["hate_speech", "politics"]
    assert model.meta["adapted"]["politics"]["method"] == "new"
    [p] = model.predict(["debat kandidat semalam, budi menyimak programnya"])
    assert "politics" in p.flags


@pytest.mark.parametrize(("rows", "message"), [
    ([["a {}", 0]] * 30, r"only one class: 0 positive and 30 negative.*label at least 10 "
                         r"positive \(1\) rows more"),
    ([["x {}", 1]] * 4 + [["y {}", 0]] * 40, r"4 positive and 40 negative rows.*label 6 more "
                                             r"positive rows"),
])
def test_too_few_labels_say_how_many_more(capsys: pytest.CaptureFixture[str], base: Path,
                                          tmp_path: Path, rows: list[list[object]],
                                          message: str) -> None:
    data = _write(tmp_path / "few.csv", ["text", "y"],
                  [[str(t).format(i), y] for i, (t, y) in enumerate(rows)])
    code, _, stderr = run(capsys, "adapt", "train", "--model", str(base), "--data", str(data),
                          "--text-col", "text", "--labels", "hate_speech=y", "--out",
                          str(tmp_path / "m"))
    assert code == 2
    assert pytest.importorskip("re").search(message, " ".join(stderr.split()))
    assert not (tmp_path / "m").exists()


def test_label_columns_that_do_not_match(capsys: pytest.CaptureFixture[str], base: Path,
                                         labelled: Path, tmp_path: Path) -> None:
    code, _, stderr = run(capsys, "adapt", "train", "--model", str(base), "--data",
                          str(labelled), "--text-col", "isi", "--labels", "hate_speech=HS",
                          "--out", str(tmp_path / "m"))
    assert code == 2 and "no column 'HS'" in stderr and "'benci'" in stderr


def test_suggest_prints_file_rows_and_skips_copies(capsys: pytest.CaptureFixture[str],
                                                   base: Path, tmp_path: Path) -> None:
    rows: list[list[object]] = []
    for n in NAMES:
        rows += [[t.format(n)] for t, _ in TARGET]
    rows.insert(3, [rows[0][0]])  # an exact copy of row 0
    rows.insert(5, [""])  # an empty row
    rows += [[f"dasar {n} goblok tolol sekali"] for n in NAMES[:3]]  # likely positives
    pool = _write(tmp_path / "pool.csv", ["isi"], rows)
    code, stdout, _ = run(capsys, "adapt", "suggest", "--model", str(base), "--data", str(pool),
                          "--text-col", "isi", "--k", "25")
    assert code == 0
    picked = [int(line) for line in stdout.split()]
    assert len(picked) == len(set(picked)) == 25
    assert all(0 <= i < len(rows) for i in picked)
    assert 3 not in picked and 5 not in picked
    assert {len(rows) - 3, len(rows) - 2, len(rows) - 1} & set(picked)
    code, stdout, _ = run(capsys, "adapt", "suggest", "--model", str(base), "--data", str(pool),
                          "--text-col", "isi", "--k", "25", "--json")
    assert orjson.loads(stdout) == {"rows": picked}


def test_suggest_avoids_near_copies_while_others_remain(capsys: pytest.CaptureFixture[str],
                                                        base: Path, tmp_path: Path) -> None:
    near = [[f"dasar si bodoh goblok tolol bego sekali {'!' * i}"] for i in range(1, 30)]
    other = [[t.format(n)] for n in NAMES[:4] for t, _ in TARGET]
    pool = _write(tmp_path / "pool.csv", ["isi"], near + other)
    code, stdout, _ = run(capsys, "adapt", "suggest", "--model", str(base), "--data", str(pool),
                          "--text-col", "isi", "--k", "10")
    picked = [int(line) for line in stdout.split()]
    assert code == 0 and len(picked) == 10
    assert sum(1 for i in picked if i < len(near)) <= 2


def test_suggest_bad_input(capsys: pytest.CaptureFixture[str], base: Path,
                           tmp_path: Path) -> None:
    pool = _write(tmp_path / "pool.csv", ["isi"], [["halo"]])
    code, _, stderr = run(capsys, "adapt", "suggest", "--model", str(base), "--data", str(pool),
                          "--text-col", "teks", "--k", "3")
    assert code == 2 and "no column 'teks'" in stderr
    code, _, stderr = run(capsys, "adapt", "suggest", "--model", str(base), "--data", str(pool),
                          "--text-col", "isi", "--k", "3", "--labels", "sara")
    assert code == 2 and "no label 'sara'" in stderr
