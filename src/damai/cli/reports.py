"""``damai report weekly | transparency`` (issue #14 part 6): thin wrappers over
:mod:`damai.reports`. The file's suffix (``.html`` or ``.pdf``) picks the format; without
``--out`` the HTML goes to stdout, or, with ``--json``, the figures."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from damai.cli.common import DbOption, err, store_from
from damai.errors import InputError
from damai.reports import (
    TRANSPARENCY_DAYS,
    chosen,
    last_days,
    last_week,
    render,
    transparency_report,
    weekly_report,
)

__all__ = ["app"]

app = typer.Typer(help="Laporan mingguan dan transparansi. / Weekly and transparency reports.",
                  no_args_is_help=True)
SinceOpt = Annotated[str | None, typer.Option("--since", help="Hari pertama / first day "
                                                              "(2026-11-01)")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Hari terakhir, ikut dihitung / "
                                                              "last day, included")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="FILE.html atau/or FILE.pdf "
                                                                 "(default: HTML ke stdout)")]
LangOpt = Annotated[str, typer.Option("--lang", help="id | en")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Angka sebagai JSON / the figures as "
                                                      "JSON")]


def _write(data: dict[str, Any], out: Path | None, lang: str, as_json: bool) -> None:
    if lang not in ("id", "en"):
        raise InputError(f"--lang: tulis id atau en, bukan {lang!r} / write id or en, not {lang!r}")
    if as_json:
        sys.stdout.write(orjson.dumps(data).decode() + "\n")
        return
    fmt = "html" if out is None else out.suffix.lower().lstrip(".")
    if fmt not in ("html", "pdf"):
        raise InputError("--out: akhiri dengan .html atau .pdf / end it with .html or .pdf")
    body = render(data, fmt, lang)
    if out is None:
        sys.stdout.write(body.decode() + "\n")
        return
    out.write_bytes(body)
    empty = " (tidak ada data / no data)" if data["empty"] else ""
    err.print(f"ditulis / written: {out}{empty}")


@app.command("weekly")
def weekly_command(
    week: Annotated[str | None, typer.Option("--week", help="Minggu ISO / ISO week "
                                                            "(2026-W48)")] = None,
    since: SinceOpt = None, until: UntilOpt = None, out: OutOpt = None, lang: LangOpt = "id",
    as_json: JsonOpt = False, db: DbOption = None,
) -> None:
    """Laporan mingguan: volume, narasi, respons, cakupan, waktu merespons. / The weekly report
    (default: the last full week)."""
    period = chosen(week, since, until, default=last_week())
    with store_from(db) as store:
        data = weekly_report(store, period)
    _write(data, out, lang, as_json)


@app.command("transparency")
def transparency_command(
    since: SinceOpt = None, until: UntilOpt = None, out: OutOpt = None, lang: LangOpt = "id",
    as_json: JsonOpt = False, db: DbOption = None,
) -> None:
    """Laporan transparansi: hanya angka agregat. / The transparency report: aggregates only
    (default: the last 90 days)."""
    period = chosen(None, since, until, default=last_days(TRANSPARENCY_DAYS))
    with store_from(db) as store:
        data = transparency_report(store, period)
    _write(data, out, lang, as_json)
