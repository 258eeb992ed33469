"""Issue #10: every CSV meant for spreadsheets escapes formula cells through one helper; JSONL and
Parquet keep the exact text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import orjson
import pytest

from damai.export import export_posts
from damai.records import Geo, Post
from damai.spreadsheet import safe_cell

HOSTILE = ["=HYPERLINK(\"http://contoh.invalid\",\"klik\")", "+62 812 555", "-1+1",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_get_a_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["biasa", "", " =spasi dulu", "'kutip", None, -6.2, 3, 0.91])
def test_other_values_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def post() -> Post:
    return Post(platform="x", platform_id="1", text=HOSTILE[0], url="=cmd|' /C calc'!A0",
                created_at=datetime(2026, 11, 1, tzinfo=UTC), hashtags=["-tagar"],
                mentions=["@warga"], geo=Geo(lat=-6.2, lon=106.8, place="=Jakarta"),
                labels={"hoax": 0.5}, flags=["hoax"])


def test_csv_export_escapes_every_text_cell_and_keeps_numbers() -> None:
    out = io.BytesIO()
    assert export_posts([post()], "csv", out, labels=["hoax"]) == 1
    row = next(csv.DictReader(io.StringIO(out.getvalue().decode())))
    assert row["text"] == "'" + HOSTILE[0]
    assert row["url"] == "'=cmd|' /C calc'!A0"
    assert row["hashtags"] == "'-tagar" and row["mentions"] == "'@warga"
    assert row["place"] == "'=Jakarta"
    assert (row["lat"], row["lon"], row["score_hoax"]) == ("-6.2", "106.8", "0.5")
    assert not any(v.startswith(("=", "+", "-", "@")) and k not in ("lat", "lon")
                   for k, v in row.items())


def test_jsonl_export_keeps_exact_text() -> None:
    out = io.BytesIO()
    export_posts([post()], "jsonl", out)
    assert orjson.loads(out.getvalue())["text"] == HOSTILE[0]
