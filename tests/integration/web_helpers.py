"""Helpers shared by the dashboard tests: a store with users and posts, and logging in."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from damai.auth import ROLES, open_auth_store
from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.storage import open_store
from damai.storage.base import LabelUpdate
from damai.web.app import create_app
from tests.conftest import page, tweet, write_jsonl
from tests.integration.test_auth_store import fast_passwords

PASSWORD = "frasa-sandi-yang-cukup-panjang"
HOSTILE = ('<script>alert("x")</script> <a href="javascript:alert(1)">klik</a> <b>tebal</b> '
           "Bom rakitan siap, serang kafir di Bekasi #jihad")


def add_users(db_url: str, roles: tuple[str, ...] = ROLES) -> None:
    """One user per role, named after it (``admin``, ``analyst``, ...), all with PASSWORD."""
    auth = open_auth_store(db_url, passwords=fast_passwords())
    try:
        for role in roles:
            auth.add_user(role, role, PASSWORD, actor="cli:test")
    finally:
        auth.close()


#: scores given to the posts of fill_posts, by position (1-based), as a model would
SCORES: dict[int, tuple[dict[str, float], list[str]]] = {
    1: ({"radicalism": 0.91, "hate_speech": 0.72, "disaster": 0.02}, ["radicalism", "hate_speech"]),
    2: ({"radicalism": 0.03, "hate_speech": 0.05, "disaster": 0.88}, ["disaster"]),
}


def fill_posts(tmp_path: Path, db_url: str, texts: list[str] | None = None,
               scores: dict[int, tuple[dict[str, float], list[str]]] | None = None) -> None:
    """Ingest tweets with ``texts`` (default: HOSTILE and a flood report) and give them
    ``scores`` (default: SCORES) as if the model had scored them."""
    tweets = [tweet(i, text) for i, text in enumerate(texts or [HOSTILE, "Banjir di Bekasi"], 1)]
    path = write_jsonl(tmp_path / "posts.jsonl", [page(tweets)])
    store = open_store(db_url)
    try:
        ingest_paths([path], store, IngestOptions())
        store.labels.set_labels([LabelUpdate("x", tweets[i - 1]["id"], None, labels, flags,
                                      "test-model") for i, (labels, flags)
                          in (SCORES if scores is None else scores).items() if i <= len(tweets)])
    finally:
        store.close()


def respond_db(tmp_path: Path, db_url: str, texts: list[str] | None = None,
               scores: dict[int, tuple[dict[str, float], list[str]]] | None = None) -> str:
    """:func:`fill_posts`, the starter library, a user per role and a second approver
    (``approver2``): what the respond pages need (issue #11)."""
    from damai.pipeline.library import import_library

    fill_posts(tmp_path, db_url, texts, scores)
    with open_store(db_url) as store:
        import_library(store, None, actor="cli:test")
    add_users(db_url)
    with open_auth_store(db_url, passwords=fast_passwords()) as auth:
        auth.add_user("approver2", "approver", PASSWORD, actor="cli:test")
    return db_url


def client_for(db_url: str) -> TestClient:
    """A client on https, so the Secure session cookie is sent back as a browser would."""
    return TestClient(create_app(db_url), base_url="https://testserver", follow_redirects=False)


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def login_token(html: str) -> str:
    found = re.search(r'id="login-csrf" name="csrf_token" value="([^"]+)"', html)
    assert found, "no login form in the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; return the session's CSRF token."""
    token = login_token(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": password,
                                           "csrf_token": token, "next": "/"})
    assert response.status_code == 303, (response.status_code, response.text[-600:])
    return form_token(client.get("/").text)
