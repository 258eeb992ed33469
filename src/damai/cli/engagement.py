"""``damai engagement collect`` and ``damai measure`` (issue #12 parts 6 and 7): thin wrappers
over :func:`damai.pipeline.engagement.collect` and :mod:`damai.pipeline.measure`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer

from damai.cli.common import DbOption, err, out, store_from
from damai.pipeline.engagement import collect

__all__ = ["app"]

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
