"""JSONL records in and out of the classifier: one code path for every engine.

``damai classify`` (local) and the Ray engine both parse input lines with :func:`parse_line`
and write output lines with :func:`annotate`, so their results are identical by construction.
"""

from __future__ import annotations

from typing import Any

import orjson

from damai.understand.model import TextClassifier

__all__ = ["annotate", "parse_line"]


def parse_line(line: bytes, name: str, number: int) -> tuple[dict[str, Any] | None, str | None]:
    """A record with a string ``text``, or ``None`` and the message for skipping the line."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return None, f"{name}:{number}: lewati / skipped: malformed JSON ({exc})"
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None, f"{name}:{number}: lewati / skipped: no string field 'text'"
    return record, None


def annotate(model: TextClassifier, records: list[dict[str, Any]], *,
             explain: bool = True) -> list[bytes]:
    """Score ``records`` and return their output JSONL lines: input fields plus the prediction
    (with the terms behind each flag unless ``explain`` is false)."""
    predictions = model.predict([r["text"] for r in records], explain=explain)
    return [orjson.dumps({**record, **prediction.to_dict()}, default=_jsonable) + b"\n"
            for record, prediction in zip(records, predictions, strict=True)]


def _jsonable(value: object) -> object:
    """Values orjson does not write natively (Parquet decimals, binary): their text."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
