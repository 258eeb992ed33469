"""Issue #11 in the dashboard: propose a response from a post's page (an entry as it is, a
draft from it, or one's own text), the approver's queue with the four-eyes state, approve and
reject with CSRF, publishing to the dry-run outbox, and the admin's audited four-eyes switch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from damai.respond.entries import STARTER, read_entries
from damai.storage import Store, open_store
from tests.integration.web_helpers import client_for, login, respond_db

ENTRY = next(e for e in read_entries(STARTER) if e.status == "approved")
PEACE = "Perbedaan itu wajar; mari saling menghormati."


@pytest.fixture
def web_db(tmp_path: Path, db_url: str) -> Iterator[str]:
    yield respond_db(tmp_path, db_url)


def first_post(db_url: str) -> int:
    with open_store(db_url) as store:
        return store.posts.recent("flagged", 1)[0].id


def opened(db_url: str) -> Store:
    return open_store(db_url)


def propose(client: TestClient, csrf: str, post: int, **form: str) -> int:
    answer = client.post(f"/posts/{post}/responses", data={"csrf_token": csrf, **form})
    assert answer.status_code == 303, answer.text[-500:]
    found = re.search(r"#response-(\d+)$", answer.headers["location"])
    assert found
    return int(found.group(1))


def states(db_url: str) -> dict[int, str]:
    with opened(db_url) as store:
        return {r.id: r.state for r in store.responses.queue()}


def test_an_analyst_proposes_three_ways_from_the_posts_page(web_db: str) -> None:
    post = first_post(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        page = client.get(f"/posts/{post}").text
        assert 'id="propose"' in page and f'value="{ENTRY.id}"' in page
        as_is = propose(client, csrf, post, mode="entry", entry_id=ENTRY.id)
        drafted = propose(client, csrf, post, mode="draft", entry_id=ENTRY.id, channel="x")
        own = propose(client, csrf, post, mode="text", text=PEACE)
        queue = client.get("/responses").text
        assert all(f'id="response-{i}"' in queue for i in (as_is, drafted, own))
        assert 'class="inline approve"' not in queue  # an analyst does not approve
        missing = client.post(f"/posts/{post}/responses",
                              data={"csrf_token": csrf, "mode": "entry", "entry_id": "cn-x"})
        assert missing.status_code == 404 and "cn-x" in missing.text
    with opened(web_db) as store:
        made = {r.id: r for r in store.responses.queue()}
        stored = store.posts.get_by_id(post)
    assert stored is not None and made[as_is].text == ENTRY.text_id
    assert made[as_is].post_ref == f"{stored.post.platform}:{stored.post.platform_id}"
    assert made[drafted].machine_draft and made[drafted].drafter == "template"
    assert len(made[drafted].text) <= 280
    assert (made[own].text, made[own].machine_draft) == (PEACE, False)


def test_a_viewer_sees_the_queue_but_cannot_propose(web_db: str) -> None:
    post = first_post(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "viewer")
        assert 'id="propose"' not in client.get(f"/posts/{post}").text
        assert client.get("/responses").status_code == 200
        denied = client.post(f"/posts/{post}/responses",
                             data={"csrf_token": csrf, "mode": "text", "text": PEACE})
        assert denied.status_code == 403
    assert states(web_db) == {}


def test_four_eyes_in_the_queue_then_another_approver_approves_and_publishes(
        web_db: str) -> None:
    post = first_post(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "approver")
        rid = propose(client, csrf, post, mode="text", text=PEACE)
        queue = client.get("/responses").text
        assert 'data-on="true"' in queue and "empat mata aktif" in queue
        card = queue[queue.index(f'id="response-{rid}"'):]
        assert 'class="muted small own"' in card.split("</article>")[0]
        refused = client.post(f"/responses/{rid}/approve", data={"csrf_token": csrf})
        assert refused.status_code == 403 and "four-eyes" in refused.text
        assert client.post(f"/responses/{rid}/publish",
                           data={"csrf_token": csrf}).status_code == 409
    with client_for(web_db) as client:
        csrf = login(client, "approver2")
        assert client.post(f"/responses/{rid}/approve").status_code == 403  # no CSRF token
        assert states(web_db) == {rid: "in_review"}
        assert client.post(f"/responses/{rid}/approve",
                           data={"csrf_token": csrf}).status_code == 303
        published = client.post(f"/responses/{rid}/publish", data={"csrf_token": csrf})
        assert published.status_code == 303 and published.headers["location"] == "/outbox"
        again = client.post(f"/responses/{rid}/publish", data={"csrf_token": csrf})
        assert again.status_code == 303
        outbox = client.get("/outbox").text
        assert len(re.findall(r'<tr id="publication-\d+"', outbox)) == 1 and PEACE in outbox
    assert states(web_db) == {rid: "approved"}


def test_reject_and_edit_from_the_queue(web_db: str) -> None:
    post = first_post(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        rid = propose(client, csrf, post, mode="text", text=PEACE)
        edited = client.post(f"/responses/{rid}/edit",
                             data={"csrf_token": csrf, "text": "Ayo serang kafir di Bekasi #jihad"})
        assert edited.status_code == 303
        assert "Diblokir" in client.get("/responses").text
    with client_for(web_db) as client:
        csrf = login(client, "approver")
        blocked = client.post(f"/responses/{rid}/approve", data={"csrf_token": csrf})
        assert blocked.status_code == 409
        assert client.post(f"/responses/{rid}/reject",
                           data={"csrf_token": csrf, "reason": "menghasut"}).status_code == 303
    with opened(web_db) as store:
        found = store.responses.get(rid)
    assert found is not None and (found.state, found.reason, found.version) == (
        "rejected", "menghasut", 2)


def test_an_admin_turns_four_eyes_off_audited_and_then_approving_ones_own_works(
        web_db: str) -> None:
    post = first_post(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "approver")
        assert 'id="four-eyes-toggle"' not in client.get("/responses").text
        assert client.post("/settings/four-eyes",
                           data={"csrf_token": csrf, "enabled": "off"}).status_code == 403
        rid = propose(client, csrf, post, mode="text", text=PEACE)
    with client_for(web_db) as client:
        csrf = login(client, "admin")
        assert client.post("/settings/four-eyes", data={"enabled": "off"}).status_code == 403
        assert client.post("/settings/four-eyes",
                           data={"csrf_token": csrf, "enabled": "off"}).status_code == 303
        page = client.get("/responses").text
        assert 'data-on="false"' in page and "empat mata nonaktif" in page
    with client_for(web_db) as client:
        csrf = login(client, "approver")
        assert client.post(f"/responses/{rid}/approve",
                           data={"csrf_token": csrf}).status_code == 303
    with opened(web_db) as store:
        changes = [(e.actor, e.target, e.detail) for e in
                   store.audit.query(action="setting_change")]
        assert store.settings.get("four_eyes") is False
    assert changes == [("admin", "setting:four_eyes", {"old": True, "new": False})]
    assert states(web_db) == {rid: "approved"}


def test_a_drafting_server_that_is_down_is_reported_and_nothing_is_proposed(
        web_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DAMAI_DRAFTER_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("DAMAI_DRAFTER_TIMEOUT", "2")
    post = first_post(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        answer = client.post(f"/posts/{post}/responses", data={
            "csrf_token": csrf, "mode": "draft", "entry_id": ENTRY.id})
        assert answer.status_code == 503
        assert "cannot be reached" in answer.text and "template drafter still works" in answer.text
        assert propose(client, csrf, post, mode="entry", entry_id=ENTRY.id) > 0
    assert list(states(web_db).values()) == ["in_review"]
