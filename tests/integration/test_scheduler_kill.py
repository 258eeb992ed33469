"""Issue #12 part 4: a ``damai worker`` killed with SIGKILL while it sends a campaign's slots, then
started again, publishes every slot exactly once: no duplicate in the outbox, nothing lost.

On both backends. The kill is real (``kill -9`` of the subprocess) once some publications are
committed. The slots lie in the past on purpose and the grace window is made wide, so every slot
is due at once and the worker is busy when it dies; the rerun's lease is zero, so it takes over
the slot the dead worker held at once instead of after DAMAI_SCHEDULER_LEASE_SECONDS.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from damai.pipeline import campaigns as camp
from damai.pipeline.responses import Actor
from damai.storage import Store, open_store
from tests.integration import test_store_contract as contract
from tests.integration.test_library_store import ENTRY

store_url = contract.store_url

SLOTS = 400  # 10 days × 40 posting times, one distinct entry each


def _rows(store: Store, sql: str, **params: object) -> list[Any]:
    with store.db.read() as conn:
        return list(conn.execute(text(sql), params))


def _campaign(url: str) -> int:
    times = [f"{h:02d}:{m:02d}" for h in range(4, 24) for m in (0, 30)][:40]
    with open_store(url) as store:
        ids = [f"cn-{i}" for i in range(SLOTS)]
        store.library.save([replace(ENTRY, id=i, title=i, text_id=f"Pesan damai {i}.")
                            for i in ids], actor="cli:ani", action="library_import")
        (made,) = camp.create_campaigns(store, Actor("ani", "analyst"), [{
            "name": "Sepuluh hari damai", "themes": ["tolerance"],
            "messages": [f"entry:{i}" for i in ids], "channels": ["dry-run"],
            "start": "2026-01-01", "end": "2026-01-10", "times": times, "timezone": "WITA"}])
        camp.activate(store, Actor("budi", "approver"), made.id,
                      now=lambda: datetime(2025, 12, 31, tzinfo=UTC))
        return made.id


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_issue_12_a_worker_killed_mid_run_then_restarted_sends_each_slot_once(
        store_url: str) -> None:
    url = store_url
    cid = _campaign(url)
    watch = open_store(url)
    env = {**os.environ, "DAMAI_SCHEDULER_GRACE_MINUTES": "100000000",
           "DAMAI_SCHEDULER_MAX_PER_TICK": str(SLOTS), "DAMAI_SCHEDULER_LEASE_SECONDS": "3600"}
    cmd = [sys.executable, "-m", "damai", "worker", "--db", url, "--interval", "0.05"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    published = "SELECT count(*) FROM publications"
    while (_rows(watch, published)[0][0] < 40 and proc.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    before = _rows(watch, published)[0][0]
    assert 0 < before < SLOTS, "the kill must land mid-run to test anything"

    rerun = {**env, "DAMAI_SCHEDULER_LEASE_SECONDS": "0"}
    subprocess.run([*cmd[:-2], "--once", "--json"], env=rerun, capture_output=True,
                   timeout=180, check=True)
    try:
        ((rows, keys),) = _rows(
            watch, "SELECT count(*), count(DISTINCT idempotency_key) FROM publications")
        slots = _rows(
            watch, "SELECT s.state, s.publication_id, m.entry_id, p.entry_id FROM "
            "campaign_slots s JOIN campaign_messages m ON m.id = s.message_id "
            "LEFT JOIN publications p ON p.id = s.publication_id WHERE s.campaign_id = :cid",
            cid=cid)
    finally:
        watch.close()
    assert rows == keys == SLOTS  # no duplicate in the outbox
    assert len(slots) == SLOTS and {s[0] for s in slots} == {"sent"}  # nothing lost
    assert len({s[1] for s in slots}) == SLOTS  # each slot its own publication ...
    assert all(s[2] == s[3] for s in slots)  # ... of its own message
