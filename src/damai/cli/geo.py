"""``damai geoparse`` and ``damai evaluate-geoparse`` (issue #13).

- ``geoparse [FILE]`` reads JSONL ``{"text"}`` from FILE or stdin and writes ``{"places": [...]}``
  per line, each place ``{"name", "level", "province", "regency", "district", "lat", "lon"}``
  with the gazetteer's official names (:mod:`damai.understand.geoparse`).
- ``evaluate-geoparse --data FILE`` reports accuracy at province and regency level and the
  share of no-place posts that got a place (:mod:`damai.understand.geo_eval`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Annotated

import orjson
import typer

from damai.cli.common import batches, jsonl_texts, out
from damai.errors import InputError
from damai.understand.geo_eval import evaluate_geoparse, read_geo_labelled
from damai.understand.geoparse import geoparse_many

__all__ = ["evaluate_geoparse_command", "geoparse_command"]

_BATCH = 512


def _run(lines: IO[bytes], name: str) -> None:
    for batch in batches(jsonl_texts(lines, name), _BATCH):
        sys.stdout.buffer.write(b"".join(orjson.dumps(found.as_dict()) + b"\n"
                                         for found in geoparse_many(batch)))


def geoparse_command(
    file: Annotated[Path | None, typer.Argument(
        help='JSONL {"text"}; bawaan stdin / default stdin')] = None,
) -> None:
    """Temukan provinsi, kabupaten/kota dan kecamatan dalam teks. / Find the places in texts."""
    if file is None:
        _run(sys.stdin.buffer, "stdin")
        return
    if not file.is_file():
        raise InputError(f"tidak ada berkas / no such file: {file}")
    with file.open("rb") as lines:
        _run(lines, str(file))


def evaluate_geoparse_command(
    data: Annotated[Path, typer.Option(
        "--data", help='JSONL {"text", "province", "regency": [...]}')],
    as_json: Annotated[bool, typer.Option("--json", help="JSON")] = False,
) -> None:
    """Akurasi provinsi dan kabupaten/kota. / Province and regency accuracy."""
    if not data.is_file():
        raise InputError(f"tidak ada berkas / no such file: {data}")
    report = evaluate_geoparse(read_geo_labelled(data))
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
        return
    out.print(f"provinsi / province: {report['province_accuracy']} "
              f"({report['with_province']} post)")
    out.print(f"kabupaten/kota / regency: {report['regency_accuracy']} "
              f"({report['with_regency']} post)")
    out.print(f"post tanpa tempat yang diberi tempat / no-place posts given a place: "
              f"{report['no_place_false_rate']} ({report['no_place']} post)")
