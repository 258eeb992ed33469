"""``/api/v1/campaigns`` (issue #12 part 4), on both backends: an analyst creates, an approver
activates and pauses, a viewer reads; every validation problem is 422 ``invalid_campaign`` with
its field in ``detail``; a missing campaign is 404 and a wrong step 409."""

from __future__ import annotations

from typing import Any

from tests.integration.test_api import Api, api, assert_error
from tests.integration.test_responses_api import approved_entry

__all__ = ["api"]  # the fixture, on both backends


def body(**extra: Any) -> dict[str, Any]:
    return {"name": "Damai Desember", "goal": "Tolak kekerasan", "themes": ["tolerance"],
            "messages": [f"entry:{approved_entry()}"], "channels": ["dry-run"],
            "start": "2099-12-01", "end": "2099-12-03", "times": ["08:00", "20:00"],
            "timezone": "WITA", **extra}


def test_create_read_activate_pause_and_roles(api: Api) -> None:
    assert api.post("/campaigns", "viewer", json=body()).status_code == 403
    made = api.post("/campaigns", "analyst", json=body())
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    assert api.get("/campaigns").json()["items"][0]["name"] == "Damai Desember"
    assert api.post(f"/campaigns/{cid}/activate", "analyst").status_code == 403
    active = api.post(f"/campaigns/{cid}/activate", "approver")
    assert active.status_code == 200 and active.json()["slots"] == {"scheduled": 6}
    slots = api.get(f"/campaigns/{cid}").json()["slot_list"]
    assert slots[0]["scheduled_at"].startswith("2099-12-01T00:00")  # 08:00 WITA
    assert_error(api.post(f"/campaigns/{cid}/activate", "approver"), 409, "wrong_state")
    assert api.post(f"/campaigns/{cid}/pause", "approver").json()["state"] == "paused"
    assert_error(api.get("/campaigns/999"), 404, "not_found")
    assert_error(api.post("/campaigns/999/pause", "approver"), 404, "not_found")
    missed = api.post(f"/campaigns/{cid}/confirm-missed", "approver", json={"skip": True})
    assert missed.status_code == 200 and missed.json() == {"items": []}


def test_every_problem_is_422_with_its_field(api: Api) -> None:
    bad = body(themes=["perang"], timezone="PST", start="2099-12-05", end="2099-12-01",
               messages=["entry:tidak-ada"])
    error = assert_error(api.post("/campaigns", "analyst", json=bad), 422, "invalid_campaign")
    assert {d["field"] for d in error["detail"]} == {"themes", "timezone", "end"}
    error = assert_error(api.post("/campaigns", "analyst", json=body(
        messages=["entry:tidak-ada"])), 422, "invalid_campaign")
    assert [d["field"] for d in error["detail"]] == ["messages"]
    assert_error(api.post("/campaigns", "analyst", json={"name": "x"}), 422,
                 "validation_failed")
    assert api.get("/campaigns").json()["items"] == []
