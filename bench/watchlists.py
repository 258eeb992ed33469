"""Watchlists benchmark (issue #14 part 5): what one spike check costs the scheduler.

**Workload.** ``--n`` posts (100,000 by default) spread evenly over the ``--days`` (2) before
now, in SQLite (a temporary file). Texts are drawn from Indonesian word lists written for this
script; 10% are flagged ``hoax``, 5% ``sara``; each names one of eight provinces. Then the
``--watchlists`` (20) watchlists of four kinds, five each: words only, a label only, a province
only, and all three.

**Measure.** The time to assess one watchlist (its last window and its 24-window baseline in one
pass), ``--repeat`` (5) times each: median and p95 per kind, with the process's CPU time beside
the wall clock (a shared machine stretches the wall clock); and one whole :func:`check` of every
watchlist as a share of the scheduler's one-minute period.

    .venv/bin/python bench/watchlists.py [--n 100000] [--days 2] [--watchlists 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from damai.pipeline.watchlists import Rule, add, assess, check
from damai.records import Place, Post
from damai.storage import open_store


def _words(text: str) -> list[str]:
    return text.split()


NOUNS = _words("banjir gempa warga jembatan sekolah pasar masjid gereja desa kota sungai jalan "
               "rumah pengungsi bantuan relawan listrik air hujan tanggul")
VERBS = _words("jebol runtuh meluap terendam mengungsi datang hilang dibuka ditutup retak")
OTHER = _words("katanya besok malam ini segera sebarkan jangan percaya info resmi lagi")
PROVINCES = ("Jawa Barat", "Jawa Tengah", "Jawa Timur", "Aceh", "Bali", "Sulawesi Selatan",
             "Sumatera Utara", "Kalimantan Timur")
KINDS = {"words": ["banjir", "gempa", "tanggul jebol", "pengungsi", "jembatan runtuh"],
         "label": ["label:hoax", "label:sara", "label:hoax,sara", "label:hoax", "label:sara"],
         "province": [f'provinsi:"{p}"' for p in PROVINCES[:5]],
         "all": [f'{w} label:hoax provinsi:"{p}"' for w, p in
                 zip(["banjir", "gempa", "tanggul", "pengungsi", "jembatan"], PROVINCES,
                     strict=False)]}


def posts(n: int, days: float, now: datetime, rng: random.Random) -> list[Post]:
    span = timedelta(days=days).total_seconds()
    out = []
    for i in range(n):
        text = " ".join([rng.choice(NOUNS), rng.choice(VERBS), rng.choice(NOUNS),
                         *rng.sample(OTHER, 3)])
        roll = rng.random()
        flags = ["hoax"] if roll < 0.10 else ["sara"] if roll < 0.15 else []
        province = rng.choice(PROVINCES)
        place = Place(province, "province", province, None, None, 0.0, 0.0)
        out.append(Post("x", str(i), text, now - timedelta(seconds=span * i / n),
                        labels={f: 0.9 for f in flags}, flags=flags, places=[place]))
    return out


def timed(action: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=2.0)
    parser.add_argument("--watchlists", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    now = datetime.now(UTC)
    rng = random.Random(14)
    rule = Rule(timedelta(hours=1), 24, 5, 0.001)
    with tempfile.TemporaryDirectory() as tmp, \
            open_store(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}") as store:
        batch = posts(args.n, args.days, now, rng)
        for start in range(0, len(batch), 5000):
            store.posts.write_batch(batch[start:start + 5000], [], [])
        per_kind = max(1, args.watchlists // len(KINDS))
        made = {kind: [add(store, f"{kind} {i}", q, actor="bench", now=now)
                       for i, q in enumerate((queries * per_kind)[:per_kind])]
                for kind, queries in KINDS.items()}
        result: dict[str, object] = {"posts": args.n, "days": args.days,
                                     "watchlists": sum(len(v) for v in made.values())}
        for kind, lists in made.items():
            runs = [timed(lambda w=w: assess(store, w, now=now, rule=rule))
                    for w in lists for _ in range(args.repeat)]
            walls = [r[0] * 1000 for r in runs]
            result[kind] = {"median_ms": round(statistics.median(walls), 2),
                            "p95_ms": round(p95(walls), 2),
                            "cpu_median_ms": round(statistics.median(r[1] * 1000
                                                                     for r in runs), 2)}
        wall, cpu = timed(lambda: check(store, now=now, rule=rule, ways=[]))
        result["check_all_s"] = round(wall, 3)
        result["check_all_cpu_s"] = round(cpu, 3)
        result["share_of_a_minute"] = round(wall / 60, 4)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
