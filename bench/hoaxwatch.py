"""Hoax-watch queue build time (issue #13 part 7): seconds for ``watch_event`` to read a full
window of an earthquake (``DAMAI_HOAXWATCH_MAX_POSTS`` posts), match every post against the
claims and the hoax patterns, geoparse the matched ones and keep those of the affected area.

The store is a fresh SQLite file with ``--posts`` posts in the window: the geoparse test set's
disaster posts (``seeds/geo/test.jsonl``) and, one in ``--every``, one of the hoaxes of
``tests/unit/test_hoax_patterns.py``, each with a running number so no two are equal. The figure
is the best of ``--repeat`` builds (the gazetteer and the patterns are loaded before timing).

    .venv/bin/python bench/hoaxwatch.py [--posts 5000] [--every 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.test_hoax_patterns import HOAXES  # noqa: E402

from damai.pipeline.hoaxwatch import watch_event  # noqa: E402
from damai.records import HazardEvent, Post  # noqa: E402
from damai.storage import open_store  # noqa: E402
from damai.understand.gazetteer import gazetteer  # noqa: E402
from damai.understand.hoax_patterns import load_patterns  # noqa: E402

SEEDS = ROOT / "seeds" / "geo" / "test.jsonl"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _posts(count: int, every: int) -> list[Post]:
    seeds = [orjson.loads(line)["text"] for line in SEEDS.read_bytes().splitlines() if line]
    rng = random.Random(13)
    texts = [(HOAXES[i // every % len(HOAXES)][0] if i % every == 0 else rng.choice(seeds))
             + f" ({i})" for i in range(count)]
    return [Post(platform="x", platform_id=str(i), text=text, language="id",
                 created_at=T0 + timedelta(seconds=60 + i)) for i, text in enumerate(texts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["DAMAI_HOAXWATCH_MAX_POSTS"] = str(args.posts)
    gazetteer()
    load_patterns()
    with tempfile.TemporaryDirectory() as tmp, \
            open_store(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}") as store:
        store.posts.write_batch(_posts(args.posts, args.every), [], [])
        store.events.save([HazardEvent("bmkg", "bench", "earthquake", T0, 6.2, 10.0, -6.84,
                                       107.05, "Pusat gempa berada di darat 10 km BaratLaut "
                                       "Cianjur", None, "V Cianjur, IV Bogor")], "bench", T0)
        (event,) = store.events.recent(1)
        best, found = float("inf"), None
        for _ in range(args.repeat):
            start = time.perf_counter()
            found = watch_event(store, event.id)
            best = min(best, time.perf_counter() - start)
    assert found is not None
    print(f"posts in the window: {found.read}; queued: {len(found.items)}; "
          f"best of {args.repeat}: {best:.3f} s ({found.read / best:,.0f} posts/s)")


if __name__ == "__main__":
    main()
