"""``damai bmkg poll`` and ``damai alerts list | import-cap | cap`` (issue #13): thin wrappers
over :mod:`damai.live.bmkg`, :mod:`damai.sources.cap` and ``store.events``."""

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
from damai.cli.common import DbOption, err, out, plain, store_from
from damai.errors import InputError, NotFound
from damai.live.bmkg import default_feeds, down_after, poll_feeds
from damai.sources.cap import event_cap, read_cap
from damai.storage import Store

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
                              f"{r.new}, diperbarui / updated {r.updated}"
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

    Berkas yang tidak sah ditolak dengan pesan validator. / A file that does not validate is
    refused with the validator's message."""
    events = [read_cap(path.read_bytes(), str(path)) for path in files]
    with store_from(db) as store:
        saved = store.events.save(events, "cap-file", datetime.now(UTC))
    out.print(f"baru / new {saved.new}, diperbarui / updated {saved.updated}, sama / unchanged "
              f"{saved.unchanged}")


@alerts_app.command("cap")
def cap_command(
    event_id: Annotated[int, typer.Argument(min=1, help="ID kejadian / event id")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Berkas / file "
                                                "(bawaan / default: stdout)")] = None,
    db: DbOption = None,
) -> None:
    """Tulis CAP 1.2 XML sebuah kejadian. / Write an event's CAP 1.2 XML."""
    with store_from(db) as store:
        found = store.events.get(event_id)
    if found is None:
        raise NotFound(f"kejadian {event_id} tidak ada; lihat `damai alerts list` / no event "
                       f"{event_id}; see `damai alerts list`")
    xml = event_cap(event_id, found.event, sender=settings.get("cap_sender"),
                    sent=datetime.now(UTC))
    if output is None:
        sys.stdout.write(xml.decode())
    else:
        output.write_bytes(xml)
