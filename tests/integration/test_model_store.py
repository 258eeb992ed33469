"""Issue #9 storage, on both backends: the model registry's rows, the human labels the teach
queue and the registry read, and job progress."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from damai.errors import InputError, StorageError
from damai.storage import Store
from damai.storage.models import AuditNote, ModelRecord
from damai.storage.schema import models
from tests.integration import test_store_contract as contract
from tests.integration.test_store_contract import make_post

# the storage contract's two stores: SQLite, and PostgreSQL on a schema of its own
store_url, db = contract.store_url, contract.db


def record(version: str, **fields: Any) -> ModelRecord:
    values: dict[str, Any] = {
        "id": 0, "version": version, "parent": None, "kind": "adapted", "status": "candidate",
        "labels": ["hate_speech"], "data": [{"name": "corrections", "rows": 40}],
        "metrics": {"cv_f1": 0.8}, "created_by": "rina", "created_at": datetime.now(UTC),
        "sha256": "ab" * 32, "size": 3}
    values.update(fields)
    return ModelRecord(**values)


NOTE = AuditNote("rina", "model_register", {"why": "test"})


def test_registry_rows_promote_and_retire_with_their_audit(db: Store) -> None:
    db.models.add(record("m1", kind="bundled", sha256=None, size=None), None, NOTE)
    db.models.add(record("m2", parent="m1"), b"\x00tar", NOTE)
    with pytest.raises(InputError, match="already registered"):
        db.models.add(record("m2"), b"other", NOTE)
    assert [m.version for m in db.models.all()] == ["m2", "m1"]
    assert db.models.archive("m2") == b"\x00tar" and db.models.archive("m1") is None
    assert db.models.in_service() is None
    db.models.put_in_service("m1", "ani", AuditNote("ani", "model_promote", {"f1": 0.5}))
    served = db.models.put_in_service("m2", "ani", AuditNote("ani", "model_promote", {}))
    assert served.status == "in_service" and served.promoted_by == "ani"
    assert served.promoted_at is not None
    m1 = db.models.get("m1")
    assert m1 is not None and m1.status == "retired"
    assert [m.version for m in db.models.served_before()] == ["m1"]
    entries = db.audit.query(action="model_promote")
    assert [(e.target, e.detail) for e in entries] == [("model:m2", {}),
                                                        ("model:m1", {"f1": 0.5})]
    assert {e.target for e in db.audit.query(action="model_register")} == {"model:m1", "model:m2"}
    with pytest.raises(InputError, match="no model"):
        db.models.put_in_service("m9", "ani", NOTE)


def test_a_broken_model_cannot_enter_service(db: Store) -> None:
    db.models.add(record("m1"), b"x", NOTE)
    db.models.mark_broken("m1", "sha256 mismatch", AuditNote("cli", "model_broken", {}))
    db.models.mark_broken("m1", "again", AuditNote("cli", "model_broken", {}))  # audited once
    broken = db.models.get("m1")
    assert broken is not None and broken.status == "broken"
    assert broken.error == "sha256 mismatch"
    assert len(db.audit.query(action="model_broken")) == 1
    with pytest.raises(InputError, match="broken"):
        db.models.put_in_service("m1", "ani", NOTE)


def test_the_database_refuses_two_models_in_service(db: Store) -> None:
    db.models.add(record("m1", status="in_service"), b"x", NOTE)
    with pytest.raises((StorageError, IntegrityError)):
        db.models.add(replace(record("m2"), status="in_service"), b"y", NOTE)
    with db.db.read() as conn:
        assert conn.execute(models.select()).all()[0].version == "m1"


def test_judgements_corrected_posts_and_the_unlabelled_pool(db: Store) -> None:
    db.posts.write_batch([make_post(i, text=f"teks {i}") for i in range(4)], [], [])
    pool = db.triage.uncorrected(10)
    assert [s.post.platform_id for s in pool] == ["1003", "1002", "1001", "1000"]
    first, second = pool[3].id, pool[2].id
    db.triage.add_corrections(first, {"hate": 1, "sara": None}, "rina")
    db.triage.add_corrections(first, {"hate": 0}, "budi")
    db.triage.add_corrections(second, {"hate": None}, "rina")
    assert [s.post.platform_id for s in db.triage.uncorrected(10)] == ["1003", "1002"]
    judged = db.triage.judgements([first, pool[0].id])[first]
    assert set(db.triage.judgements([first, pool[0].id])) == {first}
    assert {k: (j.value, j.user) for k, j in judged.items()} == {"hate": (0, "budi"),
                                                                "sara": (None, "rina")}
    corrected = list(db.triage.corrected_posts())
    assert [(c.platform_id, c.text, c.labels) for c in corrected] == [
        ("1000", "teks 0", {"hate": 0, "sara": None}), ("1001", "teks 1", {"hate": None})]
    assert list(db.triage.iter_corrections()) == [("teks 0", {"hate": 0})]


def test_job_progress_and_recent_jobs(db: Store) -> None:
    job = db.jobs.add("reclassify", actor="ani", ip=None, detail={"version": "m2"})
    assert (job.done, job.total, job.path) == (0, None, "")
    db.jobs.progress(job.id, 40, 100)
    db.jobs.add("ingest", actor="ani", ip=None, path="/tmp/x", detail={})
    again = db.jobs.get(job.id)
    assert again is not None and (again.done, again.total) == (40, 100)
    assert [j.id for j in db.jobs.recent(("reclassify", "adapt"), 5)] == [job.id]
