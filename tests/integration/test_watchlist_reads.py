"""Issue #14 part 5: each user reads watchlist notifications for themselves. The bell counts the
ones the signed-in user has not read; opening one marks it read for that user only; "mark all
as read" marks what the list showed, and a notification raised after stays unread. The API's
``read`` is the token's user's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from damai.pipeline.watchlists import add, check
from damai.storage import open_store
from tests.integration.test_api import Api, lite  # noqa: F401  (fixture)
from tests.integration.test_store_contract import store_url  # noqa: F401  (both backends)
from tests.integration.watchlist_helpers import QUERY, add_burst, stock
from tests.integration.web_helpers import add_users, client_for, login

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def no_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests raise the spikes themselves, on their clock (the app's would race them)."""
    monkeypatch.setenv("DAMAI_SCHEDULER", "false")


def _bell(web: TestClient) -> int:
    found = re.search(r'data-notifications="(\d+)"', web.get("/notifications/badge").text)
    return int(found.group(1)) if found else 0


def _unread(web: TestClient) -> list[int]:
    page = web.get("/notifications").text
    return [int(i) for i in re.findall(r'data-notification="(\d+)" data-read="false"', page)]


def _spike(db_url: str, at: datetime) -> int:
    with open_store(db_url) as store:
        if not store.watchlists.listing():
            add(store, "Hoaks banjir Jabar", QUERY, actor="ani", now=at)
        (note,) = check(store, now=at, ways=[])
    return note.id


def test_opening_a_notification_reads_it_for_that_user_only(db_url: str) -> None:
    stock(db_url, NOW)
    add_users(db_url, ("viewer", "analyst"))
    nid = _spike(db_url, NOW)
    with client_for(db_url) as viewer, client_for(db_url) as analyst:
        login(viewer, "viewer")
        login(analyst, "analyst")
        assert _bell(viewer) == _bell(analyst) == 1
        assert _unread(viewer) == [nid]  # the list alone marks nothing
        assert _bell(viewer) == 1
        assert viewer.get(f"/notifications/{nid}").status_code == 200
        assert _bell(viewer) == 0 and _unread(viewer) == []
        assert 'id="mark-all-read"' not in viewer.get("/notifications").text
        assert _bell(analyst) == 1 and _unread(analyst) == [nid]  # still new for the analyst
        assert viewer.get(f"/notifications/{nid}").status_code == 200  # a second read: no error


def test_mark_all_read_marks_what_the_list_showed(db_url: str) -> None:
    stock(db_url, NOW)
    add_users(db_url, ("viewer",))
    first = _spike(db_url, NOW)
    with client_for(db_url) as web:
        csrf = login(web, "viewer")
        page = web.get("/notifications").text
        upto = re.search(r'name="upto" value="(\d+)"', page)
        assert upto and int(upto.group(1)) == first
        later = NOW + timedelta(hours=2)
        add_burst(db_url, "c", later)
        second = _spike(db_url, later)  # raised after the page was shown
        assert _bell(web) == 2
        done = web.post("/notifications/read", data={"upto": upto.group(1), "csrf_token": csrf})
        assert done.status_code == 303 and done.headers["location"] == "/notifications"
        assert _unread(web) == [second] and _bell(web) == 1
        assert web.post("/notifications/read", data={"upto": "0"}).status_code == 403  # no CSRF
        assert web.post("/notifications/read", data={"upto": str(2**70), "csrf_token": csrf}
                        ).status_code == 303  # not a row id: nothing marked
        assert _unread(web) == [second]


def test_the_api_says_whether_the_tokens_user_read_it(lite: Api) -> None:  # noqa: F811
    stock(lite.url, NOW)
    nid = _spike(lite.url, NOW)
    with open_store(lite.url) as store:
        viewer = store.users.get("u-viewer")
        assert viewer is not None
        assert store.watchlists.mark_read(viewer.id, NOW, notification_id=nid) == 1
        assert store.watchlists.mark_read(viewer.id, NOW, notification_id=nid) == 0
    (seen,) = lite.get("/notifications", role="viewer").json()["items"]
    (unseen,) = lite.get("/notifications", role="analyst").json()["items"]
    assert (seen["id"], seen["read"]) == (nid, True)
    assert (unseen["id"], unseen["read"]) == (nid, False)


def test_the_api_marks_read_for_the_tokens_user_up_to_an_id(lite: Api) -> None:  # noqa: F811
    stock(lite.url, NOW)
    first = _spike(lite.url, NOW)
    later = NOW + timedelta(hours=2)
    add_burst(lite.url, "c", later)
    second = _spike(lite.url, later)  # raised after the id the viewer saw
    done = lite.post("/notifications/read", role="viewer", json={"upto": first})
    assert done.status_code == 200 and done.json() == {"marked": 1, "upto": first}
    assert lite.post("/notifications/read", role="viewer", json={"upto": first}).json()[
        "marked"] == 0  # already read
    read = {i["id"]: i["read"] for i in lite.get("/notifications", role="viewer").json()["items"]}
    assert read == {first: True, second: False}
    assert not any(i["read"] for i in lite.get("/notifications", role="analyst").json()["items"])
    for bad in ({"upto": 0}, {"upto": 2**70}, {"upto": "satu"}, {}, {"upto": 1, "semua": True}):
        assert lite.post("/notifications/read", role="viewer", json=bad).status_code == 422
    assert lite.client.post("/api/v1/notifications/read", json={"upto": 1}).status_code == 401


def test_the_store_keeps_reads_per_user_and_failed_deliveries(store_url: str) -> None:  # noqa: F811
    """The repository on both backends: reads (``ON CONFLICT DO NOTHING`` from a select) and
    the ``failed`` state the delivery check allows since ``0026_notification_reads``."""
    stock(store_url, NOW)
    add_users(store_url, ("viewer", "analyst"))
    later = NOW + timedelta(hours=2)
    add_burst(store_url, "c", later)
    with open_store(store_url) as store:
        add(store, "Hoaks banjir Jabar", QUERY, actor="ani", now=NOW)
        (first,) = check(store, now=NOW, ways=["email"])
        (second,) = check(store, now=later, ways=[])
        viewer, analyst = (store.users.get(n) for n in ("viewer", "analyst"))
        assert viewer is not None and analyst is not None
        since = NOW - timedelta(hours=1)
        assert store.watchlists.unread(viewer.id, since) == 2
        assert store.watchlists.mark_read(viewer.id, NOW, upto=first.id) == 1
        assert store.watchlists.mark_read(viewer.id, NOW, upto=second.id) == 1
        assert store.watchlists.mark_read(viewer.id, NOW, upto=second.id) == 0
        assert store.watchlists.unread(viewer.id, since) == 0
        assert store.watchlists.unread(analyst.id, since) == 2
        assert [n.read for n in store.watchlists.notifications(reader=analyst.id)] == [False] * 2
        (delivery,) = first.deliveries
        store.watchlists.failed(delivery.id, "Refused: SMTP 550: no such mailbox")
        (failed,) = store.watchlists.notification(first.id).deliveries  # type: ignore[union-attr]
        assert (failed.state, failed.attempts) == ("failed", 1)
        assert store.watchlists.pending() == 0 and store.watchlists.due(later) == []
        assert store.watchlists.remove(1, actor="ani")  # its reads go with its notifications
        assert store.watchlists.unread(analyst.id, since) == 0
