"""Issue #11 in the dashboard: the library page and its filters, an entry with its versions and
uses, create and edit as drafts (analysts), approve and retire (approvers), CSRF, and a diff that
shows what changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from damai.pipeline.library import import_library
from damai.respond.entries import STARTER, read_entries
from damai.storage import Store, open_store
from tests.integration.web_helpers import add_users, client_for, login

NEW: dict[str, Any] = {
    "id": "cn-ronda-malam", "title": "Ronda malam bersama",
    "text_id": "Ronda malam mempertemukan warga dari berbagai latar belakang.",
    "text_en": "", "short_280": "Ronda malam mempertemukan warga.",
    "short_500": "Ronda malam mempertemukan warga dari berbagai latar belakang.",
    "themes": ["tolerance", "pancasila"], "labels": "sara, hate_speech.category.religion",
    "tone": "civic", "source": "", "author": "rina",
}


@pytest.fixture
def web_db(db_url: str) -> Iterator[str]:
    store = open_store(db_url)
    import_library(store, None, actor="cli:test")
    store.close()
    add_users(db_url, ("admin", "approver", "analyst", "viewer"))
    yield db_url


def opened(db_url: str) -> Store:
    return open_store(db_url)


def versions(db_url: str, entry_id: str) -> list[tuple[int, str, str]]:
    store = opened(db_url)
    try:
        return [(v.entry.version, v.entry.status, v.created_by)
                for v in store.library.versions(entry_id)]
    finally:
        store.close()


def create(client: TestClient, csrf: str, **changes: Any) -> Any:
    return client.post("/library", data={**NEW, **changes, "csrf_token": csrf})


def test_the_library_lists_and_filters_entries(web_db: str) -> None:
    starter = read_entries(STARTER)
    with client_for(web_db) as client:
        login(client, "viewer")
        page = client.get("/library").text
        assert 'href="/library"' in page and "Pustaka narasi" in page  # in the navigation
        listed = set(re.findall(r'<tr id="entry-([^"]+)"', page))
        assert listed == {e.id for e in starter}
        assert 'id="library-new"' not in page  # a viewer writes nothing
        literacy = client.get("/library", params={"theme": "literacy"}).text
        assert set(re.findall(r'<tr id="entry-([^"]+)"', literacy)) == {
            e.id for e in starter if "literacy" in e.themes}
        drafts = client.get("/library", params={"status": "draft", "tone": "humorous"}).text
        assert set(re.findall(r'<tr id="entry-([^"]+)"', drafts)) == {
            e.id for e in starter if e.status == "draft" and e.tone == "humorous"}
        english = client.get("/lang", params={"to": "en", "next": "/library"})
        assert english.status_code in (302, 303, 307)
        assert "Counter-narrative library" in client.get("/library").text


def test_an_analyst_creates_a_draft_and_edits_it_into_a_new_version(web_db: str) -> None:
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        assert 'id="library-new"' in client.get("/library").text
        assert client.get("/library/new").status_code == 200
        response = create(client, csrf)
        assert response.status_code == 303
        assert response.headers["location"] == "/library/cn-ronda-malam"
        page = client.get("/library/cn-ronda-malam").text
        assert "Ronda malam bersama" in page and "draf" in page
        assert 'id="entry-approve"' not in page and 'id="entry-retire"' not in page
        form = client.get("/library/cn-ronda-malam/edit").text
        assert "Ronda malam mempertemukan warga dari berbagai" in form
        edited = {**NEW, "short_280": "Ronda malam mempertemukan warga lintas iman.",
                  "csrf_token": csrf}
        del edited["id"]
        assert client.post("/library/cn-ronda-malam", data=edited).status_code == 303
        assert client.post("/library/cn-ronda-malam", data=edited).status_code == 303  # same
    assert versions(web_db, "cn-ronda-malam") == [(2, "draft", "analyst"),
                                                  (1, "draft", "analyst")]
    store = opened(web_db)
    try:
        actions = [(e.actor, e.action, e.target) for e in store.audit.query()[:2]]
        current = store.library.get("cn-ronda-malam")
    finally:
        store.close()
    assert actions == [("analyst", "library_edit", "library:cn-ronda-malam"),
                       ("analyst", "library_create", "library:cn-ronda-malam")]
    assert current is not None and current.entry.labels == ("sara",
                                                             "hate_speech.category.religion")
    assert current.entry.themes == ("tolerance", "pancasila") and current.entry.text_en is None


def test_a_bad_form_is_shown_again_with_every_problem_and_nothing_is_kept(web_db: str) -> None:
    taken = read_entries(STARTER)[0].id
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        response = create(client, csrf, themes=["tolerance", "pancasila", "literacy"],
                          short_280="x" * 281, labels="sara, bukan_label", title="")
        assert response.status_code == 400
        problems = set(re.findall(r'<li data-field="([^"]+)"', response.text))
        assert problems == {"themes", "short_280", "labels", "title"}
        assert 'value="cn-ronda-malam"' in response.text  # what was typed stays
        assert create(client, csrf, id="Bukan ID!").status_code == 400
        assert create(client, csrf, id="new").status_code == 400
        taken_page = create(client, csrf, id=taken)
        assert taken_page.status_code == 400 and "id sudah dipakai" in taken_page.text
    assert versions(web_db, "cn-ronda-malam") == []
    assert len(versions(web_db, taken)) == 1


def test_approvers_approve_and_retire_and_analysts_cannot(web_db: str) -> None:
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        create(client, csrf)
        for action in ("approve", "retire"):
            denied = client.post(f"/library/cn-ronda-malam/{action}", data={"csrf_token": csrf})
            assert denied.status_code == 403
    with client_for(web_db) as client:
        csrf = login(client, "approver")
        page = client.get("/library/cn-ronda-malam").text
        assert 'id="entry-approve"' in page and 'id="entry-retire"' in page
        assert client.post("/library/cn-ronda-malam/approve",
                           data={"csrf_token": csrf}).status_code == 303
        assert 'id="entry-approve"' not in client.get("/library/cn-ronda-malam").text
        assert client.post("/library/cn-ronda-malam/retire",
                           data={"csrf_token": csrf}).status_code == 303
        assert client.post("/library/cn-tidak-ada/retire",
                           data={"csrf_token": csrf}).status_code == 404
    assert versions(web_db, "cn-ronda-malam") == [
        (3, "retired", "approver"), (2, "approved", "approver"), (1, "draft", "analyst")]


def test_every_change_needs_the_csrf_token(web_db: str) -> None:
    entry = read_entries(STARTER)[0].id
    with client_for(web_db) as client:
        login(client, "admin")
        assert create(client, "salah").status_code == 403
        assert client.post(f"/library/{entry}/retire").status_code == 403
        edited = {k: v for k, v in NEW.items() if k != "id"}
        assert client.post(f"/library/{entry}", data=edited).status_code == 403
    assert versions(web_db, "cn-ronda-malam") == []
    assert [v[0] for v in versions(web_db, entry)] == [1]


def test_the_diff_shows_what_changed_field_by_field(web_db: str) -> None:
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        create(client, csrf)
        edited = {**NEW, "title": "Ronda malam lintas iman", "csrf_token": csrf}
        del edited["id"]
        client.post("/library/cn-ronda-malam", data=edited)
        store = opened(web_db)
        try:
            store.library.record_use("cn-ronda-malam", kind="response", ref="42", user="ani")
        finally:
            store.close()
        page = client.get("/library/cn-ronda-malam").text
        assert 'href="/library/cn-ronda-malam/diff?a=1&amp;b=2"' in page
        assert re.search(r"response\s+42", page) and 'id="version-2"' in page
        diff = client.get("/library/cn-ronda-malam/diff", params={"a": 1, "b": 2})
        assert diff.status_code == 200
        row = re.search(r'<tr id="diff-title" class="changed">(.*?)</tr>', diff.text, re.S)
        assert row is not None
        assert "<del>bersama</del>" in row.group(1) and "<ins>lintas iman</ins>" in row.group(1)
        assert '<tr id="diff-text_id" class="same">' in diff.text
        default = client.get("/library/cn-ronda-malam/diff").text  # newest and the one before
        assert "<ins>lintas iman</ins>" in default
        assert client.get("/library/cn-ronda-malam/diff", params={"b": 9}).status_code == 404
        assert client.get("/library/cn-tidak-ada").status_code == 404
        assert client.get("/library/cn-tidak-ada/diff").status_code == 404


def test_hostile_text_in_an_entry_is_inert(web_db: str) -> None:
    with client_for(web_db) as client:
        csrf = login(client, "analyst")
        create(client, csrf, title='<script>alert("x")</script>')
        page = client.get("/library/cn-ronda-malam").text
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;" in page
