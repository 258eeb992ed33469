"""``damai campaigns`` and ``damai worker``: campaigns and their scheduler from the command line
(issue #12 part 4).

Thin wrappers over :mod:`damai.pipeline.campaigns` and :mod:`damai.pipeline.scheduler`. A
campaign is created from options or from a YAML/JSON file of campaigns (``--file``); every
problem of every row is printed with its row and field and nothing is created (exit 2). The
operator acts as ``cli:USER`` with the admin role, as for every other command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
import yaml
from rich.table import Column, Table

from damai.cli.common import DbOption, cli_actor, err, out, plain, store_from
from damai.errors import InputError
from damai.pipeline import campaigns as camp
from damai.pipeline.publishing import CHANNELS
from damai.pipeline.responses import Actor
from damai.pipeline.scheduler import Scheduler, TickReport
from damai.respond.entries import THEMES, ImportRefused
from damai.storage.campaigns import Campaign, Slot

__all__ = ["app", "worker_command"]

app = typer.Typer(help="Kampanye dan jadwalnya. / Campaigns and their schedule.",
                  no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]
IdArg = Annotated[int, typer.Argument(help="ID kampanye / campaign id", min=1)]


def _actor() -> Actor:
    return Actor(cli_actor(), "admin")


def _emit(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


def _rows_from(path: Path) -> list[object]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: tidak bisa dibaca / cannot be read: {exc}") from None
    return list(loaded) if isinstance(loaded, list) else [loaded]


def _print_campaign(found: Campaign) -> None:
    out.print(f"kampanye / campaign {found.id}: {found.name} [{found.state}]")
    out.print(f"  {found.start_date} → {found.end_date}, {', '.join(found.times)} "
              f"{found.timezone}; {', '.join(found.channels)}; {', '.join(found.themes)}")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(found.slot_counts.items())) or "—"
    out.print(f"  slot: {counts}")


@app.command("create")
def create(
    name: Annotated[str | None, typer.Option(help="Nama / name")] = None,
    goal: Annotated[str | None, typer.Option(help="Tujuan / goal")] = None,
    theme: Annotated[list[str] | None, typer.Option(help=" | ".join(THEMES))] = None,
    message: Annotated[list[str] | None, typer.Option(
        help="entry:ID atau/or response:ID; varian A/B / A/B variants: 'entry:a | entry:b'")]
    = None,
    channel: Annotated[list[str] | None, typer.Option(help=" | ".join(CHANNELS))] = None,
    start: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    time: Annotated[list[str] | None, typer.Option("--time", help="HH:MM")] = None,
    timezone: Annotated[str, typer.Option(help="WIB | WITA | WIT")] = "WIB",
    file: Annotated[Path | None, typer.Option(
        "--file", help="Berkas YAML/JSON berisi kampanye / a YAML or JSON file of campaigns",
        exists=True, dir_okay=False)] = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Buat kampanye (draf). / Create campaigns (as drafts)."""
    rows = _rows_from(file) if file is not None else [{
        "name": name, "goal": goal, "themes": theme or [], "messages": message or [],
        "channels": channel or ["dry-run"], "start": start, "end": end, "times": time or [],
        "timezone": timezone}]
    with store_from(db) as store:
        try:
            made = camp.create_campaigns(store, _actor(), rows)
        except ImportRefused as refused:
            for problem in refused.problems:
                err.print(str(problem))
            err.print(f"{len(refused.problems)} masalah, tidak ada kampanye yang dibuat / "
                      "problems, no campaign created")
            raise typer.Exit(2) from None
    if as_json:
        _emit([c.to_dict() for c in made])
        return
    for c in made:
        _print_campaign(c)


@app.command("list")
def list_campaigns(as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Daftar kampanye. / List campaigns."""
    with store_from(db) as store:
        found = store.campaigns.recent()
    if as_json:
        _emit([c.to_dict() for c in found])
        return
    table = Table("id", "nama / name", "status / state", "jadwal / schedule",
                  Column("slot", overflow="fold"))
    for c in found:
        table.add_row(str(c.id), plain(c.name), c.state,
                      f"{c.start_date} → {c.end_date} {c.timezone}",
                      ", ".join(f"{k} {v}" for k, v in sorted(c.slot_counts.items())))
    out.print(table)


def _slot_row(s: Slot, zone: str) -> tuple[str, ...]:
    ref = s.message.ref if s.message else "—"
    variant = s.message.variant if s.message else ""
    local = s.scheduled_at.astimezone(camp.zone_of(zone)).strftime("%Y-%m-%d %H:%M")
    return (str(s.id), local, s.channel, f"{ref} {variant}", s.state, s.error or "")


@app.command("show")
def show(campaign_id: IdArg, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Kampanye dan slotnya. / A campaign and its slots."""
    with store_from(db) as store:
        found = store.campaigns.get(campaign_id)
        if found is None:
            raise InputError(f"kampanye {campaign_id} tidak ada / no campaign {campaign_id}")
        slots = store.campaigns.slots(campaign_id=campaign_id)
    if as_json:
        _emit(found.to_dict() | {"slot_list": [s.to_dict() for s in slots]})
        return
    _print_campaign(found)
    table = Table("id", f"waktu / time ({found.timezone})", "kanal / channel",
                  "pesan / message", "status / state", Column("galat / error", overflow="fold"))
    for s in slots:
        table.add_row(*(plain(v) for v in _slot_row(s, found.timezone)))
    out.print(table)


def _step(result: Campaign, as_json: bool) -> None:
    if as_json:
        _emit(result.to_dict())
    else:
        _print_campaign(result)


@app.command("activate")
def activate(campaign_id: IdArg, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Aktifkan atau lanjutkan kampanye. / Activate (or resume) a campaign."""
    with store_from(db) as store:
        _step(camp.activate(store, _actor(), campaign_id), as_json)


@app.command("pause")
def pause(campaign_id: IdArg, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Jeda kampanye. / Pause a campaign."""
    with store_from(db) as store:
        _step(camp.pause(store, _actor(), campaign_id), as_json)


@app.command("end")
def end(campaign_id: IdArg, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Akhiri kampanye; slot yang belum terkirim dibatalkan. / End a campaign; unsent slots
    are cancelled."""
    with store_from(db) as store:
        _step(camp.end(store, _actor(), campaign_id), as_json)


@app.command("confirm-missed")
def confirm_missed(
    campaign_id: IdArg,
    skip: Annotated[bool, typer.Option("--skip", help="Lewati, jangan kirim / skip them, "
                                                      "do not send")] = False,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Jadwalkan ulang slot terlewat, berjarak. / Re-schedule missed slots, spaced out."""
    with store_from(db) as store:
        done = camp.confirm_missed(store, _actor(), campaign_id, skip=skip)
        found = store.campaigns.get(campaign_id)
    if as_json:
        _emit([s.to_dict() for s in done])
        return
    for s in done:
        out.print(" ".join(_slot_row(s, found.timezone if found else "WIB")))
    out.print(f"{len(done)} slot {'dilewati / skipped' if skip else 'dijadwalkan ulang / '
                                  're-scheduled'}")


def worker_command(
    once: Annotated[bool, typer.Option("--once", help="Satu kali lihat, lalu berhenti / one "
                                                      "look, then stop")] = False,
    interval: Annotated[float | None, typer.Option(
        help="Detik antar-tinjauan / seconds between looks (DAMAI_SCHEDULER_INTERVAL)")] = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Jalankan penjadwal kampanye. / Run the campaign scheduler (Ctrl-C to stop)."""

    def report(done: TickReport) -> None:
        if as_json:
            _emit(done.to_dict())
        elif done.sent or done.missed or done.failed or done.duplicate:
            out.print(" ".join(f"{k} {v}" for k, v in done.to_dict().items()))

    with store_from(db) as store:
        Scheduler(store, interval=interval).run(once=once, on_tick=report)
