"""Geoparse throughput (issue #13): posts per second through ``geoparse_many``, the function the
ingest path calls, on distinct texts.

The texts are built from ``seeds/geo/test.jsonl``: each is one or two of its posts (chosen by a
seeded random generator) and a running number, so no two are equal and no cache can help. The
gazetteer is built first and timed on its own; the figure is the best of ``--repeat`` runs.

    .venv/bin/python bench/geoparse.py [--posts 50000] [--batch 512] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import orjson

from damai.understand.gazetteer import gazetteer
from damai.understand.geoparse import geoparse_many

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "geo" / "test.jsonl"


def _texts(count: int, seed: int = 13) -> list[str]:
    posts = [orjson.loads(line)["text"] for line in SEEDS.read_bytes().splitlines() if line]
    rng = random.Random(seed)
    texts = [" ".join(rng.sample(posts, rng.choice((1, 2)))) + f" (laporan {i})"
             for i in range(count)]
    assert len(set(texts)) == count
    return texts


def _run(texts: list[str], batch: int) -> tuple[float, int]:
    start = time.perf_counter()
    places = 0
    for i in range(0, len(texts), batch):
        places += sum(len(found.places) for found in geoparse_many(texts[i:i + batch]))
    return time.perf_counter() - start, places


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    gazetteer()
    print(f"gazetteer built in {time.perf_counter() - start:.2f} s")
    texts = _texts(args.posts)
    best, places = min(_run(texts, args.batch) for _ in range(args.repeat))
    print(f"{args.posts:,} distinct posts, {places:,} places: {best:.2f} s, "
          f"{args.posts / best:,.0f} posts/s (best of {args.repeat})")


if __name__ == "__main__":
    main()
