"""What changed between two versions of a library entry, field by field, word by word.

Pure: two entries in, a list of :class:`FieldDiff` out (``difflib`` from the standard library).
Lists (themes, labels) are compared as comma-separated text, so an added theme shows as an added
word.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Final, Literal

from damai.respond.entries import LibraryEntry

__all__ = ["DIFF_FIELDS", "FieldDiff", "Part", "diff_entries"]

#: the fields a diff compares, in the order a page shows them
DIFF_FIELDS: Final = ("title", "status", "text_id", "text_en", "short_280", "short_500",
                      "themes", "labels", "tone", "source", "author")
Op = Literal["same", "removed", "added"]
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]+")


@dataclass(frozen=True, slots=True)
class Part:
    op: Op
    text: str


@dataclass(frozen=True, slots=True)
class FieldDiff:
    name: str
    old: str
    new: str
    parts: tuple[Part, ...]

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _text(entry: LibraryEntry, name: str) -> str:
    value = getattr(entry, name)
    if isinstance(value, tuple):
        return ", ".join(value)
    return "" if value is None else str(value)


def _parts(old: str, new: str) -> tuple[Part, ...]:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts: list[Part] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(Part("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(Part("removed", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(Part("added", "".join(b[j1:j2])))
    return tuple(parts)


def diff_entries(old: LibraryEntry, new: LibraryEntry) -> list[FieldDiff]:
    """Every field of :data:`DIFF_FIELDS`, with its old and new text and the word-level
    changes between them."""
    diffs = []
    for name in DIFF_FIELDS:
        a, b = _text(old, name), _text(new, name)
        diffs.append(FieldDiff(name, a, b, _parts(a, b)))
    return diffs
