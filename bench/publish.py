"""Publishing benchmark (issue #12): N scheduled campaign slots through the dry-run channel and
four fake platforms (Mastodon, Bluesky, X, Telegram on 127.0.0.1, the test suite's fakes that
speak each platform's real endpoints and JSON), with injected 429s, 5xx errors, answers lost
after the platform accepted the post, and real ``kill -9`` of the worker.

The workload: N approved library entries (one per slot, each text distinct) in active campaigns
of 2,000 (the most one holds); slot ``i`` goes to channel ``i mod 5`` and is due over
``--window`` seconds from ``--lead`` seconds after the setup. A ``damai worker`` subprocess (the
CLI a user runs) hands due slots to the publishing queue and drains it within each account's
rate limit (``--limit COUNT/SECONDS`` for every platform). Each time the publications cross
another ``1/(kills+1)`` of N, the worker is killed with SIGKILL and a new one started (lease 0,
so it takes over at once). The run ends when no slot is open and nothing is queued or in flight,
or after ``--timeout`` seconds. Then, as a person would, every ``uncertain`` publication is
checked against the platform and settled (``damai publish --settle`` semantics), and the worker
sends what a ``failed`` verdict sent back.

Faults, drawn per call to post (``--p429``, ``--p5xx``, ``--plost``): a 429 with the
platform's own retry header (1-2 s), a 503 before the platform accepts, and a 502 *after* it
accepted (the answer is lost; only a lookup can tell). Telegram's Bot API cannot look a post up,
so a lost answer there is ``uncertain`` by design.

What it reports (``--json``: one object):

- ``duplicates``: posts the *platforms* hold beyond one per slot (counted on the fake
  servers, by each text's marker), plus publications beyond one per slot in the store; must be 0;
- ``lost``: slots neither published (``sent``) nor listed for a human (``missed``/``failed``
  slot, ``failed``/``uncertain`` publication), plus anything still queued at the end; must be 0;
- ``uncertain``: publications that were ``uncertain``, and ``uncertain_resolved``: by platform,
  and how the person's check settled each (``on_platform``: it was there; ``absent``: re-sent);
- ``lateness_p50_s`` / ``lateness_p99_s``: from each slot's planned time to its publication's
  ``sent`` time (waits for the rate limit, a 429 and a restart included);
- ``throughput_per_s``: sent publications over the time from the first due slot to the last
  send;
- ``rate_limits``: per platform account, the limit and the most calls to post the fake server
  received in any window of that length (``respected``: never above the limit);
- ``faults``: what the fakes injected; ``kills``, ``sent``, ``failed``, ``missed``, ``n``.

    .venv/bin/python bench/publish.py [--n 10000] [--kills 3] [--window 120] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake platforms live with the tests

from tests.integration.platform_servers import Reply, bad_gateway, service_unavailable  # noqa: E402
from tests.integration.publish_servers import (  # noqa: E402
    BlueskyPDS,
    MastodonInstance,
    TelegramBotAPI,
    XAccount,
)

from damai.pipeline import campaigns as camp  # noqa: E402
from damai.pipeline.publishing import settle_uncertain  # noqa: E402
from damai.pipeline.responses import Actor  # noqa: E402
from damai.respond.entries import STARTER, read_entries  # noqa: E402
from damai.storage import open_store  # noqa: E402
from damai.storage.types import parse_time  # noqa: E402

MARK = re.compile(rb"bench-(\d+)\b")
TEXT = "Beda pendapat itu wajar; saling menghormati itu pilihan kita. Salam damai ({})"
CHANNELS = ("dry-run", "mastodon:damai@fake.example", "bluesky:damai.bsky.social",
            "x:damai_id", "telegram:@damai_channel")


class Faulty:
    """Wraps a fake platform's ``route``: draws a fault for each call to post, records when
    each call arrived and which slot's text each accepted post carries."""

    def __init__(self, server: Any, platform: str, rng: random.Random, p429: float,
                 p5xx: float, plost: float) -> None:
        self.server, self.platform, self.rng = server, platform, rng
        self.p429, self.p5xx, self.plost = p429, p5xx, plost
        self.calls: list[float] = []
        self.accepted: Counter[int] = Counter()
        self.faults: Counter[str] = Counter()
        self._route = server.route
        self._lock = threading.Lock()
        server.route = self.route

    def is_post(self, seen: Any) -> bool:
        path = seen.path
        return seen.method == "POST" and (
            path == "/api/v1/statuses" or path.endswith("com.atproto.repo.createRecord")
            or path == "/2/tweets" or path.endswith("/sendMessage"))

    def rate_limited(self) -> Reply:
        wait = self.rng.choice((1, 2))
        if self.platform == "telegram":
            return self.server.rate_limited(retry_after=wait)  # type: ignore[no-any-return]
        return self.server.rate_limited(reset_in=wait)  # type: ignore[no-any-return]

    def route(self, seen: Any) -> Reply:
        if not self.is_post(seen):
            return self._route(seen)  # type: ignore[no-any-return]
        with self._lock:
            self.calls.append(time.time())
            draw = self.rng.random()
        if draw < self.p429:
            self.faults["429"] += 1
            return self.rate_limited()
        if draw < self.p429 + self.p5xx:
            self.faults["503_before"] += 1
            return service_unavailable()
        reply = self._route(seen)
        if reply.status < 300:
            marks = MARK.findall(seen.body)
            with self._lock:
                for mark in marks[:1]:
                    self.accepted[int(mark)] += 1
            if draw < self.p429 + self.p5xx + self.plost:
                self.faults["502_after_accept"] += 1
                return bad_gateway()
        return reply  # type: ignore[no-any-return]

    def max_in_window(self, seconds: float) -> int:
        times, most, start = sorted(self.calls), 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        return most


def _setup(url: str, n: int, window: float, lead: float) -> datetime:
    base = next(e for e in read_entries(STARTER) if e.status == "approved")
    ids = [f"bench-{i}" for i in range(n)]
    first = datetime.now(UTC) + timedelta(seconds=lead)
    step = max(timedelta(seconds=window / max(n - 1, 1)), timedelta(microseconds=1))
    with open_store(url) as store:
        store.library.save([replace(base, id=i, title=i, text_id=TEXT.format(i)) for i in ids],
                           actor="bench", action="library_import")
        # a campaign holds at most camp.MAX_MESSAGES messages: N slots in as many campaigns
        size = camp.MAX_MESSAGES
        for c, begin in enumerate(range(0, n, size)):
            chunk = ids[begin:begin + size]
            (made,) = camp.create_campaigns(store, Actor("bench", "analyst"), [{
                "name": f"bench {c}", "themes": ["tolerance"],
                "messages": [f"entry:{i}" for i in chunk], "start": "2026-01-01",
                "end": "2026-01-01", "times": ["08:00"], "timezone": "WIB"}])
            store.campaigns.activate(made.id, [
                (p - begin + 1, CHANNELS[p % len(CHANNELS)], first + p * step)
                for p in range(begin, begin + len(chunk))], actor="bench")
    return first


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _worker(url: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "damai", "worker", "--db", url,
                             "--interval", "0.05"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


OPEN = ("SELECT (SELECT count(*) FROM campaign_slots WHERE state IN ('scheduled', 'sending')) "
        "+ (SELECT count(*) FROM publications WHERE state IN ('queued', 'pending'))")


def _drive(db: Path, url: str, env: dict[str, str], n: int, kills: int,
           deadline: float) -> int:
    done_kills, proc = 0, _worker(url, env)
    time.sleep(1.0)
    try:
        while time.monotonic() < deadline and _count(db, OPEN) > 0:
            sent = _count(db, "SELECT count(*) FROM publications WHERE state = 'sent'")
            if done_kills < kills and sent >= n * (done_kills + 1) / (kills + 1):
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                done_kills += 1
                proc = _worker(url, env)
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return done_kills


def _resolve_uncertain(url: str, fakes: dict[str, Faulty]) -> dict[str, Any]:
    """A person checks each uncertain publication on its platform and settles it."""
    person = Actor("bench-person", "approver")
    resolved: Counter[str] = Counter()
    ids: list[int] = []
    with open_store(url) as store:
        uncertain = [p for p in store.publications.recent(limit=1_000_000)
                     if p.state == "uncertain"]
        for publication in uncertain:
            slot = int(MARK.findall(str(publication.payload.get("text", "")).encode())[0])
            platform = publication.channel.split(":", 1)[0]
            there = fakes[platform].accepted[slot] > 0
            settle_uncertain(store, person, publication.id, "sent" if there else "failed",
                             note="dicek di platform / checked on the platform")
            resolved["on_platform" if there else "absent"] += 1
            resolved[f"{platform}"] += 1
            ids.append(publication.id)
    return {"count": len(ids), **resolved}


def _resend_failed(url: str, env: dict[str, str], deadline: float, db: Path) -> None:
    """What a ``failed`` verdict sent back goes out through the worker, as the user's
    ``damai publish`` of it again would queue it."""
    with open_store(url) as store:
        for publication in store.publications.recent(limit=1_000_000):
            if publication.state == "failed":
                store.queue.requeue_failed(publication.id, now=datetime.now(UTC))
    if _count(db, OPEN) == 0:
        return
    proc = _worker(url, env)
    try:
        while time.monotonic() < deadline and _count(db, OPEN) > 0:
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def _figures(db: Path, n: int, first: datetime, fakes: dict[str, Faulty],
             limit: tuple[int, float]) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        rows, keys = conn.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM publications").fetchone()
        slots = conn.execute(
            "SELECT s.state, s.publication_id, s.original_at, p.state, "
            "coalesce(p.updated_at, p.created_at) "
            "FROM campaign_slots s LEFT JOIN publications p ON p.id = s.publication_id"
        ).fetchall()
        states = dict(conn.execute(
            "SELECT state, count(*) FROM publications GROUP BY state").fetchall())
    handed = [s for s in slots if s[0] == "sent"]
    shared = len(handed) - len({s[1] for s in handed})
    on_platforms = sum(max(c - 1, 0) for f in fakes.values() for c in f.accepted.values())
    listed = {"missed", "failed"}
    lost = sum(1 for s in slots if s[0] not in listed | {"sent"})
    lost += sum(1 for s in handed if s[1] is None or s[3] in ("queued", "pending"))
    sent = [s for s in handed if s[3] == "sent"]
    lateness = [(parse_time(s[4]) - parse_time(s[2])).total_seconds() for s in sent]
    last = max((parse_time(s[4]) for s in sent), default=first)
    span = max((last - first).total_seconds(), 1e-9)
    count, seconds = limit
    rate = {name: {"limit": f"{count}/{seconds:g} s", "max_calls_in_window":
                   fake.max_in_window(seconds), "calls": len(fake.calls),
                   "respected": fake.max_in_window(seconds) <= count}
            for name, fake in fakes.items()}
    return {"n": n, "sent": len(sent),
            "duplicates": on_platforms + (rows - keys) + shared + max(0, rows - n),
            "duplicates_on_platforms": on_platforms, "lost": lost,
            "missed": sum(1 for s in slots if s[0] == "missed"),
            "failed": states.get("failed", 0),
            "lateness_p50_s": _quantile(lateness, 0.5),
            "lateness_p99_s": _quantile(lateness, 0.99),
            "throughput_per_s": round(len(sent) / span, 1), "rate_limits": rate,
            "rate_limits_respected": all(r["respected"] for r in rate.values()),
            "faults": {name: dict(f.faults) for name, f in fakes.items()}}


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    count, _, seconds = args.limit.partition("/")
    limit = (int(count), float(seconds))
    servers = {"mastodon": MastodonInstance(), "bluesky": BlueskyPDS(), "x": XAccount(),
               "telegram": TelegramBotAPI()}
    fakes = {name: Faulty(server, name, rng, args.p429, args.p5xx, args.plost)
             for name, server in servers.items()}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.sqlite3"
            url = f"sqlite:///{db}"
            env = {**os.environ, "DAMAI_DATA_DIR": tmp, "PYTHONPATH": str(ROOT / "src"),
                   "DAMAI_INSTALLATION_SECRET": "bench", "DAMAI_SCHEDULER_LEASE_SECONDS": "0",
                   "DAMAI_SCHEDULER_MAX_PER_TICK": "200", "DAMAI_PUBLISH_TIMEOUT": "5",
                   "DAMAI_PUBLISH_RATE_LIMITS": ",".join(
                       f"{p}={args.limit}" for p in servers),
                   "DAMAI_MASTODON_PUBLISH_URL": servers["mastodon"].url,
                   "DAMAI_MASTODON_PUBLISH_TOKEN": "mastodon-token",
                   "DAMAI_BLUESKY_PUBLISH_URL": servers["bluesky"].url,
                   "DAMAI_BLUESKY_PUBLISH_PASSWORD": "app-pass",
                   "DAMAI_X_PUBLISH_URL": servers["x"].url,
                   "DAMAI_X_PUBLISH_TOKEN": "x-user-token",
                   "DAMAI_TELEGRAM_API_URL": servers["telegram"].url,
                   "DAMAI_TELEGRAM_BOT_TOKEN": "123456:ABC-bot-token"}
            os.environ.update({k: v for k, v in env.items() if k.startswith("DAMAI_")})
            first = _setup(url, args.n, args.window, args.lead)
            deadline = time.monotonic() + args.timeout
            kills = _drive(db, url, env, args.n, args.kills, deadline)
            resolved = _resolve_uncertain(url, fakes)
            _resend_failed(url, env, deadline, db)
            figures = _figures(db, args.n, first, fakes, limit)
            return {**figures, "uncertain": resolved["count"],
                    "uncertain_share": round(resolved["count"] / args.n, 5),
                    "uncertain_resolved": resolved, "kills": kills, "window_s": args.window,
                    "p429": args.p429, "p5xx": args.p5xx, "plost": args.plost,
                    "channels": list(CHANNELS), "store": "sqlite"}
    finally:
        for server in servers.values():
            server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="scheduled publications")
    parser.add_argument("--kills", type=int, default=3, help="kill -9 of the worker")
    parser.add_argument("--window", type=float, default=120.0,
                        help="seconds the slots are spread over (0: all due at once)")
    parser.add_argument("--lead", type=float, default=10.0,
                        help="seconds from setup to the first due slot (the first worker's "
                             "start-up is not lateness; a restart after a kill is)")
    parser.add_argument("--limit", default="200/10",
                        help="each platform account's rate limit, COUNT/SECONDS")
    parser.add_argument("--p429", type=float, default=0.02)
    parser.add_argument("--p5xx", type=float, default=0.01)
    parser.add_argument("--plost", type=float, default=0.002)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--timeout", type=float, default=1500.0)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args()
    figures = run(args)
    if args.json:
        print(json.dumps(figures, default=str))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
