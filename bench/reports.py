"""Reports benchmark (issue #14 part 6): does a weekly report cost the week's posts, or the
whole store's?

**Workload.** Two SQLite stores with the same week: ``--per-day`` posts a day (3,000 by default)
over 7 days in the small store and over ``7 * --scale`` days (10 by default) in the large one, so
the large store holds ``--scale`` times the posts but the reported week holds the same ones.
Every 5th post is flagged ``hate_speech`` and every 11th ``disaster``; every 50th flagged post
has an analyst's judgement, every 100th an approved response. Texts are numbered sentences
written for this script.

**Measure.** For the last week of each store: the weekly figures, the transparency figures, the
HTML and the PDF, each the median of ``--repeat`` runs (``time.perf_counter``), and the ratio
large / small. A ratio near 1 means the report reads the period, not the store.

    .venv/bin/python bench/reports.py [--per-day 3000] [--scale 10] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from damai.records import Post
from damai.reports import render, transparency_report, weekly_report
from damai.reports.period import Period, between
from damai.storage import Store, open_store
from damai.storage.responses import HarmCheck, NewResponse

END = datetime(2026, 11, 30, tzinfo=UTC)


def _posts(days: int, per_day: int) -> list[Post]:
    found = []
    step = timedelta(seconds=86400 / per_day)
    start = END - timedelta(days=days)
    for i in range(days * per_day):
        flags = ["hate_speech"] if i % 5 == 0 else ["disaster"] if i % 11 == 0 else []
        found.append(Post("x", f"b{i}", f"Kalimat uji nomor {i} tentang kampung kita",
                          start + i * step, language="id", labels={f: 0.9 for f in flags},
                          flags=flags, model_version="bench"))
    return found


def _fill(store: Store, days: int, per_day: int) -> None:
    posts = _posts(days, per_day)
    for i in range(0, len(posts), 5000):
        store.posts.write_batch(posts[i:i + 5000], [], [])
    flagged = [p for p in posts if p.flags]
    for n, post in enumerate(flagged[::50]):
        row = store.posts.row_id("x", post.platform_id)
        assert row is not None
        store.triage.add_corrections(row, {post.flags[0]: n % 2}, "bench")
        if n % 2 == 0:
            made = store.responses.propose(NewResponse("Mari jaga kerukunan.", "bench",
                                                       post_id=row), HarmCheck(None, {}, "b"))
            store.responses.decide(made.id, "approved", actor="bench-approver")


def _median(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _measure(store: Store, period: Period, repeat: int) -> dict[str, float]:
    weekly = weekly_report(store, period)
    render(weekly, "html")  # compile the template once, outside the timing
    return {"weekly": _median(lambda: weekly_report(store, period), repeat),
            "transparency": _median(lambda: transparency_report(store, period), repeat),
            "html": _median(lambda: render(weekly, "html"), repeat),
            "pdf": _median(lambda: render(weekly, "pdf"), repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=3000)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    period = between((END - timedelta(days=7)).date().isoformat(),
                     (END - timedelta(days=1)).date().isoformat())
    found: dict[str, Any] = {"per_day": args.per_day, "scale": args.scale}
    with tempfile.TemporaryDirectory() as tmp:
        for name, days in (("small", 7), ("large", 7 * args.scale)):
            with open_store(f"sqlite:///{Path(tmp) / name}.sqlite3") as store:
                _fill(store, days, args.per_day)
                found[name] = {"posts": days * args.per_day,
                               **_measure(store, period, args.repeat)}
    found["ratio"] = {k: found["large"][k] / found["small"][k]
                      for k in ("weekly", "transparency", "html", "pdf")}
    if args.json:
        print(json.dumps(found, indent=2))
        return
    for name in ("small", "large"):
        f = found[name]
        print(f"{name}: {f['posts']:,} posts; weekly {f['weekly'] * 1000:.1f} ms, transparency "
              f"{f['transparency'] * 1000:.1f} ms, HTML {f['html'] * 1000:.1f} ms, PDF "
              f"{f['pdf'] * 1000:.1f} ms")
    print("large / small: " + ", ".join(f"{k} {v:.2f}" for k, v in found["ratio"].items()))


if __name__ == "__main__":
    main()
