"""``damai library``: the counter-narrative library (issue #11): import, export, list.

Thin wrappers over :mod:`damai.pipeline.library`. An import with any bad row prints every row's
problem and imports nothing (exit 1); an entry that equals its current version is left alone, and
a changed one becomes its next version.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Column, Table

from damai.cli.common import DbOption, cli_actor, err, out, plain, store_from
from damai.errors import InputError
from damai.pipeline.library import EXPORT_FORMATS, export_library, import_library
from damai.respond.entries import STATUSES, THEMES, TONES, ImportRefused
from damai.storage.library import SaveResult

__all__ = ["app", "print_result"]

app = typer.Typer(help="Pustaka narasi tandingan. / The counter-narrative library.",
                  no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]


def print_result(result: SaveResult) -> None:
    out.print(f"baru / new: {len(result.created)}, versi baru / new versions: "
              f"{len(result.changed)}, tidak berubah / unchanged: {len(result.unchanged)}")


@app.command("import")
def import_file(
    path: Annotated[Path | None, typer.Argument(
        help="Berkas YAML atau CSV / a YAML or CSV file", exists=True, dir_okay=False)] = None,
    starter: Annotated[bool, typer.Option(
        "--starter", help="Muat pustaka awal bawaan / load the bundled starter library")] = False,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Impor entri dari YAML atau CSV. / Import entries from YAML or CSV (all or nothing)."""
    if (path is None) == (not starter):
        raise InputError("give a library FILE or --starter, not both / beri BERKAS atau "
                         "--starter")
    with store_from(db) as store:
        try:
            result = import_library(store, None if starter else path, actor=cli_actor())
        except ImportRefused as refused:
            for line in str(refused).splitlines():
                err.print(line)
            raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(orjson.dumps(result.to_dict()).decode() + "\n")
    else:
        print_result(result)


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", help=" | ".join(EXPORT_FORMATS))] = "yaml",
    output: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Berkas / file (bawaan / default: stdout)")] = None,
    db: DbOption = None,
) -> None:
    """Ekspor versi terkini setiap entri. / Export every entry as it stands (imports back)."""
    if fmt not in EXPORT_FORMATS:
        raise typer.BadParameter(f"choose {' or '.join(EXPORT_FORMATS)}", param_hint="--format")
    with store_from(db) as store:
        entries = [v.entry for v in store.library.current()]
    text = export_library(entries, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    err.print(f"{len(entries)} entri diekspor / entries exported")


def _check_choice(value: str | None, choices: Any, option: str) -> None:
    if value is not None and value not in choices:
        raise typer.BadParameter(f"choose one of {', '.join(choices)}", param_hint=option)


@app.command("list")
def list_entries(
    theme: Annotated[str | None, typer.Option(help=" | ".join(THEMES))] = None,
    status: Annotated[str | None, typer.Option(help=" | ".join(STATUSES))] = None,
    tone: Annotated[str | None, typer.Option(help=" | ".join(TONES))] = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Daftar entri (versi terkini). / List entries as they stand."""
    _check_choice(theme, THEMES, "--theme")
    _check_choice(status, STATUSES, "--status")
    _check_choice(tone, TONES, "--tone")
    with store_from(db) as store:
        found = store.library.current(status=status, theme=theme, tone=tone)
    if as_json:
        sys.stdout.write(orjson.dumps([v.to_dict() for v in found]).decode() + "\n")
        return
    table = Table(Column("id", overflow="fold"), "versi / version", "status",
                  "tema / themes", "nada / tone", Column("judul / title", overflow="fold"))
    for v in found:
        e = v.entry
        table.add_row(plain(e.id), str(e.version), e.status, ", ".join(e.themes), e.tone,
                      plain(e.title))
    out.print(table)
    out.print(f"{len(found)} entri / entries")
