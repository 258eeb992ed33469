"""Issue #14 part 1: triage as a work queue. Keyset pages stable while posts arrive, filters,
three queues, a stated weighted priority, copies shown once, bulk actions with a confirmation
before dismissing, notes, and undo through a compensating audited entry."""

from __future__ import annotations

import io
import re
from pathlib import Path

import orjson
import pytest

from damai.auth import open_auth_store
from damai.errors import ConfigError
from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.pipeline.triage_actions import MAX_BULK
from damai.pipeline.triage_rank import parse_weights, score_post, weights_from_settings
from damai.storage import open_store
from damai.storage.base import LabelUpdate
from damai.storage.triage_queue import QueueFilter
from damai.understand.taxonomy import load_taxonomy
from tests.conftest import page, run_cli, tweet, write_jsonl
from tests.integration.test_store_contract import make_post, store_url  # noqa: F401  (both backends)
from tests.integration.web_helpers import add_users, client_for, fill_posts, login

#: position → (text, scores, flags); engagement comes from tests.conftest.tweet (grows with i)
POSTS: dict[int, tuple[str, dict[str, float], list[str]]] = {
    1: ("Serang kafir di Bekasi, bai'at sekarang", {"radicalism": 0.9}, ["radicalism"]),
    2: ("Awas vaksin berisi chip, sebarkan ke Surabaya", {"hoax": 0.9}, ["hoax"]),
    3: ("Banjir setinggi dada di Bekasi, butuh perahu", {"disaster": 0.9}, ["disaster"]),
    4: ("Mari jaga kerukunan antarwarga Surabaya", {"counter_speech": 0.8}, ["counter_speech"]),
    5: ("Dasar pendatang, usir saja dari kampung", {"hate_speech": 0.6}, ["hate_speech"]),
    6: ("Kata-kata kasar untuk tetangga sebelah", {"abusive": 0.5}, ["abusive"]),
}


@pytest.fixture
def queue_db(tmp_path: Path, db_url: str) -> str:
    fill_posts(tmp_path, db_url, [text for text, _, _ in POSTS.values()],
               {i: (scores, flags) for i, (_, scores, flags) in POSTS.items()})
    add_users(db_url, ("admin", "analyst", "viewer"))
    return db_url


def _ids(db_url: str) -> dict[int, int]:
    """Position in POSTS → stored id."""
    with open_store(db_url) as store:
        by_text = {s.post.text: s.id for s in store.posts.recent("flagged", 50)}
    return {i: by_text[text] for i, (text, _, _) in POSTS.items()}


def _shown(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="triage-(\d+)" data-post=', html)]


def _sync(store: object) -> None:
    weights, taxonomy = weights_from_settings(), load_taxonomy()
    store.triage_queue.sync(  # type: ignore[attr-defined]
        lambda f, s, e: score_post(f, s, e, weights, taxonomy), weights.fingerprint)


def test_queues_keep_harms_apart_and_order_by_the_stated_weights(
        queue_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _ids(queue_db)
    monkeypatch.setenv("DAMAI_TRIAGE_WEIGHTS", "radicalism=1,hoax=5,hate_speech=1,abusive=1")
    with client_for(queue_db) as client:
        login(client, "analyst")
        harms = client.get("/triage").text
        assert _shown(harms)[:2] == [ids[2], ids[1]]  # hoax weighs five times radicalism
        assert set(_shown(harms)) == {ids[1], ids[2], ids[5], ids[6]}
        assert "bobot[label] × keparahan × jangkauan" in harms
        assert _shown(client.get("/triage?queue=disaster").text) == [ids[3]]
        assert _shown(client.get("/triage?queue=counter_speech").text) == [ids[4]]
        monkeypatch.setenv("DAMAI_TRIAGE_WEIGHTS", "radicalism=5,hoax=1")
        assert _shown(client.get("/triage").text)[:2] == [ids[1], ids[2]]  # worked out again
    with open_store(queue_db) as store:
        rows = store.triage_queue.page(QueueFilter(), None, 10)
    for row in rows:  # priority = weight × severity × reach, as stated
        weight = {"radicalism": 5.0, "hoax": 1.0}.get(row.label, 1.0)
        assert row.priority == pytest.approx(weight * row.severity * row.reach)


@pytest.mark.parametrize("bad", ["radicalism", "radicalism=x", "radicalism=0", "hoax=-1",
                                 "hoax=nan", "hoax=1e9", "nonsense=2", "=3"])
def test_malformed_weights_are_refused_with_what_to_write(bad: str) -> None:
    with pytest.raises(ConfigError, match="DAMAI_TRIAGE_WEIGHTS"):
        parse_weights(bad, set(load_taxonomy().kinds))


def test_weights_take_sub_labels_from_their_top_label() -> None:
    weights = parse_weights("disaster=4, hoax=2", set(load_taxonomy().kinds))
    assert (weights.of("disaster.type.flood"), weights.of("hoax"), weights.of("sara")) == (4, 2, 1)


def test_filters_narrow_the_queue(queue_db: str) -> None:
    ids = _ids(queue_db)
    with client_for(queue_db) as client:
        csrf = login(client, "analyst")
        client.post(f"/triage/{ids[5]}/assign", data={"csrf_token": csrf, "assignee": "admin"})
        cases = {
            "label=hoax": {ids[2]},
            "label=radicalism&province=Jawa+Barat": {ids[1]},
            "province=Jawa+Timur": {ids[2]},
            "platform=x": {ids[1], ids[2], ids[5], ids[6]},
            "platform=mastodon": set(),
            "assignee=admin": {ids[5]},
            "assignee=-": {ids[1], ids[2], ids[6]},
            "since=2026-11-02": set(),
            "until=2026-11-01": {ids[1], ids[2], ids[5], ids[6]},
            "queue=disaster&province=Jawa+Barat": {ids[3]},
        }
        for query, expected in cases.items():
            response = client.get(f"/triage?{query}")
            assert response.status_code == 200, query
            assert set(_shown(response.text)) == expected, query
        client.post(f"/triage/{ids[6]}/review", data={"csrf_token": csrf})
        assert set(_shown(client.get("/triage?status=reviewed").text)) == {ids[6]}
        assert ids[6] not in _shown(client.get("/triage").text)


def test_keyset_pages_stay_stable_while_posts_arrive(tmp_path: Path, db_url: str) -> None:
    texts = [f"Khilafah nomor {i} tegak, hijrah" for i in range(1, 12)]
    scores = {i: ({"radicalism": 0.5 + i / 100}, ["radicalism"]) for i in range(1, 12)}
    fill_posts(tmp_path, db_url, texts, scores)
    with open_store(db_url) as store:
        _sync(store)
        first = store.triage_queue.page(QueueFilter(), None, 4)
        # newcomers, some above and some below the cursor, arrive between two pages
        more = [tweet(100 + i, f"Thagut nomor {i} harus diperangi") for i in range(5)]
        ingest_paths([write_jsonl(tmp_path / "more.jsonl", [page(more)])], store,
                     IngestOptions())
        store.labels.set_labels([LabelUpdate("x", t["id"], None, {"radicalism": 0.99},
                                             ["radicalism"], "m") for t in more])
        _sync(store)
        seen = [r.stored.id for r in first]
        cursor = (first[-1].priority, first[-1].stored.id)
        while rows := store.triage_queue.page(QueueFilter(), cursor, 4):
            seen += [r.stored.id for r in rows]
            cursor = (rows[-1].priority, rows[-1].stored.id)
        originals = {s.id for s in store.posts.recent("flagged", 50) if "Khilafah" in s.post.text}
    assert len(seen) == len(set(seen))  # nothing twice
    assert originals <= set(seen)  # nothing skipped


def copies_db(tmp_path: Path, db_url: str) -> int:
    """A post and its two reposts (one group), and one post alone, all flagged radicalism;
    an analyst to work them. Return the lone post's id."""
    original = tweet(1, "Bom rakitan siap, serang kafir #jihad")
    copies = [tweet(i, "RT Bom rakitan siap, serang kafir #jihad",
                    referenced_tweets=[{"type": "retweeted", "id": original["id"]}])
              for i in (2, 3)]
    other = tweet(4, "Khilafah harus tegak sekarang")
    tweets = [original, *copies, other]
    with open_store(db_url) as store:
        ingest_paths([write_jsonl(tmp_path / "p.jsonl", [page(tweets)])], store,
                     IngestOptions())
        store.labels.set_labels([LabelUpdate("x", t["id"], None, {"radicalism": 0.8},
                                             ["radicalism"], "m") for t in tweets])
        [alone] = [s for s in store.posts.recent("flagged", 10) if "Khilafah" in s.post.text]
    add_users(db_url, ("analyst",))
    return alone.id


def _statuses(db_url: str) -> dict[int, str]:
    with open_store(db_url) as store:
        return {s.id: (state.status if (state := store.triage.get(s.id)) else "open")
                for s in store.posts.recent("flagged", 10)}


def test_copies_are_shown_once_and_a_bulk_action_takes_them_all(tmp_path: Path,
                                                                 db_url: str) -> None:
    alone = copies_db(tmp_path, db_url)
    with client_for(db_url) as client:
        csrf = login(client, "analyst")
        html = client.get("/triage").text
        shown = _shown(html)
        assert len(shown) == 2 and "+2 salinan" in html
        [group] = [i for i in shown if i != alone]
        response = client.post("/triage/bulk", data={"csrf_token": csrf, "action": "review",
                                                     "ids": [str(group)]})
        assert response.status_code == 303
        left = _shown(client.get("/triage").text)
        assert left == [alone]
        assert len(_shown(client.get("/triage?status=reviewed").text)) == 1  # once again
    assert sorted(_statuses(db_url).values()) == ["open", *["reviewed"] * 3]


def test_a_row_action_takes_its_copies_and_answers_with_the_undo(tmp_path: Path,
                                                                 db_url: str) -> None:
    """Issue #14: a row's own review, dismiss and assign buttons act on the group the row
    stands for ("+2 salinan"), and the htmx answer brings the undo control for that action
    (an out-of-band swap), so it shows without a reload; the undo puts the whole group back."""
    alone = copies_db(tmp_path, db_url)
    htmx = {"HX-Request": "true"}
    with client_for(db_url) as client:
        csrf = login(client, "analyst")
        html = client.get("/triage").text
        [group] = [i for i in _shown(html) if i != alone]
        assert 'id="triage-undo-slot"' in html and 'id="triage-undo"' not in html
        assert "berlaku juga untuk semua salinannya" in html  # the row says so
        done = client.post(f"/triage/{group}/review", headers=htmx,
                           data={"csrf_token": csrf})
        assert done.status_code == 200
        assert f'<tr id="triage-{group}" class="done">' in done.text
        assert "3 post, salinan ikut" in done.text
        assert 'id="triage-undo-slot" hx-swap-oob="true"' in done.text
        assert 'id="triage-undo"' in done.text and "tinjau pada 3 post" in done.text
        assert sorted(_statuses(db_url).values()) == ["open", *["reviewed"] * 3]
        client.post("/triage/undo", data={"csrf_token": csrf})
        assert set(_statuses(db_url).values()) == {"open"}  # the whole group is back
        assigned = client.post(f"/triage/{group}/assign", headers=htmx,
                               data={"csrf_token": csrf, "assignee": "analyst"})
        assert "analyst · 3 post" in assigned.text and "tugaskan pada 3 post" in assigned.text
        assert set(_shown(client.get("/triage?assignee=analyst").text)) == {group}
        # without JavaScript: a redirect to the same filters, where the undo shows
        gone = client.post(f"/triage/{group}/dismiss", data={
            "csrf_token": csrf, "query": "queue=harm&platform=x&evil=1"})
        assert gone.headers["location"] == "/triage?queue=harm&platform=x"
        back = client.get(gone.headers["location"]).text
        assert 'id="triage-undo"' in back and "tolak pada 3 post" in back
        assert _shown(back) == [alone]
        assert 'id="post-group-note"' in client.get(f"/posts/{group}").text
        assert 'id="post-group-note"' not in client.get(f"/posts/{alone}").text
    with open_auth_store(db_url) as auth:
        entry = auth.query_audit(actor="analyst", action="triage_dismiss")[0]
    assert len(entry.detail["posts"]) == 3 and entry.target == "posts:3"


def test_bulk_review_assign_and_dismiss_only_after_confirming(queue_db: str) -> None:
    ids = _ids(queue_db)
    with client_for(queue_db) as client:
        csrf = login(client, "analyst")
        pair = [str(ids[1]), str(ids[2])]
        client.post("/triage/bulk", data={"csrf_token": csrf, "action": "assign",
                                          "assignee": "analyst", "ids": pair})
        assert set(_shown(client.get("/triage?assignee=analyst").text)) == {ids[1], ids[2]}
        response = client.post("/triage/bulk", data={"csrf_token": csrf, "action": "review",
                                                     "ids": pair, "query": "assignee=analyst"})
        assert response.headers["location"] == "/triage?assignee=analyst"
        asked = client.post("/triage/bulk", data={"csrf_token": csrf, "action": "dismiss",
                                                  "ids": [str(ids[5]), str(ids[6])]})
        assert asked.status_code == 200 and 'id="confirm-dismiss"' in asked.text
        assert set(_shown(client.get("/triage").text)) == {ids[5], ids[6]}  # not yet
        client.post("/triage/bulk", data={"csrf_token": csrf, "action": "dismiss",
                                          "confirm": "yes", "ids": [str(ids[5]), str(ids[6])]})
        assert _shown(client.get("/triage").text) == []
        assert set(_shown(client.get("/triage?status=dismissed").text)) == {ids[5], ids[6]}
    with open_store(queue_db) as store:
        judged = store.triage.judgements([ids[1], ids[5]])
        assert (judged[ids[1]]["radicalism"].value, judged[ids[5]]["hate_speech"].value) == (1, 0)
        assert store.triage.get(ids[1]).assignee == "analyst"  # type: ignore[union-attr]


def test_undo_puts_the_state_back_and_the_audit_log_keeps_both(queue_db: str) -> None:
    ids = _ids(queue_db)
    with client_for(queue_db) as client:
        csrf = login(client, "analyst")
        client.post(f"/triage/{ids[1]}/assign", data={"csrf_token": csrf, "assignee": "admin"})
        client.post("/triage/bulk", data={"csrf_token": csrf, "action": "dismiss",
                                          "confirm": "yes", "ids": [str(ids[1]), str(ids[2])]})
        page_html = client.get("/triage?status=dismissed").text
        assert 'id="triage-undo"' in page_html and "tolak pada 2 post" in page_html
        assert client.post("/triage/undo", data={"csrf_token": csrf}).status_code == 303
        assert {ids[1], ids[2]} <= set(_shown(client.get("/triage").text))
        assert 'id="triage-undo"' not in client.get("/triage").text  # once only
        assert client.post("/triage/undo", data={"csrf_token": csrf}).status_code == 404
    with open_store(queue_db) as store:
        state = store.triage.get(ids[1])
        assert state is not None and (state.status, state.assignee) == ("open", "admin")
        assert store.triage.judgements([ids[1]])[ids[1]]["radicalism"].value is None
    with open_auth_store(queue_db) as auth:
        entries = auth.query_audit(actor="analyst")
    undo, dismiss = entries[0], entries[1]
    assert (undo.action, dismiss.action) == ("triage_undo", "triage_dismiss")
    assert undo.detail["undoes"] == dismiss.id and undo.detail["posts"] == [ids[1], ids[2]]


def test_notes_on_a_post_are_shown_on_the_post_page_and_the_row(queue_db: str) -> None:
    ids = _ids(queue_db)
    with client_for(queue_db) as client:
        csrf = login(client, "analyst")
        response = client.post(f"/triage/{ids[1]}/note", data={
            "csrf_token": csrf, "text": "Cek akun ini, pola sama minggu lalu", "back": "post"})
        assert response.headers["location"] == f"/posts/{ids[1]}#notes"
        assert "pola sama minggu lalu" in client.get(f"/posts/{ids[1]}").text
        assert "pola sama minggu lalu" in client.get("/triage").text
        for text in ("", "   ", "x" * 2001):
            refused = client.post(f"/triage/{ids[1]}/note", data={"csrf_token": csrf,
                                                                   "text": text})
            assert refused.status_code == 400 and "2000" in refused.text
        assert client.post(f"/triage/{ids[1]}/note", data={"text": "x"}).status_code == 403
        client.cookies.clear()
        login(client, "viewer")
        assert "pola sama minggu lalu" in client.get(f"/posts/{ids[1]}").text


def test_the_post_page_offers_the_queue_actions(queue_db: str) -> None:
    ids = _ids(queue_db)
    with client_for(queue_db) as client:
        csrf = login(client, "analyst")
        html = client.get(f"/posts/{ids[2]}").text
        for form in ("post-dismiss", "post-assign", "post-note"):
            assert f'id="{form}"' in html
        asked = client.post("/triage/bulk", data={"csrf_token": csrf, "action": "dismiss",
                                                  "ids": [str(ids[2])], "back": "post"})
        assert 'id="confirm-dismiss"' in asked.text
        done = client.post("/triage/bulk", data={"csrf_token": csrf, "action": "dismiss",
                                                 "ids": [str(ids[2])], "back": "post",
                                                 "confirm": "yes"})
        assert done.headers["location"] == f"/posts/{ids[2]}"
        assert 'id="post-undo"' in client.get(f"/posts/{ids[2]}").text
        undone = client.post("/triage/undo", data={"csrf_token": csrf, "back": "post"})
        assert undone.headers["location"] == f"/posts/{ids[2]}"


@pytest.mark.parametrize("query", [
    "after=bm90LWEtY3Vyc29y", "after=%2B%2F", "after=" + "A" * 300, "label=bukan_label",
    "province=Atlantis", "status=lost", "queue=gossip", "since=2026-13-45", "until=kemarin",
    "assignee=nobody_here", "platform=X%20Y"])
def test_hostile_filters_are_refused_with_a_reason(queue_db: str, query: str) -> None:
    with client_for(queue_db) as client:
        login(client, "analyst")
        response = client.get(f"/triage?{query}")
        assert response.status_code == 400
        assert 'id="triage-error"' in response.text and " / " in response.text
        # control characters are refused before the page reads them (the app's own guard)
        assert client.get("/triage?after=%00%01").status_code == 400


def test_bulk_lists_are_bounded_and_unknown_posts_refused(queue_db: str) -> None:
    with client_for(queue_db) as client:
        csrf = login(client, "analyst")
        huge = client.post("/triage/bulk", data={"csrf_token": csrf, "action": "review",
                                                 "ids": [str(i) for i in range(1, MAX_BULK + 2)]})
        assert huge.status_code == 400 and str(MAX_BULK) in huge.text
        assert client.post("/triage/bulk", data={"csrf_token": csrf, "action": "review",
                                                 "ids": ["999999"]}).status_code == 404
        assert client.post("/triage/bulk", data={"csrf_token": csrf, "action": "explode",
                                                 "ids": ["1"]}).status_code == 400
        assert client.post("/triage/bulk", data={"csrf_token": csrf, "action": "assign",
                                                 "assignee": "ghost",
                                                 "ids": ["1"]}).status_code == 400
        bad = client.post("/triage/bulk", data={"csrf_token": csrf, "action": "review",
                                                "ids": ["satu"]})
        assert 400 <= bad.status_code < 500


def test_the_cli_lists_the_queue_with_the_same_filters(
        queue_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _ids(queue_db)
    code, stdout, _ = run_cli(capsys, "triage", "list", "--queue", "disaster", "--json",
                              "--db", queue_db)
    assert code == 0
    [row] = [orjson.loads(line) for line in stdout.splitlines()]
    assert (row["post_id"], row["label"], row["copies"]) == (ids[3], "disaster", 0)
    assert row["priority"] == pytest.approx(2 * 0.9 * row["reach"])  # disaster weighs 2
    code, _, stderr = run_cli(capsys, "triage", "list", "--province", "Atlantis",
                              "--db", queue_db)
    assert code == 2 and "Atlantis" in stderr


def test_refreshed_engagement_raises_the_priority(tmp_path: Path, db_url: str) -> None:
    seen = tweet(1, "Khilafah harus tegak, hijrah sekarang")
    with open_store(db_url) as store:
        first = {**page([seen]), "__twarc": {"retrieved_at": "2026-11-02T08:00:00+00:00"}}
        ingest_paths([write_jsonl(tmp_path / "a.jsonl", [first])], store, IngestOptions())
        store.labels.set_labels([LabelUpdate("x", seen["id"], None, {"radicalism": 0.8},
                                             ["radicalism"], "m")])
        _sync(store)
        [before] = store.triage_queue.page(QueueFilter(), None, 5)
        again = {**seen, "public_metrics": {**seen["public_metrics"], "like_count": 5000}}
        later = {**page([again]), "__twarc": {"retrieved_at": "2026-11-03T08:00:00+00:00"}}
        ingest_paths([write_jsonl(tmp_path / "b.jsonl", [later])], store, IngestOptions())
        _sync(store)
        [after] = store.triage_queue.page(QueueFilter(), None, 5)
    assert after.stored.id == before.stored.id and after.reach > before.reach + 5


def test_the_queue_store_on_both_backends(store_url: str) -> None:  # noqa: F811
    """Marking, working out, filters, keyset pages, copies and notes: the same on SQLite and
    PostgreSQL."""
    posts = [make_post(i, f"Khilafah nomor {i}", labels={"radicalism": 0.5 + i / 100},
                       flags=["radicalism"], repost_of_id="1000" if i in (2, 3) else None)
             for i in range(6)]
    posts.append(make_post(9, "Banjir di Bekasi", labels={"disaster": 0.9}, flags=["disaster"]))
    with open_store(store_url) as store:
        store.posts.write_batch(posts, [], [])
        _sync(store)
        harms = store.triage_queue.page(QueueFilter(), None, 50)
        assert [r.copies for r in harms].count(2) == 1 and len(harms) == 4  # 1000, 1002, 1003
        assert [r.priority for r in harms] == sorted((r.priority for r in harms), reverse=True)
        first = store.triage_queue.page(QueueFilter(), None, 2)
        rest = store.triage_queue.page(QueueFilter(), (first[-1].priority, first[-1].stored.id), 9)
        assert [r.stored.id for r in first + rest] == [r.stored.id for r in harms]
        [flood] = store.triage_queue.page(QueueFilter(queue="disaster"), None, 5)
        store.triage.set(flood.stored.id, status="reviewed", assignee="analyst", user="t")
        assert store.triage_queue.page(QueueFilter(queue="disaster"), None, 5) == []
        assert len(store.triage_queue.page(QueueFilter(
            queue="disaster", status="reviewed", assignee="analyst"), None, 5)) == 1
        group = store.triage_queue.group_of([r.stored.id for r in harms if r.copies])
        assert len(group) == 3
        store.triage_queue.add_note(flood.stored.id, "analyst", "Sudah dicek ke BPBD")
        assert [n.text for n in store.triage_queue.notes([flood.stored.id])[flood.stored.id]] \
            == ["Sudah dicek ke BPBD"]


def test_copies_grouped_into_a_narrative_later_are_shown_once(tmp_path: Path,
                                                              db_url: str) -> None:
    from damai.pipeline.narratives import build

    text = ("Warga pendatang itu harus diusir dari kampung kita sekarang juga, jangan beri "
            "tempat sedikit pun untuk mereka di sini")
    texts = [text, text + " !!", "Ulangi: " + text, "Khilafah harus tegak, hijrah sekarang"]
    fill_posts(tmp_path, db_url, texts,
               {i: ({"hate_speech": 0.7}, ["hate_speech"]) for i in range(1, 5)})
    with open_store(db_url) as store:
        _sync(store)
        assert len(store.triage_queue.page(QueueFilter(), None, 10)) == 4
        assert sum(build(store, embedder=None)) == 4
        _sync(store)
        rows = store.triage_queue.page(QueueFilter(), None, 10)
    assert sorted(r.copies for r in rows) == [0, 2]


def test_a_page_read_works_out_a_bounded_share_and_the_scheduler_the_rest(
        queue_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from damai.pipeline.scheduler import Scheduler
    from damai.web import triage_queue

    monkeypatch.setenv("DAMAI_SCHEDULER", "false")
    monkeypatch.setattr(triage_queue, "SYNC_MOST", 2)
    with client_for(queue_db) as client:
        login(client, "analyst")
        client.get("/triage")  # worked out 2 of the 6
        monkeypatch.setenv("DAMAI_TRIAGE_WEIGHTS", "hoax=4")  # as after a restart: all marked
        html = client.get("/triage").text
        assert "4 post masih menunggu" in html and len(_shown(html)) <= 2
        with open_store(queue_db) as store:
            Scheduler(store).prioritise()
            assert store.triage_queue.marked() == 0
        html = client.get("/triage").text
        assert 'id="triage-marked"' not in html and len(_shown(html)) == 4


def test_the_cli_reviews_dismisses_notes_and_undoes(
        queue_db: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _ids(queue_db)
    assert run_cli(capsys, "triage", "review", str(ids[1]), str(ids[2]), "--db", queue_db)[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert run_cli(capsys, "triage", "dismiss", str(ids[5]), "--db", queue_db)[0] == 1  # asked
    assert run_cli(capsys, "triage", "dismiss", str(ids[5]), "--yes", "--db", queue_db)[0] == 0
    assert run_cli(capsys, "triage", "note", str(ids[5]), "Akun baru, pantau",
                   "--db", queue_db)[0] == 0
    assert run_cli(capsys, "triage", "undo", "--db", queue_db)[0] == 0
    assert run_cli(capsys, "triage", "undo", "--db", queue_db)[0] == 1  # once only
    assert run_cli(capsys, "triage", "review", "999999", "--db", queue_db)[0] == 2
    with open_store(queue_db) as store:
        states = {i: store.triage.get(ids[i]) for i in (1, 5)}
        assert states[1] is not None and states[1].status == "reviewed"
        assert states[5] is not None and states[5].status == "open"  # the dismissal undone
        assert store.triage_queue.notes([ids[5]])[ids[5]][0].text == "Akun baru, pantau"
        actions = [e.action for e in store.audit.query(limit=10) if e.actor.startswith("cli:")]
    assert actions[:3] == ["triage_undo", "triage_note", "triage_dismiss"]
