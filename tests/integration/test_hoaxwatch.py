"""Issue #13 part 7: the post-disaster hoax watch through the CLI, the API and the page: which
posts enter an event's queue and why, drafting the correction for review, dismissing (audited),
and bad input (an unknown event, an event with no time, an event with no point)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from damai.storage import open_store
from tests.conftest import run_cli
from tests.integration.hoaxwatch_helpers import BASE, stock
from tests.integration.test_api import Api, api  # noqa: F401  (fixture)
from tests.integration.web_helpers import add_users, client_for, login


def _queue(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> list[dict[str, Any]]:
    code, out, err = run_cli(capsys, "alerts", "hoaxwatch", "--json", "--db", db_url, *args)
    assert code == 0, err
    return list(orjson.loads(out)["events"])


def _numbers(queue: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Tweet number (as in hoaxwatch_helpers.POSTS) → the item."""
    return {int(i["post"].split(":")[1]) - BASE: i for i in queue["items"]}


@pytest.fixture
def events(tmp_path: Path, db_url: str) -> dict[str, int]:
    return stock(tmp_path, db_url)


def test_the_queue_holds_matching_posts_of_the_area_after_the_event(
        capsys: pytest.CaptureFixture[str], db_url: str, events: dict[str, int]) -> None:
    (queue,) = _queue(capsys, db_url, "--event", str(events["quake"]))
    items = _numbers(queue)
    # 1 is before the quake, 4 a debunk, 6 no hoax, 7 and 12 far away (Jakarta Utara), 8 in
    # Surabaya, 10 after the 7-day window, 11 names no hazard
    assert sorted(items) == [2, 3, 5, 9]
    assert items[2]["place"]["name"] == "Kabupaten Cianjur"
    assert items[3]["place"] is None  # no place, but it names the hazard
    assert [(r["kind"], r["ref"]) for r in items[5]["reasons"]] == [("pattern", "donasi_pribadi")]
    (claim,) = items[9]["reasons"]
    assert claim["kind"] == "claim" and claim["ref"] == "CF-1"
    assert claim["source_url"] == "https://cekfakta.example/sesar-baru"
    assert claim["correction"]["id"].startswith("Tidak ada sesar baru")
    assert "bisa diramalkan" in items[2]["reasons"][0]["correction"]["id"]
    assert "predict" in items[2]["reasons"][0]["correction"]["en"]
    assert all(i["status"] == "open" for i in items.values())
    assert "Kabupaten Cianjur" in queue["area"]["regencies"]
    assert queue["area"]["radius_km"] == radius_of(5.6)


def radius_of(magnitude: float) -> float:
    from damai.understand.affected import radius_km

    return radius_km(magnitude)


def test_an_event_without_a_point_watches_its_named_places(
        capsys: pytest.CaptureFixture[str], db_url: str, events: dict[str, int]) -> None:
    (queue,) = _queue(capsys, db_url, "--event", str(events["flood"]))
    assert queue["area"] == {"regencies": ["Kota Administrasi Jakarta Utara"], "provinces": [],
                             "radius_km": None}
    assert sorted(_numbers(queue)) == [12]


def test_without_an_event_the_recent_events_are_listed(
        capsys: pytest.CaptureFixture[str], db_url: str, events: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert _queue(capsys, db_url) == []  # the events are a month old: past the 7-day window
    monkeypatch.setenv("DAMAI_HOAXWATCH_DAYS", "400")
    found = {q["event"]["id"]: q for q in _queue(capsys, db_url)}
    assert set(found) == {events["quake"], events["flood"]}  # the timeless one has no window
    assert 10 in _numbers(found[events["quake"]])  # the window is 400 days now


def test_the_window_read_is_bounded_and_said_to_be_cut(
        capsys: pytest.CaptureFixture[str], db_url: str, events: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_HOAXWATCH_MAX_POSTS", "3")
    (queue,) = _queue(capsys, db_url, "--event", str(events["quake"]))
    assert queue["cut"] is True and queue["posts_read"] == 3
    assert sorted(_numbers(queue)) == [9]  # the newest three: 9, 11, 12


@pytest.mark.parametrize(("which", "message"), [
    ("999", "no event 999"), ("timeless", "has no time")])
def test_bad_events_get_a_clear_error(capsys: pytest.CaptureFixture[str], db_url: str,
                                      events: dict[str, int], which: str, message: str) -> None:
    event = str(events.get(which, which))
    code, out, err = run_cli(capsys, "alerts", "hoaxwatch", "--event", event, "--db", db_url)
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_the_table_output_names_the_event_and_the_reasons(
        capsys: pytest.CaptureFixture[str], db_url: str, events: dict[str, int]) -> None:
    code, out, _ = run_cli(capsys, "alerts", "hoaxwatch", "--event", str(events["quake"]),
                           "--db", db_url)
    assert code == 0 and "claim:CF-1" in out and "pattern:ramalan" in out
    assert "tanpa tempat" in out


@pytest.fixture
def hoax_api(tmp_path: Path, api: Api) -> Iterator[tuple[Api, dict[str, int]]]:  # noqa: F811
    """The API over the hoax-watch store, on each backend (PostgreSQL with -m postgres)."""
    yield api, stock(tmp_path, api.url)


def test_the_api_lists_drafts_and_dismisses(hoax_api: tuple[Api, dict[str, int]]) -> None:
    client, events = hoax_api
    quake = events["quake"]
    body = client.get("/hoaxwatch", "analyst", params={"event": quake}).json()
    items = _numbers(body["events"][0])
    assert sorted(items) == [2, 3, 5, 9]
    made = client.post(f"/hoaxwatch/{quake}/{items[2]['post_id']}/draft")
    assert made.status_code == 201, made.text
    response = made.json()
    assert response["event_id"] == str(quake) and response["post_id"] == f"x:{BASE + 2}"
    assert response["state"] == "in_review" and response["blocked"] is None
    assert response["text"].startswith("Gempa bumi belum bisa diramalkan")
    again = client.post(f"/hoaxwatch/{quake}/{items[2]['post_id']}/draft")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_drafted"
    gone = client.post(f"/hoaxwatch/{quake}/{items[5]['post_id']}/dismiss",
                    json={"reason": "akun lembaga, sudah dicek"})
    assert gone.status_code == 200 and gone.json()["new"] is True
    assert client.post(f"/hoaxwatch/{quake}/{items[5]['post_id']}/dismiss",
                    json={}).json()["new"] is False
    after = _numbers(client.get("/hoaxwatch", "analyst", params={"event": quake})
                     .json()["events"][0])
    assert sorted(after) == [2, 3, 9]
    assert after[2]["status"] == "drafted" and after[2]["response_id"] == response["id"]
    with open_store(client.url) as store:
        (entry,) = store.audit.query(action="hoaxwatch_dismiss")
    assert entry.actor == "u-analyst" and entry.detail["event_id"] == quake
    assert entry.detail["reason"] == "akun lembaga, sudah dicek"


def test_the_api_refuses_bad_input(hoax_api: tuple[Api, dict[str, int]]) -> None:
    client, events = hoax_api
    quake = events["quake"]
    assert client.get("/hoaxwatch", "viewer").status_code == 403
    missing = client.get("/hoaxwatch", "analyst", params={"event": 999})
    assert missing.status_code == 404 and "999" in missing.json()["error"]["message"]
    timeless = client.get("/hoaxwatch", "analyst", params={"event": events["timeless"]})
    assert timeless.status_code == 400
    assert client.get("/hoaxwatch", "analyst", params={"event": 0}).status_code == 422
    no_hoax, hoax = _row(client.url, 6), _row(client.url, 2)
    assert client.post(f"/hoaxwatch/{quake}/{no_hoax}/draft").status_code == 404
    assert client.post(f"/hoaxwatch/999/{hoax}/dismiss", json={}).status_code == 404
    assert client.post(f"/hoaxwatch/{quake}/99999/dismiss", json={}).status_code == 404
    assert client.post(f"/hoaxwatch/{quake}/{hoax}/draft", "viewer").status_code == 403


def _row(db_url: str, number: int) -> int:
    with open_store(db_url) as store:
        found = store.posts.row_id("x", str(BASE + number))
    assert found is not None
    return found


def test_the_page_shows_the_queue_and_dismisses(tmp_path: Path, db_url: str) -> None:
    events = stock(tmp_path, db_url)
    add_users(db_url)
    client = client_for(db_url)
    csrf = login(client, "analyst")
    assert 'href="/hoaxwatch"' in client.get("/").text
    html = client.get(f"/hoaxwatch?event={events['quake']}").text
    assert html.count('data-post="') == 4 and "Ramalan gempa atau tsunami" in html
    assert "https://cekfakta.example/sesar-baru" in html and "Gempa M5.6" in html
    row = _row(db_url, 5)
    done = client.post(f"/hoaxwatch/{events['quake']}/{row}/dismiss",
                       data={"csrf_token": csrf, "reason": ""})
    assert done.status_code == 303
    assert html.count('data-post="') - 1 == client.get(
        f"/hoaxwatch?event={events['quake']}").text.count('data-post="')
    assert client.get("/hoaxwatch?event=999").status_code == 404
    client.cookies.set("damai_lang", "en")
    english = client.get(f"/hoaxwatch?event={events['quake']}").text
    assert "Prediction of an earthquake or tsunami" in english


def test_the_empty_page_says_where_events_come_from(db_url: str) -> None:
    add_users(db_url)
    client = client_for(db_url)
    login(client, "analyst")
    assert "damai bmkg poll" in client.get("/hoaxwatch").text


def test_viewers_do_not_see_the_queue(tmp_path: Path, db_url: str) -> None:
    stock(tmp_path, db_url)
    add_users(db_url)
    client = client_for(db_url)
    login(client, "viewer")
    assert client.get("/hoaxwatch").status_code == 403
    assert 'href="/hoaxwatch"' not in client.get("/").text


def test_every_suggested_correction_passes_the_harm_check() -> None:
    """A correction that the bundled model blocked could never be approved: none is."""
    from damai.pipeline.responses import harm_check
    from damai.understand.bundled import load_model
    from damai.understand.hoax_patterns import load_patterns

    model = load_model()
    for family in load_patterns().families:
        assert harm_check(model, family.correction[0]).blocked is None, family.id
