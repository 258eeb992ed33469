"""``damai bmkg poll`` and ``damai alerts list | import-cap | draft | update | cancel | show |
approve | reject | publish | cap`` (issue #13): thin wrappers over :mod:`damai.live.bmkg`,
:mod:`damai.sources.cap`, :mod:`damai.pipeline.alerts` and ``store.events``."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from damai import settings
from damai.cli.common import DbOption, cli_actor, err, out, plain, store_from
from damai.errors import InputError
from damai.live.bmkg import default_feeds, down_after, poll_feeds
from damai.pipeline import alerts as pipeline_alerts
from damai.pipeline.responses import Actor
from damai.sources.cap import read_cap
from damai.storage import Store
from damai.storage.alerts import Alert

__all__ = ["alerts_app", "bmkg_app"]

bmkg_app = typer.Typer(help="Umpan gempa BMKG. / BMKG earthquake feeds.", no_args_is_help=True)
alerts_app = typer.Typer(help="Kejadian bencana resmi dan peringatan CAP. / Official hazard "
                              "events and CAP alerts.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]


def _emit(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


def _warn_down(store: Store) -> list[dict[str, Any]]:
    """Warn on stderr about every feed down for longer than DAMAI_BMKG_DOWN_MINUTES."""
    down = store.events.down(datetime.now(UTC), down_after())
    for feed in down:
        err.print(f"PERINGATAN / WARNING: umpan tidak menjawab sejak / feed down since "
                  f"{feed.failing_since:%Y-%m-%d %H:%M} UTC: {feed.url} — {feed.last_error}")
    return [f.to_dict() for f in down]


@bmkg_app.command("poll")
def poll_command(
    url: Annotated[list[str] | None, typer.Option(
        "--url", help="URL umpan (boleh berulang) / feed URL (repeatable); bawaan / default: "
                      "DAMAI_BMKG_FEEDS")] = None,
    once: Annotated[bool, typer.Option("--once", help="Sekali saja / poll once, then stop")]
    = False,
    interval: Annotated[float | None, typer.Option(
        "--interval", min=1, help="Detik antar-polling / seconds between polls "
                                  "(DAMAI_BMKG_INTERVAL)")] = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Ambil gempa terbaru dari BMKG. / Poll BMKG's earthquake feeds."""
    urls = url or default_feeds()
    if not urls:
        raise InputError("tidak ada URL umpan: beri --url atau DAMAI_BMKG_FEEDS / no feed URL: "
                         "give --url or set DAMAI_BMKG_FEEDS")
    wait = interval or settings.get_float("bmkg_interval")
    with store_from(db) as store:
        while True:
            reports = poll_feeds(store, urls)
            down = _warn_down(store)
            if as_json:
                _emit({"feeds": [r.to_dict() for r in reports], "down": down})
            else:
                for r in reports:
                    out.print(f"{r.url}: {r.status}; kejadian / events {r.events}, baru / new "
                              f"{r.new}, diperbarui / updated {r.updated}, draf peringatan / "
                              f"alert drafts {len(r.drafted)}"
                              + (f"; {r.error}" if r.error else ""))
            if once:
                return
            time.sleep(wait)


@alerts_app.command("list")
def list_command(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Paling banyak / at most")] = 200,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Daftar kejadian, terbaru dulu. / List events, newest first."""
    with store_from(db) as store:
        found = [e.to_dict() for e in store.events.recent(limit)]
        down = _warn_down(store)
    if as_json:
        _emit({"items": found, "down": down})
        return
    table = Table("id", "sumber / source", "waktu / time", "M", "km", "lat", "lon",
                  "wilayah / region", "potensi tsunami / tsunami potential",
                  "dirasakan / felt", "laporan / reports")
    for e in found:
        table.add_row(*(plain("–" if e[k] is None else e[k]) for k in (
            "id", "source", "time", "magnitude", "depth_km", "lat", "lon", "region",
            "tsunami_potential", "felt")), plain(len(e["reports"])))
    out.print(table)


@alerts_app.command("import-cap")
def import_cap_command(
    files: Annotated[list[Path], typer.Argument(help="Berkas CAP 1.2 / CAP 1.2 files")],
    db: DbOption = None,
) -> None:
    """Simpan peringatan CAP 1.2 sebagai kejadian. / Store CAP 1.2 alerts as events.

    Berkas yang tidak sah ditolak dengan pesan validator. Kejadian baru langsung mendapat draf
    peringatan. / A file that does not validate is refused with the validator's message. A new
    event gets its alert draft at once."""
    events = [read_cap(path.read_bytes(), str(path)) for path in files]
    with store_from(db) as store:
        saved = store.events.save(events, "cap-file", datetime.now(UTC))
        drafted = pipeline_alerts.draft_new(store, saved.new_ids)
    out.print(f"baru / new {saved.new}, diperbarui / updated {saved.updated}, sama / unchanged "
              f"{saved.unchanged}; draf peringatan / alert drafts {len(drafted)}")


EventArg = Annotated[int, typer.Argument(min=1, max=2**63 - 1, help="ID kejadian / event id")]
AlertArg = Annotated[int, typer.Argument(min=1, max=2**63 - 1,
                                         help="ID peringatan / alert id")]


def _actor() -> Actor:
    return Actor(cli_actor(), "admin")


def _show_alert(alert: Alert, as_json: bool) -> None:
    if as_json:
        _emit(alert.to_dict())
        return
    out.print(f"peringatan / alert {alert.id} ({alert.msg_type}"
              f"{', mendesak / urgent' if alert.urgent else ''}) kejadian / event "
              f"{alert.event_id}: {alert.state}", highlight=False)
    if alert.state == "in_review" and alert.first_approved_by:
        out.print(f"disetujui pertama oleh / first approved by {alert.first_approved_by}; "
                  "menunggu approver kedua / waiting for a second approver", highlight=False)
    out.print(alert.response.text, highlight=False, markup=False)


def _draft(event_id: int, msg_type: str, urgent: bool, as_json: bool, db: str | None) -> None:
    with store_from(db) as store:
        made = pipeline_alerts.draft(store, _actor(), event_id, msg_type=msg_type,
                                     urgent=urgent)
    _show_alert(made, as_json)


UrgentOpt = Annotated[bool, typer.Option(
    "--urgent", help="Mendesak: satu approver cukup, tinjauan empat mata dilewati dan dicatat "
                     "/ urgent: one approver is enough, four-eyes is waived and audited")]


@alerts_app.command("draft")
def draft_command(event_id: EventArg, urgent: UrgentOpt = False, as_json: JsonOpt = False,
                  db: DbOption = None) -> None:
    """Susun draf peringatan sebuah kejadian. / Draft an alert of an event."""
    _draft(event_id, "Alert", urgent, as_json, db)


@alerts_app.command("update")
def update_command(event_id: EventArg, urgent: UrgentOpt = False, as_json: JsonOpt = False,
                   db: DbOption = None) -> None:
    """Susun pembaruan (CAP Update) yang merujuk peringatan pertama. / Draft an Update that
    references the first alert."""
    _draft(event_id, "Update", urgent, as_json, db)


@alerts_app.command("cancel")
def cancel_command(event_id: EventArg, urgent: UrgentOpt = False, as_json: JsonOpt = False,
                   db: DbOption = None) -> None:
    """Susun pencabutan, tanda aman (CAP Cancel). / Draft a Cancel, the all clear."""
    _draft(event_id, "Cancel", urgent, as_json, db)


@alerts_app.command("show")
def show_command(event_id: EventArg, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Peringatan sebuah kejadian dan statusnya. / An event's alerts and their states."""
    with store_from(db) as store:
        pipeline_alerts.event_of(store, event_id)
        found = store.alerts.for_event(event_id)
    if as_json:
        _emit({"items": [a.to_dict() for a in found]})
        return
    for alert in found:
        _show_alert(alert, False)


@alerts_app.command("approve")
def approve_command(alert_id: AlertArg, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Setujui peringatan (dua approver, kecuali yang mendesak). / Approve an alert (two
    approvers, unless it is urgent)."""
    with store_from(db) as store:
        _show_alert(pipeline_alerts.approve(store, _actor(), alert_id), as_json)


@alerts_app.command("reject")
def reject_command(alert_id: AlertArg, reason: Annotated[str | None, typer.Option(
        help="Alasan / why")] = None, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Tolak peringatan. / Reject an alert."""
    with store_from(db) as store:
        _show_alert(pipeline_alerts.reject(store, _actor(), alert_id, reason), as_json)


@alerts_app.command("publish")
def publish_command(alert_id: AlertArg, channel: Annotated[str, typer.Option(
        help="Kanal / channel: dry-run, mastodon:AKUN@INSTANCE, ...")] = "dry-run",
        as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Terbitkan peringatan yang disetujui. / Publish an approved alert."""
    with store_from(db) as store:
        published, new = pipeline_alerts.publish_alert(store, _actor(), alert_id, channel)
    if as_json:
        _emit({**published.to_dict(), "new": new})
        return
    out.print(f"publikasi / publication {published.id} {published.channel}: {published.state}"
              f"{'' if new else ' (sudah ada / already there)'}", highlight=False)


@alerts_app.command("cap")
def cap_command(
    event_id: EventArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Berkas / file "
                                                "(bawaan / default: stdout)")] = None,
    db: DbOption = None,
) -> None:
    """Tulis CAP 1.2 XML peringatan terkini sebuah kejadian (yang disetujui). / Write the CAP
    1.2 XML of an event's current approved alert.

    Divalidasi dengan skema CAP 1.2 sebelum ditulis. / Validated against the CAP 1.2 schema
    before it is written."""
    with store_from(db) as store:
        _, xml = pipeline_alerts.current_cap(store, event_id)
    if output is None:
        sys.stdout.write(xml.decode())
    else:
        output.write_bytes(xml)
