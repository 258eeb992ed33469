"""Issue #11 over HTTP, on both backends: propose, edit, approve, reject and get a response, and
publish through ``POST /api/v1/publications`` — the boundary tried from the API: a response in
review, a rejected one, one edited after approval, one approved by its own proposer, a blocked
text, and things that do not exist."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from damai.respond.entries import STARTER, read_entries
from damai.storage import open_store
from tests.integration.test_api import API, Api, api, assert_error
from tests.integration.test_library_store import ENTRY
from tests.integration.test_publishing_boundary import HOSTILE_PROBES

__all__ = ["api"]  # the fixture, on both backends

PEACE = "Perbedaan itu wajar; mari jaga persaudaraan dan saling menghormati."


def approved_entry() -> str:
    return next(e.id for e in read_entries(STARTER) if e.status == "approved")


def respond(api: Api, role: str = "analyst", **body: Any) -> Any:
    return api.post("/responses", role, json=body)


def approve(api: Api, rid: int, role: str = "approver") -> Any:
    return api.post(f"/responses/{rid}/approve", role)


def publish(api: Api, role: str = "approver", **body: Any) -> Any:
    return api.post("/publications", role, json={"channel": "dry-run", **body})


def outbox(api: Api) -> list[tuple[int | None, str | None]]:
    store = open_store(api.url)
    try:
        return [(p.response_id, p.entry_id) for p in store.publications.recent(channel="dry-run")]
    finally:
        store.close()


def test_propose_from_an_entry_for_a_post_approve_and_publish_once(api: Api) -> None:
    entry = approved_entry()
    made = respond(api, entry_id=entry, post_id="twitter:1001")
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["state"], body["post_id"], body["entry_id"]) == ("in_review", "twitter:1001",
                                                                   entry)
    assert body["blocked"] is None and body["machine_draft"] is False
    rid = body["id"]
    assert api.get(f"/responses/{rid}").json() == body
    assert_error(publish(api, response_id=rid), 409, "not_approved")
    decided = approve(api, rid)
    assert decided.status_code == 200 and decided.json()["decided_by"] == "u-approver"
    assert_error(approve(api, rid, "admin"), 409, "wrong_state")
    first = publish(api, response_id=rid)
    assert first.status_code == 201, first.text
    again = publish(api, "admin", response_id=rid)
    assert again.status_code == 200 and again.json() == first.json()
    assert first.json()["payload"]["in_reply_to"] == "twitter:1001"
    assert outbox(api) == [(rid, None)]


def test_four_eyes_refuses_approving_ones_own_proposal(api: Api) -> None:
    own = respond(api, "approver", text=PEACE).json()["id"]
    error = assert_error(approve(api, own), 403, "four_eyes")
    assert "four-eyes" in error["message"]
    assert api.get(f"/responses/{own}").json()["state"] == "in_review"
    assert approve(api, own, "admin").status_code == 200
    store = open_store(api.url)
    store.settings.set("four_eyes", False, actor="u-admin")
    store.close()
    mine = respond(api, "approver", text=PEACE + " Salam.").json()["id"]
    assert approve(api, mine).json()["state"] == "approved"


def test_an_edit_after_approval_goes_back_to_review_and_is_refused_at_publishing(
        api: Api) -> None:
    rid = respond(api, text=PEACE).json()["id"]
    approve(api, rid)
    changed = api.client.patch(f"{API}/responses/{rid}", headers=api.auth("analyst"),
                               json={"text": PEACE + " Terima kasih."})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["state"], changed.json()["version"]) == ("in_review", 2)
    assert_error(publish(api, response_id=rid), 409, "not_approved")
    assert outbox(api) == []


def test_rejected_and_blocked_responses_cannot_be_published(api: Api) -> None:
    rid = respond(api, text=PEACE).json()["id"]
    rejected = api.post(f"/responses/{rid}/reject", "approver", json={"reason": "tidak relevan"})
    assert rejected.json()["state"] == "rejected" and rejected.json()["reason"] == "tidak relevan"
    assert_error(publish(api, response_id=rid), 409, "not_approved")
    bad = respond(api, text=HOSTILE_PROBES[0]).json()  # the model in service scores it
    assert bad["blocked"] and "radicalism" in bad["blocked"] and bad["state"] == "in_review"
    assert_error(approve(api, bad["id"]), 409, "blocked")
    assert_error(publish(api, response_id=bad["id"]), 409, "not_approved")
    assert outbox(api) == []


def test_an_approved_entry_is_published_by_id_and_a_draft_is_refused(api: Api) -> None:
    entry = approved_entry()
    first = publish(api, entry_id=entry)
    assert first.status_code == 201 and first.json()["entry_id"] == entry
    assert publish(api, "admin", entry_id=entry).status_code == 200
    store = open_store(api.url)
    store.library.save([replace(ENTRY, status="draft")], actor="rina", action="library_create")
    store.close()
    draft = ENTRY.id
    assert_error(publish(api, entry_id=draft), 409, "not_approved")
    assert_error(respond(api, entry_id=draft), 409, "entry_not_approved")
    assert outbox(api) == [(None, entry)]


def test_what_does_not_exist_is_a_clear_404(api: Api) -> None:
    for answer, name in ((respond(api, text=PEACE, post_id="twitter:404404"), "twitter:404404"),
                         (respond(api, text=PEACE, post_id="tanpa-titik-dua"), "tanpa-titik-dua"),
                         (respond(api, entry_id="cn-tidak-ada"), "cn-tidak-ada"),
                         (api.get("/responses/999999"), "999999"),
                         (approve(api, 999999), "999999"),
                         (publish(api, response_id=999999), "999999"),
                         (publish(api, entry_id="cn-tidak-ada"), "cn-tidak-ada")):
        error = assert_error(answer, 404, "not_found")
        assert name in error["message"]


def test_bad_bodies_are_refused_before_any_work(api: Api) -> None:
    for body in ({}, {"text": PEACE, "entry_id": approved_entry()}, {"text": ""},
                 {"text": "x" * 5001}, {"text": PEACE, "extra": 1}):
        assert_error(respond(api, **body), 422, "validation_failed")
    assert_error(publish(api, response_id=1, channel="twitter"), 400, "unknown_channel")
    assert_error(api.post("/publications", "approver", json={"channel": "dry-run"}), 422,
                 "validation_failed")
    assert_error(api.get("/responses/0"), 422, "validation_failed")
    assert outbox(api) == []


def test_a_line_break_in_an_api_path_is_a_404_in_the_error_shape(api: Api) -> None:
    """Found by the schemathesis run: the API's mount pattern stops at a line break, so such a
    path fell through to the outer app's plain ``{"detail": ...}``."""
    for path in ("/responses/1%0A/reject", "/jobs/a%0Ab", "/posts/x%0D%0Ay"):
        assert_error(api.client.post(API + path, headers=api.auth("admin")), 404, "not_found")


def test_a_machine_draft_from_an_entry_and_a_drafting_server_that_is_down(
        api: Api, monkeypatch: Any) -> None:
    from tests.integration.test_drafting import free_port

    made = respond(api, entry_id=approved_entry(), draft=True, channel="x")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["machine_draft"] is True and body["drafter"] == "template"
    assert body["state"] == "in_review" and len(body["text"]) <= 280
    assert_error(respond(api, text=PEACE, draft=True), 422, "validation_failed")
    assert_error(respond(api, entry_id=approved_entry(), draft=True, channel="myspace"), 422,
                 "validation_failed")
    monkeypatch.setenv("DAMAI_DRAFTER_URL", f"http://127.0.0.1:{free_port()}/")
    monkeypatch.setenv("DAMAI_DRAFTER_MODEL", "m")
    monkeypatch.setenv("DAMAI_DRAFTER_TIMEOUT", "2")
    down = assert_error(respond(api, entry_id=approved_entry(), draft=True), 503,
                        "drafter_unavailable")
    assert down["message"]
    with open_store(api.url) as store:
        assert len(store.responses.queue()) == 1  # nothing stored for the failed draft
