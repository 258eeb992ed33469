"""``damai narratives build | list | show | gexf`` (issue #14 part 2): thin wrappers over
:mod:`damai.pipeline.narratives`, :mod:`damai.pipeline.narrative_view` and
:mod:`damai.pipeline.coordination`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import typer
from rich.table import Table

from damai import settings
from damai.cli.common import DbOption, out, plain, store_from
from damai.errors import NotFound
from damai.pipeline.coordination import hashtag_network, repost_network, write_gexf
from damai.pipeline.narrative_view import describe
from damai.pipeline.narratives import build
from damai.respond.embed import e5

__all__ = ["app"]

app = typer.Typer(help="Narasi: salinan dan repost yang dikelompokkan. / Narratives: grouped "
                       "copies and reposts.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]


def _emit(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


@app.command("build")
def build_command(
    batch: Annotated[int, typer.Option("--batch", min=1, help="Post per kelompok / posts per "
                                                              "batch")] = 2000,
    db: DbOption = None,
) -> None:
    """Kelompokkan semua post yang belum punya narasi. / Group every post not in a narrative."""
    embedder = e5() if settings.get_float("narratives_paraphrase") > 0 else None
    with store_from(db) as store:
        done = 0
        for n in build(store, batch=batch, embedder=embedder):
            done += n
        out.print(f"dikelompokkan / grouped: {done} post; narasi / narratives: "
                  f"{store.narratives.count()} (≥ 2 post: {store.narratives.count(2)})")


@app.command("list")
def list_command(
    order: Annotated[str, typer.Option("--order", help="size | recent")] = "size",
    min_size: Annotated[int, typer.Option("--min-size", min=1, help="Post paling sedikit / "
                                                                    "fewest posts")] = 2,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Narasi terbesar atau terbaru. / The largest or newest narratives."""
    if order not in ("size", "recent"):
        raise typer.BadParameter("--order: size | recent")
    with store_from(db) as store:
        found = store.narratives.listing(order=order, limit=limit, min_size=min_size)
    if as_json:
        _emit({"items": [n.to_dict() for n in found]})
        return
    table = Table("#", "post", "pertama / first seen", "terakhir / last seen", "teks / text")
    for n in found:
        table.add_row(str(n.id), str(n.size), f"{n.first_seen:%Y-%m-%d %H:%M}",
                      f"{n.last_seen:%Y-%m-%d %H:%M}", plain(n.title[:80]))
    out.print(table)


@app.command("show")
def show_command(narrative_id: int, as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Satu narasi: volume, platform, provinsi, penyebar, label, sinyal koordinasi. / One
    narrative: volume, platforms, provinces, spreaders, labels, coordination signals."""
    with store_from(db) as store:
        found = describe(store, narrative_id)
    if found is None:
        raise NotFound(f"narasi {narrative_id} tidak ada; lihat `damai narratives list` / no "
                       f"narrative {narrative_id}; see `damai narratives list`")
    if as_json:
        _emit(found)
        return
    out.print(plain(f"#{found['id']} · {found['size']} post · {found['title']}"))
    for key in ("labels", "platforms", "provinces", "how"):
        out.print(plain(f"{key}: {found[key]}"))
    out.print(plain("volume: " + ", ".join(f"{v['day']} {v['posts']}" for v in found["volume"])))
    out.print(plain("penyebar / spreaders (kunci samaran / pseudonymised): " + ", ".join(
        f"{s['account'][:12]} ({s['posts']})" for s in found["spreaders"])))
    for signal in found["signals"]:
        keys = ", ".join(a[:12] for a in signal["accounts"])
        out.print(plain(f"sinyal / signal {signal['rule']}: akun / accounts "
                        f"{len(signal['accounts'])}: {keys}"))


@app.command("gexf")
def gexf_command(
    kind: Annotated[str, typer.Option("--kind", help="hashtags | reposts")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Berkas GEXF / GEXF file")],
    narrative: Annotated[int | None, typer.Option("--narrative", help="Hanya satu narasi / "
                                                                      "one narrative only")]
    = None,
    db: DbOption = None,
) -> None:
    """Jaringan tagar bersama atau repost, untuk Gephi. / The co-hashtag or co-repost network,
    for Gephi."""
    if kind not in ("hashtags", "reposts"):
        raise typer.BadParameter("--kind: hashtags | reposts")
    chosen: Literal["hashtags", "reposts"] = "hashtags" if kind == "hashtags" else "reposts"
    with store_from(db) as store:
        if narrative is not None and store.narratives.get(narrative) is None:
            raise NotFound(f"narasi {narrative} tidak ada / no narrative {narrative}")
        edges = (hashtag_network if chosen == "hashtags" else repost_network)(store, narrative)
    nodes, links = write_gexf(edges, output, kind=chosen)
    out.print(f"{output}: {nodes} simpul / nodes, {links} sisi / edges")
