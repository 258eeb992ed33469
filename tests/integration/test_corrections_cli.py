"""``damai corrections export`` writes dismissed flags as a CSV ``damai train`` reads."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from damai.cli.main import main
from damai.storage import open_store
from damai.understand.data import parse_labels, read_table
from tests.integration.web_helpers import fill_posts


def test_export_writes_text_and_0_1_label_columns(tmp_path: Path, db_url: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    fill_posts(tmp_path, db_url)
    store = open_store(db_url)
    flagged = store.posts.recent("flagged", 10)
    hostile = next(s for s in flagged if "rakitan" in s.post.text)
    store.triage.add_corrections(hostile.id, dict.fromkeys(hostile.post.flags, 0), "sari")
    flood = next(s for s in flagged if "Banjir" in s.post.text)
    store.triage.add_corrections(flood.id, {"disaster": 1}, "sari")
    store.close()
    out = tmp_path / "koreksi.csv"
    with pytest.raises(SystemExit) as done:
        main(["corrections", "export", "--out", str(out), "--db", db_url])
    assert done.value.code in (0, None)
    assert "--labels disaster=disaster,hate_speech=hate_speech,radicalism=radicalism" in (
        capsys.readouterr().err.replace("\n", ""))
    with out.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["text"][:9], r["disaster"], r["hate_speech"], r["radicalism"]) for r in rows] == [
        ("<script>a", "0", "0", "0"), ("Banjir di", "1", "0", "0")]
    specs = parse_labels("radicalism=radicalism,disaster=disaster")
    table = read_table(out, "text", specs)  # what `damai train --data` reads
    assert table.y.tolist() == [[0.0, 0.0], [0.0, 1.0]]
