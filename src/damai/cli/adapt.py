"""``damai adapt suggest`` and ``damai adapt train``: teach the model an installation's domain.

The names and flags are a contract: external evaluations call them.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import orjson
import typer

from damai.cli.common import err, out
from damai.cli.understand import DataOpt, LabelsOpt, TextColOpt, load_tables
from damai.errors import InputError
from damai.understand.adapt import AdaptConfig, adapt_model
from damai.understand.bundled import load_model
from damai.understand.data import read_table

__all__ = ["app", "suggest", "train"]

app = typer.Typer(help="Ajari model domain instalasi ini dari label analis. / Teach the model "
                       "this installation's domain from analysts' labels.",
                  no_args_is_help=True)

ModelOpt = Annotated[Path | None, typer.Option(
    "--model", help="Folder model (bawaan: model bawaan) / model folder (default: bundled)")]


@app.command("suggest")
def suggest(
    data: Annotated[Path, typer.Option("--data", help="CSV/JSONL tanpa label / unlabelled "
                                       "CSV or JSONL pool")],
    text_col: Annotated[str, typer.Option("--text-col", help="Kolom teks / text column")],
    k: Annotated[int, typer.Option("--k", min=1, help="Jumlah baris / rows to pick")],
    model_dir: ModelOpt = None,
    labels: Annotated[str | None, typer.Option(
        "--labels", help="NAME,... (bawaan: label berbahaya / default: the harmful labels)")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help='{"rows": [...]}')] = False,
) -> None:
    """Pilih baris yang paling perlu dilabeli. / Pick the rows an analyst should label first.

    Prints the 0-based index of each data row in the file as given, one per line."""
    from damai.understand.suggest import suggest as pick

    table = read_table(data, text_col, [])
    names = [n.strip() for n in labels.split(",") if n.strip()] if labels else None
    rows = pick(load_model(model_dir), table.texts, k, names)
    if as_json:
        sys.stdout.write(orjson.dumps({"rows": rows}).decode() + "\n")
    else:
        sys.stdout.write("".join(f"{r}\n" for r in rows))
    err.print(f"{len(rows):,} dari / of {len(table.texts):,} baris dipilih / rows picked")


@app.command("train")
def train(
    data: DataOpt,
    text_col: TextColOpt,
    labels: LabelsOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder model baru / new model folder")],
    model_dir: ModelOpt = None,
    source_data: Annotated[list[Path] | None, typer.Option(
        "--source-data", help="CSV/JSONL sumber tambahan / extra source rows (ulangi / "
                              "repeatable)")] = None,
    source_text_col: Annotated[list[str] | None, typer.Option(
        "--source-text-col", help="Kolom teks sumber / source text column")] = None,
    source_labels: Annotated[list[str] | None, typer.Option(
        "--source-labels", help="NAME=COLUMN,... untuk sumber / for the source rows")] = None,
    source_weight: Annotated[float, typer.Option(
        "--source-weight", min=0.0, help="Bobot satu baris sumber / weight of one source row "
                                         "against one of yours")] = 0.1,
    name: Annotated[str, typer.Option(help="Awalan versi / version prefix")] = "damai-adapted",
) -> None:
    """Adaptasi model ke label instalasi ini. / Adapt a model to this installation's labels."""
    if out_dir.resolve() == (model_dir or Path("/nonexistent")).resolve():
        raise InputError("--out must be a new folder, not the base model's folder")
    table = load_tables(data, text_col, labels)
    source = None
    if source_data:
        if not source_text_col or not source_labels:
            raise InputError("--source-data needs --source-text-col and --source-labels")
        source = load_tables(source_data, source_text_col, source_labels)
    names = [(Path(n).name, c) for n, c in Counter(table.source).items()]
    if source is not None:
        names += [(f"source:{Path(n).name}", c) for n, c in Counter(source.source).items()]
    model = adapt_model(load_model(model_dir), table, source=source,
                        config=AdaptConfig(source_weight=source_weight), name=name,
                        data_names=names, progress=err.print)
    model.save(out_dir)
    for label, summary in model.meta["adapted"].items():
        err.print(f"{label}: {summary}")
    out.print(f"model {model.version} (dari / from {model.meta['parent']}) disimpan ke / saved "
              f"to {out_dir}")
