"""Alert benchmark (issue #13): from the poll that first sees a BMKG event to its alert draft
readable through the API.

1. A local BMKG feed server on 127.0.0.1 serves ``/autogempa.json`` in the real feed's shape
   (``Infogempa.gempa`` one object, the fields of ``tests/fixtures/bmkg/autogempa.json``), with
   an ETag (304 to a poll that already has it), as BMKG's server does.
2. ``damai serve``'s app runs under uvicorn in a subprocess (the path a user runs), with
   ``DAMAI_BMKG_SERVE=true``, ``DAMAI_BMKG_FEEDS`` pointing at the local feed and
   ``DAMAI_BMKG_INTERVAL`` (``--interval``) between polls; the campaign scheduler runs as usual.
3. N distinct new earthquakes appear one after another: the feed switches to event ``i``; the
   moment the feed server answers the first poll that gets event ``i`` (a 200 with its body) is
   the start; the end is the first moment ``GET /api/v1/events`` lists it and
   ``GET /api/v1/events/{id}/alerts`` returns its draft (the client asks every ``--probe``
   seconds, so the figures carry up to that much probing delay).

Prints p50, p99 and max in seconds and checks p99 < 2 s (exit status 1 otherwise).

    .venv/bin/python bench/alert.py [--n 100] [--interval 0.25] [--probe 0.01] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from damai.auth import open_auth_store  # noqa: E402
from damai.storage import open_store  # noqa: E402

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
_WIB = timedelta(hours=7)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def gempa(i: int) -> dict[str, Any]:
    """Event ``i`` in BMKG's autogempa shape: a minute apart, each at its own point."""
    when = T0 + timedelta(minutes=i)
    local = when + _WIB
    lat, lon = round(-7.0 - i * 0.01, 2), round(106.0 + i * 0.01, 2)
    return {"Tanggal": f"{local.day:02d} {_MONTHS[local.month - 1]} {local.year}",
            "Jam": f"{local:%H:%M:%S} WIB", "DateTime": when.isoformat(),
            "Coordinates": f"{lat},{lon}", "Lintang": f"{-lat:.2f} LS",
            "Bujur": f"{lon:.2f} BT", "Magnitude": f"{4.0 + (i % 30) / 10:.1f}",
            "Kedalaman": f"{10 + i % 50} km",
            "Wilayah": f"Pusat gempa berada di laut {20 + i % 80} km BaratDaya Kab. Sukabumi",
            "Potensi": "Tidak berpotensi tsunami", "Dirasakan": "III Sukabumi, II Cianjur",
            "Shakemap": f"{local:%Y%m%d%H%M%S}.mmi.jpg"}


class Feed(ThreadingHTTPServer):
    """``/autogempa.json`` holds the current event; ``first_seen[i]`` is when a poll first got
    event ``i`` (monotonic seconds)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.current = -1
        self.body = b""
        self.first_seen: dict[int, float] = {}
        self.lock = threading.Lock()

    def show(self, i: int) -> None:
        with self.lock:
            self.current = i
            self.body = json.dumps({"Infogempa": {"gempa": gempa(i)}}).encode()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/autogempa.json"


class _Handler(BaseHTTPRequestHandler):
    server: Feed

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            current, body = self.server.current, self.server.body
        etag = f'"gempa-{current}"'
        if current < 0 or self.headers.get("If-None-Match") == etag:  # nothing new
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.server.first_seen.setdefault(current, time.monotonic())
        self.wfile.write(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: str, feed: Feed, port: int, interval: float) -> subprocess.Popen[bytes]:
    env = os.environ | {"DAMAI_DB": db, "PYTHONPATH": str(ROOT / "src"),
                        "DAMAI_BMKG_SERVE": "true", "DAMAI_BMKG_FEEDS": feed.url,
                        "DAMAI_BMKG_INTERVAL": str(interval)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "damai.web.app:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("damai serve did not start within 120 s")


def make_token(db: str) -> str:
    with open_auth_store(db) as auth:
        auth.add_user("bench", "viewer", "kata-sandi-bench-yang-panjang", actor="bench")
        return auth.create_token("bench", "bench", actor="bench")


def readable(api: httpx.Client, i: int) -> bool:
    """Event ``i`` is listed and its alert draft is readable."""
    want = gempa(i)["DateTime"]
    items = api.get("/events", params={"limit": 5}).json()["items"]
    found = next((e for e in items if e["time"] == want), None)
    if found is None:
        return False
    return bool(api.get(f"/events/{found['id']}/alerts").json()["items"])


def measure(api: httpx.Client, feed: Feed, n: int, probe: float, timeout: float
            ) -> list[float]:
    latencies = []
    for i in range(n):
        feed.show(i)
        deadline = time.monotonic() + timeout
        while not readable(api, i):
            if time.monotonic() > deadline:
                raise SystemExit(f"event {i}: no draft readable within {timeout} s")
            time.sleep(probe)
        done = time.monotonic()
        latencies.append(done - feed.first_seen[i])
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.25, help="DAMAI_BMKG_INTERVAL")
    parser.add_argument("--probe", type=float, default=0.01)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="damai-bench-alert-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'damai.sqlite3'}"
        open_store(db).close()  # migrated before the server and the token
        token = make_token(db)
        feed = Feed()
        threading.Thread(target=feed.serve_forever, daemon=True).start()
        port = free_port()
        server = start_server(db, feed, port, args.interval)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=10,
                              headers={"Authorization": f"Bearer {token}"}) as api:
                latencies = measure(api, feed, args.n, args.probe, args.timeout)
        finally:
            server.terminate()
            server.wait(timeout=30)
            feed.shutdown()
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    report = {"n": args.n, "interval_s": args.interval, "probe_s": args.probe,
              "p50_s": round(statistics.median(ordered), 4), "p99_s": round(p99, 4),
              "max_s": round(ordered[-1], 4), "target_p99_s": 2.0, "ok": p99 < 2.0}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"poll → draft readable via API, {args.n} events: p50 {report['p50_s']} s, "
              f"p99 {report['p99_s']} s, max {report['max_s']} s; target p99 < 2 s: "
              f"{'ok' if report['ok'] else 'MISSED'}")
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
