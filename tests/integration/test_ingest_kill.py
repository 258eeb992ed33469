"""Issue #2: killing an ingest halfway and running it again loses nothing and duplicates nothing.
Issue #10: the killed run is in the audit log (a start with no end), the rerun starts and ends.

The kill is real: a ``damai ingest`` subprocess gets SIGKILL once some batches are committed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tests.conftest import page, tweet

TOTAL = 40_000


def _count(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM posts").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_issue_2_kill_halfway_then_rerun(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    with source.open("wb") as handle:
        for start in range(0, TOTAL, 100):
            handle.write(orjson.dumps(page([tweet(i) for i in range(start, start + 100)])) + b"\n")
    db_path = tmp_path / "kill.sqlite3"
    env = {**os.environ, "DAMAI_BATCH_SIZE": "500"}
    cmd = [sys.executable, "-m", "damai", "ingest", str(source), "--db", f"sqlite:///{db_path}",
           "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(db_path) < 2_000 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    stored_before = _count(db_path)
    assert 0 < stored_before < TOTAL, "the kill must land halfway to test anything"

    killed = _audit(db_path)
    assert [a for a, _ in killed] == ["ingest_start"]
    assert _batch_count(db_path, killed[0][1]) == stored_before  # the start names its posts

    rerun = subprocess.run(cmd, env=env, capture_output=True, timeout=180, check=True)
    report = orjson.loads(rerun.stdout.splitlines()[-1])
    assert report["received"] == TOTAL
    assert report["stored"] == TOTAL - stored_before
    assert report["duplicates"] == stored_before
    assert report["balanced"] is True
    with sqlite3.connect(db_path) as db:
        rows, distinct = db.execute(
            "SELECT count(*), count(DISTINCT platform || ':' || platform_id) FROM posts").fetchone()
    assert rows == distinct == TOTAL
    assert [a for a, _ in _audit(db_path)] == ["ingest_start", "ingest_start", "ingest"]
    assert _audit(db_path)[2][1] == report["batch"]


def _audit(db_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db_path) as db:
        return [(str(a), str(t)) for a, t in db.execute(
            "SELECT action, target FROM audit_log ORDER BY id")]


def _batch_count(db_path: Path, batch: str) -> int:
    with sqlite3.connect(db_path) as db:
        return int(db.execute("SELECT count(*) FROM posts WHERE ingest_batch = ?",
                              (batch,)).fetchone()[0])
