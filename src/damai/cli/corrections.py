"""``damai corrections export``: human corrections from the triage queue as training data.

A judged flag is kept as a correction (post, label, value 1 or 0, user, time): benar or review
in triage keeps 1, salah or dismiss keeps 0, and the teach queue keeps 1, 0 or unknown. The
export writes one record per corrected post: its exact text and, for each label someone judged,
1 or 0. A label
nobody judged on that post is unknown, so it is left out (JSONL) or left empty (CSV), never 0.

- **JSONL** (the default) keeps the text byte for byte: ``{"text": "...", "radicalism": 0}`` per
  line, the training-data format (``damai train`` reads it).
- ``--part train`` writes only the training part of the labels and ``--part heldout`` only the
  held-out part (:mod:`damai.pipeline.heldout`): a model trained outside Damai on the training
  part can still be judged honestly on the held-out part when it is registered.
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
from damai.storage import Store

__all__ = ["CORRECTION_FORMATS", "PARTS", "app", "write_corrections_csv", "write_corrections_jsonl"]

CORRECTION_FORMATS = ("jsonl", "csv")
#: which labels ``--part`` writes: all, the training part or the held-out part
PARTS = ("all", "train", "heldout")

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


def _rows(store: Store, part: str) -> Corrected:
    if part == "all":
        return store.triage.iter_corrections()
    from damai.pipeline.heldout import split_corrections

    posts = getattr(split_corrections(store), part)
    return [(p.text, p.known) for p in posts if p.known]


@app.command("export")
def export(out: Annotated[Path, typer.Option("--out", "-o", help="Berkas keluaran / output "
                                             "file")],
           fmt: Annotated[str, typer.Option("--format", help="jsonl (data latih, teks persis / "
                                            "training data, exact text) | csv (spreadsheet)")
                          ] = "jsonl",
           part: Annotated[str, typer.Option("--part", help="all | train (bagian latih / the "
                                             "training part) | heldout (bagian uji / the "
                                             "held-out part)")] = "all",
           db: DbOption = None) -> None:
    """Tulis koreksi sebagai data latih. / Write corrections as training data."""
    if fmt not in CORRECTION_FORMATS:
        raise InputError(f"unknown --format {fmt!r}; choose jsonl (training data) or csv "
                         "(spreadsheets)")
    if part not in PARTS:
        raise InputError(f"unknown --part {part!r}; choose {', '.join(PARTS)}")
    with store_from(db) as store:
        rows = _rows(store, part)
        if fmt == "jsonl":
            with out.open("wb") as binary:
                count, labels = write_corrections_jsonl(rows, binary)
        else:
            with out.open("w", encoding="utf-8", newline="") as text:
                count, labels = write_corrections_csv(rows, text)
    err.print(f"{count:,} post dikoreksi ditulis ke / corrected posts written to {out}")
    if labels:
        spec = ",".join(f"{label}={label}" for label in labels)
        err.print(f"Latih ulang / retrain: damai train --data {out} --text-col text "
                  f"--labels {spec} ...")
