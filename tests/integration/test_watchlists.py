"""Issue #14 part 5: watchlists with spike alerts through the CLI, the pages and the API: a
saved search keeps its baseline, a burst raises one notification that links to exactly the posts
behind it, and a query that cannot run is refused when saved, with the reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from damai.pipeline.watchlists import add, check
from damai.storage import open_store
from tests.conftest import run_cli
from tests.integration.test_api import Api, assert_error, lite  # noqa: F401  (fixture)
from tests.integration.test_store_contract import store_url  # noqa: F401  (fixture)
from tests.integration.watchlist_helpers import BURST, QUERY, add_burst, stock
from tests.integration.web_helpers import add_users, client_for, login


def _cli(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "watchlists", *args, "--db", db_url)


def test_a_burst_raises_one_notification_behind_which_are_exactly_its_posts(
        store_url: str) -> None:  # noqa: F811  (on each backend; PostgreSQL with -m postgres)
    now = datetime.now(UTC)
    burst_ids = stock(store_url, now)
    with open_store(store_url) as store:
        made = add(store, "Hoaks banjir Jabar", QUERY, actor="ani", now=now)
        (note,) = check(store, now=now, ways=[])
        assert (note.watchlist_id, note.count) == (made.id, BURST)
        assert note.baseline == pytest.approx(1.0)  # one an hour over the 24 windows before
        assert note.window_end - note.window_start == timedelta(hours=1)
        # the Medan post, the unflagged one and the one without "banjir" are not behind it
        assert sorted(store.watchlists.posts_of(note.id)) == sorted(burst_ids)
        assert check(store, now=now + timedelta(minutes=10), ways=[]) == []  # the same spike
        entry = store.audit.query(limit=5)[0]
        assert (entry.action, entry.actor, entry.target) == (
            "watchlist_add", "ani", f"watchlist:{made.id}")


def test_the_quiet_day_alone_raises_nothing(db_url: str) -> None:
    now = datetime.now(UTC)
    stock(db_url, now, with_burst=False)
    with open_store(db_url) as store:
        add(store, "Hoaks banjir Jabar", QUERY, actor="ani", now=now)
        assert check(store, now=now, ways=[]) == []
        assert store.watchlists.notifications() == []


def test_the_cli_adds_lists_checks_shows_and_removes(
        capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    stock(db_url)
    code, out, err = _cli(capsys, db_url, "add", "Hoaks banjir Jabar", QUERY, "--json")
    assert code == 0, err
    wid = orjson.loads(out)["id"]
    code, out, _ = _cli(capsys, db_url, "list", "--json")
    (item,) = orjson.loads(out)["watchlists"]
    assert (item["count"], item["spike"], item["provinces"]) == (BURST, True, ["Jawa Barat"])
    code, out, _ = _cli(capsys, db_url, "check", "--json")
    checked = orjson.loads(out)
    assert code == 0 and len(checked["notifications"]) == 1 and checked["pending"] == 0
    code, out, _ = _cli(capsys, db_url, "show", str(wid))
    assert code == 0 and f"/notifications/{checked['notifications'][0]['id']}" in out
    code, out, _ = _cli(capsys, db_url, "remove", str(wid))
    assert code == 0 and "dihapus" in out
    code, _, err = _cli(capsys, db_url, "show", str(wid))
    assert code == 2 and f"no watchlist {wid}" in err and "Traceback" not in err


@pytest.mark.parametrize(("query", "reason"), [
    ('banjir "bandang', "a quote is not closed"),
    ("label:bukan_label", "unknown label 'bukan_label'"),
    ("warna:merah", "unknown field"),
])
def test_the_cli_refuses_a_query_that_cannot_run(capsys: pytest.CaptureFixture[str],
                                                 db_url: str, query: str, reason: str) -> None:
    code, out, err = _cli(capsys, db_url, "add", "Salah", query)
    assert code == 2 and reason in err and "Traceback" not in err and out == ""
    with open_store(db_url) as store:
        assert store.watchlists.listing() == []


def test_the_pages_save_refuse_check_and_link_to_the_posts(db_url: str) -> None:
    burst_ids = stock(db_url)
    add_users(db_url)
    with client_for(db_url) as web:
        csrf = login(web, "analyst")
        refused = web.post("/watchlists", data={"name": "Salah", "query": "label:bukan_label",
                                                "csrf_token": csrf})
        assert refused.status_code == 400 and "unknown label" in refused.text
        assert 'value="label:bukan_label"' in refused.text  # the form keeps what was typed
        nul = web.post("/watchlists", data={"name": "a\x00", "query": "banjir",
                                            "csrf_token": csrf})
        assert nul.status_code == 400 and "control characters" in nul.text
        saved = web.post("/watchlists", data={"name": "Hoaks banjir Jabar", "query": QUERY,
                                              "csrf_token": csrf})
        assert saved.status_code == 303
        page = web.get("/watchlists").text
        assert re.search(rf'data-count>{BURST}</td>', page)
        assert web.post("/watchlists/check", data={"csrf_token": csrf}).status_code == 303
        notes = web.get("/notifications").text
        (nid,) = set(re.findall(r'href="/notifications/(\d+)"', notes))
        assert 'data-notifications="1"' in web.get("/notifications/badge").text
        one = web.get(f"/notifications/{nid}").text
        assert sorted(int(i) for i in re.findall(r'data-post="(\d+)"', one)) == sorted(burst_ids)
        assert all(f'href="/posts/{i}"' in one for i in burst_ids)
        assert web.get("/notifications/424242").status_code == 404
    with client_for(db_url) as web:
        csrf = login(web, "viewer")
        assert web.get(f"/notifications/{nid}").status_code == 200  # viewers read
        assert web.post("/watchlists", data={"name": "x", "query": "banjir",
                                             "csrf_token": csrf}).status_code == 403


def test_the_api_saves_refuses_reads_and_removes(lite: Api) -> None:  # noqa: F811
    stock(lite.url)
    made = lite.post("/watchlists", json={"name": "Hoaks banjir Jabar", "query": QUERY})
    assert made.status_code == 201, made.text
    wid = made.json()["id"]
    refused = lite.post("/watchlists", json={"name": "Salah", "query": 'banjir "bandang'})
    assert "quote is not closed" in assert_error(refused, 400, "invalid_input")["message"]
    assert lite.post("/watchlists", role="viewer",
                     json={"name": "x", "query": "banjir"}).status_code == 403
    (item,) = lite.get("/watchlists").json()["items"]
    assert (item["id"], item["count"], item["spike"]) == (wid, BURST, True)
    with open_store(lite.url) as store:  # the app's scheduler may have been first: one spike
        check(store, ways=[])
        (note,) = store.watchlists.notifications()
    body = lite.get(f"/watchlists/{wid}").json()
    assert [n["id"] for n in body["notifications"]] == [note.id]
    (listed,) = lite.get("/notifications").json()["items"]
    assert listed["posts"] == f"/notifications/{note.id}" and len(listed["post_ids"]) == BURST
    assert_error(lite.get("/watchlists/424242"), 404, "watchlist_not_found")
    gone = lite.client.delete(f"/api/v1/watchlists/{wid}", headers=lite.auth("analyst"))
    assert gone.status_code == 200 and lite.get("/notifications").json()["items"] == []
    assert_error(lite.client.delete(f"/api/v1/watchlists/{wid}",
                                    headers=lite.auth("analyst")), 404, "not_found")


def test_a_second_burst_after_the_window_raises_a_second_notification(db_url: str) -> None:
    now = datetime.now(UTC)
    stock(db_url, now)
    later = now + timedelta(hours=2)
    add_burst(db_url, "c", later)
    with open_store(db_url) as store:
        add(store, "Hoaks banjir Jabar", QUERY, actor="ani", now=now)
        assert len(check(store, now=now, ways=[])) == 1
        assert len(check(store, now=later, ways=[])) == 1
        assert len(store.watchlists.notifications()) == 2


def test_a_notification_of_words_and_one_label_opens_the_post_search_too(db_url: str) -> None:
    burst_ids = stock(db_url)
    add_users(db_url, ("viewer",))
    with open_store(db_url) as store:
        add(store, "Banjir bandang", "banjir bandang label:hoax", actor="ani")
        check(store, ways=[])
        (note,) = store.watchlists.notifications()
    with client_for(db_url) as web:
        login(web, "viewer")
        page = web.get(f"/notifications/{note.id}").text
        found = re.search(r'href="(/posts\?[^"]+)" id="notification-search"', page)
        assert found, "no link to the post search"
        link = found.group(1).replace("&amp;", "&")
        assert "q=banjir+bandang" in link and "label=hoax" in link
        listed = web.get(link).text
        assert all(f'href="/posts/{i}"' in listed for i in burst_ids)


def test_invalid_watch_settings_are_said_not_crashed_on(
        db_url: str, lite: Api, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    add_users(db_url, ("viewer",))
    monkeypatch.setenv("DAMAI_WATCH_ALPHA", "2")
    with client_for(db_url) as web:
        login(web, "viewer")
        page = web.get("/watchlists")
        assert page.status_code == 503 and "DAMAI_WATCH_" in page.text
    monkeypatch.setenv("DAMAI_WATCH_ALPHA", "abc")
    assert "DAMAI_WATCH_ALPHA" in assert_error(lite.get("/watchlists"), 503,
                                               "settings_invalid")["message"]
