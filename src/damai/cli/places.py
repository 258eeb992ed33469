"""``damai places backfill`` and ``damai alerts link`` (issue #13): thin wrappers over
:func:`damai.pipeline.places.backfill_places` and :func:`damai.pipeline.linking.link_reports`.
``alerts link`` joins the ``alerts`` group through :func:`register`."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated, Any

import orjson
import typer

from damai.cli.common import DbOption, cli_actor, out, store_from
from damai.pipeline.linking import link_reports
from damai.pipeline.places import backfill_places

__all__ = ["link_command", "places_app", "register"]

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


def link_command(
    hours: Annotated[float, typer.Option("--hours", min=1, max=24 * 60, help=(
        "Tautkan laporan sekian jam terakhir / link the reports of the last this many hours"))]
    = 72,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Tautkan laporan warga ke kejadian; bentuk kejadian dari lonjakan laporan. / Link citizen
    reports to events, and form citizen events from bursts (rules: docs/places.md)."""
    actor = cli_actor()
    with store_from(db) as store:
        report = link_reports(store, lookback=timedelta(hours=hours))
        store.audit.record(actor, "alerts_link", detail=report.to_dict())
    if as_json:
        _emit(report.to_dict())
        return
    out.print(f"kandidat / candidates {report.candidates}, tertaut / linked {report.linked} "
              f"(berubah / changed {report.changed}), tanpa tempat / no place "
              f"{report.unplaced}, tanpa jenis / no hazard type {report.untyped}")
    for key in report.citizen_events:
        out.print(f"kejadian warga / citizen event: {key}")


def register(alerts_app: typer.Typer) -> None:
    """Add ``link`` to the ``damai alerts`` group (:mod:`damai.cli.alerts`), which needs no
    change for it."""
    alerts_app.command("link")(link_command)
