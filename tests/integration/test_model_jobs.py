"""Issue #9: a promotion re-scores the stored posts in the background through the ``reclassify``
path, as a job with progress; an ``adapt`` job builds a candidate, or fails saying how many more
labels are needed; ingest scores with the model in service."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from damai.pipeline.classify import ClassifyStage
from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.pipeline.jobs import JobRunner, job_classifier, run_job
from damai.pipeline.registry import InService, ensure_bundled, promote, serving
from damai.pipeline.teach import adapt_candidate
from damai.storage import Job, PostQuery, Store, open_store
from tests.conftest import page, tweet, write_jsonl
from tests.integration.model_helpers import label_all

APPROVER = {"approver": "ani", "approver_role": "admin", "actor": "ani"}


def _score_all(store: Store) -> None:
    from damai.pipeline.classify import reclassify

    reclassify(store, ClassifyStage(serving(store).model))


def _run_by_a_new_runner(store: Store, job_id: int) -> Job:
    """Start a runner (as a server does) and wait for the job to end (polled, at most 60 s)."""
    runner = JobRunner(store, lambda: None)
    runner.start()
    try:
        for _ in range(600):
            job = store.jobs.get(job_id)
            assert job is not None
            if job.state in ("done", "failed"):
                return job
            time.sleep(0.1)
    finally:
        runner.stop()
    raise AssertionError(f"job {job_id} never ended")


def _run(store: Store, job: Job) -> Job:
    assert store.jobs.claim(job.id)
    claimed = store.jobs.get(job.id)
    assert claimed is not None
    run_job(store, claimed, lambda: None)
    done = store.jobs.get(job.id)
    assert done is not None
    return done


def test_promotion_rescores_the_stored_posts_as_a_job(store: Store, tiny_bundled: Path) -> None:
    base = ensure_bundled(store)
    assert base is not None
    total = label_all(store)
    _score_all(store)
    slur = "kadrun kayak budi otaknya kosong"
    before = store.posts.get("x", next(p.platform_id for p in store.posts.query(
        PostQuery(text="kadrun", limit=None)) if p.text == slur))
    assert before is not None and before.model_version == base.version
    assert "hate_speech" not in before.flags  # the base never saw the slur
    change = promote(store, adapt_candidate(store, actor="rina").version, **APPROVER)
    assert change.job is not None
    job = _run(store, change.job)
    assert job.state == "done", job.error
    assert (job.done, job.total) == (total, total)
    assert job.detail["model_version"] == change.record.version
    after = store.posts.get("x", before.platform_id)
    assert after is not None and after.model_version == change.record.version
    assert "hate_speech" in after.flags
    stale = store.posts.count_unlabelled(change.record.version)
    assert stale == 0


def test_an_adapt_job_builds_a_candidate_or_says_how_many_more(store: Store,
                                                               tiny_bundled: Path) -> None:
    ensure_bundled(store)
    label_all(store, limit=8)
    failed = _run(store, store.jobs.add("adapt", actor="rina", ip=None, detail={}))
    assert failed.state == "failed" and failed.error is not None
    assert "more" in failed.error and "/teach" in failed.error
    label_all(store)
    done = _run(store, store.jobs.add("adapt", actor="rina", ip=None, detail={}))
    assert done.state == "done", done.error
    record = store.models.get(done.detail["version"])
    assert record is not None and record.status == "candidate" and record.created_by == "rina"


def test_ingest_scores_with_the_model_in_service(store: Store, tiny_bundled: Path,
                                                 tmp_path: Path) -> None:
    ensure_bundled(store)
    label_all(store)
    version = promote(store, adapt_candidate(store, actor="rina").version, rescore=False,
                      **APPROVER).record.version
    stage = job_classifier(store, None)
    assert stage is not None and stage.version == version
    path = write_jsonl(tmp_path / "baru.jsonl", [page([tweet(1, "kadrun kayak joko busuk")])])
    ingest_paths([path], store, IngestOptions(), classifier=ClassifyStage(InService(store)))
    stored = store.posts.get("x", tweet(1)["id"])
    assert stored is not None and stored.model_version == version


@pytest.mark.slow
def test_the_runner_rescores_in_a_child_process(tiny_bundled: Path, db_url: str) -> None:
    """The child process has nothing unpacked: it loads the model from the database."""
    store = open_store(db_url)
    try:
        ensure_bundled(store)
        total = label_all(store)
        change = promote(store, adapt_candidate(store, actor="rina").version, **APPROVER)
        assert change.job is not None
        job = _run_by_a_new_runner(store, change.job.id)  # it takes up the queued job
        assert job.state == "done", job.error
        assert (job.done, job.total) == (total, total)
    finally:
        store.close()


def test_a_rescoring_job_cut_off_by_a_restart_goes_on(store: Store, tiny_bundled: Path) -> None:
    ensure_bundled(store)
    total = label_all(store)
    change = promote(store, adapt_candidate(store, actor="rina").version, **APPROVER)
    assert change.job is not None and store.jobs.claim(change.job.id)  # "running" when ...
    job = _run_by_a_new_runner(store, change.job.id)  # ... the server stopped and started
    assert job.state == "done", job.error
    assert (job.done, job.total) == (total, total)
