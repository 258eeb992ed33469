"""``damai corrections export``: human corrections from the triage queue as training data.

A judged flag is kept as a correction (post, label, value 1 or 0, user, time): benar or review
in triage keeps 1, salah or dismiss keeps 0, and the teach queue keeps 1, 0 or unknown. The
export writes one record per corrected post: its exact text and, for each label someone judged,
1 or 0. A label
nobody judged on that post is unknown, so it is left out (JSONL) or left empty (CSV), never 0.

- **JSONL** (the default) keeps the text byte for byte: ``{"text": "...", "radicalism": 0}`` per
  line, the training-data format (``damai train`` reads it).
- **CSV** (``--format csv``) is for spreadsheets: cells a spreadsheet would run as a formula get a
  leading ``'`` (:func:`damai.spreadsheet.safe_cell`), so its text is not exact.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Annotated, TextIO

import orjson
import typer

from damai.cli.common import DbOption, err, store_from
from damai.errors import InputError
from damai.spreadsheet import safe_cell

__all__ = ["CORRECTION_FORMATS", "app", "write_corrections_csv", "write_corrections_jsonl"]

CORRECTION_FORMATS = ("jsonl", "csv")

app = typer.Typer(help="Koreksi manusia dari antrean triase. / Human corrections from the "
                       "triage queue.", no_args_is_help=True)

Corrected = Iterable[tuple[str, dict[str, int]]]


def write_corrections_jsonl(rows: Corrected, stream: IO[bytes]) -> tuple[int, list[str]]:
    """One JSON object per corrected post: ``text`` plus each judged label as 1 or 0; return
    (posts, labels seen)."""
    count = 0
    labels: set[str] = set()
    for text, values in rows:
        stream.write(orjson.dumps({"text": text, **{k: int(v) for k, v in values.items()}})
                     + b"\n")
        labels.update(values)
        count += 1
    return count, sorted(labels)


def write_corrections_csv(rows: Corrected, stream: TextIO) -> tuple[int, list[str]]:
    """``text`` plus one column per judged label: 1, 0, or empty where nobody judged that label
    on that post; return (rows, labels)."""
    corrected = list(rows)
    labels = sorted({label for _, values in corrected for label in values})
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["text", *labels])
    for text, values in corrected:
        writer.writerow([safe_cell(text), *(values.get(label, "") for label in labels)])
    return len(corrected), labels


@app.command("export")
def export(out: Annotated[Path, typer.Option("--out", "-o", help="Berkas keluaran / output "
                                             "file")],
           fmt: Annotated[str, typer.Option("--format", help="jsonl (data latih, teks persis / "
                                            "training data, exact text) | csv (spreadsheet)")
                          ] = "jsonl",
           db: DbOption = None) -> None:
    """Tulis koreksi sebagai data latih. / Write corrections as training data."""
    if fmt not in CORRECTION_FORMATS:
        raise InputError(f"unknown --format {fmt!r}; choose jsonl (training data) or csv "
                         "(spreadsheets)")
    with store_from(db) as store:
        if fmt == "jsonl":
            with out.open("wb") as binary:
                count, labels = write_corrections_jsonl(store.triage.iter_corrections(), binary)
        else:
            with out.open("w", encoding="utf-8", newline="") as text:
                count, labels = write_corrections_csv(store.triage.iter_corrections(), text)
    err.print(f"{count:,} post dikoreksi ditulis ke / corrected posts written to {out}")
    if labels:
        spec = ",".join(f"{label}={label}" for label in labels)
        err.print(f"Latih ulang / retrain: damai train --data {out} --text-col text "
                  f"--labels {spec} ...")
