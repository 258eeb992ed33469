"""Publishing benchmark (issue #12), a skeleton: N scheduled campaign slots through the dry-run
channel, with real ``kill -9`` of the worker, and what came out.

The workload: N approved library entries (one per slot, so every slot has a text of its own and
the idempotency key never merges two slots) in one active campaign, whose slots are due over
``--window`` seconds from ``--lead`` seconds after the setup (``--window 0``: all at once,
a backlog). A ``damai worker`` subprocess sends them; each time the outbox crosses another
``1/(kills+1)`` of N it is killed with SIGKILL and a new one is started (lease 0, so the new
worker takes over a slot the dead one held at once). The run ends when no slot is left
``scheduled`` or ``sending``, or after ``--timeout`` seconds.

What it reports (``--json``: one object):

- ``duplicates``: publications beyond one per slot (rows over distinct idempotency keys, slots
  sharing a publication, publications over N); must be 0;
- ``lost``: slots neither sent nor listed for a human (``missed``/``failed``), or sent without a
  publication; must be 0;
- ``uncertain``: 0 on the dry-run channel, which cannot fail after accepting; the real
  publishers of issue #12 parts 1-2 add the case;
- ``lateness_p50_s`` / ``lateness_p99_s``: from each slot's planned time to its claim;
- ``throughput_per_s``: sent slots over the time from the first due slot to the last send
  (bounded by the schedule's own rate unless ``--window 0``);
- ``kills``, ``missed``, ``failed``, ``sent``, ``n``.

Not yet (the rest of the issue's figure): the fake platform servers with injected 429s and
5xx (they come with the real publishers), and per-account rate-limit proof.

    .venv/bin/python bench/publish.py [--n 1000] [--kills 3] [--window 10] [--lead 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from damai.pipeline import campaigns as camp
from damai.pipeline.responses import Actor
from damai.respond.entries import STARTER, read_entries
from damai.storage import open_store
from damai.storage.types import parse_time

ROOT = Path(__file__).resolve().parent.parent


def _setup(url: str, n: int, window: float, lead: float) -> datetime:
    """N entries, one campaign, its N slots due from ``lead`` seconds on; the first due
    time."""
    base = next(e for e in read_entries(STARTER) if e.status == "approved")
    ids = [f"bench-{i}" for i in range(n)]
    first = datetime.now(UTC) + timedelta(seconds=lead)
    # one microsecond apart at least: a slot is unique on (campaign, channel, time)
    step = max(timedelta(seconds=window / max(n - 1, 1)), timedelta(microseconds=1))
    with open_store(url) as store:
        store.library.save([replace(base, id=i, title=i, text_id=f"{base.text_id} ({i})")
                            for i in ids], actor="bench", action="library_import")
        (made,) = camp.create_campaigns(store, Actor("bench", "analyst"), [{
            "name": "bench", "themes": ["tolerance"], "messages": [f"entry:{i}" for i in ids],
            "start": "2026-01-01", "end": "2026-01-01", "times": ["08:00"],
            "timezone": "WIB"}])
        # the slots are written directly (positions 1..N at exact times), not from posting
        # times, so N slots fit in a window of seconds
        store.campaigns.activate(made.id, [(p + 1, "dry-run", first + p * step)
                                           for p in range(n)], actor="bench")
    return first


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _worker(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DAMAI_SCHEDULER_LEASE_SECONDS": "0",
           "DAMAI_SCHEDULER_MAX_PER_TICK": "500", "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "damai", "worker", "--db", url,
                             "--interval", "0.05"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _drive(db: Path, url: str, n: int, kills: int, timeout: float) -> int:
    done_kills, proc = 0, _worker(url)
    deadline = time.monotonic() + timeout
    open_slots = "SELECT count(*) FROM campaign_slots WHERE state IN ('scheduled', 'sending')"
    try:
        while time.monotonic() < deadline and _count(db, open_slots) > 0:
            published = _count(db, "SELECT count(*) FROM publications")
            if done_kills < kills and published >= n * (done_kills + 1) / (kills + 1):
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                done_kills += 1
                proc = _worker(url)
            time.sleep(0.02)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return done_kills


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def _figures(db: Path, n: int, first: datetime) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        rows, keys = conn.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM publications").fetchone()
        slots = conn.execute("SELECT state, publication_id, original_at, sent_at "
                             "FROM campaign_slots").fetchall()
    sent = [s for s in slots if s[0] == "sent"]
    shared = len(sent) - len({s[1] for s in sent})
    listed = sum(1 for s in slots if s[0] in ("missed", "failed"))
    lost = (len(slots) - len(sent) - listed) + sum(1 for s in sent if s[1] is None)
    lateness = [(parse_time(s[3]) - parse_time(s[2])).total_seconds() for s in sent
                if s[3] is not None]
    last = max((parse_time(s[3]) for s in sent if s[3] is not None), default=first)
    span = max((last - first).total_seconds(), 1e-9)
    return {"n": n, "sent": len(sent), "duplicates": (rows - keys) + shared + max(0, rows - n),
            "lost": lost, "uncertain": 0, "missed": sum(1 for s in slots if s[0] == "missed"),
            "failed": sum(1 for s in slots if s[0] == "failed"),
            "lateness_p50_s": _quantile(lateness, 0.5),
            "lateness_p99_s": _quantile(lateness, 0.99),
            "throughput_per_s": round(len(sent) / span, 1)}


def run(n: int, kills: int, window: float, timeout: float, lead: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        url = f"sqlite:///{db}"
        os.environ["DAMAI_DATA_DIR"] = tmp
        os.environ.setdefault("DAMAI_INSTALLATION_SECRET", "bench")
        first = _setup(url, n, window, lead)
        done = _drive(db, url, n, kills, timeout)
        return {**_figures(db, n, first), "kills": done, "window_s": window,
                "channel": "dry-run", "store": "sqlite"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="scheduled publications")
    parser.add_argument("--kills", type=int, default=3, help="kill -9 of the worker")
    parser.add_argument("--window", type=float, default=10.0,
                        help="seconds the slots are spread over (0: all due at once)")
    parser.add_argument("--lead", type=float, default=10.0,
                        help="seconds from setup to the first due slot: the first worker's "
                             "start-up (about 7 s here, most of it importing the CLI) is not "
                             "counted as lateness; a restart after a kill is")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args()
    figures = run(args.n, args.kills, args.window, args.timeout, args.lead)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>18}: {value}")


if __name__ == "__main__":
    main()
