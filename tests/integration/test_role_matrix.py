"""Every route of the app against every role: allowed or denied exactly as ``ROUTE_ROLES`` says.

The test enumerates ``app.routes`` itself, so a new route that is missing from the table fails
here (and is denied to everyone at run time). Routes under ``/api/v1`` authenticate with bearer
tokens; their half of the matrix (every API route × every role, plus no or bad tokens) is
``test_role_matrix`` in ``tests/integration/test_api.py``, which reads ``API_ROUTE_ROLES`` the same
way and likewise fails on an undeclared route.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from damai.auth import ROLES, open_auth_store, role_at_least
from damai.pipeline.ambassadors import issue_kit, register
from damai.pipeline.library import import_library
from damai.respond.entries import STARTER, read_entries
from damai.storage import open_store
from damai.storage.responses import HarmCheck, NewResponse
from damai.understand.bundled import load_model
from damai.web.authz import API_PREFIX, PUBLIC, ROUTE_ROLES
from tests.integration.web_helpers import PASSWORD, add_users, client_for, fill_posts

ANONYMOUS = "anonymous"


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the app serves, outside /api/."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, Mount):
            found.add(("GET", route.path))
        elif isinstance(route, Route):
            found.update((m, route.path) for m in (route.methods or ()) if m != "HEAD")
        else:  # routers included by FastAPI keep their routes inside
            for context in route.effective_route_contexts():  # type: ignore[attr-defined]
                found.update((m, context.path) for m in context.methods if m != "HEAD")
    return {(m, p) for m, p in found if not p.startswith(API_PREFIX)}


@pytest.fixture(scope="module")
def matrix_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("matrix")
    db_url = f"sqlite:///{tmp / 'damai.sqlite3'}"
    fill_posts(tmp, db_url)
    add_users(db_url)
    store = open_store(db_url)
    import_library(store, None, actor="cli:test")  # for /library/{entry_id}/...
    store.responses.propose(NewResponse("Mari jaga persaudaraan.", "pengusul"),
                            HarmCheck(None, {}, "uji"))  # for /responses/{response_id}/...
    duta = register(store, name="Dewi Lestari", province="Bali", actor="cli:test",
                    consent_scope="Menerima kit konten dan unggahannya dihitung")
    issue_kit(store, duta.id, actor="cli:test")  # for /ambassadors/{ambassador_id}/...
    store.close()
    auth = open_auth_store(db_url)
    for i in range(len(ROLES) + 1):  # one disposable account per role, for /users/{name}/...
        auth.add_user(f"sasaran{i}", "viewer", PASSWORD, actor="cli:test")
    auth.close()
    return db_url


def _flagged_post_id(db_url: str) -> int:
    store = open_store(db_url)
    try:
        recent = store.posts.recent("flagged", 1)
        assert recent, "the matrix needs a flagged post"
        return recent[0].id
    finally:
        store.close()


def _request(client: TestClient, method: str, path: str, csrf: str, target: str,
             post_id: int) -> Any:
    url = (path.replace("{post_id}", str(post_id)).replace("{name}", target)
           .replace("{version}", load_model(None).version)  # the model in service
           .replace("{entry_id}", read_entries(STARTER)[0].id)
           .replace("{response_id}", "1")  # proposed by matrix_db
           .replace("{ambassador_id}", "1").replace("{kit_id}", "1")  # made by matrix_db
           .replace("{publication_id}", "424242")  # none: the page says so
           .replace("{token}", "bukan.token")  # public: a forged link is a plain 404
           .replace("/static", "/static/damai.css"))
    if method == "GET":
        return client.get(url)
    data = {"csrf_token": csrf, "role": "analyst", "assignee": "", "name": "baru-" + target,
            "password": PASSWORD, "label": "radicalism", "value": "0", "asked": "radicalism",
            "text": "Mari jaga persaudaraan.", "enabled": "on"}
    return client.request(method, url, data=data)


def _denied(response: Any) -> bool:
    if response.status_code == 303 and response.headers["location"].startswith("/login?next="):
        return True
    return response.status_code == 403 and "Akses ditolak" in response.text


def test_every_route_is_in_the_table(matrix_db: str) -> None:
    with client_for(matrix_db) as client:
        served = app_routes(client.app)  # type: ignore[arg-type]
    declared = {key for key in ROUTE_ROLES if not key[1].startswith(API_PREFIX)}
    assert served - declared == set(), "add these routes to damai.web.authz.ROUTE_ROLES"
    assert declared - served == set(), "ROUTE_ROLES lists routes the app no longer serves"


@pytest.mark.parametrize("who", [ANONYMOUS, *reversed(ROLES)])
def test_role_matrix(matrix_db: str, who: str) -> None:
    post_id = _flagged_post_id(matrix_db)
    target = f"sasaran{([ANONYMOUS, *ROLES]).index(who)}"
    auth = open_auth_store(matrix_db)
    mismatches = []
    with client_for(matrix_db) as client:
        for (method, path), minimum in sorted(ROUTE_ROLES.items()):
            if path.startswith(API_PREFIX):
                continue
            csrf = ""
            client.cookies.clear()
            if who != ANONYMOUS:  # a fresh session each time: /logout may end the last one
                user = auth.get_user(who)
                assert user is not None
                session = auth.create_session(user, hours=1)
                client.cookies.set("damai_session", session.id, domain="testserver.local")
                csrf = session.csrf
            allowed = minimum == PUBLIC or (who != ANONYMOUS and role_at_least(who, minimum))
            response = _request(client, method, path, csrf, target, post_id)
            if _denied(response) == allowed or response.status_code >= 500:
                mismatches.append((method, path, response.status_code))
    auth.close()
    assert mismatches == [], f"{who}: these routes did not allow/deny as ROUTE_ROLES says"


def test_an_undeclared_route_is_denied_to_everyone(matrix_db: str, tmp_path: Path) -> None:
    with client_for(matrix_db) as client:
        app: FastAPI = client.app  # type: ignore[assignment]

        @app.get("/rahasia")
        async def secret() -> dict[str, str]:
            return {"bocor": "ya"}

        auth = open_auth_store(matrix_db)
        admin = auth.get_user("admin")
        assert admin is not None
        session = auth.create_session(admin, hours=1)
        auth.close()
        client.cookies.set("damai_session", session.id, domain="testserver.local")
        response = client.get("/rahasia")
        assert response.status_code == 403 and "bocor" not in response.text
