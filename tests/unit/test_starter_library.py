"""The bundled starter library loads with every row valid, and covers every theme in several
tones (issue #11)."""

from __future__ import annotations

from collections import defaultdict

from damai.respond.entries import SHORT_280, SHORT_500, STARTER, THEMES, read_entries
from damai.understand.bundled import load_model
from damai.understand.taxonomy import load_taxonomy


def _known_labels() -> set[str]:
    return set(load_model().labels) | set(load_taxonomy().kinds)


def test_the_starter_library_loads_against_the_taxonomy_labels() -> None:
    entries = read_entries(STARTER, _known_labels())
    assert len(entries) >= 80
    assert all(e.status == "approved" and e.labels and e.source for e in entries)
    assert all(len(e.short_280) <= SHORT_280 and len(e.short_500) <= SHORT_500 for e in entries)


def test_every_theme_has_at_least_three_tones() -> None:
    tones: dict[str, set[str]] = defaultdict(set)
    for entry in read_entries(STARTER, _known_labels()):
        for theme in entry.themes:
            tones[theme].add(entry.tone)
    assert set(tones) == set(THEMES)
    assert {theme: len(found) for theme, found in tones.items() if len(found) < 3} == {}
