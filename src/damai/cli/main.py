"""Entry point: ``damai COMMAND``. Each command is a thin wrapper over an importable function."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from damai import settings
from damai.cli import accounts as accounts_cli
from damai.cli import adapt as adapt_cli
from damai.cli import alerts as alerts_cli
from damai.cli import ambassadors as ambassadors_cli
from damai.cli import campaigns as campaigns_cli
from damai.cli import channels as channels_cli
from damai.cli import claims as claims_cli
from damai.cli import corrections as corrections_cli
from damai.cli import engagement as engagement_cli
from damai.cli import geo as geo_cli
from damai.cli import hoaxwatch as hoaxwatch_cli  # noqa: F401  (registers `alerts hoaxwatch`)
from damai.cli import labels as labels_cli
from damai.cli import library as library_cli
from damai.cli import lifecycle as lifecycle_cli
from damai.cli import models as models_cli
from damai.cli import narratives as narratives_cli
from damai.cli import places as places_cli
from damai.cli import quarantine as quarantine_cli
from damai.cli import reports as reports_cli
from damai.cli import respond as respond_cli
from damai.cli import responses as responses_cli
from damai.cli import triage as triage_cli
from damai.cli import understand as understand_cli
from damai.cli import users as users_cli
from damai.cli import watch as watch_cli
from damai.cli import watchlists as watchlists_cli
from damai.cli.common import (
    DbOption,
    cli_actor,
    err,
    escape,
    out,
    parse_when,
    plain,
    store_from,
)
from damai.cli.labels import (
    FlaggedOpt,
    LabelOpt,
    MaxScoreOpt,
    MinScoreOpt,
    ModelOpt,
    NoClassifyOpt,
    classifier_for,
)
from damai.errors import DamaiError
from damai.export import EXPORT_FORMATS, export_posts, iter_jsonl
from damai.pipeline.drilldown import drill_into
from damai.pipeline.ingest import IngestAudit, IngestOptions, IngestReport, ingest_paths
from damai.pipeline.label_names import check_label, flagged_counts
from damai.records import RecordFailure
from damai.sources.registry import FORMATS, CsvColumns
from damai.storage import PostQuery

__all__ = ["app", "main"]

app = typer.Typer(
    name="damai",
    help="Damai: dengarkan, pahami, tanggapi, sebarkan, peringatkan, ukur. "
         "(Listen, understand, respond, amplify, alert, measure.)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(quarantine_cli.app, name="quarantine")
app.add_typer(accounts_cli.app, name="accounts")
app.add_typer(corrections_cli.app, name="corrections")
app.add_typer(adapt_cli.app, name="adapt")
app.add_typer(models_cli.app, name="model")
app.add_typer(library_cli.app, name="library")
app.add_typer(claims_cli.app, name="claims")
app.add_typer(responses_cli.app, name="responses")
app.add_typer(campaigns_cli.app, name="campaigns")
app.command("worker")(campaigns_cli.worker_command)

app.add_typer(ambassadors_cli.app, name="ambassadors")
app.add_typer(engagement_cli.app, name="engagement")
app.command("measure")(engagement_cli.measure_command)
app.command("publish")(responses_cli.publish_command)
app.add_typer(channels_cli.app, name="channels")
app.add_typer(alerts_cli.bmkg_app, name="bmkg")
app.add_typer(alerts_cli.alerts_app, name="alerts")
app.add_typer(places_cli.places_app, name="places")
places_cli.register(alerts_cli.alerts_app)
app.add_typer(narratives_cli.app, name="narratives")
app.add_typer(reports_cli.app, name="report")
app.add_typer(watchlists_cli.app, name="watchlists")
app.add_typer(triage_cli.app, name="triage")
app.add_typer(users_cli.user_app, name="user")
app.add_typer(users_cli.token_app, name="token")
app.command("audit")(users_cli.audit)
app.command("watch")(watch_cli.watch)
app.command("train")(understand_cli.train)
app.command("evaluate")(understand_cli.evaluate)
app.command("evaluate-claims")(claims_cli.evaluate_claims)
app.command("classify")(understand_cli.classify)
app.command("geoparse")(geo_cli.geoparse_command)
app.command("evaluate-geoparse")(geo_cli.evaluate_geoparse_command)
app.command("reclassify")(labels_cli.reclassify)
app.command("recommend")(respond_cli.recommend)
app.command("evaluate-recommend")(respond_cli.evaluate_recommend)
app.command("purge")(lifecycle_cli.purge)
app.command("erase")(lifecycle_cli.erase)
app.command("backup")(lifecycle_cli.backup)
app.command("restore")(lifecycle_cli.restore)
app.command("copy-store")(lifecycle_cli.copy_store)

_MAX_PRINTED_FAILURES = 20


def _print_failure(failure: RecordFailure, printed: list[int]) -> None:
    printed[0] += 1
    if printed[0] <= _MAX_PRINTED_FAILURES:
        err.print(f"[yellow]karantina / quarantined[/] {escape(failure.path)}:"
                  f"{escape(failure.location)}: [bold]{failure.reason}[/] — "
                  f"{escape(failure.message)}", markup=True)
    elif printed[0] == _MAX_PRINTED_FAILURES + 1:
        err.print("… more quarantined records: see `damai quarantine`")


def print_report(report: IngestReport) -> None:
    table = Table(title=f"Ingest {report.batch}", show_header=False)
    for label, value in (
        ("diterima / received", report.received),
        ("disimpan / stored", report.stored),
        ("duplikat / duplicates", report.duplicates),
        ("dikarantina / quarantined", report.quarantined),
        ("diabaikan (bukan post) / ignored (not posts)", report.ignored),
        ("catatan platform / platform notices", report.notices),
        ("diberi label / classified", report.classified),
    ):
        table.add_row(label, f"{value:,}")
    out.print(table)
    mark = "=" if report.balanced else "≠"
    out.print(f"received {report.received:,} {mark} stored {report.stored:,} + duplicates "
              f"{report.duplicates:,} + quarantined {report.quarantined:,}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Berkas atau folder / files or folders.")],
    fmt: Annotated[str, typer.Option("--format", help=f"auto | {' | '.join(FORMATS)}")] = "auto",
    db: DbOption = None,
    text_col: Annotated[str, typer.Option(help="CSV: kolom teks / text column")] = "text",
    id_col: Annotated[str, typer.Option(help="CSV: kolom id / id column")] = "id",
    time_col: Annotated[str, typer.Option(help="CSV: kolom waktu / time column")] = "created_at",
    author_col: Annotated[str, typer.Option(help="CSV: kolom penulis / author column")] = "author",
    platform: Annotated[str, typer.Option(help="CSV: nama platform / platform name")] = "csv",
    encoding: Annotated[str | None, typer.Option(
        help="Paksa encoding, mis. cp1252 / force an encoding, e.g. cp1252")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ringkasan JSON / JSON summary")] = False,
    model_dir: ModelOpt = None,
    no_classify: NoClassifyOpt = False,
) -> None:
    """Masukkan data platform ke penyimpanan. / Ingest platform data into the store."""
    columns = CsvColumns(text_col=text_col, id_col=id_col, time_col=time_col,
                         author_col=author_col, platform=platform, encoding=encoding)
    options = IngestOptions.from_settings(format=fmt, csv_columns=columns, encoding=encoding)
    printed = [0]
    with store_from(db) as store, Progress(
        SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
        TextColumn("{task.completed:,} records"), TimeElapsedColumn(),
        console=err, transient=True, disable=as_json,
    ) as progress:
        task = progress.add_task("ingest", total=None)
        classifier = classifier_for(store, model_dir, enabled=not no_classify)
        report = ingest_paths(paths, store, options,
                              on_failure=lambda f: _print_failure(f, printed),
                              on_progress=lambda n: progress.update(task, completed=n),
                              classifier=classifier, audit=IngestAudit(cli_actor()))
    if as_json:
        sys.stdout.write(orjson.dumps(report.to_dict()).decode() + "\n")
    else:
        print_report(report)


def _query(search: str | None, since: str | None, until: str | None, platform: str | None,
           language: str | None, limit: int | None, offset: int = 0, *, label: str | None = None,
           min_score: float | None = None, max_score: float | None = None,
           flagged: bool | None = None) -> PostQuery:
    return PostQuery(text=search, since=parse_when(since, "--since"),
                     until=parse_when(until, "--until"), platform=platform, language=language,
                     limit=limit, offset=offset, label=label, min_score=min_score,
                     max_score=max_score, flagged=flagged)


SearchOpt = Annotated[str | None, typer.Option("--search", "-s",
                                               help="Cari teks / full-text search")]
SinceOpt = Annotated[str | None, typer.Option(help="Sejak / from (2026-11-01)")]
UntilOpt = Annotated[str | None, typer.Option(help="Sampai / until, exclusive")]
PlatformOpt = Annotated[str | None, typer.Option(help="x | mastodon | bluesky | telegram | csv")]
LanguageOpt = Annotated[str | None, typer.Option(help="Bahasa / language code")]


@app.command()
def posts(
    search: SearchOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    platform: PlatformOpt = None,
    language: LanguageOpt = None,
    label: LabelOpt = None,
    min_score: MinScoreOpt = None,
    max_score: MaxScoreOpt = None,
    flagged: FlaggedOpt = None,
    hashtag: Annotated[str | None, typer.Option(
        help="Tagar, dengan atau tanpa # / hashtag, with or without #")] = None,
    link: Annotated[str | None, typer.Option(help="Tautan persis / the exact URL")] = None,
    domain: Annotated[str | None, typer.Option(
        help="Nama host, tanpa www. / host name, without www.")] = None,
    province: Annotated[str | None, typer.Option(
        help="Nama resmi provinsi, mis. 'Jawa Barat' / official province name")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Jumlah / how many")] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    output: Annotated[str, typer.Option("--output", "-o", help="table | jsonl | csv")] = "table",
    db: DbOption = None,
) -> None:
    """Cari dan tampilkan post. / Query stored posts."""
    query = _query(search, since, until, platform, language, limit, offset, label=label,
                   min_score=min_score, max_score=max_score, flagged=flagged)
    drill_into(query, hashtag=hashtag, link=link, domain=domain, province=province)
    with store_from(db) as store:
        check_label(store, label)
        found = store.posts.query(query)
        total = store.posts.count(query)
    if output == "jsonl":
        for line in iter_jsonl(found):
            sys.stdout.buffer.write(line)
    elif output == "csv":
        labels = sorted({name for post in found for name in post.labels})
        export_posts(found, "csv", sys.stdout.buffer, labels=labels)
    elif output == "table":
        table = Table("waktu / time (UTC)", "platform", "bahasa", "teks / text")
        for post in found:
            table.add_row(post.created_at.strftime("%Y-%m-%d %H:%M"), plain(post.platform),
                          plain(post.language or "-"), labels_cli.text_cell(post))
        out.print(table)
        out.print(f"{len(found)} of {total:,} posts")
    else:
        raise typer.BadParameter("choose table, jsonl or csv", param_hint="--output")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]
    = False,
    db: DbOption = None,
) -> None:
    """Hitungan per platform, hari, bahasa dan label. / Counts by platform, day, language and
    flagged label."""
    with store_from(db) as store:
        result = store.posts.stats()
        flagged = flagged_counts(store)
    if as_json:
        sys.stdout.write(orjson.dumps(result.to_dict() | {"flagged": flagged}).decode() + "\n")
        return
    out.print(f"Total post / posts: {result.total:,}   karantina / quarantined: "
              f"{result.quarantined:,}")
    for title, counts in (("platform", result.by_platform), ("bahasa / language",
                                                             result.by_language),
                          ("hari / day", result.by_day),
                          ("label (ditandai / flagged)", flagged)):
        table = Table(title, "posts")
        for key, value in counts.items():
            table.add_row(plain(key), f"{value:,}")
        out.print(table)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help=" | ".join(EXPORT_FORMATS))] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Berkas / file (default stdout)")] = None,
    search: SearchOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    platform: PlatformOpt = None,
    language: LanguageOpt = None,
    label: LabelOpt = None,
    min_score: MinScoreOpt = None,
    max_score: MaxScoreOpt = None,
    flagged: FlaggedOpt = None,
    db: DbOption = None,
) -> None:
    """Ekspor post ke CSV, JSONL atau Parquet. / Export posts."""
    query = _query(search, since, until, platform, language, None, label=label,
                   min_score=min_score, max_score=max_score, flagged=flagged)
    with store_from(db) as store:
        check_label(store, label)
        count = export_posts(store.posts.iterate(query), fmt, output or sys.stdout.buffer,
                             labels=store.labels.names())
    err.print(f"{count:,} posts exported")


@app.command()
def migrate(db: DbOption = None) -> None:
    """Perbarui skema penyimpanan. / Bring the store's schema up to date (a store of Damai 0.1
    too), print the revisions applied now and the store's revision."""
    with store_from(db, migrate=False) as store:
        for name in store.migrate():
            out.print(f"applied {name}")
        out.print(f"revision {store.revision()}")


@app.command("settings")
def show_settings(markdown: Annotated[bool, typer.Option(help="docs/settings.md")] = False) -> None:
    """Daftar pengaturan. / List settings (secrets are never shown)."""
    if markdown:
        sys.stdout.write(settings.render_docs())
        return
    for s in settings.SETTINGS:
        value = "(set)" if s.secret and settings.get_secret(s.name) else (
            "" if s.secret else settings.get(s.name))
        out.print(f"{s.env}={value}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Alamat / host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8080,
    db: DbOption = None,
) -> None:
    """Jalankan dasbor web. / Serve the web dashboard."""
    from damai.cli.serve import run

    run(db, host=host, port=port)


@app.command()
def demo(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Alamat / host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8080,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Hanya ingest / ingest only")]
    = False,
) -> None:
    """Muat data demo dan pustaka awal, lalu jalankan dasbor. / Ingest the bundled demo set and
    load the starter library, then serve."""
    from damai.demo import demo_paths
    from damai.pipeline.library import import_library

    with store_from(db) as store:
        report = ingest_paths(demo_paths(), store, IngestOptions.from_settings(),
                              classifier=classifier_for(store, None))
        library = import_library(store, None, actor=cli_actor())
    print_report(report)
    library_cli.print_result(library)
    password = users_cli.demo_admin(db)
    if password:
        out.print(f"Admin demo / demo admin: admin  kata sandi / password: {password}")
        out.print("Kata sandi ini hanya ditampilkan sekali dan wajib diganti saat pertama "
                  "masuk. / This password is shown once only and must be changed at the first "
                  "login.")
    else:
        names = ", ".join(users_cli.admins(db)) or "-"
        out.print(f"Admin sudah ada / an admin exists: {names}. Lupa kata sandi? Jalankan / "
                  "Forgot the password? Run: .venv/bin/damai user reset-password NAMA/NAME "
                  "(kata sandi sekali pakai / a one-time password)")
    if not no_serve:
        serve(host=host, port=port, db=db)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. User mistakes print ``CODE: message`` and exit 2, with no traceback."""
    try:
        app(args=argv)
    except DamaiError as exc:
        err.print(f"[bold red]{exc.code}[/]: {escape(exc.message)}", markup=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("dihentikan / interrupted")
        sys.exit(130)
