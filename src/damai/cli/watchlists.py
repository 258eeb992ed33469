"""``damai watchlists add | list | show | check | remove`` (issue #14 part 5): thin wrappers over
:mod:`damai.pipeline.watchlists`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from damai.cli.common import DbOption, cli_actor, out, plain, store_from
from damai.errors import NotFound
from damai.pipeline.watchlists import Assessment, add, assess, check, deliver_due, remove

__all__ = ["app"]

app = typer.Typer(help="Daftar pantau dengan peringatan lonjakan. / Watchlists with spike "
                       "alerts.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]
IdArg = Annotated[int, typer.Argument(min=1, help="Nomor daftar pantau / watchlist id")]


def _emit(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


def _row(table: Table, found: Assessment) -> None:
    w, v = found.watchlist, found.verdict
    table.add_row(plain(w.id), plain(w.name), plain(w.query), plain(v.count),
                  plain(f"{v.baseline:.2f}"), plain(f"{v.p_value:.2g}"),
                  "[bold red]LONJAKAN / SPIKE[/]" if v.spike else "–")


@app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="Nama / name")],
    query: Annotated[str, typer.Argument(help='Kata, label:…, provinsi:"…" / words, label:…, '
                                              'provinsi:"…"')],
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Simpan pencarian sebagai daftar pantau. / Save a search as a watchlist.

    Contoh / example: damai watchlists add "Hoaks banjir" 'banjir label:hoax
    provinsi:"Jawa Barat"'"""
    with store_from(db) as store:
        made = add(store, name, query, actor=cli_actor())
    if as_json:
        _emit(made.to_dict())
        return
    out.print(f"daftar pantau / watchlist {made.id} disimpan / saved: {made.name}")


@app.command("list")
def list_command(as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Daftar pantau: hitungan kini dan baseline. / Watchlists: count now and baseline."""
    with store_from(db) as store:
        found = [assess(store, w) for w in store.watchlists.listing()]
    if as_json:
        _emit({"watchlists": [f.to_dict() for f in found]})
        return
    if not found:
        out.print("Belum ada daftar pantau; buat dengan `damai watchlists add` / no watchlist "
                  "yet; make one with `damai watchlists add`")
        return
    table = Table("id", "nama / name", "kueri / query", "jendela / window", "baseline", "p",
                  "")
    for one in found:
        _row(table, one)
    out.print(table)


@app.command("show")
def show_command(watchlist_id: IdArg, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Satu daftar pantau dan pemberitahuannya. / One watchlist and its notifications."""
    with store_from(db) as store:
        found = store.watchlists.get(watchlist_id)
        if found is None:
            raise NotFound(f"daftar pantau {watchlist_id} tidak ada; lihat `damai watchlists "
                           f"list` / no watchlist {watchlist_id}; see `damai watchlists list`")
        now = assess(store, found)
        notes = store.watchlists.notifications(watchlist_id=watchlist_id)
    if as_json:
        _emit({**now.to_dict(), "notifications": [n.to_dict() for n in notes]})
        return
    table = Table("id", "nama / name", "kueri / query", "jendela / window", "baseline", "p", "")
    _row(table, now)
    out.print(table)
    for n in notes:
        ways = ", ".join(f"{d.way}: {d.state}" for d in n.deliveries) or "–"
        out.print(f"  #{n.id} {n.window_start:%Y-%m-%d %H:%M}–{n.window_end:%H:%M} UTC: "
                  f"{n.count} post (baseline {n.baseline:.2f}) [{ways}] → /notifications/{n.id}")


@app.command("check")
def check_command(as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Periksa lonjakan, kirim yang tertunda. / Check for spikes, send what is pending.

    Penjadwal `damai serve` / `damai worker` melakukannya tiap menit. / The scheduler of
    `damai serve` / `damai worker` does this every minute."""
    with store_from(db) as store:
        made = check(store)
        done = deliver_due(store)
        pending = store.watchlists.pending()
    if as_json:
        _emit({"notifications": [n.to_dict() for n in made], **done, "pending": pending})
        return
    for n in made:
        out.print(f"lonjakan / spike: {n.watchlist_name} — {n.count} post (baseline "
                  f"{n.baseline:.2f}, p = {n.p_value:.2g}) → /notifications/{n.id}")
    out.print(f"pemberitahuan baru / new notifications: {len(made)}; terkirim / sent: "
              f"{done['sent']}; tertunda / pending: {pending}; gagal / failed: {done['failed']}")


@app.command("remove")
def remove_command(watchlist_id: IdArg, db: DbOption = None) -> None:
    """Hapus daftar pantau dan pemberitahuannya. / Remove a watchlist and its notifications."""
    with store_from(db) as store:
        remove(store, watchlist_id, actor=cli_actor())
    out.print(f"daftar pantau / watchlist {watchlist_id} dihapus / removed")
