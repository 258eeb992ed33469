"""``damai ambassadors``: the ambassador network, Duta Damai (issue #12 part 5).

Thin wrappers over :mod:`damai.pipeline.ambassadors` and ``store.ambassadors``: register an
ambassador with their consent, list them, record a withdrawal of consent, make a content kit (its
personal link is printed once), export kits as CSV or JSON, and show credited posts and reach per
ambassador, province or campaign. The operator acts as ``cli:USER``, audited like the dashboard.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Literal

import orjson
import typer
from rich.table import Column, Table

from damai.cli.common import DbOption, cli_actor, out, plain, store_from
from damai.pipeline import ambassadors as amb

__all__ = ["app"]

app = typer.Typer(help="Jaringan Duta Damai: duta, kit konten, dan kredit unggahan. / The "
                       "ambassador network: ambassadors, content kits and credited posts.",
                  no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]
Grouping = Literal["ambassador", "province", "campaign"]


@app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="Nama duta / the ambassador's name")],
    province: Annotated[str, typer.Option(help="Provinsi, nama resmi / province, official "
                                               "name")],
    consent_scope: Annotated[str, typer.Option(help="Lingkup persetujuan yang diberikan / "
                                                    "scope of the consent given")],
    consent_date: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Tanggal persetujuan (default: hari ini) / consent date "
                                   "(default: today)")] = None,
    regency: Annotated[str | None, typer.Option(help="Kabupaten/kota / regency")] = None,
    handle: Annotated[list[str] | None, typer.Option(
        help="PLATFORM:HANDLE, boleh berulang / repeatable, e.g. x:@budi")] = None,
    language: Annotated[list[str] | None, typer.Option(help="Bahasa, mis. id / languages")
                        ] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Topik (tema pustaka) / topics "
                                                         "(library themes)")] = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Daftarkan duta beserta persetujuannya. / Register an ambassador and their consent."""
    with store_from(db) as store:
        made = amb.register(store, name=name, province=province, consent_scope=consent_scope,
                            consent_at=consent_date.date() if consent_date else None,
                            regency=regency, handles=handle or [], languages=language or [],
                            topics=topic or [], actor=cli_actor())
    if as_json:
        sys.stdout.write(orjson.dumps(made.to_dict()).decode() + "\n")
        return
    out.print(f"duta / ambassador {made.id}: {plain(made.name)} ({plain(made.province)})")


@app.command("list")
def list_command(
    province: Annotated[str | None, typer.Option(help="Hanya provinsi ini / only this "
                                                      "province")] = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Daftar duta yang aktif. / List active ambassadors (withdrawn ones never show)."""
    with store_from(db) as store:
        found = store.ambassadors.all(province=amb.province_name(province) if province else None)
    if as_json:
        sys.stdout.write(orjson.dumps([a.to_dict() for a in found]).decode() + "\n")
        return
    table = Table("id", "nama / name", "provinsi / province", "kab/kota / regency",
                  Column("handle", overflow="fold"), "topik / topics")
    for a in found:
        table.add_row(str(a.id), plain(a.name), plain(a.province), plain(a.regency or "—"),
                      plain(", ".join(f"{p}:{h}" for p, h in a.handles.items()) or "—"),
                      plain(", ".join(a.topics) or "—"))
    out.print(table)
    out.print(f"{len(found)} duta / ambassadors")


@app.command("withdraw")
def withdraw_command(
    ambassador_id: Annotated[int, typer.Argument(help="ID duta / ambassador id", min=1)],
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Catat penarikan persetujuan: data pribadinya dihapus. / Record a withdrawal of consent:
    the person's data is erased and every kit revoked."""
    with store_from(db) as store:
        store.ambassadors.withdraw(ambassador_id, actor=cli_actor())
        record = store.ambassadors.consent_record(ambassador_id) or {}
    if as_json:
        sys.stdout.write(orjson.dumps({"id": ambassador_id, **record}).decode() + "\n")
        return
    out.print(f"duta / ambassador {ambassador_id}: persetujuan ditarik, data dihapus / consent "
              "withdrawn, data erased")


@app.command("kit")
def kit_command(
    ambassador_id: Annotated[int, typer.Argument(help="ID duta / ambassador id", min=1)],
    campaign: Annotated[str | None, typer.Option(help="ID kampanye / campaign id")] = None,
    entry: Annotated[list[str] | None, typer.Option(
        help="Entri pustaka yang disetujui (default: sesuai topik) / approved library entries "
             "(default: by topic)")] = None,
    link: Annotated[str | None, typer.Option(help="Tautan yang dilacak / link to track")
                    ] = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="Masa berlaku tautan / link "
                                                           "lifetime")] = 30,
    base_url: Annotated[str, typer.Option(help="Alamat dasbor / the dashboard's address")
                        ] = "http://127.0.0.1:8080",
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Buat kit konten; tautan pribadinya dicetak sekali. / Make a content kit; its personal
    link is printed once (only its hash is kept)."""
    with store_from(db) as store:
        issued = amb.issue_kit(store, ambassador_id, actor=cli_actor(), campaign_id=campaign,
                               entry_ids=entry or [], link=link, days=days)
    url = base_url.rstrip("/") + issued.path
    if as_json:
        sys.stdout.write(orjson.dumps(issued.kit.to_dict() | {"url": url}).decode() + "\n")
        return
    out.print(f"kit {issued.kit.id}: tag {issued.kit.tag}")
    out.print(f"tautan pribadi / personal link (sekali ini saja / shown once): {url}")


@app.command("revoke-kit")
def revoke_command(
    kit_id: Annotated[int, typer.Argument(help="ID kit / kit id", min=1)],
    db: DbOption = None,
) -> None:
    """Cabut tautan pribadi sebuah kit. / Revoke a kit's personal link."""
    with store_from(db) as store:
        store.ambassadors.revoke_kit(kit_id, actor=cli_actor())
    out.print(f"kit {kit_id}: dicabut / revoked")


@app.command("export")
def export_command(
    fmt: Annotated[str, typer.Option("--format", help="csv | json")] = "csv",
    ambassador: Annotated[int | None, typer.Option(help="Hanya duta ini / only this "
                                                        "ambassador")] = None,
    db: DbOption = None,
) -> None:
    """Ekspor kit aktif (tanpa token). / Export active kits (no tokens), one row a message."""
    if fmt not in ("csv", "json"):
        raise typer.BadParameter("choose csv or json", param_hint="--format")
    with store_from(db) as store:
        rows = amb.kit_rows(store, ambassador)
    if fmt == "json":
        sys.stdout.write(orjson.dumps(rows).decode() + "\n")
    else:
        sys.stdout.write(amb.kits_csv(rows))


@app.command("report")
def report_command(
    by: Annotated[str, typer.Option(help="ambassador | province | campaign")] = "ambassador",
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Unggahan yang dikreditkan dan jangkauannya. / Credited posts and reach."""
    if by not in ("ambassador", "province", "campaign"):
        raise typer.BadParameter("choose ambassador, province or campaign", param_hint="--by")
    grouping: Grouping = by  # type: ignore[assignment]
    with store_from(db) as store:
        tallies = store.ambassadors.tally(grouping)
    if as_json:
        sys.stdout.write(orjson.dumps([t.to_dict() for t in tallies]).decode() + "\n")
        return
    table = Table(by, "unggahan / posts", "jangkauan / reach")
    for t in tallies:
        table.add_row(plain(t.label), str(t.posts), str(t.reach))
    out.print(table)
