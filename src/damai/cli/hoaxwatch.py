"""``damai alerts hoaxwatch [--event ID] [--json]`` (issue #13 part 7): a thin wrapper over
:func:`damai.pipeline.hoaxwatch.watch`, registered onto ``damai alerts``."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.table import Table

from damai.cli.alerts import JsonOpt, alerts_app
from damai.cli.common import DbOption, out, plain, store_from
from damai.pipeline.hoaxwatch import EventWatch, watch

__all__ = ["hoaxwatch_command"]


def _print(found: EventWatch) -> None:
    e = found.event
    where = ", ".join(sorted(found.area.regencies | found.area.provinces)) or "–"
    out.print(f"kejadian / event {e.id} ({e.event.headline or e.event.hazard}, "
              f"{e.event.time:%Y-%m-%d %H:%M} UTC): {len(found.items)} post; "
              f"wilayah / area: {where}")
    if found.cut:
        out.print(f"  jendela terpotong / window cut: {found.read} post terbaru dibaca / newest "
                  f"posts read (DAMAI_HOAXWATCH_MAX_POSTS)")
    if not found.items:
        return
    table = Table("post", "tempat / place", "alasan / why", "teks / text",
                  "status / state")
    for item in found.items:
        why = "; ".join(f"{r.kind}:{r.ref}" for r in item.reasons)
        place = item.place.name if item.place else "(tanpa tempat / no place)"
        table.add_row(plain(item.stored.id), plain(place), plain(why),
                      plain(item.stored.post.text[:120]),
                      plain(item.status if item.response_id is None
                            else f"{item.status} #{item.response_id}"))
    out.print(table)


@alerts_app.command("hoaxwatch")
def hoaxwatch_command(
    event: Annotated[int | None, typer.Option(
        "--event", min=1, help="Satu kejadian / one event (bawaan / default: kejadian "
                               "DAMAI_HOAXWATCH_DAYS hari terakhir / the last days' events)")]
    = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Antrean pantauan hoaks pascabencana. / The post-disaster hoax-watch queue.

    Post dari wilayah terdampak yang cocok dengan klaim salah atau pola hoaks, dengan koreksi
    yang disarankan. / Posts from the affected regions that match a false claim or a hoax
    pattern, with a suggested correction."""
    with store_from(db) as store:
        found = watch(store, event_id=event)
    if as_json:
        sys.stdout.write(orjson.dumps({"events": [w.to_dict() for w in found]}).decode() + "\n")
        return
    if not found:
        out.print("Tidak ada kejadian dalam jendela pantauan; lihat `damai alerts list` / no "
                  "event within the watch window; see `damai alerts list`")
    for one in found:
        _print(one)
