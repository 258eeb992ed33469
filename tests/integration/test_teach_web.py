"""Issue #9 in the dashboard: the "Bantu model / Teach the model" queue (yes / no / can't tell,
one click per label, answered posts leave), and the model page (label counts, when to label
more, the held-out evidence, adapt, promote with confirmation, roll back, a broken version)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from damai.pipeline import jobs
from damai.pipeline.registry import ensure_bundled
from damai.storage import Job, Store, open_store
from damai.storage.schema import models
from tests.integration.model_helpers import TARGET, label_all, target_posts, train_tiny, truth
from tests.integration.web_helpers import add_users, client_for, login


@pytest.fixture(autouse=True)
def _jobs_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs run on the runner's thread, in this process (where the tiny model is the bundled
    one), as an in-memory store's jobs do; the child-process path is tested in
    test_model_jobs."""

    def run(self: jobs.JobRunner, job_id: int) -> None:
        job = self.store.jobs.get(job_id)
        if job is not None:
            jobs.run_job(self.store, job, self.classifier, self.model_dir)

    monkeypatch.setattr(jobs.JobRunner, "_run", run)


@pytest.fixture
def web_db(db_url: str, tiny_bundled: Path) -> Iterator[str]:
    store = open_store(db_url)
    store.posts.write_batch(target_posts(), [], [])
    ensure_bundled(store)
    store.close()
    add_users(db_url, ("admin", "approver", "analyst", "viewer"))
    yield db_url


def _cards(html: str) -> list[str]:
    return re.findall(r'id="teach-(\d+)"', html)


def _judged(db_url: str, post_id: int) -> dict[str, tuple[int | None, str]]:
    store = open_store(db_url)
    try:
        found = store.triage.judgements([post_id]).get(post_id, {})
    finally:
        store.close()
    return {label: (j.value, j.user) for label, j in found.items()}


def test_the_teach_queue_keeps_yes_no_and_cant_tell(web_db: str) -> None:
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        page = client.get("/teach").text
        cards = _cards(page)
        assert len(cards) == 10 and len(set(cards)) == 10
        assert "Label yang sudah ada" in page and 'id="label-counts"' in page
        first, second, third = (int(c) for c in cards[:3])
        answers = {first: "1", second: "0", third: "unknown"}
        for post_id, value in answers.items():
            response = client.post(f"/teach/{post_id}", data={
                "csrf_token": csrf, "label": "hate_speech", "value": value,
                "asked": "hate_speech"}, headers={"HX-Request": "true"})
            assert response.status_code == 200
            assert f'id="teach-{post_id}"' in response.text and "teach-card done" in response.text
        assert _judged(web_db, first) == {"hate_speech": (1, "analyst")}
        assert _judged(web_db, second) == {"hate_speech": (0, "analyst")}
        assert _judged(web_db, third) == {"hate_speech": (None, "analyst")}
        after = _cards(client.get("/teach").text)
        assert not {str(first), str(second), str(third)} & set(after)
        assert len(after) == 10
        # a label the model does not have, a bad value, no CSRF token: refused
        for bad in ({"label": "sara", "asked": "sara", "value": "1"},
                    {"label": "hate_speech", "asked": "hate_speech", "value": "2"}):
            assert client.post(f"/teach/{after[0]}", data={"csrf_token": csrf, **bad}
                               ).status_code == 404
        assert client.post(f"/teach/{after[0]}", data={
            "label": "hate_speech", "value": "1", "asked": "hate_speech"}).status_code == 403
        assert client.get("/teach?label=sara").status_code == 404
    store = open_store(web_db)
    entries = store.audit.query(action="teach_label")
    store.close()
    assert len(entries) == 3 and {e.actor for e in entries} == {"analyst"}
    assert entries[-1].detail == {"corrections": {"hate_speech": 1}}


def _run_jobs(db_url: str, kind: str) -> list[Job]:
    """The jobs of ``kind`` once none is queued or running (polled, at most 30 s)."""
    store = open_store(db_url)
    try:
        for _ in range(300):
            found = store.jobs.recent((kind,), 10)
            if found and all(j.state in ("done", "failed") for j in found):
                return found
            time.sleep(0.1)
    finally:
        store.close()
    raise AssertionError(f"the {kind} job never finished")


def _label_everything(db_url: str) -> None:
    store = open_store(db_url)
    for stored in store.triage.uncorrected(10_000):
        store.triage.add_corrections(stored.id, {"hate_speech": truth(stored.post.text)},
                                     "analyst")
    store.close()


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_the_model_page_adapts_compares_promotes_and_rolls_back(web_db: str,
                                                                tmp_path: Path) -> None:
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        page = client.get("/model").text
        assert 'id="label-needs"' in page and "kurang dari 50 contoh positif" in page
        assert 'href="/teach?label=hate_speech"' in page  # no labels yet: label more
        response = client.post("/model/adapt", data={"csrf_token": csrf})
        assert response.status_code == 400 and "more" in response.text  # how many more
        _label_everything(web_db)
        assert client.post("/model/adapt", data={"csrf_token": csrf}).status_code == 303
        [job] = _run_jobs(web_db, "adapt")
        assert job.state == "done", job.error
        candidate = job.detail["version"]
        page = client.get("/model").text
        assert f"<code>{candidate}</code>" in page and 'id="verdict"' in page
        assert re.search(r'class="figure">[01]\.\d{3}</span> <span class="muted small">\[', page)
        assert 'id="promote-form"' not in page  # analysts build, approvers promote
        assert client.post(f"/model/{candidate}/promote",
                           data={"csrf_token": csrf}).status_code == 403
        client.cookies.clear()
        csrf = login(client, "approver")
        assert 'id="promote-form"' in client.get("/model").text
        assert client.post(f"/model/{candidate}/promote",
                           data={"csrf_token": csrf}).status_code == 303
        [rescore] = _run_jobs(web_db, "reclassify")
        assert rescore.state == "done" and rescore.done == rescore.total == len(target_posts())
        page = client.get("/model").text
        assert f'<code id="model-version">{candidate}</code>' in page
        assert 'class="job" data-kind="reclassify" data-state="done"' in page
        # a worse model: refused until the approver ticks the box
        worse = tmp_path / "worse"
        train_tiny([(t, 1 - y) for t, y in TARGET], "backwards").save(worse)
        store = open_store(web_db)
        from damai.pipeline.registry import register

        version = register(store, worse, actor="cli:test").version
        store.close()
        page = client.get(f"/model?candidate={version}").text
        assert 'id="confirm-worse"' in page and "lebih buruk" in page
        response = client.post(f"/model/{version}/promote", data={"csrf_token": csrf})
        assert response.status_code == 400 and "confirm" in response.text
        assert client.post(f"/model/{version}/promote", data={
            "csrf_token": csrf, "confirm_worse": "yes"}).status_code == 303
        # and back to the adapted one in one action
        assert client.post(f"/model/{candidate}/rollback",
                           data={"csrf_token": csrf}).status_code == 303
        assert f'<code id="model-version">{candidate}</code>' in client.get("/model").text
    store = open_store(web_db)
    promotions = store.audit.query(action="model_promote", actor="approver")
    rollbacks = store.audit.query(action="model_rollback", actor="approver")
    store.close()
    assert [e.detail["confirmed_worse"] for e in promotions] == [True, False]
    assert rollbacks[0].detail == {"from": version, "approver": "approver"}


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_a_broken_model_in_service_never_takes_the_pages_down(web_db: str,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    store = open_store(web_db)
    label_all(store)
    from damai.pipeline.registry import promote
    from damai.pipeline.teach import adapt_candidate

    version = adapt_candidate(store, actor="analyst").version
    promote(store, version, approver="admin", approver_role="admin", actor="admin",
            rescore=False)
    with store.db.write() as conn:
        conn.execute(update(models).where(models.c.version == version).values(archive=b"x"))
    _unpacked_nowhere(monkeypatch, tmp_path, store)
    store.close()
    with client_for(web_db) as client:
        login(client, "viewer")
        page = client.get("/model")
        assert page.status_code == 200 and "rusak" in page.text
        assert 'class="warn model-notice"' in page.text and "SHA-256" in page.text
        assert client.get("/posts").status_code == 200
        assert client.get("/model").status_code == 200


def _unpacked_nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: Store) -> None:
    """Another host: nothing of the registry is unpacked in its data directory yet."""
    monkeypatch.setenv("DAMAI_DATA_DIR", str(tmp_path / "other-host"))
    assert not (tmp_path / "other-host" / "models").exists()


def test_the_teach_queue_needs_an_analyst(web_db: str) -> None:
    with client_for(web_db) as client:
        login(client, "viewer")
        assert client.get("/teach").status_code == 403
        assert "/teach" not in client.get("/").text.split("<main>")[0]
