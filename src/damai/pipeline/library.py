"""The counter-narrative library between files and the store: import, export and the label
names an entry may answer.

An import checks every row first (:mod:`damai.respond.entries`) and writes nothing when any row
has a problem; otherwise each entry is saved as its next version, or left alone when it says what
its current version says (:meth:`damai.storage.library.LibraryRepository.save`). An export writes
the current version of every entry in the same format, so it imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from damai.respond.entries import STARTER, LibraryEntry, read_entries
from damai.spreadsheet import safe_cell
from damai.storage import Store
from damai.storage.library import SaveResult
from damai.understand.bundled import DEFAULT_MODEL_DIR
from damai.understand.taxonomy import load_taxonomy

__all__ = ["EXPORT_FORMATS", "FILE_FIELDS", "export_library", "import_library", "known_labels"]

EXPORT_FORMATS: Final = ("yaml", "csv")
#: the fields of a library file, in the order a file lists them
FILE_FIELDS: Final = ("id", "title", "text_id", "text_en", "short_280", "short_500", "themes",
                      "labels", "tone", "source", "author", "status")


@cache
def known_labels() -> frozenset[str]:
    """The labels an entry may answer: the taxonomy's labels and the bundled model's sub-labels
    (``hate_speech.category.religion``) under them. Read from ``model.json`` alone: no model
    is loaded."""
    top = set(load_taxonomy().kinds)
    meta = json.loads((DEFAULT_MODEL_DIR / "model.json").read_text(encoding="utf-8"))
    subs = {n for n in meta.get("labels", []) if n.split(".", 1)[0] in top}
    return frozenset(top | subs)


def import_library(store: Store, path: Path | None, *, actor: str,
                   ip: str | None = None) -> SaveResult:
    """Import a YAML or CSV library file (``None``: the bundled starter library); raises
    :class:`~damai.respond.entries.ImportRefused` with every row's problem, importing
    nothing, when any row is wrong."""
    entries = read_entries(path or STARTER, known_labels())
    return store.library.save(entries, actor=actor, action="library_import", ip=ip)


def _file_row(entry: LibraryEntry) -> dict[str, Any]:
    row = entry.as_dict()
    return {name: row[name] for name in FILE_FIELDS}


def export_library(entries: Iterable[LibraryEntry], fmt: str) -> str:
    """The entries as a library file's text: YAML (a list of mappings) or CSV (lists written
    ``a;b``, cells a spreadsheet would run as a formula quoted with ``'``, which import
    removes)."""
    rows = [_file_row(e) for e in entries]
    if fmt == "yaml":
        return str(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=100))
    if fmt != "csv":
        raise ValueError(f"unknown library format {fmt!r}")
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=FILE_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(";".join(v) if isinstance(v, list) else v)
                         for k, v in row.items()})
    return buffer.getvalue()
