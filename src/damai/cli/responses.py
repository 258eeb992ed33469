"""``damai publish`` and ``damai responses``: the publishing boundary and the review queue from
the command line (issue #11).

Thin wrappers over :mod:`damai.pipeline.responses`, :mod:`damai.pipeline.publishing` and the
store. ``damai responses propose`` proposes an entry, a machine draft from one, or a text, for
review in the dashboard. Approving and rejecting stay with the dashboard's users and the API:
the operator's ``cli:USER`` is not a person four-eyes review can tell apart from the analysts.
``damai publish`` obeys the same rules as the API and the dashboard, enforced below it: only an
approved response, at the version of its text that was approved, is published, and publishing
it twice to one channel prints the first publication. The operator of the installation acts as
``cli:USER`` with the admin role, as for every other command.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Column, Table

from damai.cli.common import DbOption, cli_actor, out, plain, store_from
from damai.errors import InputError
from damai.pipeline.publishing import (
    CHANNELS,
    Reconciled,
    publish,
    reconcile,
    retract,
    settle_uncertain,
)
from damai.pipeline.registry import serving
from damai.pipeline.responses import Actor, propose, propose_draft
from damai.respond.drafting import CHANNEL_LIMITS, configured_drafter
from damai.storage.publications import Publication
from damai.storage.responses import Response
from damai.storage.schema import RESPONSE_STATES

__all__ = ["app", "publish_command"]

app = typer.Typer(help="Tanggapan dan tinjauannya. / Responses and their review.",
                  no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]


def publish_command(
    response_id: Annotated[int | None, typer.Argument(help="ID tanggapan / response id",
                                                      min=1)] = None,
    channel: Annotated[str, typer.Option(help=" | ".join(CHANNELS))] = "dry-run",
    entry: Annotated[str | None, typer.Option(
        help="Terbitkan entri pustaka yang disetujui, bukan tanggapan / publish an approved "
             "library entry instead of a response")] = None,
    outbox_file: Annotated[Path | None, typer.Option(
        "--outbox-file", help="Tambahkan juga ke berkas JSONL ini / also append to this JSONL "
                              "file (default: DAMAI_DRY_RUN_FILE)", dir_okay=False)] = None,
    reconcile_pending: Annotated[bool, typer.Option(
        "--reconcile", help="Selesaikan publikasi `pending` yang tertinggal (mis. setelah "
                            "crash): cari di platform, terbitkan yang pasti belum ada, tandai "
                            "`uncertain` bila tak bisa dipastikan / settle `pending` "
                            "publications left by a crash")] = False,
    older_than: Annotated[float, typer.Option(
        help="Dengan --reconcile: hanya yang tak tersentuh selama sekian detik / with "
             "--reconcile: only those untouched for this many seconds", min=0)] = 600.0,
    settle: Annotated[int | None, typer.Option(
        help="Putuskan publikasi `uncertain` ini setelah dicek di platform (dengan --outcome) "
             "/ settle this `uncertain` publication after checking the platform", min=1)] = None,
    outcome: Annotated[str, typer.Option(
        help="Dengan --settle: sent (sudah terbit) atau failed (belum; akan dicoba lagi) / "
             "with --settle: sent or failed (then it is tried again)")] = "sent",
    post_url: Annotated[str | None, typer.Option(
        help="Dengan --settle sent: tautan post di platform / the post's link")] = None,
    retract_id: Annotated[int | None, typer.Option(
        "--retract", help="Tarik publikasi terkirim ini: hapus post-nya di platform / retract "
                          "this sent publication: delete its post on the platform",
        min=1)] = None,
    reason: Annotated[str | None, typer.Option(
        help="Dengan --retract: alasannya, dicatat di log audit / with --retract: why, "
             "recorded in the audit log")] = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Terbitkan tanggapan yang disetujui. / Publish an approved response (once per channel)."""
    actor = Actor(cli_actor(), "admin")
    if retract_id is not None:
        _retract(actor, retract_id, reason, as_json, db)
        return
    if settle is not None:
        with store_from(db) as store:
            settled = settle_uncertain(store, actor, settle, outcome, post_url=post_url)
        _print_publication(settled, False, as_json)
        return
    if reconcile_pending:
        with store_from(db) as store:
            done = reconcile(store, actor, older_than=timedelta(seconds=older_than))
        _print_reconciled(done, as_json)
        return
    if response_id is None and entry is None:
        raise InputError("beri ID tanggapan, --entry, atau --reconcile / give a response id, "
                         "--entry, or --reconcile")
    with store_from(db) as store:
        published, new = publish(store, actor, channel, response_id=response_id,
                                 entry_id=entry, outbox_file=outbox_file)
    _print_publication(published, new, as_json)


def _retract(actor: Actor, publication_id: int, reason: str | None, as_json: bool,
             db: str | None) -> None:
    """``--retract``: exit 1 when the platform refused, the reason printed."""
    with store_from(db) as store:
        done = retract(store, actor, publication_id, reason)
    _print_publication(done, False, as_json)
    if done.state != "retracted":
        raise typer.Exit(1)


def _print_publication(published: Publication, new: bool, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(orjson.dumps(published.to_dict() | {"new": new}).decode() + "\n")
        return
    state = "baru / new" if new else "sudah ada / already published"
    out.print(f"publikasi / publication {published.id} ({state}) → {published.channel}: "
              f"{published.state}" + (f" {published.post_url}" if published.post_url else ""))
    if published.reason:
        out.print(published.reason)
    if published.state == "queued":
        out.print("menunggu giliran di antrean (batas laju akun, waktu dari platform, atau kanal "
                  "dijeda); `damai worker` atau `damai channels drain` mengirimnya / waiting "
                  "its turn in the queue (the account's rate limit, the platform's wait, or a "
                  "paused channel); `damai worker` or `damai channels drain` sends it")
    out.print(published.payload.get("text", ""))


def _print_reconciled(done: Reconciled, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(orjson.dumps(done.to_dict()).decode() + "\n")
        return
    out.print(f"ditemukan di platform / found: {len(done.found)}; diterbitkan sekarang / "
              f"posted now: {len(done.posted)}; tidak pasti / uncertain: {len(done.uncertain)}")
    for publication in done.uncertain:
        out.print(f"  uncertain {publication.id} {publication.channel}: {publication.reason}")
    for channel, why in done.skipped.items():
        out.print(f"  dilewati / skipped {channel}: {why}")


@app.command("list")
def list_responses(
    state: Annotated[str | None, typer.Option(help=" | ".join(RESPONSE_STATES))] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Daftar tanggapan: yang ditinjau dulu. / List responses, those in review first."""
    if state is not None and state not in RESPONSE_STATES:
        raise typer.BadParameter(f"choose one of {', '.join(RESPONSE_STATES)}",
                                 param_hint="--state")
    with store_from(db) as store:
        found = store.responses.queue(state=state, limit=limit)
    if as_json:
        sys.stdout.write(orjson.dumps([r.to_dict() for r in found]).decode() + "\n")
        return
    table = Table("id", "status / state", "versi / version", "oleh / by", "post",
                  Column("diblokir / blocked", overflow="fold"),
                  Column("teks / text", overflow="fold"))
    for r in found:
        table.add_row(str(r.id), r.state, str(r.version), plain(r.proposed_by),
                      plain(r.post_ref or "—"), "ya / yes" if r.blocked_reason else "—",
                      plain(r.text[:120]))
    out.print(table)
    out.print(f"{len(found)} tanggapan / responses")


def _show(found: Response, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(orjson.dumps(found.to_dict()).decode() + "\n")
        return
    out.print(f"tanggapan / response {found.id}: {found.state} (versi / version {found.version})")
    if found.blocked_reason:
        out.print(f"[red]diblokir / blocked:[/red] {plain(found.blocked_reason)}")
    out.print(plain(found.text))


@app.command("propose")
def propose_command(
    entry: Annotated[str | None, typer.Option(help="ID entri pustaka yang disetujui / an "
                                                   "approved library entry's id")] = None,
    text: Annotated[str | None, typer.Option(help="Teks sendiri / your own text")] = None,
    draft: Annotated[bool, typer.Option(
        "--draft", help="Draf mesin dari --entry / a machine draft from --entry")] = False,
    channel: Annotated[str, typer.Option(help=" | ".join(sorted(CHANNEL_LIMITS)))] = "dry-run",
    post: Annotated[str | None, typer.Option(
        help="Post yang dijawab, PLATFORM:ID / the post it answers")] = None,
    narrative: Annotated[int | None, typer.Option(
        help="Narasi yang dijawab seluruhnya / the narrative it answers as a whole")] = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Usulkan tanggapan untuk ditinjau. / Propose a response for review."""
    if (entry is None) == (text is None):
        raise InputError("beri --entry atau --text, salah satu / give --entry or --text, one")
    if draft and entry is None:
        raise InputError("--draft perlu --entry / --draft needs --entry")
    actor = Actor(cli_actor(), "admin")
    with store_from(db) as store:
        model = serving(store).model
        if draft:
            assert entry is not None
            made = propose_draft(store, model, actor, configured_drafter(), entry_id=entry,
                                 post_ref=post, channel=channel)
        else:
            made = propose(store, model, actor, text=text, entry_id=entry, post_ref=post,
                           narrative_id=narrative)
    _show(made, as_json)
