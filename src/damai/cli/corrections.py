"""``damai corrections export``: human corrections from the triage queue as training data.

A dismissed flag is kept as a correction (post, label, value 0, user, time). The export writes one
row per corrected post: its text and a 0/1 column per corrected label, which
``damai train --data FILE.csv --text-col text --labels NAME=NAME,...`` reads as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, TextIO

import typer

from damai.cli.common import DbOption, err, store_from

__all__ = ["app", "write_corrections_csv"]

app = typer.Typer(help="Koreksi manusia dari antrean triase. / Human corrections from the "
                       "triage queue.", no_args_is_help=True)


def write_corrections_csv(rows: Iterable[tuple[str, dict[str, int]]],
                          stream: TextIO) -> tuple[int, list[str]]:
    """Write ``text`` plus one 0/1 column per corrected label; return (rows, labels).

    A post has a correction for every label it was flagged on; its other labels were below their
    threshold, so 0 there repeats what the model already said."""
    corrected = list(rows)
    labels = sorted({label for _, values in corrected for label in values})
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["text", *labels])
    for text, values in corrected:
        writer.writerow([text, *(values.get(label, 0) for label in labels)])
    return len(corrected), labels


@app.command("export")
def export(out: Annotated[Path, typer.Option("--out", "-o", help="Berkas CSV / CSV file")],
           db: DbOption = None) -> None:
    """Tulis koreksi sebagai CSV untuk `damai train`. / Write corrections as CSV for training."""
    with store_from(db) as store, out.open("w", encoding="utf-8", newline="") as stream:
        count, labels = write_corrections_csv(store.triage.iter_corrections(), stream)
    err.print(f"{count:,} post dikoreksi ditulis ke / corrected posts written to {out}")
    if labels:
        spec = ",".join(f"{label}={label}" for label in labels)
        err.print(f"Latih ulang / retrain: damai train --data {out} --text-col text "
                  f"--labels {spec} ...")
