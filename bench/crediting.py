"""Crediting benchmark (issue #12 part 5): what the crediting stage costs ingest when kits exist.

Without an unrevoked kit the chain builds no crediting stage at all (one indexed query when the
chain is made), so ingest is unchanged; this script measures the case with kits.

**Workload.** An in-memory store with the starter library, ``--ambassadors`` ambassadors (one
handle each) and one kit each (three messages). ``--posts`` posts with distinct texts made from
the starter library's Indonesian sentences and a number; a share ``--own`` of them come from an
ambassador's handle (so they are MinHashed against that ambassador's kits), 1% carry a kit's tag
and 1% its tracking link; the rest come from other accounts and are only scanned for a tag or a
link.

**Measure.** :meth:`CreditStage.predict` over the posts in batches of 1,000, after a warm-up
batch, timed with ``time.perf_counter``: posts per second and the credits found.

    .venv/bin/python bench/crediting.py [--posts 50000] [--ambassadors 500] [--own 0.05] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime

from damai.pipeline import ambassadors as amb
from damai.pipeline.crediting import CreditStage
from damai.pipeline.library import import_library
from damai.records import Post
from damai.storage import Store, open_store
from damai.understand.places import PROVINCES

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def network(store: Store, size: int) -> list[tuple[str, str, str]]:
    """``size`` ambassadors with a kit each: (handle, tag, code) per ambassador."""
    import_library(store, None, actor="bench")
    out = []
    for i in range(size):
        person = amb.register(store, name=f"Duta {i}", province=PROVINCES[i % 38].name,
                              consent_scope="Menerima kit konten", handles=[f"x:duta{i}"],
                              topics=["tolerance"], actor="bench")
        kit = amb.issue_kit(store, person.id, actor="bench",
                            link="https://damai.example/kampanye").kit
        out.append((f"duta{i}", kit.tag, kit.code))
    return out


def workload(store: Store, people: list[tuple[str, str, str]], n: int, own: float,
             rng: random.Random) -> list[Post]:
    sentences = [v.entry.short_280 for v in store.library.current(status="approved")]
    posts = []
    for i in range(n):
        handle, tag, code = rng.choice(people)
        roll = rng.random()
        text = f"{rng.choice(sentences)} ({i})"
        links: list[str] = []
        author = handle if roll < own else f"warga{i}"
        if own <= roll < own + 0.01:
            text += f" {tag}"
        elif own + 0.01 <= roll < own + 0.02:
            links = [f"https://damai.example/kampanye?dd={code}"]
        posts.append(Post(platform="x", platform_id=str(i), text=text, created_at=T0,
                          author_handle=author, links=links))
    return posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--ambassadors", type=int, default=500)
    parser.add_argument("--own", type=float, default=0.05)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(12)
    with open_store("sqlite://") as store:
        people = network(store, args.ambassadors)
        stage = CreditStage.for_store(store)
        assert stage is not None
        posts = workload(store, people, args.posts, args.own, rng)
    stage.predict(posts[:1000])  # warm-up
    started = time.perf_counter()
    found = []
    for start in range(0, len(posts), 1000):
        found.extend(stage.predict(posts[start:start + 1000]))
    seconds = time.perf_counter() - started
    methods = {m: sum(1 for c in found if c.method == m) for m in ("tag", "link", "text")}
    report = {"posts": len(posts), "ambassadors": args.ambassadors, "own_share": args.own,
              "seconds": round(seconds, 3), "posts_per_s": round(len(posts) / seconds),
              "credits": methods}
    print(json.dumps(report) if args.json else
          "\n".join(f"{k}: {v}" for k, v in report.items()))


if __name__ == "__main__":
    main()
