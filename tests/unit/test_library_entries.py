"""Library entries: every rule is checked row by row, and one bad row imports nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from damai.respond.entries import ImportRefused, parse_rows, read_entries

GOOD = {
    "id": "cn-001", "title": "Damai itu kuat", "text_id": "Kekerasan tidak pernah membawa berkah.",
    "short_280": "Kekerasan tidak membawa berkah.", "short_500": "Kekerasan tidak membawa berkah.",
    "themes": ["anti_violence"], "tone": "hopeful", "author": "tim damai",
    "labels": ["radicalism"],
}


def test_a_good_row_is_an_entry() -> None:
    (entry,) = parse_rows([GOOD], known_labels=["radicalism"])
    assert entry.id == "cn-001" and entry.themes == ("anti_violence",)
    assert entry.status == "approved" and entry.labels == ("radicalism",)


def test_every_problem_is_reported_by_row_and_nothing_is_returned() -> None:
    rows = [
        GOOD,
        {**GOOD, "id": "cn-001"},  # duplicate id
        {**GOOD, "id": "cn-003", "themes": ["peace_and_love"]},  # unknown theme
        {**GOOD, "id": "cn-004", "short_280": "x" * 281},  # over-long variant
        {**GOOD, "id": "cn-005", "title": ""},  # missing field
        {**GOOD, "id": "cn-006", "themes": ["tolerance", "pancasila", "literacy"]},
        {**GOOD, "id": "cn-007", "tone": "sarcastic"},
        {**GOOD, "id": "cn-008", "labels": ["no_such_label"]},
    ]
    with pytest.raises(ImportRefused) as caught:
        parse_rows(rows, known_labels=["radicalism"])
    where = {(p.row, p.field) for p in caught.value.problems}
    assert where == {(2, "id"), (3, "themes"), (4, "short_280"), (5, "title"), (6, "themes"),
                     (7, "tone"), (8, "labels")}
    assert "baris 4 (cn-004): short_280" in str(caught.value)


def test_csv_lists_are_split_on_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "lib.csv"
    path.write_text("id,title,text_id,short_280,short_500,themes,tone,author,labels\n"
                    "a,T,Teks,Pendek,Sedang,tolerance;pancasila,civic,tim,sara;hate_speech\n",
                    encoding="utf-8")
    (entry,) = read_entries(path)
    assert entry.themes == ("tolerance", "pancasila") and entry.labels == ("sara", "hate_speech")


def test_a_yaml_file_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text("just: text\n", encoding="utf-8")
    with pytest.raises(ImportRefused):
        read_entries(path)
