"""Build a store with the code of Damai 0.1 (commit a832da6, before issue #10).

The old source is taken from this repository's own history (``git archive``) and run in a child
process, so the fixture is made by the old code itself, on SQLite or PostgreSQL, with something in
every table: classified posts (``post_labels``, summaries), quarantine, notices, an account, a
cursor, triage, corrections, users, a token, a session and audit entries.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
LEGACY_COMMIT = "a832da6"

#: runs under Damai 0.1; prints a JSON line of what the test needs to know
_SCRIPT = r'''
import sys
from pathlib import Path

import orjson
from argon2 import PasswordHasher

from damai.auth import Passwords, open_auth_store
from damai.demo import demo_paths
from damai.pipeline.classify import ClassifyStage
from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.sources.base import Notice
from damai.storage import open_store
from damai.understand.bundled import load_model

url, folder = sys.argv[1], Path(sys.argv[2])
store = open_store(url)
report = ingest_paths(demo_paths(), store, IngestOptions(), classifier=ClassifyStage(load_model()))
bad = folder / "rusak.jsonl"
bad.write_bytes(b'{"data": [{"id": "1", "text": "ok"}]\n{tidak json\n')
ingest_paths([bad], store, IngestOptions())
store.write_batch([], [], [("b-notice", Notice("not_found", {"resource_id": "42"}))])
store.add_account("twitter", "@BNPB_Indonesia", "official")
store.set_cursor("mastodon:tag:gempa@https://mastodon.example", "109")
flagged = store.recent_posts("flagged", 3)
store.set_triage(flagged[0].id, status="reviewed", assignee=None, user="sari")
store.set_triage(flagged[1].id, status="open", assignee="budi", user="sari")
store.add_corrections(flagged[2].id, {label: 0 for label in flagged[2].post.flags}, "sari")
store.close()
auth = open_auth_store(url, passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=8,
                                                                parallelism=1)))
admin = auth.add_user("admin", "admin", "kata-sandi-yang-panjang", actor="cli:root")
auth.add_user("budi", "analyst", "kata-sandi-yang-panjang", actor="admin")
token = auth.create_token("admin", "ci", actor="cli:root")
session = auth.create_session(admin, hours=2, ip="127.0.0.1")
auth.audit("cli:root", "settings_change", "raw_retention_days", {"to": 7})
auth.close()
print(orjson.dumps({"token": token, "session": session.id, "stored": report.stored}).decode())
'''


def legacy_source(tmp: Path) -> Path:
    """The ``src`` folder of Damai 0.1, extracted from git history into ``tmp``."""
    target = tmp / "damai-0.1"
    if (target / "src" / "damai").is_dir():
        return target / "src"
    done = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", LEGACY_COMMIT,
                           "src"], capture_output=True, check=False)
    if done.returncode != 0:
        reason = f"git history without {LEGACY_COMMIT}: {done.stderr.decode().strip()}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(target, filter="data")
    return target / "src"


def build_legacy_store(url: str, tmp: Path) -> dict[str, object]:
    """Make a store at ``url`` with Damai 0.1's code; return its token, session id and counts."""
    source = legacy_source(tmp)
    env = {**os.environ, "PYTHONPATH": str(source), "DAMAI_DATA_DIR": str(tmp / "data"),
           "DAMAI_INSTALLATION_SECRET": "legacy-secret"}
    done = subprocess.run([sys.executable, "-c", _SCRIPT, url, str(tmp)], env=env,
                          capture_output=True, text=True, check=False, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = orjson.loads(done.stdout.strip().splitlines()[-1])
    return result
