"""Issue #11, part 7 and 8 in the dashboard: each flagged post's top three recommendations with
their reasons (the triage queue and the post page), proposing one in one click, the fact-check
pages, and the respond measures on the overview."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from damai.pipeline.recommend import for_posts
from damai.pipeline.responses import Actor, approve
from damai.records import ClaimHit
from damai.respond.claims import Claim
from damai.storage import open_store
from tests.integration.web_helpers import client_for, login, respond_db

TEXTS = [
    "Pancasila itu thogut. Tinggalkan demokrasi, hijrah dan angkat senjata bersama kami.",
    "Those people are enemies of our faith, drive every one of them out of this town.",
    "!!! ??? ...",
    "Banjir setinggi dada di Kampung Melayu, warga butuh perahu karet dan makanan.",
]
SCORES = {
    1: ({"radicalism": 0.91, "hate_speech": 0.2}, ["radicalism"]),
    2: ({"hate_speech": 0.83}, ["hate_speech"]),
    3: ({"hoax": 0.7}, ["hoax"]),
    4: ({"disaster": 0.9}, ["disaster"]),
}
REC = re.compile(r'<li class="rec" data-entry="([^"]+)">')


@pytest.fixture
def web_db(tmp_path: Path, db_url: str) -> Iterator[str]:
    yield respond_db(tmp_path, db_url, TEXTS, SCORES)


def post_ids(db_url: str) -> dict[str, int]:
    """Stored post id by the text's first word."""
    with open_store(db_url) as store:
        found = store.posts.recent("flagged", 10)
    return {s.post.text.split()[0]: s.id for s in found}


def recommended(client: TestClient, post: int) -> tuple[list[str], str]:
    answer = client.get(f"/posts/{post}/recommendations")
    assert answer.status_code == 200, answer.text[-300:]
    return REC.findall(answer.text), answer.text


def test_a_flagged_post_gets_three_reasoned_recommendations(web_db: str) -> None:
    ids = post_ids(web_db)
    with client_for(web_db) as client:
        login(client, "analyst")
        entries, html = recommended(client, ids["Pancasila"])
        assert len(entries) == 3 and html.count('class="propose-rec"') == 3
        assert html.count("<ul class=\"reasons small\">") == 3
        assert "Post bernada Radikalisme" in html  # the label-fit reason, in Indonesian
        client.cookies.set("damai_lang", "en")
        english = client.get(f"/posts/{ids['Pancasila']}/recommendations").text
        assert "The post reads as Radicalism" in english and "Post bernada" not in english
    with open_store(web_db) as store:
        stored = store.posts.get_by_id(ids["Pancasila"])
        assert stored is not None
        direct = for_posts(store, [stored])[stored.id]
        themes = {t for r in direct.recommendations for t in r.themes}
    assert [r.entry_id for r in direct.recommendations] == entries
    assert themes & {"anti_violence", "anti_recruitment", "pancasila"}


def test_another_language_gets_recommendations_and_a_wordless_post_a_message(
        web_db: str) -> None:
    ids = post_ids(web_db)
    with client_for(web_db) as client:
        login(client, "analyst")
        entries, html = recommended(client, ids["Those"])
        assert len(entries) == 3 and "lintas bahasa" in html
        none, message = recommended(client, ids["!!!"])
        assert none == [] and 'class="muted small no-recs"' in message
        assert "Tidak ada rekomendasi" in message


def test_the_triage_queue_loads_each_rows_recommendations(web_db: str) -> None:
    ids = post_ids(web_db)
    with client_for(web_db) as client:
        login(client, "analyst")
        page = client.get("/triage").text
    for first_word in ("Pancasila", "Those"):
        assert f'hx-get="/posts/{ids[first_word]}/recommendations"' in page
        assert f'href="/posts/{ids[first_word]}#recommendations"' in page  # without script


def test_one_click_proposes_and_the_used_entry_is_ranked_lower(web_db: str) -> None:
    ids = post_ids(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        entries, _ = recommended(client, ids["Pancasila"])
        answer = client.post(f"/posts/{ids['Pancasila']}/responses", headers={"HX-Request": "1"},
                             data={"csrf_token": csrf, "mode": "entry", "entry_id": entries[0],
                                   "back": "triage"})
        assert answer.status_code == 200 and 'class="recs proposed"' in answer.text
        made = int(re.findall(r'href="/responses#response-(\d+)"', answer.text)[0])
        after, html = recommended(client, ids["Pancasila"])
        assert "Dipakai baru-baru ini" in html or entries[0] not in after
        assert client.post(f"/posts/{ids['Pancasila']}/responses",
                           data={"mode": "entry", "entry_id": entries[0]}).status_code == 403
    with open_store(web_db) as store:
        response = store.responses.get(made)
        assert response is not None and response.state == "in_review"
        assert response.entry_id == entries[0] and response.proposed_by == "analyst"
        assert [u.kind for u in store.library.usage(entries[0])] == ["response"]


def test_a_retired_entry_is_no_longer_recommended(web_db: str) -> None:
    ids = post_ids(web_db)
    with client_for(web_db) as client:
        login(client, "analyst")
        entries, _ = recommended(client, ids["Pancasila"])
        with open_store(web_db) as store:
            store.library.set_status(entries[0], "retired", actor="approver",
                                     action="library_retire")
        after, _ = recommended(client, ids["Pancasila"])
    assert entries[0] not in after and len(after) == 3


def test_the_post_page_shows_them_to_analysts_only(web_db: str) -> None:
    ids = post_ids(web_db)
    with client_for(web_db) as client:
        login(client, "analyst")
        assert 'id="recommendations"' in client.get(f"/posts/{ids['Pancasila']}").text
    with client_for(web_db) as client:
        login(client, "viewer")
        assert 'id="recommendations"' not in client.get(f"/posts/{ids['Pancasila']}").text
        assert client.get(f"/posts/{ids['Pancasila']}/recommendations").status_code == 403


@pytest.mark.parametrize("post", ["999999", str(2**70), "-1", "x"])
def test_a_post_that_does_not_exist_is_a_404(web_db: str, post: str) -> None:
    with client_for(web_db) as client:
        login(client, "analyst")
        answer = client.get(f"/posts/{post}/recommendations")
    assert answer.status_code in (404, 422)


def add_claims(db_url: str) -> dict[str, int]:
    ids = post_ids(db_url)
    with open_store(db_url) as store:
        store.claims.import_claims([
            Claim("cek-01", "Hujan buatan menyebabkan banjir Jakarta", "false",
                  "Banjir dipicu curah hujan ekstrem; tidak ada operasi hujan buatan.",
                  "https://contoh.damai.invalid/cek-01", date(2026, 11, 3)),
            Claim("cek-02", "Posko banjir menerima bantuan lewat rekening resmi BPBD", "true",
                  "Rekening itu memang diumumkan BPBD.", "javascript:alert(1)",
                  date(2026, 11, 4))])
        stored = store.posts.get_by_id(ids["Banjir"])
        assert stored is not None
        key = (stored.post.platform, stored.post.platform_id)
        store.claims.replace_matches([(key, ClaimHit("cek-01", 0.95, "false", "x"))])
    return ids


def test_the_fact_check_pages_list_filter_and_show_the_posts(web_db: str) -> None:
    ids = add_claims(web_db)
    with client_for(web_db) as client:
        login(client, "viewer")
        listing = client.get("/claims").text
        assert listing.count('data-verdict="') == 2 and 'href="/claims/cek-01"' in listing
        assert 'data-verdict="true"' not in client.get("/claims?verdict=false").text
        assert "cek-02" not in client.get("/claims?q=hujan+buatan").text
        detail = client.get("/claims/cek-01").text
        assert f'data-post="{ids["Banjir"]}"' in detail and "0.95" in detail
        assert "Banjir dipicu curah hujan" in detail
        other = client.get("/claims/cek-02").text
        assert 'href="javascript' not in other and "javascript:alert(1)" in other  # inert
        post_page = client.get(f"/posts/{ids['Banjir']}").text
        assert 'href="/claims/cek-01"' in post_page
        for bad in ("nope", "a%00b", "x" * 300):
            assert client.get(f"/claims/{bad}").status_code in (400, 404, 422)
        assert client.get("/claims?q=" + "x" * 500).status_code == 422


def test_the_overview_measures_coverage_time_and_themes(web_db: str) -> None:
    ids = post_ids(web_db)
    with client_for(web_db) as client:
        login(client, "viewer")
        before = client.get("/").text
    assert re.search(r'id="measure-coverage">0%', before)
    assert "0 dari 3 post" in before  # radicalism, hate speech, hoax; disaster is no harm
    with open_store(web_db) as store:
        entry = for_posts(store, [s for s in [store.posts.get_by_id(ids["Pancasila"])]
                                  if s])[ids["Pancasila"]].recommendations[0]
        from damai.pipeline.responses import propose
        from damai.understand.bundled import load_model
        stored = store.posts.get_by_id(ids["Pancasila"])
        assert stored is not None
        made = propose(store, load_model(), Actor("analyst", "analyst"),
                       entry_id=entry.entry_id,
                       post_ref=f"{stored.post.platform}:{stored.post.platform_id}")
        approve(store, Actor("approver2", "approver"), made.id)
    with client_for(web_db) as client:
        login(client, "viewer")
        after = client.get("/").text
    assert re.search(r'id="measure-coverage">33%', after) and "1 dari 3 post" in after
    assert re.search(r'id="measure-median">\d+\.\d jam', after)
    used = re.findall(r'<tr data-theme="([a-z_]+)"><td>[^<]+</td><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td>', after)
    counted = {theme: (int(n), int(uses)) for theme, n, uses in used}
    assert all(counted[t] == (1, 1) for t in entry.themes)
    assert sum(n for n, _ in counted.values()) == len(entry.themes)


def test_approvers_see_how_many_responses_wait_for_them(web_db: str) -> None:
    ids = post_ids(web_db)
    with client_for(web_db) as client:
        csrf = login(client, "approver")
        assert 'hx-get="/responses/waiting"' in client.get("/").text
        assert "data-waiting" not in client.get("/responses/waiting").text
        client.post(f"/posts/{ids['Pancasila']}/responses",
                    data={"csrf_token": csrf, "mode": "text", "text": "Mari saling menghormati."})
        # four-eyes: one's own proposal does not wait for oneself
        assert "data-waiting" not in client.get("/responses/waiting").text
    with client_for(web_db) as client:
        login(client, "approver2")
        assert 'data-waiting="1"' in client.get("/responses/waiting").text
    with client_for(web_db) as client:
        login(client, "analyst")
        assert 'hx-get="/responses/waiting"' not in client.get("/").text
        assert client.get("/responses/waiting").status_code == 403


def test_warming_up_readies_the_stores_library(web_db: str) -> None:
    from damai.pipeline.recommend import library_recommender, warm

    with open_store(web_db) as store:
        ready = warm(store)
        assert ready == len(store.library.current(status="approved")) > 0
        assert library_recommender(store) is library_recommender(store)  # built once
