"""Web benchmark (issue #4): the API and the dashboard on a store of 1,000,000 posts.

1. Fills a SQLite store with N generated posts (bulk insert): Indonesian-like text from a small
   vocabulary written here, hashtags and links, several platforms and languages, times spread
   over 90 days, scores on the seven top-level labels with about 10% of posts flagged. A store
   already filled by an earlier run with the same N is reused (``--db``).
2. Measures p50/p95 latency in process (the whole app, no network, its scheduler off) of
   ``GET /api/v1/posts``: the first page, a text search, a filtered search (label + score +
   time), a deep cursor page and the drill-down filters of issue #14 (hashtag, domain,
   province, label + day, exact link); and, when the dashboard routes exist (``/login``,
   ``/posts``, ``/triage``), the overview, a search page, a filtered search page, the triage
   page, three drill-down pages, the narrative list and three narrative pages (20,000, 2,000
   and 50 posts) through a logged-in session. Each post's place is stored in ``post_places`` as
   the geoparser would, its hashtags, links and domains in ``post_terms`` as ingest does, and
   the narratives in ``narratives`` and ``narrative_posts`` as grouping does.
3. Starts a real uvicorn server on 127.0.0.1 and drives ``GET /api/v1/posts`` with a bounded
   asyncio HTTP/1.1 client (keep-alive connections, fixed duration): requests/s, p50/p95/p99 and
   errors.
4. Availability (issue #10): on one uvicorn worker, the p95 of ``GET /api/v1/posts`` from one
   client, idle for 10 s, then while another client's 9 MB NDJSON ``POST /api/v1/ingest`` runs
   (a job, polled until done). Target: the busy p95 under 3x the idle p95.

    .venv/bin/python bench/web.py [--posts 1000000] [--db PATH] [--seconds 20] [--connections 16]
        [--ingest-mb 9] [--only-availability | --only-latency]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from damai.auth import open_auth_store  # noqa: E402
from damai.storage import PostCursor, PostQuery, open_store  # noqa: E402
from damai.storage.base import POST_COLUMNS, format_time  # noqa: E402
from damai.storage.terms import terms_of  # noqa: E402


#: a small vocabulary written for this benchmark: everyday words, places, and the words of the
#: harmful and helpful themes the labels look for
def _words(text: str) -> list[str]:
    return text.split()


EVERYDAY = _words(
    "hari ini saya kita mereka warga kampung kota jalan pasar sekolah kantor rumah makan minum "
    "kopi pagi siang sore malam hujan panas macet ramai sepi kabar berita informasi teman "
    "keluarga anak ibu bapak guru murid kerja libur mudik pulang pergi datang lihat dengar baca "
    "tulis bagus baik buruk cepat lambat besar kecil baru lama sudah belum akan sedang masih "
    "juga saja lagi banget sekali yang dan di ke dari untuk dengan pada ini itu ada tidak bisa "
    "harus mau")
PLACES = _words("Jakarta Bandung Surabaya Medan Makassar Palu Poso Ambon Bekasi Garut Solo "
                "Yogyakarta Padang Aceh Lombok Kupang Jayapura Pontianak Banjarmasin Manado")
#: the province of each place, for the ``post_places`` row the geoparser would write (issue #14)
PROVINCE_OF = dict(zip(PLACES, (
    "DKI Jakarta", "Jawa Barat", "Jawa Timur", "Sumatera Utara", "Sulawesi Selatan",
    "Sulawesi Tengah", "Sulawesi Tengah", "Maluku", "Jawa Barat", "Jawa Barat", "Jawa Tengah",
    "DI Yogyakarta", "Sumatera Barat", "Aceh", "Nusa Tenggara Barat", "Nusa Tenggara Timur",
    "Papua", "Kalimantan Barat", "Kalimantan Selatan", "Sulawesi Utara"), strict=True))
THEMES: dict[str, list[str]] = {
    "hate_speech": _words("benci usir dasar kaum pendatang pengkhianat bodoh sampah"),
    "abusive": _words("bangsat goblok anjing kampret tolol brengsek"),
    "radicalism": _words("jihad khilafah thagut kafir hijrah tempur syahid bai'at"),
    "sara": _words("suku agama ras golongan pribumi asing kafir murtad"),
    "hoax": _words("viral sebarkan awas hoaks katanya konspirasi vaksin chip"),
    "disaster": _words("gempa banjir longsor tsunami erupsi posko pengungsi evakuasi bantuan"),
    "counter_speech": _words("damai toleransi rukun persatuan bhinneka saudara hormati"),
}
LABELS = tuple(THEMES)
PLATFORMS = (("x", 0.45), ("mastodon", 0.15), ("bluesky", 0.15), ("telegram", 0.25))
LANGUAGES = (("id", 0.78), ("en", 0.08), ("jv", 0.06), ("ms", 0.05), ("und", 0.03))
DAYS = 90
END = datetime(2026, 11, 30, tzinfo=UTC)
MODEL = "bench-model-1"


def _choose(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([w for w, _ in weighted], [p for _, p in weighted])[0]


def _post_row(i: int, rng: random.Random, now: str) -> tuple[tuple[Any, ...], list[Any], str]:
    """One post in POST_COLUMNS order, its (label, score, flagged) rows, and the place it
    names."""
    flagged_label = rng.choice(LABELS) if rng.random() < 0.10 else None
    words = rng.choices(EVERYDAY, k=rng.randint(6, 22))
    if flagged_label:
        words += rng.choices(THEMES[flagged_label], k=rng.randint(2, 4))
    place = rng.choice(PLACES)
    words.insert(rng.randrange(len(words)), place)
    rng.shuffle(words)
    tags = [rng.choice(PLACES).lower() + rng.choice(("damai", "info", "bencana", "viral"))
            for _ in range(rng.randint(0, 2))]
    links = ([f"https://{rng.choice(('kompas.example', 'berita.example', 'blog.example'))}"
              f".id/{i}"] if rng.random() < 0.3 else [])
    text = " ".join(words) + "".join(f" #{t}" for t in tags) + "".join(f" {u}" for u in links)
    created = END - timedelta(seconds=rng.random() * DAYS * 86400)
    platform = _choose(rng, PLATFORMS)
    scores = {label: round(rng.betavariate(1, 12), 4) for label in LABELS}
    flags = []
    if flagged_label:
        scores[flagged_label] = round(0.5 + 0.5 * rng.random(), 4)
        flags = [flagged_label]
    likes = int(rng.paretovariate(1.2)) - 1
    row = (platform, str(10**12 + i), f"https://example.id/{platform}/{i}", f"k{i % 50000:05x}",
           None, format_time(created), text, _choose(rng, LANGUAGES), None, None, None, None,
           orjson.dumps(tags).decode(), "[]", orjson.dumps(links).decode(), 0, None,
           orjson.dumps({"likes": likes, "reposts": likes // 3}).decode(), now, "bench", None,
           now, orjson.dumps(scores).decode(), orjson.dumps(flags).decode() if flags else None,
           MODEL, 0)
    return row, [(label, scores[label], format_time(created)) for label in flags], place


def _places() -> dict[str, tuple[Any, ...]]:
    """Each PLACES name's first gazetteer place, as the rest of a ``post_places`` row."""
    from damai.understand.gazetteer import gazetteer, key_of

    found = {}
    for name in PLACES:
        if hits := gazetteer().lookup(key_of(name)):
            p = hits[0]
            found[name] = (p.level, p.name, p.province, p.regency, p.district, p.lat, p.lon)
    return found


def fill(path: Path, posts: int, seed: int = 4) -> float:
    """Create the store at ``path`` with ``posts`` generated posts; return seconds taken."""
    started = time.perf_counter()
    url = f"sqlite:///{path}"
    open_store(url).close()  # the real schema and its migrations
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -200000")
    rng = random.Random(seed)
    places = _places()
    now = format_time(END)
    insert = (f"INSERT INTO posts ({', '.join(POST_COLUMNS)}) "
              f"VALUES ({', '.join('?' for _ in POST_COLUMNS)})")
    chunk = 50_000
    for start in range(0, posts, chunk):
        made = [_post_row(i, rng, now) for i in range(start, min(posts, start + chunk))]
        db.execute("BEGIN")
        first = db.execute("SELECT coalesce(max(id), 0) FROM posts").fetchone()[0] + 1
        db.executemany(insert, [row for row, _, _ in made])
        db.executemany("INSERT INTO post_flags (post_id, label, score, created_at) "
                       "VALUES (?, ?, ?, ?)",
                       [(first + n, label, score, created)
                        for n, (_, flags, _) in enumerate(made) for label, score, created in flags])
        db.executemany("INSERT INTO post_places VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?)",
                       [(first + n, *places[place]) for n, (_, _, place) in enumerate(made)
                        if place in places])
        db.executemany("INSERT INTO post_terms (post_id, kind, value) VALUES (?, ?, ?)",
                       [(first + n, kind, value) for n, (row, _, _) in enumerate(made)
                        for kind, value in terms_of(orjson.loads(row[12]),
                                                    orjson.loads(row[14]))])
        db.execute("COMMIT")
        print(f"  {min(posts, start + chunk):>9,} posts", end="\r", flush=True)
    db.execute("INSERT INTO posts_fts(rowid, text) SELECT id, text FROM posts")
    # what ingest writes beside each flagged post: its triage item, to work out on first read
    db.execute("INSERT INTO triage_items (post_id, status) "
               "SELECT DISTINCT post_id, 'open' FROM post_flags")
    group_narratives(db, posts, rng)
    db.execute("ANALYZE")
    db.close()
    print()
    return time.perf_counter() - started


#: the sizes of the narratives the store holds (issue #14 part 2): a viral one, a large one and
#: a small one (each at most a twentieth of the posts, for small stores)
NARRATIVE_SIZES = (20_000, 2_000, 50)


def group_narratives(db: sqlite3.Connection, posts: int, rng: random.Random) -> None:
    """Narratives 1, 2 and 3 of NARRATIVE_SIZES, of posts drawn at random (distinct texts: the
    page geoparses each distinct text, so this is its slowest case), as grouping stores them."""
    sizes = [min(size, posts // 20) for size in NARRATIVE_SIZES]
    drawn = iter(rng.sample(range(1, posts + 1), sum(sizes)))
    now = format_time(END)
    for number, size in enumerate(sizes, start=1):
        members = sorted(next(drawn) for _ in range(size))
        db.execute("INSERT INTO narratives (id, title, size, first_seen, last_seen, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (number, f"Narasi uji {number}", size, now, now,
                                                 now))
        db.executemany("INSERT INTO narrative_posts (post_id, narrative_id, how, score, "
                       "created_at, platform, author_key, repost) SELECT id, ?, ?, ?, "
                       "created_at, platform, author_key, repost_of_id IS NOT NULL FROM posts "
                       "WHERE id = ?",
                       [(number, "copy" if i else "first", 0.9 if i else None, post_id)
                        for i, post_id in enumerate(members)])
        db.execute("UPDATE narratives SET first_seen = (SELECT min(created_at) FROM posts p "
                   "JOIN narrative_posts m ON m.post_id = p.id WHERE m.narrative_id = :n), "
                   "last_seen = (SELECT max(created_at) FROM posts p JOIN narrative_posts m "
                   "ON m.post_id = p.id WHERE m.narrative_id = :n) WHERE id = :n", {"n": number})


def count_posts(path: Path) -> int:
    if not path.exists():
        return -1
    db = sqlite3.connect(path)
    try:
        if db.execute("SELECT 1 FROM post_places LIMIT 1").fetchone() is None:
            return -1  # filled before the drill-down figures (issue #14): fill again
        return int(db.execute("SELECT count(*) FROM posts").fetchone()[0])
    except sqlite3.Error:
        return -1
    finally:
        db.close()


def make_token(url: str) -> str:
    with open_auth_store(url) as auth:
        if auth.get_user("bench") is None:
            auth.add_user("bench", "admin", BENCH_PASSWORD, actor="bench")
        return auth.create_token("bench", f"bench-{time.time_ns()}", actor="bench")


BENCH_PASSWORD = "kata-sandi-benchmark-panjang"


def deep_cursor(url: str, query: PostQuery, depth: int) -> str:
    """The cursor of the page that starts ``depth`` posts into ``query``'s results."""
    from damai.web.api.cursor import encode_cursor

    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        created, row = db.execute("SELECT created_at, id FROM posts ORDER BY created_at DESC, "
                                  "id DESC LIMIT 1 OFFSET ?", (depth,)).fetchone()
    finally:
        db.close()
    key = PostCursor(datetime.fromisoformat(created), int(row))
    return encode_cursor(key, query)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``runs`` calls after two warm-up calls."""
    for _ in range(2):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 95)


def api_cases(url: str, posts: int) -> dict[str, dict[str, Any]]:
    since = format_time(END - timedelta(days=30))
    filtered = {"label": "radicalism", "min_score": 0.7, "since": since, "limit": 50}
    deep = deep_cursor(url, PostQuery(limit=50), posts // 2)
    return {
        "API first page": {"limit": 50},
        "API text search (q=banjir posko)": {"q": "banjir posko", "limit": 50},
        "API filtered (label+score+30 days)": filtered,
        # scores that are not flags are read from each post's labels JSON (issue #10)
        "API unflagged (label, flagged=false)": {"label": "radicalism", "flagged": "false",
                                                 "limit": 50},
        "API low scores (label, max_score=0.05)": {"label": "radicalism", "max_score": 0.05,
                                                   "limit": 50},
        "API uncertain (label, 0.3..0.6)": {"label": "radicalism", "min_score": 0.3,
                                            "max_score": 0.6, "limit": 50},
        f"API deep cursor page (post {posts // 2:,})": {"limit": 50, "cursor": deep},
        **drill_cases(url),
    }


def drill_cases(url: str) -> dict[str, dict[str, Any]]:
    """Drill-down requests (issue #14), as the overview's links make them."""
    day = format_time(END - timedelta(days=3))[:10]
    with open_store(url) as store:
        sample = store.posts.recent_fields("flagged", ("created_at",), 1000)
    sample_since = min(r["created_at"] for r in sample).strftime("%Y-%m-%d")
    return {
        "API drill hashtag (#bandungviral)": {"hashtag": "bandungviral", "limit": 50},
        "API drill domain (kompas.example.id)": {"domain": "kompas.example.id", "limit": 50},
        "API drill province (Jawa Barat, dense)": {"province": "Jawa Barat", "limit": 50},
        "API drill province (Papua, sparse)": {"province": "Papua", "limit": 50},
        "API drill label+day (chart point)": {"label": "hoax", "since": f"{day}T00:00:00Z",
                                              "until": f"{day}T23:59:59Z", "limit": 50},
        # the overview's top links ask for the days of its sample (the newest 1,000 flagged
        # posts); a link at most one post holds is then looked for in those days only
        "API drill link (<= 1 post, overview's days)": {
            "link": "https://kompas.example.id/7", "since": sample_since, "limit": 50},
        # the same without a time bound (before post_terms, every post's links were read)
        "API drill link (<= 1 post, all time)": {
            "link": "https://kompas.example.id/7", "limit": 50},
    }


def measure_api(client: Any, url: str, token: str, posts: int, runs: int) -> list[tuple[str, ...]]:
    headers = {"Authorization": f"Bearer {token}"}
    cases = api_cases(url, posts)
    rows = []
    for name, params in cases.items():
        def call(params: dict[str, Any] = params) -> None:
            response = client.get("/api/v1/posts", params=params, headers=headers)
            assert response.status_code == 200, response.text
        rows.append(_row(name, *timed(call, runs)))
    return rows


def _row(name: str, p50: float, p95: float) -> tuple[str, ...]:
    """A table row against the 300 ms target, also printed at once (a run takes minutes)."""
    print(f"  {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    return (name, f"{p50:.1f}", f"{p95:.1f}", "ok" if p95 < 300 else "OVER 300 ms")


def login(client: Any) -> bool:
    """Log in through the dashboard's own form (CSRF field taken from the page)."""
    form = client.get("/login")
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.text))
    fields |= {"name": "bench", "password": BENCH_PASSWORD}
    client.post("/login", data=fields, follow_redirects=True)
    return client.get("/triage", follow_redirects=False).status_code == 200


def measure_pages(client: Any, url: str, runs: int) -> list[tuple[str, ...]]:
    paths = {getattr(r, "path", "") for r in client.app.routes}
    if not {"/login", "/posts", "/triage"} <= paths:
        return [("dashboard pages", "-", "-", "skipped: /login, /posts or /triage not in "
                                              "create_app yet")]
    if not login(client):
        return [("dashboard pages", "-", "-", "skipped: could not log in through /login")]
    since = format_time(END - timedelta(days=30))
    cases = {"overview /": ("/", {}), "search /posts?q=banjir": ("/posts", {"q": "banjir"}),
             "filtered /posts (label+score+time)": ("/posts", {
                 "q": "", "label": "radicalism", "min_score": 0.7, "since": since}),
             "drill /posts?hashtag=bandungviral": ("/posts", {"hashtag": "bandungviral"}),
             "drill /posts?province=Jawa Barat": ("/posts", {"province": "Jawa Barat"}),
             "drill /posts?domain=kompas.example.id": ("/posts", {"domain": "kompas.example.id"}),
             "narratives /narratives (by size)": ("/narratives", {})}
    cases |= {f"narrative /narratives/{n} ({size:,} posts)": (f"/narratives/{n}", {})
              for n, size in narrative_sizes(url).items()}
    cases |= triage_cases(client)
    return triage_first_read(client, url) + timed_pages(client, cases, runs)


def narrative_sizes(url: str) -> dict[int, int]:
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    # the bench's own (an app run with its scheduler on may have grouped others meanwhile)
    sizes = {int(n): int(size) for n, size in db.execute(
        "SELECT id, size FROM narratives WHERE title LIKE 'Narasi uji %' ORDER BY id")}
    db.close()
    return sizes


def _mark_all(url: str) -> int:
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    with db:
        marked = int(db.execute("UPDATE triage_items SET priority = NULL").rowcount)
    db.close()
    return marked


def triage_first_read(client: Any, url: str) -> list[tuple[str, ...]]:
    """After every priority is marked (as after a restart with new DAMAI_TRIAGE_WEIGHTS): the
    first read of /triage (it works out at most SYNC_MOST rows), and the scheduler's work of
    all of them, each timed once."""
    from damai.pipeline.triage_rank import sync_queue
    from damai.web.triage_queue import SYNC_MOST

    marked = _mark_all(url)
    started = time.perf_counter()
    assert client.get("/triage").status_code == 200
    first = (time.perf_counter() - started) * 1000
    _mark_all(url)
    with open_store(url) as store:
        started = time.perf_counter()
        sync_queue(store)
        every = time.perf_counter() - started
    return [(f"triage first read after new weights (works out {SYNC_MOST:,})", f"{first:.0f}",
             "-", "once"),
            (f"all {marked:,} priorities worked out (scheduler, s)", f"{every:.1f}", "-",
             "once")]


def triage_cases(client: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """The triage queue (issue #14 part 1): first pages, filters, and a page 10 deep."""
    since = (END - timedelta(days=30)).strftime("%Y-%m-%d")
    deep = "/triage"
    for _ in range(10):
        found = re.search(r'id="triage-next" href="([^"]+)"', client.get(deep).text)
        if found is None:
            break
        deep = found.group(1).replace("&amp;", "&")
    path, _, query = deep.partition("?")
    return {
        "triage /triage (harms, first page)": ("/triage", {}),
        "triage filtered (label+platform+since)": ("/triage", {
            "label": "radicalism", "platform": "telegram", "since": since}),
        "triage province (Jawa Barat)": ("/triage", {"province": "Jawa Barat"}),
        "triage disaster, unassigned": ("/triage", {"queue": "disaster", "assignee": "-"}),
        "triage status reviewed (empty)": ("/triage", {"status": "reviewed"}),
        "triage page 11 (keyset cursor)": (path, dict(parse_qsl(query))),
    }


def measure_triage(client: Any, url: str, runs: int) -> list[tuple[str, ...]]:
    if not login(client):
        return [("triage", "-", "-", "skipped: could not log in through /login")]
    return triage_first_read(client, url) + timed_pages(client, triage_cases(client), runs)


def timed_pages(client: Any, cases: dict[str, tuple[str, dict[str, Any]]],
                runs: int) -> list[tuple[str, ...]]:
    """p50 and p95 of each case's GET (each must answer 200), against the 300 ms target."""
    rows: list[tuple[str, ...]] = []
    for name, (path, params) in cases.items():
        def call(path: str = path, params: dict[str, Any] = params) -> None:
            response = client.get(path, params=params)
            assert response.status_code == 200, (path, response.status_code)
        rows.append(_row(name, *timed(call, runs)))
    return rows


# -- load ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"DAMAI_DB": url, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "damai.web.app:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("uvicorn did not start within 60 s")


def load_targets(url: str, posts: int) -> list[str]:
    """A mix like a partner system's: first pages, searches, filters and cursor pages."""
    cases = api_cases(url, posts)
    cursors = [deep_cursor(url, PostQuery(limit=50), d) for d in (1_000, posts // 4, posts // 2)]
    targets = [f"/api/v1/posts?{urlencode(params)}" for params in cases.values()]
    targets += [f"/api/v1/posts?{urlencode({'limit': 50, 'cursor': c})}" for c in cursors]
    return targets


async def _connection(port: int, token: str, targets: list[str], stop: float,
                      latencies: list[float], errors: list[str], rng: random.Random) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop:
            target = rng.choice(targets)
            started = time.perf_counter()
            writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                         f"{token}\r\nAccept: application/json\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors.append(f"{status} {target}")
    except (OSError, asyncio.IncompleteReadError) as exc:
        errors.append(f"connection: {exc}")
    finally:
        writer.close()


async def drive(port: int, token: str, targets: list[str], seconds: float,
                connections: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    stop = started + seconds
    await asyncio.gather(*(_connection(port, token, targets, stop, latencies, errors,
                                       random.Random(n)) for n in range(connections)))
    return latencies, errors, time.perf_counter() - started


def measure_load(url: str, token: str, posts: int, seconds: float, connections: int,
                 workers: int) -> tuple[str, ...]:
    port = free_port()
    server = start_server(url, port, workers)
    try:
        targets = load_targets(url, posts)
        asyncio.run(drive(port, token, targets, 2, 2))  # warm-up: model, caches, pages
        latencies, errors, elapsed = asyncio.run(drive(port, token, targets, seconds,
                                                       connections))
    finally:
        server.terminate()
        server.wait(timeout=30)
    done = len(latencies)
    return (f"load: {connections} connections, {workers} worker(s), {seconds:.0f} s",
            f"{done / elapsed:.0f} req/s", f"p50 {percentile(latencies, 50):.1f} ms",
            f"p95 {percentile(latencies, 95):.1f} ms", f"p99 {percentile(latencies, 99):.1f} ms",
            f"{len(errors)} errors of {done}" + (f" (first: {errors[0]})" if errors else ""))


# -- availability during a large ingest (issue #10) ------------------------------------------------
def ingest_body(target_bytes: int) -> bytes:
    """Distinct twarc2 pages (100 tweets a line) up to ``target_bytes`` of NDJSON."""
    rng = random.Random(11)
    lines: list[bytes] = []
    size, i = 0, 0
    while size < target_bytes:
        tweets = []
        for _ in range(100):
            words = " ".join(rng.choices(EVERYDAY + PLACES, k=rng.randint(8, 30)))
            tweets.append({"id": str(7 * 10**17 + i), "text": f"{words} {i}", "lang": "in",
                           "author_id": str(i % 5000), "created_at": "2026-11-20T08:00:00.000Z"})
            i += 1
        lines.append(orjson.dumps({"data": tweets}) + b"\n")
        size += len(lines[-1])
    return b"".join(lines)


async def _request(port: int, head: str, body: bytes = b"") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        raw = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", raw)[1])  # type: ignore[index]
        return int(raw.split(b" ", 2)[1]), await reader.readexactly(length)
    finally:
        writer.close()


async def _reader(port: int, token: str, until: asyncio.Event, latencies: list[float]) -> None:
    head = (f"GET /api/v1/posts?limit=50 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}"
            "\r\nConnection: close\r\n\r\n")
    while not until.is_set():
        started = time.perf_counter()
        status, _ = await _request(port, head)
        assert status == 200, status
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.02)


async def _ingest_and_wait(port: int, token: str, body: bytes, done: asyncio.Event) -> str:
    head = (f"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/x-ndjson\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")
    status, answer = await _request(port, head, body)
    state = f"HTTP {status}"
    if status == 202:
        url = orjson.loads(answer)["status_url"]
        poll = (f"GET {url} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                "Connection: close\r\n\r\n")
        while (state := orjson.loads((await _request(port, poll))[1])["state"]) in (
                "queued", "running"):
            await asyncio.sleep(0.25)
    done.set()
    return state


async def _availability(port: int, token: str, body: bytes,
                        idle_seconds: float) -> tuple[list[float], list[float], str, float]:
    idle: list[float] = []
    stop = asyncio.Event()
    reader = asyncio.create_task(_reader(port, token, stop, idle))
    await asyncio.sleep(idle_seconds)
    stop.set()
    await reader
    busy: list[float] = []
    done = asyncio.Event()
    started = time.perf_counter()
    reading = asyncio.create_task(_reader(port, token, done, busy))
    state = await _ingest_and_wait(port, token, body, done)
    await reading
    return idle, busy, state, time.perf_counter() - started


def measure_availability(url: str, token: str, megabytes: float) -> tuple[str, ...]:
    """p95 of ``GET /api/v1/posts`` idle, then while a large NDJSON ingest runs, on one uvicorn
    worker (the ingest shares the reader's process). Target: busy p95 < 3x idle p95."""
    body = ingest_body(int(megabytes * 1024 * 1024))
    port = free_port()
    server = start_server(url, port, 1)
    try:
        idle, busy, state, seconds = asyncio.run(_availability(port, token, body, 10))
    finally:
        server.terminate()
        server.wait(timeout=30)
    idle95, busy95 = percentile(idle, 95), percentile(busy, 95)
    return (f"{len(body) / 1e6:.1f} MB NDJSON ingest: {state} after {seconds:.1f} s",
            f"idle p95 {idle95:.1f} ms ({len(idle)} requests)",
            f"during ingest p95 {busy95:.1f} ms ({len(busy)} requests)",
            f"ratio {busy95 / idle95:.2f} (target < 3)")


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> Iterator[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for n, row in enumerate([header, *rows]):
        yield "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        if n == 0:
            yield "  ".join("-" * w for w in widths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None,
                        help="store file to fill or reuse (default: a file in the temp dir)")
    parser.add_argument("--runs", type=int, default=40, help="timed calls per latency case")
    parser.add_argument("--seconds", type=float, default=20, help="load test duration")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--ingest-mb", type=float, default=9.0,
                        help="size of the NDJSON body ingested during the availability figure")
    parser.add_argument("--only-availability", action="store_true",
                        help="skip the latency and load figures")
    parser.add_argument("--only-latency", action="store_true",
                        help="skip the load and availability figures (a shared machine)")
    parser.add_argument("--only-triage", action="store_true",
                        help="only the triage queue's latency (issue #14 part 1)")
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / f"damai-bench-web-v3-{args.posts}.sqlite3"
    os.environ.setdefault("DAMAI_DATA_DIR", str(path.parent / "damai-bench-web-data"))
    url = f"sqlite:///{path}"
    if count_posts(path) != args.posts:
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        print(f"Mengisi / filling {path} with {args.posts:,} posts ...")
        print(f"  filled in {fill(path, args.posts):.0f} s")
    else:
        print(f"Memakai / reusing {path} ({args.posts:,} posts)")
    token = make_token(url)
    os.environ["DAMAI_DB"] = url

    # In process, the app's own scheduler would work priorities out and group the generated
    # store's million posts into narratives (a one-time catch-up that takes the CPU for hours)
    # while pages are timed; a live service groups only each minute's new posts
    # (bench/narratives.py times that). The uvicorn servers below inherit the setting.
    os.environ["DAMAI_SCHEDULER"] = "false"
    if args.only_availability:
        print("\nGET /api/v1/posts while POST /api/v1/ingest runs (1 uvicorn worker)")
        print("  " + "  |  ".join(measure_availability(url, token, args.ingest_mb)))
        return

    from fastapi.testclient import TestClient

    from damai.web.app import create_app

    # https, so the Secure session cookie comes back as a browser sends it
    with TestClient(create_app(url), base_url="https://testserver") as client:
        if args.only_triage:
            rows = measure_triage(client, url, args.runs)
        else:
            rows = measure_api(client, url, token, args.posts, args.runs)
            rows += measure_pages(client, url, args.runs)
    print(f"\nLatency in process, {args.posts:,} posts, {args.runs} runs each "
          "(target p95 < 300 ms)")
    for line in table(rows, ("case", "p50 ms", "p95 ms", "verdict")):
        print(line)
    if args.only_latency or args.only_triage:
        return
    load = measure_load(url, token, args.posts, args.seconds, args.connections, args.workers)
    print("\nGET /api/v1/posts against uvicorn on 127.0.0.1 (target >= 200 req/s, no errors)")
    print("  " + "  |  ".join(load))
    print("\nGET /api/v1/posts while POST /api/v1/ingest runs (1 uvicorn worker)")
    print("  " + "  |  ".join(measure_availability(url, token, args.ingest_mb)))


if __name__ == "__main__":
    main()
