"""Issue #9: triage records positives. Each flag has its own benar/salah; review confirms every
flag (1) and dismiss refutes every flag (0); each answer is kept with the user and the time, and
audited; the post page offers the same actions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from damai.auth import open_auth_store
from damai.storage import open_store
from tests.integration.web_helpers import HOSTILE, add_users, client_for, fill_posts, login

FLOOD = "Banjir di Bekasi, warga butuh perahu karet"


@pytest.fixture
def web_db(tmp_path: Path, db_url: str) -> str:
    fill_posts(tmp_path, db_url, [HOSTILE, FLOOD])
    add_users(db_url, ("admin", "analyst", "viewer"))
    return db_url


def _post_ids(db_url: str) -> tuple[int, int]:
    store = open_store(db_url)
    try:
        ids = {s.post.text: s.id for s in store.posts.recent("flagged", 10)}
    finally:
        store.close()
    return ids[HOSTILE], ids[FLOOD]


def _judged(db_url: str, post_id: int) -> dict[str, tuple[int | None, str]]:
    store = open_store(db_url)
    try:
        found = store.triage.judgements([post_id]).get(post_id, {})
        state = store.triage.get(post_id)
    finally:
        store.close()
    result = {label: (j.value, j.user) for label, j in found.items()}
    assert all(abs((datetime.now(UTC) - j.at).total_seconds()) < 3600 for j in found.values())
    return {**result, "_status": (None, state.status if state else "open")}


def test_each_flag_is_judged_on_its_own_and_the_post_closes_when_all_are(web_db: str) -> None:
    hostile, _ = _post_ids(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        response = client.post(f"/triage/{hostile}/label", data={
            "csrf_token": csrf, "label": "radicalism", "value": "1"},
            headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert f'id="triage-{hostile}"' in response.text and "✓ benar" in response.text
        assert _judged(web_db, hostile) == {"radicalism": (1, "analyst"),
                                            "_status": (None, "open")}
        assert f'id="triage-{hostile}"' in client.get("/triage").text  # still waiting
        client.post(f"/triage/{hostile}/label", data={
            "csrf_token": csrf, "label": "hate_speech", "value": "0"})
        assert _judged(web_db, hostile) == {"radicalism": (1, "analyst"),
                                            "hate_speech": (0, "analyst"),
                                            "_status": (None, "reviewed")}
        assert f'id="triage-{hostile}"' not in client.get("/triage").text
        # a label the post was not flagged with, or a value that is not 0/1, is refused
        for bad in ({"label": "disaster", "value": "1"}, {"label": "radicalism", "value": "2"}):
            assert client.post(f"/triage/{hostile}/label",
                               data={"csrf_token": csrf, **bad}).status_code == 404
        assert client.post(f"/triage/{hostile}/label", data={
            "label": "radicalism", "value": "1"}).status_code == 403  # no CSRF token
    auth = open_auth_store(web_db)
    entries = auth.query_audit(action="triage_label")
    auth.close()
    assert [e.detail["corrections"] for e in entries] == [{"hate_speech": 0}, {"radicalism": 1}]
    assert {e.actor for e in entries} == {"analyst"}


def test_review_confirms_and_dismiss_refutes_every_flag(web_db: str) -> None:
    hostile, flood = _post_ids(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        client.post(f"/triage/{hostile}/review", data={"csrf_token": csrf})
        client.post(f"/triage/{flood}/dismiss", data={"csrf_token": csrf})
    assert _judged(web_db, hostile) == {"radicalism": (1, "analyst"), "hate_speech": (1, "analyst"),
                                        "_status": (None, "reviewed")}
    assert _judged(web_db, flood) == {"disaster": (0, "analyst"), "_status": (None, "dismissed")}
    auth = open_auth_store(web_db)
    details = {e.action: e.detail for e in auth.query_audit(actor="analyst")}
    auth.close()
    assert details["triage_review"]["corrections"] == {"radicalism": 1, "hate_speech": 1}
    assert details["triage_dismiss"]["corrections"] == {"disaster": 0}
    # each keeps the state from before, so it can be undone (issue #14 part 1)
    assert details["triage_dismiss"]["before"] == {
        str(flood): {"status": "open", "assignee": None, "judged": {"disaster": None}}}


def test_the_post_page_judges_flags_and_goes_back_to_the_post(web_db: str) -> None:
    hostile, flood = _post_ids(web_db)
    with client_for(web_db) as client:
        login(client, "viewer")
        page = client.get(f"/posts/{hostile}").text
        assert 'id="post-flags"' in page and "/triage/" not in page  # viewers only read
        client.cookies.clear()
        csrf = login(client, "analyst")
        page = client.get(f"/posts/{hostile}").text
        assert len(re.findall(rf'action="/triage/{hostile}/label"', page)) == 4  # 2 flags × 2
        response = client.post(f"/triage/{hostile}/label", data={
            "csrf_token": csrf, "label": "hate_speech", "value": "0", "back": "post"})
        assert response.status_code == 303
        assert response.headers["location"] == f"/posts/{hostile}"
        assert "✗ salah" in client.get(f"/posts/{hostile}").text
        response = client.post(f"/triage/{flood}/review", data={"csrf_token": csrf,
                                                                "back": "post"})
        assert response.headers["location"] == f"/posts/{flood}"
    assert _judged(web_db, hostile)["hate_speech"] == (0, "analyst")
    assert _judged(web_db, flood) == {"disaster": (1, "analyst"), "_status": (None, "reviewed")}
