"""Issue #13 part 5: an event's alerts through the API (``/api/v1/events/{id}/alerts``,
``/api/v1/alerts/{id}/...``) and the event's page, with bad input answered as 4xx."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from damai.pipeline.alerts import draft_new
from damai.sources.bmkg import parse_feed
from damai.storage import open_store
from tests.integration.test_api import Api, assert_error, lite  # noqa: F401  (fixture)
from tests.integration.test_cap import schema
from tests.integration.web_helpers import add_users, client_for, form_token, login

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bmkg"


def new_event(db_url: str) -> tuple[int, int]:
    """A stored earthquake and its drafted alert: (event id, alert id)."""
    with open_store(db_url) as store:
        saved = store.events.save(parse_feed((FIXTURES / "autogempa.json").read_bytes()),
                                  "test", datetime.now(UTC))
        (made,) = draft_new(store, saved.new_ids)
    return saved.new_ids[0], made.id


def test_the_api_walks_an_alert_from_draft_to_cap(lite: Api) -> None:  # noqa: F811
    event_id, alert_id = new_event(lite.url)
    assert lite.get(f"/events/{event_id}").json()["felt"] == "III Sukabumi, III Cianjur, II Bogor"
    (item,) = lite.get(f"/events/{event_id}/alerts").json()["items"]
    assert (item["id"], item["state"], item["msg_type"]) == (alert_id, "in_review", "Alert")
    assert_error(lite.get(f"/events/{event_id}/cap"), 409, "not_approved")
    assert_error(lite.post(f"/alerts/{alert_id}/approve", role="analyst"), 403, "forbidden")
    first = lite.post(f"/alerts/{alert_id}/approve", role="approver").json()
    assert first["state"] == "in_review" and first["first_approved_by"] == "u-approver"
    assert_error(lite.post(f"/alerts/{alert_id}/approve", role="approver"), 403, "four_eyes")
    assert_error(lite.post(f"/alerts/{alert_id}/publish", role="approver", json={}), 409,
                 "not_approved")
    assert lite.post(f"/alerts/{alert_id}/approve", role="admin").json()["state"] == "approved"
    published = lite.post(f"/alerts/{alert_id}/publish", role="approver", json={})
    assert published.status_code == 201 and published.json()["channel"] == "dry-run"
    again = lite.post(f"/alerts/{alert_id}/publish", role="approver", json={})
    assert again.status_code == 200 and again.json()["new"] is False
    cap = lite.get(f"/events/{event_id}/cap")
    assert cap.headers["content-type"].startswith("application/xml")
    assert schema().validate(etree.fromstring(cap.content))
    assert_error(lite.post(f"/alerts/{alert_id}/approve", role="approver"), 409, "wrong_state")


def test_follow_ups_and_urgent_alerts_through_the_api(lite: Api) -> None:  # noqa: F811
    event_id, _ = new_event(lite.url)
    made = lite.post(f"/events/{event_id}/alerts", json={"msg_type": "Cancel", "urgent": True})
    assert made.status_code == 201
    cancel = made.json()
    assert cancel["references_alert"] is not None and cancel["urgent"]
    done = lite.post(f"/alerts/{cancel['id']}/approve", role="approver").json()
    assert done["state"] == "approved"
    root = etree.fromstring(lite.get(f"/events/{event_id}/cap").content)
    assert root.findtext("{urn:oasis:names:tc:emergency:cap:1.2}msgType") == "Cancel"


def test_bad_input_is_answered_4xx(lite: Api) -> None:  # noqa: F811
    event_id, alert_id = new_event(lite.url)
    assert_error(lite.get("/events/424242"), 404, "not_found")
    assert_error(lite.get("/events/424242/alerts"), 404, "not_found")
    assert_error(lite.get("/alerts/424242"), 404, "not_found")
    assert_error(lite.post("/alerts/424242/approve", role="approver"), 404, "not_found")
    assert_error(lite.post("/events/424242/alerts", json={}), 404, "not_found")
    assert lite.get(f"/events/{'9' * 40}").status_code == 422
    assert lite.get("/alerts/0").status_code == 422
    assert lite.post(f"/events/{event_id}/alerts", json={"msg_type": "Ack"}).status_code == 422
    assert_error(lite.post(f"/alerts/{alert_id}/publish", role="approver",
                           json={"channel": "faks:123"}), 400, "unknown_channel")
    assert lite.post(f"/events/{event_id}/alerts", role="viewer", json={}).status_code == 403


def test_the_event_page_drafts_approves_and_publishes(db_url: str) -> None:
    event_id, alert_id = new_event(db_url)
    add_users(db_url)
    client = client_for(db_url)
    csrf = login(client, "approver")
    page = client.get(f"/events/{event_id}")
    assert page.status_code == 200 and f'data-alert="{alert_id}"' in page.text
    assert f"<h1>Kejadian {event_id}: Gempa bumi</h1>" in page.text
    assert '"Tidak berpotensi tsunami"' in page.text.replace("&#34;", '"')
    done = client.post(f"/alerts/{alert_id}/approve", data={"csrf_token": csrf})
    assert done.status_code == 303
    again = client.post(f"/alerts/{alert_id}/approve", data={"csrf_token": csrf})
    assert again.status_code == 403 and "orang lain" in again.text
    made = client.post(f"/events/{event_id}/alerts", data={
        "csrf_token": form_token(client.get(f"/events/{event_id}").text),
        "msg_type": "Update", "urgent": "1"})
    assert made.status_code == 303
    page = client.get(f"/events/{event_id}").text
    assert page.count('data-state="approved"') == 0 and "Pembaruan:" in page
    assert client.get("/events/424242").status_code == 404
    assert client.post("/alerts/424242/approve", data={"csrf_token": csrf}).status_code == 404
    assert client.get(f"/events/{event_id}/cap").status_code == 409


def test_the_response_queue_sends_alerts_to_their_event_page(db_url: str) -> None:
    event_id, alert_id = new_event(db_url)
    add_users(db_url)
    client = client_for(db_url)
    csrf = login(client, "approver")
    page = client.get("/responses").text
    assert f'href="/events/{event_id}"' in page
    with open_store(db_url) as store:
        alert = store.alerts.get(alert_id)
        assert alert is not None
        response_id = alert.response.id
    refused = client.post(f"/responses/{response_id}/approve", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "halaman kejadiannya" in refused.text
