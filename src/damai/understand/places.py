"""Indonesia's 38 provinces with approximate centroids, and a post's place mapped to one.

The table is Damai's own: province names, a rough centre (latitude, longitude) and a few names of
major cities or islands that people write instead of the province. :func:`province_of` reads a
post's ``geo.place`` first (the longest known name in it wins), then its coordinates (the nearest
centroid, when the point is inside Indonesia's bounding box).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final

from damai.records import Geo

__all__ = ["PROVINCES", "Province", "province_of"]


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()


PROVINCES: Final[tuple[Province, ...]] = (
    Province("Aceh", 4.37, 96.75, ("banda aceh", "lhokseumawe", "nad")),
    Province("Sumatera Utara", 2.19, 99.38, ("sumut", "medan", "sibolga", "pematangsiantar",
                                             "nias", "sumatra utara")),
    Province("Sumatera Barat", -0.74, 100.80, ("sumbar", "padang", "bukittinggi",
                                               "sumatra barat")),
    Province("Riau", 0.29, 101.71, ("pekanbaru", "dumai")),
    Province("Kepulauan Riau", 0.92, 104.45, ("kepri", "batam", "tanjungpinang", "natuna")),
    Province("Jambi", -1.61, 103.61, ()),
    Province("Sumatera Selatan", -3.32, 104.91, ("sumsel", "palembang", "sumatra selatan")),
    Province("Kepulauan Bangka Belitung", -2.74, 106.44, ("babel", "bangka", "belitung",
                                                          "pangkalpinang")),
    Province("Bengkulu", -3.79, 102.26, ()),
    Province("Lampung", -4.56, 105.41, ("bandar lampung", "metro")),
    Province("DKI Jakarta", -6.20, 106.85, ("jakarta", "dki", "jakarta pusat", "jakarta barat",
                                           "jakarta timur", "jakarta selatan", "jakarta utara",
                                           "jkt")),
    Province("Banten", -6.41, 106.06, ("serang", "tangerang", "cilegon", "tangsel",
                                       "tangerang selatan", "pandeglang", "lebak")),
    Province("Jawa Barat", -6.89, 107.64, ("jabar", "bandung", "bekasi", "bogor", "depok",
                                           "cirebon", "garut", "tasikmalaya", "sukabumi",
                                           "cianjur", "karawang", "west java")),
    Province("Jawa Tengah", -7.15, 110.14, ("jateng", "semarang", "solo", "surakarta",
                                            "magelang", "tegal", "pekalongan", "kudus",
                                            "central java")),
    Province("DI Yogyakarta", -7.80, 110.36, ("yogyakarta", "jogja", "jogjakarta", "yogya",
                                              "diy", "sleman", "bantul")),
    Province("Jawa Timur", -7.54, 112.24, ("jatim", "surabaya", "malang", "kediri",
                                           "banyuwangi", "jember", "sidoarjo", "madura",
                                           "east java")),
    Province("Bali", -8.41, 115.19, ("denpasar", "badung", "gianyar", "kuta")),
    Province("Nusa Tenggara Barat", -8.65, 117.36, ("ntb", "mataram", "lombok", "bima",
                                                    "sumbawa")),
    Province("Nusa Tenggara Timur", -8.66, 121.08, ("ntt", "kupang", "flores", "sumba",
                                                    "labuan bajo", "ende")),
    Province("Kalimantan Barat", -0.28, 111.48, ("kalbar", "pontianak", "singkawang")),
    Province("Kalimantan Tengah", -1.68, 113.38, ("kalteng", "palangka raya", "palangkaraya",
                                                  "sampit")),
    Province("Kalimantan Selatan", -3.09, 115.28, ("kalsel", "banjarmasin", "banjarbaru")),
    Province("Kalimantan Timur", 0.54, 116.42, ("kaltim", "samarinda", "balikpapan", "ikn",
                                                "nusantara")),
    Province("Kalimantan Utara", 3.07, 116.04, ("kaltara", "tarakan", "tanjung selor",
                                                "nunukan")),
    Province("Sulawesi Utara", 0.62, 123.98, ("sulut", "manado", "bitung", "tomohon")),
    Province("Gorontalo", 0.70, 122.45, ()),
    Province("Sulawesi Tengah", -1.43, 121.45, ("sulteng", "palu", "poso", "donggala")),
    Province("Sulawesi Barat", -2.84, 119.23, ("sulbar", "mamuju", "majene")),
    Province("Sulawesi Selatan", -3.67, 119.97, ("sulsel", "makassar", "parepare", "bone",
                                                 "toraja")),
    Province("Sulawesi Tenggara", -4.14, 122.17, ("sultra", "kendari", "baubau")),
    Province("Maluku", -3.24, 130.15, ("ambon", "tual", "seram")),
    Province("Maluku Utara", 1.57, 127.81, ("malut", "ternate", "sofifi", "halmahera",
                                            "tidore")),
    Province("Papua Barat", -1.34, 133.17, ("manokwari", "fakfak")),
    Province("Papua Barat Daya", -1.05, 131.55, ("sorong", "raja ampat")),
    Province("Papua", -2.53, 140.12, ("jayapura", "sentani", "biak")),
    Province("Papua Tengah", -3.86, 136.36, ("nabire", "timika", "mimika")),
    Province("Papua Pegunungan", -4.09, 138.94, ("wamena", "jayawijaya")),
    Province("Papua Selatan", -7.01, 139.52, ("merauke", "boven digoel")),
)

_BOX: Final = (-11.5, 6.5, 94.5, 141.5)  # lat min, lat max, lon min, lon max


@cache
def _names() -> list[tuple[re.Pattern[str], Province]]:
    """Every name (province or alias) as a whole-word pattern, longest first."""
    pairs = [(name, p) for p in PROVINCES for name in (p.name.lower(), *p.aliases)]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return [(re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)"), p) for n, p in pairs]


@lru_cache(maxsize=4096)
def _by_place(text: str) -> Province | None:
    place = " ".join(text.lower().replace(",", " ").split())
    for pattern, province in _names():
        if pattern.search(place):
            return province
    return None


def province_of(geo: Geo | None) -> Province | None:
    """The province a post's place names, else the one nearest its coordinates, else None."""
    if geo is None:
        return None
    if geo.place:
        found = _by_place(geo.place[:200])
        if found is not None:
            return found
    if geo.lat is not None and geo.lon is not None:
        lat, lon = float(geo.lat), float(geo.lon)
        if _BOX[0] <= lat <= _BOX[1] and _BOX[2] <= lon <= _BOX[3]:
            return min(PROVINCES, key=lambda p: math.hypot(p.lat - lat, p.lon - lon))
    return None
