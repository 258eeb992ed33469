"""Labelled CSV files for ``damai train`` and ``damai evaluate``.

``--labels NAME=COLUMN[,NAME=COLUMN:VALUE...]``: a plain column holds 0/1; ``COLUMN:VALUE`` makes
the label true where the column equals VALUE (``hate_speech=Label:HS``); ``NAME=0`` (or ``=1``)
marks every row of that file, for a file known to hold no (or only) examples of a label. An empty
cell is *unknown* (NaN) for that row: nobody judged it. When several files are combined, a label a
file does not map is unknown for that file's rows, not negative.
Files are CSV, or JSONL (one object per line; ``.jsonl``/``.ndjson``, or any file whose first
character is ``{``), where the columns are keys and a missing or ``null`` key is unknown; this is
what ``damai corrections export`` writes.
CSV files are read as UTF-8, falling back to cp1252 and then latin-1, which some public
Indonesian sets need.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
from numpy.typing import NDArray

from damai.errors import InputError

__all__ = ["LabelSpec", "Table", "columns_of", "combine", "dedupe", "parse_labels", "read_table"]

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True, slots=True)
class LabelSpec:
    name: str
    column: str
    value: str | None = None

    @property
    def constant(self) -> float | None:
        """``NAME=0`` / ``NAME=1``: every row of the file is negative / positive."""
        if self.value is None and self.column in {"0", "1"}:
            return float(self.column)
        return None


def parse_labels(text: str) -> list[LabelSpec]:
    specs = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, column = part.partition("=")
        if not sep or not name or not column:
            raise InputError(f"--labels part {part!r} is not NAME=COLUMN or NAME=COLUMN:VALUE")
        column, _, value = column.partition(":")
        specs.append(LabelSpec(name.strip(), column.strip(), value.strip() or None))
    if not specs:
        raise InputError("--labels is empty; write e.g. --labels hate_speech=HS,abusive=Abusive")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InputError(f"--labels names a label twice: {', '.join(names)}")
    return specs


@dataclass(slots=True)
class Table:
    """Texts and a label matrix: 1.0, 0.0 or NaN (unknown)."""

    texts: list[str]
    labels: list[str]
    y: NDArray[np.float64]
    source: list[str]


def _decode(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: cannot decode")  # pragma: no cover - latin-1 decodes anything


def _label_value(raw: object, spec: LabelSpec, path: Path, line: int) -> float:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return float("nan")
    value = str(raw).strip()
    if spec.value is not None:
        return 1.0 if value == spec.value else 0.0
    if value in {"1", "1.0", "True", "true"}:
        return 1.0
    if value in {"0", "0.0", "False", "false"}:
        return 0.0
    raise InputError(f"{path}:{line}: column {spec.column!r} holds {raw!r}, not 0 or 1; "
                     f"write {spec.name}={spec.column}:VALUE to mark rows equal to VALUE as 1")


def _is_jsonl(path: Path, text: str) -> bool:
    return path.suffix.lower() in {".jsonl", ".ndjson"} or text.lstrip().startswith("{")


def _jsonl_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, object]]]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{path}:{line}: not a JSON object ({exc}); each line must be one "
                             "object such as {\"text\": ..., \"hate_speech\": 1}") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}:{line}: a JSON line must be an object, not "
                             f"{type(row).__name__}")
        yield line, row


def _csv_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, object]]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = list(reader.fieldnames or [])
    return columns, ((reader.line_num, dict(row)) for row in reader)


def columns_of(path: Path) -> list[str]:
    """The header of a CSV file, or the keys of a JSONL file's first line."""
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    text, _ = _decode(path)
    if _is_jsonl(path, text):
        return list(next((row for _, row in _jsonl_rows(path, text)), {}))
    return next(csv.reader(io.StringIO(text, newline="")), [])


def read_table(path: Path, text_col: str, specs: list[LabelSpec]) -> Table:
    """Read one CSV or JSONL file. Errors name the file, the line and what to do next."""
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    text, _ = _decode(path)
    wanted = [text_col, *(s.column for s in specs if s.constant is None)]
    if _is_jsonl(path, text):
        rows_in = list(_jsonl_rows(path, text))
        if rows_in and not any(text_col in row for _, row in rows_in):
            raise InputError(f"{path}: no key {text_col!r} in any line; the first line has "
                             f"{', '.join(map(repr, rows_in[0][1]))}")
    else:
        columns, reader = _csv_rows(text)
        missing = [c for c in wanted if c not in columns]
        if missing:
            raise InputError(f"{path}: no column {', '.join(map(repr, missing))}; the file "
                             f"has {', '.join(map(repr, columns))}")
        rows_in = list(reader)
    texts: list[str] = []
    rows: list[list[float]] = []
    for line, row in rows_in:
        texts.append(str(row.get(text_col) or ""))
        rows.append([s.constant if s.constant is not None else
                     _label_value(row.get(s.column), s, path, line) for s in specs])
    y = np.asarray(rows, dtype=np.float64).reshape(len(texts), len(specs))
    return Table(texts, [s.name for s in specs], y, [str(path)] * len(texts))


def combine(tables: list[Table]) -> Table:
    """Stack tables; a label missing from a table is NaN (unknown) for its rows."""
    names: list[str] = []
    for table in tables:
        names.extend(n for n in table.labels if n not in names)
    blocks = []
    for table in tables:
        block = np.full((len(table.texts), len(names)), np.nan)
        for j, name in enumerate(table.labels):
            block[:, names.index(name)] = table.y[:, j]
        blocks.append(block)
    return Table([t for tb in tables for t in tb.texts], names,
                 np.vstack(blocks) if blocks else np.zeros((0, 0)),
                 [s for tb in tables for s in tb.source])


def dedupe(table: Table) -> Table:
    """Keep the first row of each text (compared lower-cased, spaces folded)."""
    seen: set[str] = set()
    keep: list[int] = []
    for i, text in enumerate(table.texts):
        key = " ".join(text.lower().split())
        if key not in seen:
            seen.add(key)
            keep.append(i)
    return Table([table.texts[i] for i in keep], table.labels, table.y[keep],
                 [table.source[i] for i in keep])
