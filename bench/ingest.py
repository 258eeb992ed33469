"""Ingest benchmark (issue #2).

Generates N posts as twarc2 JSONL (Twitter API v2 pages of 100 tweets with ``includes.users``),
ingests them into a fresh SQLite file with Damai, and in the same run times a reference: plain
``json.loads`` plus one ``executemany`` of the same fields into ``sqlite3``. Both run in this one
process, pinned to one core. Prints posts/s for both and the ratio.

    .venv/bin/python bench/ingest.py [--posts 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from damai.pipeline.ingest import IngestOptions, ingest_paths  # noqa: E402
from damai.privacy import Pseudonymiser  # noqa: E402
from damai.storage import open_store  # noqa: E402

WORDS = ("banjir", "gempa", "damai", "warga", "pengungsi", "bantuan", "Jakarta", "Palu",
         "toleransi", "kabar", "hari", "ini", "jalan", "macet", "hujan", "deras", "posko")


def _tweet(i: int) -> dict[str, Any]:
    created = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(seconds=i)
    words = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 15))
    return {
        "id": str(1860000000000000000 + i), "author_id": str(5000 + i % 997),
        "text": f"{words} #info{i % 50} @warga{i % 300} https://t.co/{i:x}",
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lang": "in",
        "conversation_id": str(1860000000000000000 + i),
        "entities": {"hashtags": [{"start": 0, "end": 5, "tag": f"info{i % 50}"}],
                     "mentions": [{"start": 6, "end": 12, "username": f"warga{i % 300}"}],
                     "urls": [{"start": 13, "end": 30, "url": f"https://t.co/{i:x}",
                               "expanded_url": f"https://berita.example.id/{i}"}]},
        "public_metrics": {"retweet_count": i % 5, "reply_count": i % 3, "like_count": i % 17,
                           "quote_count": 0, "impression_count": i % 1000},
    }


def generate(path: Path, posts: int, per_page: int = 100) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, posts, per_page):
            tweets = [_tweet(i) for i in range(start, min(posts, start + per_page))]
            users = sorted({t["author_id"] for t in tweets})
            page = {"data": tweets,
                    "includes": {"users": [{"id": u, "username": f"akun{u}", "name": f"Akun {u}"}
                                           for u in users]},
                    "meta": {"result_count": len(tweets)}}
            handle.write(json.dumps(page) + "\n")


REF_SCHEMA = """CREATE TABLE posts (platform TEXT, platform_id TEXT, url TEXT, author_id TEXT,
 created_at TEXT, text TEXT, language TEXT, conversation_id TEXT, hashtags TEXT, mentions TEXT,
 links TEXT, media_count INTEGER, engagement TEXT, raw TEXT, UNIQUE (platform, platform_id))"""


def reference(path: Path, db_path: Path) -> int:
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(REF_SCHEMA)
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            for t in json.loads(line)["data"]:
                ent = t.get("entities", {})
                rows.append((
                    "x", t["id"], f"https://x.com/i/status/{t['id']}", t["author_id"],
                    t["created_at"], t["text"], t.get("lang"), t.get("conversation_id"),
                    json.dumps([h["tag"] for h in ent.get("hashtags", [])]),
                    json.dumps([m["username"] for m in ent.get("mentions", [])]),
                    json.dumps([u["expanded_url"] for u in ent.get("urls", [])]), 0,
                    json.dumps(t.get("public_metrics", {})), json.dumps(t)))
    with db:
        db.executemany(f"INSERT INTO posts VALUES ({','.join('?' * 14)})", rows)
    count = int(db.execute("SELECT count(*) FROM posts").fetchone()[0])
    db.close()
    return count


def damai(path: Path, db_path: Path) -> int:
    store = open_store(f"sqlite:///{db_path}")
    report = ingest_paths([path], store, IngestOptions(batch_size=2000),
                          pseudonymiser=Pseudonymiser(b"bench-secret"))
    store.close()
    assert report.balanced and report.stored == report.received
    return report.stored


def _timed(fn: Any, *args: Any) -> tuple[int, float]:
    start = time.perf_counter()
    count = fn(*args)
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory(prefix="damai-bench-") as folder:
        tmp = Path(folder)
        os.environ["DAMAI_DATA_DIR"] = str(tmp)
        source = tmp / "tweets.jsonl"
        generate(source, args.posts)
        ref_count, ref_s = _timed(reference, source, tmp / "ref.sqlite3")
        our_count, our_s = _timed(damai, source, tmp / "damai.sqlite3")
    assert ref_count == our_count == args.posts
    result = {
        "posts": args.posts,
        "damai_posts_per_s": round(our_count / our_s),
        "reference_posts_per_s": round(ref_count / ref_s),
        "slowdown_vs_reference": round(our_s / ref_s, 2),
        "targets": {"damai_posts_per_s": ">= 5000", "slowdown_vs_reference": "<= 3.0"},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
