"""``damai engagement collect`` and ``damai measure`` (issue #12 parts 6 and 7): thin wrappers
over :func:`damai.pipeline.engagement.collect` and :mod:`damai.pipeline.measure`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from damai.cli.common import DbOption, err, out, plain, store_from
from damai.pipeline.engagement import collect
from damai.pipeline.measure import GROUPINGS, Grouping, measure

__all__ = ["app", "measure_command"]

app = typer.Typer(help="Keterlibatan (suka, bagikan, balasan, tayangan). / Engagement (likes, "
                       "reposts, replies, views).", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]


def _emit(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


@app.command("collect")
def collect_command(as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Ambil angka keterlibatan sekarang. / Collect engagement counts now."""
    with store_from(db) as store:
        report = collect(store)
    if as_json:
        _emit(report.to_dict())
    else:
        out.print(f"{report.collected} sampel dari {report.targets} unggahan / samples of "
                  f"{report.targets} posts; hilang / gone {report.gone}; tidak tersedia / "
                  f"unavailable {report.unavailable}")
    for channel, reason in report.failed.items():
        err.print(f"{channel}: {reason}")


def _rate(row: dict[str, Any]) -> str:
    if row["rate"] is None:
        return "–"
    if row["rate_kind"] == "per_view":
        return f"{100 * row['rate']:.2f}%"
    return f"{row['rate']:.1f} / unggahan / post"


def measure_command(
    by: Annotated[Grouping, typer.Option(help=" | ".join(GROUPINGS))] = "campaign",
    as_json: JsonOpt = False,
    db: DbOption = None,
) -> None:
    """Jangkauan, tingkat keterlibatan dan uji A/B. / Reach, engagement rate and A/B tests."""
    with store_from(db) as store:
        found = measure(store, [by])
    if as_json:
        _emit(found)
        return
    if by == "ambassador" and not found["leaderboard"]:
        out.print("papan peringkat dimatikan / the leaderboard is off")
    table = Table(by, "unggahan / posts", "keterlibatan / engagements", "tayangan / views",
                  "jangkauan / reach", "tingkat / rate")
    for row in found["groups"][by]:
        table.add_row(plain(row["label"]), str(row["posts"]), str(row["engagements"]),
                      f"{row['views']} ({row['posts_with_views']})", str(row["reach"]),
                      _rate(row))
    out.print(table)
    for test in found["ab"]:
        p = "–" if test["p_value"] is None else f"{test['p_value']:.4f}"
        out.print(f"A/B {plain(test['campaign_name'])} #{test['position']}: "
                  f"A {test['a']['engagements']}/{test['a']['views']}, "
                  f"B {test['b']['engagements']}/{test['b']['views']}, p {p}: "
                  f"{test['verdict']}")
