"""A diff between two versions of a library entry shows each changed field, word by word."""

from __future__ import annotations

from dataclasses import replace

from damai.respond.diff import DIFF_FIELDS, Part, diff_entries
from damai.respond.entries import LibraryEntry

OLD = LibraryEntry(id="cn-1", title="Damai itu kuat", text_id="Kekerasan tidak membawa berkah.",
                   short_280="Pendek.", short_500="Sedang.", themes=("anti_violence",),
                   tone="hopeful", author="tim damai")


def test_only_changed_fields_differ_and_the_words_that_changed_are_marked() -> None:
    new = replace(OLD, text_id="Kekerasan tidak pernah membawa berkah.",
                  themes=("anti_violence", "tolerance"), source="Tim Damai", version=2)
    diffs = {d.name: d for d in diff_entries(OLD, new)}
    assert list(diffs) == list(DIFF_FIELDS)
    assert {n for n, d in diffs.items() if d.changed} == {"text_id", "themes", "source"}
    assert [(p.op, p.text.strip()) for p in diffs["text_id"].parts if p.op != "same"] == [
        ("added", "pernah")]
    assert "".join(p.text for p in diffs["text_id"].parts if p.op != "removed") == new.text_id
    assert diffs["themes"].parts == (Part("same", "anti_violence"), Part("added", ", tolerance"))
    assert diffs["source"].parts == (Part("added", "Tim Damai"),)


def test_a_replaced_word_is_removed_then_added() -> None:
    diffs = {d.name: d for d in diff_entries(OLD, replace(OLD, title="Damai itu indah"))}
    assert diffs["title"].parts == (Part("same", "Damai itu "), Part("removed", "kuat"),
                                    Part("added", "indah"))
    assert not any(d.changed for n, d in diffs.items() if n != "title")
