"""How to store classifier scores (issue #10): the write cost of each form, measured.

The bundled model scores 29 labels a post. Before issue #10 every score was also a row of
``post_labels`` (three B-trees: the primary key and two indexes), which made ingest with
classification about 10x slower than ingest alone. This script writes N posts' scores into a
fresh SQLite file in each candidate form, in batches of 2,000 (one transaction each, as ingest
does), pinned to one core, and prints microseconds per post:

- ``row_per_score_3_indexes``: the old ``post_labels`` (29 rows a post);
- ``row_per_score_1_index``: the same with one index;
- ``row_per_flag``: only flagged labels get a row (about 10% of scores here) - the chosen form,
  with every score kept in the post's ``labels`` JSON, which the post row carries anyway;
- ``blob_per_post``: one row a post with the scores packed (fast, but no index on any label).

    taskset -c 0 .venv/bin/python bench/score_storage.py [--posts 20000]
"""

from __future__ import annotations

import argparse
import array
import json
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

LABELS = [f"label{i:02d}" for i in range(29)]
PAIRS = ("post_id INTEGER, label TEXT, score REAL, flagged INTEGER, created_at TEXT, "
         "PRIMARY KEY (post_id, label)")
FORMS: dict[str, list[str]] = {
    "row_per_score_3_indexes": [f"CREATE TABLE t ({PAIRS}) WITHOUT ROWID",
                                "CREATE INDEX a ON t (label, flagged, score)",
                                "CREATE INDEX b ON t (label, created_at, score, flagged)"],
    "row_per_score_1_index": [f"CREATE TABLE t ({PAIRS}) WITHOUT ROWID",
                              "CREATE INDEX b ON t (label, created_at, score, flagged)"],
    "row_per_flag": ["CREATE TABLE t (post_id INTEGER, label TEXT, score REAL, created_at TEXT, "
                     "PRIMARY KEY (post_id, label)) WITHOUT ROWID",
                     "CREATE INDEX b ON t (label, created_at, score)"],
    "blob_per_post": ["CREATE TABLE t (post_id INTEGER PRIMARY KEY, scores BLOB, "
                      "created_at TEXT)"],
}


def _rows(form: str, post: int, scores: list[float], when: str) -> list[tuple[Any, ...]]:
    if form.startswith("row_per_score"):
        return [(post, label, s, s >= 0.9, when) for label, s in zip(LABELS, scores, strict=True)]
    if form == "row_per_flag":
        return [(post, label, s, when) for label, s in zip(LABELS, scores, strict=True)
                if s >= 0.9]
    return [(post, array.array("f", scores).tobytes(), when)]


def measure(form: str, posts: int, folder: Path) -> float:
    db = sqlite3.connect(folder / f"{form}.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    for statement in FORMS[form]:
        db.execute(statement)
    rng = random.Random(7)
    made = [([rng.random() for _ in LABELS], f"2026-11-01T00:{i % 60:02d}:00.000000Z")
            for i in range(posts)]
    started = time.perf_counter()
    for start in range(0, posts, 2000):
        rows = [r for i in range(start, min(posts, start + 2000))
                for r in _rows(form, i, *made[i])]
        width = len(rows[0]) if rows else 0
        db.execute("BEGIN")
        if rows:
            db.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})", rows)
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds / posts * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory(prefix="damai-scores-") as folder:
        figures = {form: round(measure(form, args.posts, Path(folder)), 1) for form in FORMS}
    print(json.dumps({"posts": args.posts, "labels": len(LABELS),
                      "microseconds_per_post": figures}, indent=2))


if __name__ == "__main__":
    main()
