"""``damai evaluate-geoparse``: how well :func:`~damai.understand.geoparse.geoparse` finds a
post's province and regency (issue #13).

The data is JSONL, one ``{"text", "province": NAME or null, "regency": [acceptable names]}`` a
line, with the gazetteer's official names. Three figures:

- ``province_accuracy``: of the posts with a province, the share whose predicted province
  (:func:`~damai.understand.geoparse.summarise`) is that province; a post given no place is a miss;
- ``regency_accuracy``: of the posts with a non-empty ``regency`` list, the share whose predicted
  regency is in the list;
- ``no_place_false_rate``: of the posts with no province, the share given any place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from damai.errors import InputError
from damai.understand.geoparse import geoparse_many

__all__ = ["GeoLabelled", "evaluate_geoparse", "read_geo_labelled"]


@dataclass(frozen=True, slots=True)
class GeoLabelled:
    text: str
    province: str | None
    regency: tuple[str, ...]


def _labelled(row: object) -> GeoLabelled | None:
    if not isinstance(row, Mapping) or not isinstance(row.get("text"), str) \
            or not isinstance(row.get("province"), str | None):
        return None
    regency = row.get("regency") or []
    if not isinstance(regency, list) or not all(isinstance(r, str) for r in regency):
        return None
    return GeoLabelled(row["text"], row.get("province"), tuple(regency))


def read_geo_labelled(path: Path) -> list[GeoLabelled]:
    """Read the labelled lines; an :class:`InputError` names the first bad line."""
    posts: list[GeoLabelled] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            post = _labelled(orjson.loads(line))
        except orjson.JSONDecodeError:
            raise InputError(f"{path}:{number}: JSON rusak / malformed JSON") from None
        if post is None:
            raise InputError(f"{path}:{number}: butuh / needs {{\"text\": str, \"province\": "
                             "str or null, \"regency\": [str]}")
        posts.append(post)
    return posts


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate_geoparse(posts: Sequence[GeoLabelled]) -> dict[str, Any]:
    """The three figures, their counts, and the misses (text, expected, predicted)."""
    found = geoparse_many(p.text for p in posts)
    province_hits = regency_hits = false_places = 0
    misses: list[dict[str, Any]] = []
    for post, got in zip(posts, found, strict=True):
        province_ok = got.province == post.province
        regency_ok = not post.regency or got.regency in post.regency
        province_hits += post.province is not None and province_ok
        regency_hits += bool(post.regency) and got.regency in post.regency
        false_places += post.province is None and bool(got.places)
        if not (province_ok and regency_ok):
            misses.append({"text": post.text, "province": post.province,
                           "regency": list(post.regency), "got_province": got.province,
                           "got_regency": got.regency})
    with_province = sum(p.province is not None for p in posts)
    with_regency = sum(bool(p.regency) for p in posts)
    no_place = len(posts) - with_province
    return {"posts": len(posts), "with_province": with_province, "with_regency": with_regency,
            "no_place": no_place,
            "province_accuracy": _rate(province_hits, with_province),
            "regency_accuracy": _rate(regency_hits, with_regency),
            "no_place_false_rate": _rate(false_places, no_place), "misses": misses}
