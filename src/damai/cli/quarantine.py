"""``damai quarantine``: list, show and re-try records that could not be ingested."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from damai.cli.common import DbOption, cli_actor, err, escape, out, plain, store_from
from damai.errors import InputError
from damai.pipeline.ingest import IngestOptions
from damai.pipeline.quarantine import retry_quarantine
from damai.sources.registry import CsvColumns

app = typer.Typer(help="Karantina: rekaman yang gagal dimasukkan. / Quarantined records.",
                  invoke_without_command=True, no_args_is_help=False)


@app.callback()
def quarantine(ctx: typer.Context, db: DbOption = None,
               all_: Annotated[bool, typer.Option("--all", help="Termasuk yang selesai / "
                                                  "include resolved")] = False) -> None:
    """Daftar karantina (bawaan). / List quarantined records (default)."""
    if ctx.invoked_subcommand is not None:
        return
    with store_from(db) as store:
        entries = store.quarantine.entries(include_resolved=all_)
    table = Table("id", "berkas / file", "lokasi / where", "alasan / reason", "coba / tries",
                  "pesan / message")
    for e in entries:
        table.add_row(str(e.id), plain(e.path), plain(e.location), plain(e.reason), str(e.retries),
                      plain(e.message[:120]))
    out.print(table)
    out.print(f"{len(entries)} record(s). Re-try: damai quarantine retry [--format F] "
              "[--encoding cp1252]")


@app.command()
def show(entry_id: Annotated[int, typer.Argument(help="id")], db: DbOption = None) -> None:
    """Tulis byte mentah satu rekaman ke stdout. / Write one record's raw bytes to stdout."""
    with store_from(db) as store:
        found = [e for e in store.quarantine.entries(include_resolved=True) if e.id == entry_id]
    if not found:
        raise InputError(f"no quarantine record {entry_id}; list them with `damai quarantine`")
    err.print(f"{found[0].path}:{found[0].location}: {found[0].reason} — {found[0].message}")
    sys.stdout.buffer.write(found[0].raw + b"\n")


@app.command()
def retry(
    ids: Annotated[list[int] | None, typer.Argument(help="id (bawaan: semua / default all)")]
    = None,
    fmt: Annotated[str, typer.Option("--format")] = "auto",
    encoding: Annotated[str | None, typer.Option(help="mis. cp1252 / e.g. cp1252")] = None,
    text_col: Annotated[str, typer.Option()] = "text",
    id_col: Annotated[str, typer.Option()] = "id",
    time_col: Annotated[str, typer.Option()] = "created_at",
    author_col: Annotated[str, typer.Option()] = "author",
    db: DbOption = None,
) -> None:
    """Coba lagi rekaman karantina. / Re-try quarantined records."""
    columns = CsvColumns(text_col=text_col, id_col=id_col, time_col=time_col,
                         author_col=author_col, encoding=encoding)
    options = IngestOptions.from_settings(format=fmt, encoding=encoding, csv_columns=columns)
    with store_from(db) as store:
        report = retry_quarantine(store, options, ids=ids or None)
    for entry_id, why in report.failing.items():
        err.print(f"[yellow]{entry_id}[/]: masih gagal / still failing — {escape(why)}",
                  markup=True)
    out.print(f"tried {report.tried}, resolved {len(report.resolved)}, still failing "
              f"{len(report.failing)}; stored {report.stored}, duplicates {report.duplicates}")


@app.command()
def drop(
    ids: Annotated[list[int], typer.Argument(help="id rekaman / record ids", min=1)],
    db: DbOption = None,
) -> None:
    """Hapus rekaman karantina (diaudit). / Delete quarantined records (audited)."""
    with store_from(db) as store:
        dropped = store.quarantine.drop(sorted(set(ids)), cli_actor())
    unknown = sorted(set(ids) - set(dropped))
    out.print(f"dihapus / dropped {len(dropped)}: {', '.join(map(str, dropped)) or '-'}")
    if unknown:
        raise InputError(f"tidak ada rekaman karantina / no quarantine record "
                         f"{', '.join(map(str, unknown))}; lihat / see `damai quarantine --all`")
