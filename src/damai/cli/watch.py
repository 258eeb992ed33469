"""``damai watch SOURCE...``: follow live sources, polling, with a resumable cursor each."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer

from damai.cli.common import DbOption, err, escape, out, store_from
from damai.cli.labels import ModelOpt, NoClassifyOpt, classifier_for
from damai.live.watch import SPEC_HELP, WatchEvent, WatchReport, watch_specs


def _print_event(event: WatchEvent) -> None:
    if event.kind == "poll":
        err.print(f"{event.source}: diterima / received {event.received}, disimpan / stored "
                  f"{event.stored}, duplikat {event.duplicates}, karantina {event.quarantined}",
                  highlight=False)
    elif event.kind == "error":
        err.print(f"[red]{escape(event.source or '')}[/]: {escape(event.message)}", markup=True)
    elif event.kind == "wait":
        err.print(f"menunggu / waiting {event.seconds:.0f} s (Ctrl-C untuk berhenti / to stop)",
                  highlight=False)


def _print_report(report: WatchReport) -> None:
    mark = "=" if report.balanced else "≠"
    out.print(f"{report.rounds} round(s), {report.polls} poll(s): received {report.received:,} "
              f"{mark} stored {report.stored:,} + duplicates {report.duplicates:,} + quarantined "
              f"{report.quarantined:,}; ignored {report.ignored:,}")
    for name, counts in report.sources.items():
        out.print(f"  {name}: cursor {counts.cursor or '-'}")


def watch(
    sources: Annotated[list[str], typer.Argument(help=f"Sumber / sources: {SPEC_HELP}")],
    once: Annotated[bool, typer.Option("--once", help="Satu putaran / one round, then stop")]
    = False,
    interval: Annotated[float, typer.Option(min=1.0, help="Detik antarputaran / seconds "
                                            "between rounds")] = 60.0,
    max_polls: Annotated[int | None, typer.Option(min=1, help="Berhenti setelah N putaran / "
                                                  "stop after N rounds")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Pakai sumber tiruan dan basis data "
                                          "di memori / fake sources, in-memory store")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Ringkasan JSON / JSON summary")] = False,
    db: DbOption = None,
    model_dir: ModelOpt = None,
    no_classify: NoClassifyOpt = False,
) -> None:
    """Ikuti sumber langsung. / Follow live sources (Mastodon, Bluesky, X)."""
    with store_from("sqlite://:memory:" if dry_run else db) as store:
        classifier = classifier_for(store, model_dir, enabled=not no_classify)
        report = watch_specs(sources, store, once=once, interval=interval, max_polls=max_polls,
                             dry_run=dry_run, on_event=_print_event, classifier=classifier)
    if as_json:
        sys.stdout.write(orjson.dumps(report.to_dict()).decode() + "\n")
    else:
        _print_report(report)
    if report.errors:
        raise typer.Exit(2)
