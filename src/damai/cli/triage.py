"""``damai triage list | sync | review | dismiss | note | undo`` (issue #14 part 1): the triage
work queue from the command line, thin wrappers over :mod:`damai.pipeline.triage_rank`,
:mod:`damai.pipeline.triage_actions` and the store's queue (the same filters as ``/triage``).
The audit actor is ``cli:<os user>``."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer
from rich.table import Table

from damai.cli.common import DbOption, cli_actor, out, plain, store_from
from damai.errors import InputError, NotFound
from damai.pipeline.triage_actions import act, add_note, undo, with_copies
from damai.pipeline.triage_rank import sync_queue
from damai.storage import Store, StoredPost
from damai.web.triage import row_json
from damai.web.triage_queue import parse_filter

__all__ = ["app"]

app = typer.Typer(help="Antrean triase. / The triage queue.", no_args_is_help=True)
Text = Annotated[str, typer.Option(help="lihat / see docs/triage.md")]


@app.command("list")
def list_command(
    queue: Text = "harm", status: Text = "open", label: Text = "", platform: Text = "",
    since: Text = "", until: Text = "", province: Text = "", assignee: Text = "",
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for "
                                                         "scripts")] = False,
    db: DbOption = None,
) -> None:
    """Baris teratas antrean, satu per kelompok salinan. / The queue's top rows, one per group
    of copies."""
    params = {"queue": queue, "status": status, "label": label, "platform": platform,
              "since": since, "until": until, "province": province, "assignee": assignee}
    with store_from(db) as store:
        users = [u.name for u in store.users.all()] if assignee else []
        try:
            chosen = parse_filter(params, users)
        except InputError as exc:
            raise typer.BadParameter(exc.message) from None
        sync_queue(store)
        rows = store.triage_queue.page(chosen, None, limit)
    if as_json:
        for r in rows:
            sys.stdout.write(orjson.dumps(row_json(r)).decode() + "\n")
        return
    table = Table("id", "prioritas / priority", "label", "+salinan / copies", "teks / text")
    for r in rows:
        table.add_row(str(r.stored.id), f"{r.priority:.2f}", r.label, str(r.copies),
                      plain(r.stored.post.text[:80]))
    out.print(table)


@app.command("sync")
def sync_command(db: DbOption = None) -> None:
    """Hitung sekarang prioritas yang ditandai. / Work every marked priority out now."""
    with store_from(db) as store:
        weights, done = sync_queue(store)
    out.print(f"dihitung / worked out: {done}; bobot / weights: {weights.fingerprint}")


def _posts(store: Store, ids: list[int]) -> list[StoredPost]:
    """The posts and their copies, as a queue row's action takes them (``triage list`` shows
    a group once)."""
    try:
        return with_copies(store, ids)
    except InputError as exc:  # NotFound too
        raise typer.BadParameter(exc.message) from None


Ids = Annotated[list[int], typer.Argument(help="id post / post ids")]


@app.command("review")
def review_command(ids: Ids, db: DbOption = None) -> None:
    """Tandai ditinjau: setiap tanda benar. / Mark reviewed: every flag right."""
    with store_from(db) as store:
        posts = _posts(store, ids)
        entry = act(store, posts, "review", user=cli_actor(), ip=None)
    out.print(f"ditinjau / reviewed: {len(posts)} (audit {entry.id})")


@app.command("dismiss")
def dismiss_command(
    ids: Ids,
    yes: Annotated[bool, typer.Option("--yes", help="Tanpa bertanya / do not ask")] = False,
    db: DbOption = None,
) -> None:
    """Tolak: setiap tanda salah (bertanya dulu). / Dismiss: every flag wrong (asks first)."""
    with store_from(db) as store:
        posts = _posts(store, ids)
        if not yes and not typer.confirm(f"Tolak {len(posts)} post? / Dismiss {len(posts)} "
                                         "posts?"):
            raise typer.Exit(1)
        entry = act(store, posts, "dismiss", user=cli_actor(), ip=None)
    out.print(f"ditolak / dismissed: {len(posts)} (audit {entry.id})")


@app.command("note")
def note_command(post_id: int, text: str, db: DbOption = None) -> None:
    """Tambah catatan pada post. / Add a note to a post."""
    with store_from(db) as store:
        try:
            made = add_note(store, post_id, text, user=cli_actor(), ip=None)
        except InputError as exc:  # NotFound too
            raise typer.BadParameter(exc.message) from None
    out.print(f"catatan / note {made.id}")


@app.command("undo")
def undo_command(db: DbOption = None) -> None:
    """Batalkan aksi triase terakhir Anda (dari CLI). / Undo your last triage action (from
    the CLI)."""
    with store_from(db) as store:
        try:
            entry = undo(store, user=cli_actor(), ip=None)
        except NotFound as exc:
            out.print(exc.message)
            raise typer.Exit(1) from None
    out.print(f"dibatalkan / undone: audit {entry.detail['undoes']} (audit {entry.id})")
