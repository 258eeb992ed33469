"""Issue #12: a worker killed with SIGKILL in the middle of publishing never causes a second post.

The kill is real: ``damai publish`` runs as a subprocess against a fake platform on 127.0.0.1
(:mod:`tests.integration.publish_servers`), which holds the post at one of two moments:

- ``before``: the request arrived and the platform has not accepted it (then it never does: the
  request died with its client);
- ``after``: the platform accepted the post and has not answered, so Damai could not record it.

The worker is killed there. Its publication stays ``pending``; ``damai publish --reconcile`` (a
second subprocess) asks the platform: the accepted post is found and recorded as ``sent`` without
posting again, the missing one is posted once. Telegram's Bot API cannot look a post up, so its
publication is ``uncertain``, for a human, and never posted again.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from damai.storage import open_store
from tests.integration.test_publishers import PLATFORMS, Platform
from tests.integration.test_publishing_boundary import approved


def _rows(db_path: Path) -> list[tuple[str, str | None, int]]:
    with sqlite3.connect(db_path) as db:
        return [(str(s), p, int(a)) for s, p, a in db.execute(
            "SELECT state, post_id, attempts FROM publications ORDER BY id")]


def _damai(db_url: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "damai", "publish", *args, "--db", db_url,
                             "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.parametrize("moment", ["before", "after"])
@pytest.mark.parametrize("platform", PLATFORMS, ids=[p.name for p in PLATFORMS])
def test_issue_12_kill_9_while_publishing_then_reconcile_posts_at_most_once(
        tmp_path: Path, platform: Platform, moment: str) -> None:
    db_path = tmp_path / "kill.sqlite3"
    db_url = f"sqlite:///{db_path}"
    store = open_store(db_url)
    rid = approved(store)
    store.close()
    with platform.make() as server:
        env = {**os.environ, platform.url_env: server.url, platform.secret_env: platform.secret,
               "DAMAI_PUBLISH_TIMEOUT": "120"}
        setattr(server.holds, moment, 120.0)
        worker = _damai(db_url, env, str(rid), "--channel", platform.channel)
        reached = server.holds.accepted if moment == "after" else server.holds.arrived
        # the wait is for a cold start (the CLI imports the models, atproto its lexicons),
        # which takes long on a loaded machine; nothing here is timed
        arrived = reached.wait(240)
        worker.send_signal(signal.SIGKILL)
        _, err = worker.communicate(timeout=30)
        assert arrived, err.decode()
        server.holds.drop()  # a request held before acceptance dies with its client
        assert _rows(db_path) == [("pending", None, 1)]
        assert len(platform.posts(server)) == (1 if moment == "after" else 0)

        rerun = _damai(db_url, env, "--reconcile", "--older-than", "0")
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
        report = orjson.loads(out.splitlines()[-1])
        posts = platform.posts(server)
    [(state, post_id, _)] = _rows(db_path)
    if platform.name == "telegram":
        assert (report["uncertain"], state, post_id) == ([1], "uncertain", None)
        assert len(posts) == (1 if moment == "after" else 0)
        return
    assert report[{"after": "found", "before": "posted"}[moment]] == [1], report
    assert state == "sent" and post_id and len(posts) == 1
