"""``damai channels``: the publishing queue by channel (issue #12 part 3).

``list`` shows each real channel that has publications queued or was paused, with why;
``pause`` and ``resume`` stop and restart a channel (a refused credential pauses one by itself;
resume it once the credential is fixed); ``drain`` sends what is due now, as far as each
account's rate limit allows, which ``damai worker`` and ``damai serve`` do every few seconds.
"""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.table import Column, Table

from damai.cli.common import DbOption, cli_actor, out, plain, store_from
from damai.pipeline.publishing import drain, pause_channel, resume_channel
from damai.pipeline.responses import Actor
from damai.publishers import parse_channel
from damai.publishers.limits import rate_limit

__all__ = ["app"]

app = typer.Typer(help="Antrean publikasi per kanal. / The publishing queue by channel.",
                  no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]
ChannelArg = Annotated[str, typer.Argument(help="PLATFORM:AKUN / PLATFORM:ACCOUNT")]


@app.command("list")
def list_channels(as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Kanal yang punya antrean atau dijeda. / Channels with a queue, or paused."""
    with store_from(db) as store:
        channels = store.queue.channels()
    rows = [c.to_dict() | {"rate_limit": str(rate_limit(parse_channel(c.channel)))}
            for c in channels]
    if as_json:
        sys.stdout.write(orjson.dumps(rows).decode() + "\n")
        return
    if not rows:
        out.print("tidak ada antrean / nothing is queued")
        return
    table = Table(Column("kanal / channel", no_wrap=True), Column("status", no_wrap=True),
                  "antre / queued", Column("batas / limit", no_wrap=True), "alasan / reason",
                  box=None)
    for row in rows:
        table.add_row(plain(str(row["channel"])),
                      "dijeda / paused" if row["paused"] else "berjalan / running",
                      str(row["queued"]), str(row["rate_limit"]), plain(str(row["reason"] or "")))
    out.print(table)


@app.command("pause")
def pause(channel: ChannelArg,
          reason: Annotated[str, typer.Option(help="Alasan / why")] = "",
          db: DbOption = None) -> None:
    """Jeda kanal: antreannya menunggu. / Pause a channel: its queue waits."""
    with store_from(db) as store:
        changed = pause_channel(store, Actor(cli_actor(), "admin"), channel, reason)
    out.print(f"{channel}: " + ("dijeda / paused" if changed else
                                "sudah dijeda / was already paused"))


@app.command("resume")
def resume(channel: ChannelArg, db: DbOption = None) -> None:
    """Lanjutkan kanal yang dijeda. / Resume a paused channel."""
    with store_from(db) as store:
        changed = resume_channel(store, Actor(cli_actor(), "admin"), channel)
    out.print(f"{channel}: " + ("dilanjutkan / resumed" if changed else
                                "tidak sedang dijeda / was not paused"))


@app.command("drain")
def drain_command(as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Kirim yang sudah gilirannya sekarang. / Send what is due now, within the rate limits."""
    with store_from(db) as store:
        done = drain(store, Actor(cli_actor(), "admin"))
    summary = done.to_dict()
    if as_json:
        sys.stdout.write(orjson.dumps(summary).decode() + "\n")
        return
    out.print(f"terkirim / sent {summary['sent']}; gagal / failed {summary['failed']}; tidak "
              f"pasti / uncertain {summary['uncertain']}; kembali antre / requeued "
              f"{summary['requeued']}; dipulihkan / recovered {summary['recovered']}")
    for channel, why in done.skipped.items():
        out.print(f"  dijeda / paused {channel}: {why}")
