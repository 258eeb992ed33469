"""Issue #14 part 1: the triage queue through the API (``/api/v1/triage``), as a partner system
works it: keyset pages with the page's filters, copies shown once, review, dismiss and assign
taking a row's copies, notes, and undo through the compensating audited entry; refusals in the
API's error shape, and the analyst role as on the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from damai.storage import open_store
from tests.integration.test_api import Api, assert_error, open_api
from tests.integration.test_store_contract import make_post

TRIAGE = "/triage"


@pytest.fixture
def lite(db_url: str) -> Iterator[Api]:
    """The API of :mod:`tests.integration.test_api` (a user and token per role), on SQLite."""
    yield from open_api(db_url)


def fill_queue(api: Api) -> dict[str, int]:
    """Six radicalism posts (r2 and r3 repost r0: one group) and a flood report, read once as
    a client would before acting; name → row id (the API's other posts are flagged ``hate``,
    so the tests read ``label=radicalism``)."""
    texts = ["Khilafah harus tegak, tinggalkan thagut", "Bai'at sekarang di masjid itu",
             "RT Khilafah harus tegak, tinggalkan thagut", "RT Khilafah harus tegak, tinggalkan",
             "Hijrah ke sana, siapkan senjata", "Serang kafir di pasar minggu depan"]
    posts = [make_post(500 + i, text, platform_id=f"r{i}",
                       labels={"radicalism": 0.5 + i / 100}, flags=["radicalism"],
                       repost_of_id="r0" if i in (2, 3) else None)
             for i, text in enumerate(texts)]
    posts.append(make_post(520, "Banjir di Bekasi, butuh perahu", platform_id="b0",
                           labels={"disaster": 0.9}, flags=["disaster"]))
    with open_store(api.url) as store:
        store.posts.write_batch(posts, [], [])
        found = {p.platform_id: store.posts.row_id("twitter", p.platform_id) for p in posts}
        found["plain"] = store.posts.row_id("twitter", "1001")  # stored, not flagged
    rows(api)
    return {name: int(row) for name, row in found.items() if row is not None}


def statuses(api: Api, names: dict[str, int]) -> dict[str, str]:
    with open_store(api.url) as store:
        return {n: (s.status if (s := store.triage.get(i)) else "open")
                for n, i in names.items()}


def rows(api: Api, role: str = "analyst", **params: Any) -> list[dict[str, Any]]:
    params.setdefault("label", "radicalism")
    response = api.get(TRIAGE, role, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_pages_follow_the_cursor_with_copies_once_and_the_stated_priority(lite: Api) -> None:
    ids = fill_queue(lite)
    whole = rows(lite)
    # the group's highest row (r3: severity 0.53) stands for it
    assert {r["post_id"] for r in whole} == {ids["r1"], ids["r3"], ids["r4"], ids["r5"]}
    [group] = [r for r in whole if r["copies"]]
    assert (group["post_id"], group["copies"], group["post"]) == (ids["r3"], 2, "twitter:r3")
    for r in whole:  # weight × severity × reach, as stated
        assert r["priority"] == pytest.approx(r["weight"] * r["severity"] * r["reach"])
        assert (r["label"], r["flags"], r["status"]) == ("radicalism", ["radicalism"], "open")
    seen, cursor = [], None
    while True:
        body = lite.get(TRIAGE, "analyst", params={"limit": 3, "label": "radicalism", **(
            {"cursor": cursor} if cursor else {})}).json()
        seen += [r["post_id"] for r in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == [r["post_id"] for r in whole]  # nothing twice, nothing skipped
    assert [r["post_id"] for r in rows(lite, queue="disaster", label="")] == [ids["b0"]]
    assert rows(lite, queue="disaster", label="", since="2026-11-02") == []
    assert len(rows(lite, assignee="-")) == 4 and rows(lite, assignee="u-analyst") == []
    assert rows(lite, label="hoax") == [] and len(rows(lite, label="")) > 4  # also "hate"


@pytest.mark.parametrize(("query", "code"), [
    ({"label": "bukan_label"}, "invalid_filter"), ({"province": "Atlantis"}, "invalid_filter"),
    ({"status": "lost"}, "invalid_filter"), ({"queue": "gossip"}, "invalid_filter"),
    ({"since": "2026-13-45"}, "invalid_filter"), ({"until": "kemarin"}, "invalid_filter"),
    ({"assignee": "nobody_here"}, "invalid_filter"), ({"platform": "X Y"}, "invalid_filter"),
    ({"cursor": "bm90LWEtY3Vyc29y"}, "invalid_cursor"), ({"cursor": "+/"}, "invalid_cursor")])
def test_bad_filters_and_cursors_are_refused_with_the_reason(lite: Api, query: dict[str, str],
                                                             code: str) -> None:
    error = assert_error(lite.get(TRIAGE, "analyst", params=query), 400, code)
    assert "tidak" in error["message"] or "tulis" in error["message"] \
        or "huruf" in error["message"]  # says why, in Indonesian first
    assert lite.get(TRIAGE, "analyst", params={"limit": 0}).status_code == 422


def test_actions_take_the_copies_and_undo_puts_the_group_back(lite: Api) -> None:
    ids = fill_queue(lite)
    group = {n: ids[n] for n in ("r0", "r2", "r3")}
    done = lite.post(f"{TRIAGE}/review", json={"post_ids": [ids["r0"]]})
    assert done.status_code == 200, done.text
    assert (done.json()["action"], sorted(done.json()["posts"])) == (
        "triage_review", sorted(group.values()))
    assert set(statuses(lite, group).values()) == {"reviewed"}
    assert statuses(lite, {"r1": ids["r1"]}) == {"r1": "open"}
    [shown] = rows(lite, status="reviewed")
    assert (shown["copies"], shown["judged"]) == (2, {"radicalism": 1})
    undone = lite.post(f"{TRIAGE}/undo")
    assert undone.status_code == 200, undone.text
    assert (undone.json()["undoes"], undone.json()["undone_action"]) == (
        done.json()["audit_id"], "triage_review")
    assert set(statuses(lite, group).values()) == {"open"}  # the whole group is back
    assert_error(lite.post(f"{TRIAGE}/undo"), 404, "not_found")  # once only
    gone = lite.post(f"{TRIAGE}/dismiss", json={"post_ids": [ids["r0"], ids["r1"]]})
    assert len(gone.json()["posts"]) == 4
    assert set(statuses(lite, {**group, "r1": ids["r1"]}).values()) == {"dismissed"}
    with open_store(lite.url) as store:
        assert store.triage.judgements([ids["r3"]])[ids["r3"]]["radicalism"].value == 0
        entry = store.audit.query(actor="u-analyst", action="triage_dismiss")[0]
    assert entry.id == gone.json()["audit_id"] and entry.target == "posts:4"


def test_assign_and_notes(lite: Api) -> None:
    ids = fill_queue(lite)
    made = lite.post(f"{TRIAGE}/assign", json={"post_ids": [ids["r2"]], "assignee": "u-analyst"})
    assert made.json()["assignee"] == "u-analyst" and len(made.json()["posts"]) == 3
    assert [r["post_id"] for r in rows(lite, assignee="u-analyst")] == [ids["r3"]]
    for who in ("ghost", "u-viewer"):  # unknown, or may not triage
        assert_error(lite.post(f"{TRIAGE}/assign", json={"post_ids": [ids["r1"]],
                                                         "assignee": who}), 400, "invalid_input")
    cleared = lite.post(f"{TRIAGE}/assign", json={"post_ids": [ids["r0"]], "assignee": None})
    assert cleared.json()["assignee"] is None and len(rows(lite, assignee="-")) == 4
    note = lite.post(f"{TRIAGE}/{ids['r1']}/note", json={"text": "Akun baru, pantau"})
    assert note.status_code == 201 and note.json()["author"] == "u-analyst"
    [r1] = [r for r in rows(lite) if r["post_id"] == ids["r1"]]
    assert [n["text"] for n in r1["notes"]] == ["Akun baru, pantau"]
    assert_error(lite.post(f"{TRIAGE}/{ids['r1']}/note", json={"text": "   "}), 400,
                 "invalid_input")
    assert_error(lite.post(f"{TRIAGE}/424242/note", json={"text": "x"}), 404, "not_found")
    assert lite.post(f"{TRIAGE}/{ids['r1']}/note", json={"text": "x" * 2001}).status_code == 422


def test_post_lists_are_bounded_and_unknown_posts_refused(lite: Api) -> None:
    ids = fill_queue(lite)
    for body in ({"post_ids": []}, {"post_ids": list(range(1, 202))}, {"post_ids": [0]},
                 {"post_ids": ["satu"]}, {"post_ids": [ids["r1"]], "confirm": True}):
        assert_error(lite.post(f"{TRIAGE}/review", json=body), 422, "validation_failed")
    assert_error(lite.post(f"{TRIAGE}/review", json={"post_ids": [424242]}), 404, "not_found")
    unflagged = lite.post(f"{TRIAGE}/dismiss", json={"post_ids": [ids["plain"]]})
    assert_error(unflagged, 404, "not_found")


def test_the_queue_is_for_analysts(lite: Api) -> None:
    ids = fill_queue(lite)
    for response in (lite.get(TRIAGE, "viewer"),
                     lite.post(f"{TRIAGE}/review", "viewer", json={"post_ids": [ids["r1"]]}),
                     lite.post(f"{TRIAGE}/undo", "viewer")):
        error = assert_error(response, 403, "forbidden")
        assert error["detail"] == {"role": "viewer", "required": "analyst"}
    assert_error(lite.client.get("/api/v1/triage"), 401, "unauthorized")
    assert statuses(lite, {"r1": ids["r1"]}) == {"r1": "open"}  # nothing changed
    assert len(rows(lite, "admin")) == 4  # higher roles may
