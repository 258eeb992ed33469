"""``damai places backfill`` (issue #13): a thin wrapper over
:func:`damai.pipeline.places.backfill_places`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer

from damai.cli.common import DbOption, cli_actor, out, store_from
from damai.pipeline.places import backfill_places

__all__ = ["places_app"]

places_app = typer.Typer(help="Tempat yang disebut post. / The places posts name.",
                         no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]


def _emit(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


@places_app.command("backfill")
def backfill_command(
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=100_000,
                                            help="Post per transaksi / posts per transaction")]
    = 2000,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Cari tempat dalam post yang tersimpan sebelum migrasi 0016. / Geoparse posts stored
    before migration 0016.

    Aman diulang: post yang sudah punya tempat tidak ditulis lagi. / Safe to run again: a post
    that has places is never written twice."""
    actor = cli_actor()
    with store_from(db) as store:
        store.audit.record(actor, "places_backfill_start")
        report = backfill_places(store, batch_size=batch_size)
        store.audit.record(actor, "places_backfill", detail=report.to_dict())
    if as_json:
        _emit(report.to_dict())
        return
    out.print(f"dibaca / scanned {report.scanned}, diberi tempat / placed {report.placed}")
