"""Issue #4: the HTTP API under ``/api/v1``, used the way a partner system uses it.

Real tokens are made through the account store; requests go through the whole app
(``create_app``). The tests marked for both backends also run on PostgreSQL when
``DAMAI_TEST_PG_URL`` is set.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from damai.auth import ROLES, open_auth_store
from damai.pipeline.ambassadors import issue_kit, register
from damai.pipeline.library import import_library
from damai.records import Post
from damai.respond.entries import STARTER, read_entries
from damai.storage import PostQuery, open_store
from damai.storage.responses import HarmCheck, NewResponse
from damai.understand.bundled import load_model
from damai.web.api import API_PREFIX, API_ROUTE_ROLES
from damai.web.app import create_app
from tests.conftest import page, tweet
from tests.integration.test_auth_store import fast_passwords
from tests.integration.test_store_contract import T0, make_post, pg_schema

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
API = API_PREFIX


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]  # role → a live token of a user with that role
    url: str

    def get(self, path: str, role: str = "viewer", **kwargs: Any) -> Any:
        return self.client.get(API + path, headers=self.auth(role), **kwargs)

    def post(self, path: str, role: str = "analyst", **kwargs: Any) -> Any:
        headers = self.auth(role) | kwargs.pop("headers", {})
        return self.client.post(API + path, headers=headers, **kwargs)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def labelled(i: int, scores: dict[str, float], flags: list[str], **fields: Any) -> Post:
    return make_post(i, labels=scores, flags=flags, model_version="m1", **fields)


#: 60 posts a minute apart: every 4th is flagged ``hate``, every 3rd is on Mastodon, every 5th in
#: English; post 7 mentions "banjir"; the Bluesky and Telegram ids carry slashes
def stored_posts() -> list[Post]:
    posts = []
    for i in range(60):
        hate = 0.9 if i % 4 == 0 else round(0.01 * i, 2)
        posts.append(labelled(
            i, {"hate": hate, "disaster": 0.2}, ["hate"] if i % 4 == 0 else [],
            platform="mastodon" if i % 3 == 0 else "twitter",
            language="en" if i % 5 == 0 else "id",
            text="Banjir di Bekasi, warga mengungsi" if i == 7 else f"Kabar pagi nomor {i}"))
    posts.append(make_post(60, platform="bluesky",
                           platform_id="at://did:plc:abc/app.bsky.feed.post/3kxyz"))
    posts.append(make_post(61, platform="telegram", platform_id="c1/6"))
    return posts


def open_api(url: str) -> Iterator[Api]:
    store = open_store(url)
    store.posts.write_batch(stored_posts(), [], [])
    job = store.jobs.add("ingest", actor="test", ip=None, path="/tmp/selesai.jsonl", detail={})
    store.jobs.update(job.id, state="done")
    import_library(store, None, actor="test")  # the starter library, for GET /library
    store.close()
    auth = open_auth_store(url, passwords=fast_passwords())
    tokens = {}
    for role in ROLES:
        auth.add_user(f"u-{role}", role, "kata-sandi-yang-panjang", actor="test")
        tokens[role] = auth.create_token(f"u-{role}", "uji", actor="test")
    auth.close()
    with TestClient(create_app(url)) as client:
        yield Api(client, tokens, url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def api(request: pytest.FixtureRequest, db_url: str) -> Iterator[Api]:
    """The API over a store with :func:`stored_posts`, on each backend."""
    if request.param == "sqlite":
        yield from open_api(db_url)
    else:
        with pg_schema() as url:
            yield from open_api(url)


@pytest.fixture
def lite(db_url: str) -> Iterator[Api]:
    """The same on SQLite only, for behaviour that does not depend on the backend."""
    yield from open_api(db_url)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code
    assert " / " in body["error"]["message"]  # Indonesian, then English
    return dict(body["error"])


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["platform_id"] for item in items]


def expected_ids(url: str, query: PostQuery) -> list[str]:
    store = open_store(url)
    try:
        return [p.platform_id for p in store.posts.query(query)]
    finally:
        store.close()


# -- tokens and roles -----------------------------------------------------------------------------
def route_templates(client: TestClient) -> set[tuple[str, str]]:
    """(method, full path template) of every route the API application serves."""
    mounted = next(r for r in client.app.routes if getattr(r, "path", "") == API)  # type: ignore[attr-defined]
    found = set()
    for route in mounted.app.routes:
        for method in getattr(route, "methods", set()) - {"HEAD"}:
            found.add((method, API + route.path.replace(":path}", "}")))
    return found


def test_every_api_route_declares_its_role(lite: Api) -> None:
    assert route_templates(lite.client) == set(API_ROUTE_ROLES)
    assert set(API_ROUTE_ROLES.values()) <= set(ROLES)


#: a request that reaches each route's work once authorised
SAMPLES: dict[tuple[str, str], Any] = {
    ("GET", f"{API}/openapi.json"): {},
    ("GET", f"{API}/posts"): {"params": {"limit": 2}},
    ("GET", f"{API}/posts/{{post_id}}"): {"path": f"{API}/posts/twitter:1001"},
    ("GET", f"{API}/stats"): {},
    ("GET", f"{API}/library"): {"params": {"theme": "literacy"}},
    ("POST", f"{API}/classify"): {"json": {"text": "banjir di Bekasi"}},
    ("POST", f"{API}/recommend"): {"json": {"text": "banjir di Bekasi"}},
    ("POST", f"{API}/ingest"): {"content": orjson.dumps(page([tweet(1)])),
                                "headers": {"content-type": "application/json"}},
    ("GET", f"{API}/jobs/{{job_id}}"): {"path": f"{API}/jobs/1"},  # made by open_api
    ("GET", f"{API}/responses/{{response_id}}"): lambda api: {
        "path": f"{API}/responses/{fresh_response(api)}"},
    ("POST", f"{API}/responses"): {"json": {"text": "Mari jaga persaudaraan."}},
    ("PATCH", f"{API}/responses/{{response_id}}"): lambda api: {
        "path": f"{API}/responses/{fresh_response(api)}", "json": {"text": "Salam damai."}},
    ("POST", f"{API}/responses/{{response_id}}/approve"): lambda api: {
        "path": f"{API}/responses/{fresh_response(api)}/approve"},
    ("POST", f"{API}/responses/{{response_id}}/reject"): lambda api: {
        "path": f"{API}/responses/{fresh_response(api)}/reject"},
    ("POST", f"{API}/publications"): lambda api: {
        "json": {"response_id": fresh_response(api, approved=True), "channel": "dry-run"}},
    # the publishing queue (issue #12)
    ("GET", f"{API}/channels"): {},
    ("POST", f"{API}/channels/pause"): {"json": {"channel": "x:damai_id", "reason": "uji"}},
    ("POST", f"{API}/channels/resume"): {"json": {"channel": "x:damai_id"}},
    ("POST", f"{API}/publications/{{publication_id}}/retract"): lambda api: {
        "path": f"{API}/publications/{fresh_publication(api)}/retract",
        "json": {"reason": "tanggal salah"}},
    # campaigns (issue #12)
    ("GET", f"{API}/campaigns"): {},
    ("GET", f"{API}/campaigns/{{campaign_id}}"): lambda api: {
        "path": f"{API}/campaigns/{fresh_campaign(api)}"},
    ("POST", f"{API}/campaigns"): lambda api: {"json": campaign_body(api)},
    ("POST", f"{API}/campaigns/{{campaign_id}}/activate"): lambda api: {
        "path": f"{API}/campaigns/{fresh_campaign(api)}/activate"},
    ("POST", f"{API}/campaigns/{{campaign_id}}/pause"): lambda api: {
        "path": f"{API}/campaigns/{fresh_campaign(api, active=True)}/pause"},
    ("POST", f"{API}/campaigns/{{campaign_id}}/end"): lambda api: {
        "path": f"{API}/campaigns/{fresh_campaign(api)}/end"},
    ("POST", f"{API}/campaigns/{{campaign_id}}/confirm-missed"): lambda api: {
        "path": f"{API}/campaigns/{fresh_campaign(api, active=True)}/confirm-missed"},

    ("GET", f"{API}/ambassadors"): {"params": {"province": "bali"}},
    ("GET", f"{API}/ambassadors/reach"): {"params": {"by": "campaign"}},
    ("GET", f"{API}/ambassadors/kits"): {},
    ("POST", f"{API}/ambassadors"): {"json": {
        "name": "Wayan Sudarma", "province": "Bali", "consent_scope": "Menerima kit konten"}},
    ("GET", f"{API}/ambassadors/{{ambassador_id}}"): lambda api: {
        "path": f"{API}/ambassadors/{fresh_ambassador(api)[0]}"},
    ("POST", f"{API}/ambassadors/{{ambassador_id}}/withdraw"): lambda api: {
        "path": f"{API}/ambassadors/{fresh_ambassador(api)[0]}/withdraw"},
    ("POST", f"{API}/ambassadors/{{ambassador_id}}/kits"): lambda api: {
        "path": f"{API}/ambassadors/{fresh_ambassador(api)[0]}/kits",
        "json": {"campaign_id": "damai-di-kampus"}},
    ("POST", f"{API}/kits/{{kit_id}}/revoke"): lambda api: {
        "path": f"{API}/kits/{fresh_ambassador(api)[1]}/revoke"},
    # measurement (issue #12 part 7)
    ("GET", f"{API}/measure"): {"params": {"by": ["campaign", "province"]}},
    # hazard events (issue #13)
    ("GET", f"{API}/events"): {"params": {"limit": 10, "source": "bmkg"}},
    ("GET", f"{API}/map"): {},
    # ... and their alerts (issue #13 part 5)
    ("GET", f"{API}/events/{{event_id}}"): lambda api: {
        "path": f"{API}/events/{fresh_alert(api)[0]}"},
    ("GET", f"{API}/events/{{event_id}}/alerts"): lambda api: {
        "path": f"{API}/events/{fresh_alert(api)[0]}/alerts"},
    ("POST", f"{API}/events/{{event_id}}/alerts"): lambda api: {
        "path": f"{API}/events/{fresh_alert(api)[0]}/alerts", "json": {"msg_type": "Update"}},
    ("GET", f"{API}/events/{{event_id}}/cap"): lambda api: {
        "path": f"{API}/events/{fresh_alert(api, approved=True)[0]}/cap"},
    ("GET", f"{API}/alerts/{{alert_id}}"): lambda api: {
        "path": f"{API}/alerts/{fresh_alert(api)[1]}"},
    ("POST", f"{API}/alerts/{{alert_id}}/approve"): lambda api: {
        "path": f"{API}/alerts/{fresh_alert(api)[1]}/approve"},
    ("POST", f"{API}/alerts/{{alert_id}}/reject"): lambda api: {
        "path": f"{API}/alerts/{fresh_alert(api)[1]}/reject", "json": {"reason": "uji"}},
    ("POST", f"{API}/alerts/{{alert_id}}/publish"): lambda api: {
        "path": f"{API}/alerts/{fresh_alert(api, approved=True)[1]}/publish", "json": {}},
    # the post-disaster hoax watch (issue #13 part 7)
    ("GET", f"{API}/hoaxwatch"): {},
    ("POST", f"{API}/hoaxwatch/{{event_id}}/{{post_id}}/draft"): lambda api: {
        "path": "{}/hoaxwatch/{}/{}/draft".format(API, *fresh_hoax(api))},
    ("POST", f"{API}/hoaxwatch/{{event_id}}/{{post_id}}/dismiss"): lambda api: {
        "path": "{}/hoaxwatch/{}/{}/dismiss".format(API, *fresh_hoax(api)), "json": {}},
    # narratives (issue #14 part 2)
    ("GET", f"{API}/narratives"): {"params": {"order": "recent", "min_size": 1}},
    ("GET", f"{API}/narratives/{{narrative_id}}"): lambda api: {
        "path": f"{API}/narratives/{fresh_narrative(api)}"},
    # reports (issue #14 part 6)
    ("GET", f"{API}/reports/weekly"): {"params": {"week": "2026-W48"}},
    ("GET", f"{API}/reports/transparency"): {"params": {"since": "2026-11-01",
                                                         "until": "2026-11-30"}},
    # watchlists and notifications (issue #14 part 5)
    ("GET", f"{API}/watchlists"): {},
    ("POST", f"{API}/watchlists"): {"json": {"name": "Hoaks banjir",
                                             "query": "banjir label:hoax"}},
    ("GET", f"{API}/watchlists/{{watchlist_id}}"): lambda api: {
        "path": f"{API}/watchlists/{fresh_watchlist(api)}"},
    ("DELETE", f"{API}/watchlists/{{watchlist_id}}"): lambda api: {
        "path": f"{API}/watchlists/{fresh_watchlist(api)}"},
    ("GET", f"{API}/notifications"): {"params": {"limit": 5}},
    ("POST", f"{API}/notifications/read"): {"json": {"upto": 1}},
    # the triage queue (issue #14 part 1)
    ("GET", f"{API}/triage"): {"params": {"queue": "harm", "assignee": "-", "limit": 5}},
    ("POST", f"{API}/triage/review"): lambda api: {"json": {"post_ids": [fresh_flagged(api)]}},
    ("POST", f"{API}/triage/dismiss"): lambda api: {"json": {"post_ids": [fresh_flagged(api)]}},
    ("POST", f"{API}/triage/assign"): lambda api: {"json": {"post_ids": [fresh_flagged(api)],
                                                           "assignee": "u-analyst"}},
    ("POST", f"{API}/triage/undo"): lambda api: fresh_triage_actions(api),
    ("POST", f"{API}/triage/{{post_id}}/note"): lambda api: {
        "path": f"{API}/triage/{fresh_flagged(api)}/note", "json": {"text": "Pantau akun ini"}},
}
#: what an authorised call of a route answers, where it is not 200
CREATED: dict[tuple[str, str], int] = {("POST", f"{API}/responses"): 201,
                                       ("POST", f"{API}/publications"): 201,
                                       ("POST", f"{API}/campaigns"): 201,
                                       ("POST", f"{API}/ambassadors"): 201,
                                       ("POST", f"{API}/ambassadors/{{ambassador_id}}/kits"): 201,
                                       ("POST", f"{API}/events/{{event_id}}/alerts"): 201,
                                       ("POST", f"{API}/alerts/{{alert_id}}/publish"): 201}
CREATED[("POST", f"{API}/hoaxwatch/{{event_id}}/{{post_id}}/draft")] = 201
CREATED[("POST", f"{API}/watchlists")] = 201
CREATED[("POST", f"{API}/triage/{{post_id}}/note")] = 201


def fresh_alert(api: Api, *, approved: bool = False) -> tuple[int, int]:
    """A new event with an urgent alert drafted by someone else (approved, if asked): (event
    id, alert id)."""
    from damai.pipeline import alerts
    from damai.pipeline.responses import Actor
    from damai.records import HazardEvent

    store = open_store(api.url)
    try:
        key = f"bmkg:uji-{len(store.events.recent(10_000))}"
        (event_id,) = store.events.save([HazardEvent("bmkg", key, "earthquake", magnitude=5.1)],
                                        "uji", T0).new_ids
        made = alerts.draft(store, Actor("penyusun", "analyst"), event_id, urgent=True)
        if approved:
            alerts.approve(store, Actor("penyetuju", "approver"), made.id)
        return event_id, made.id
    finally:
        store.close()


def fresh_hoax(api: Api) -> tuple[int, int]:
    """A new earthquake near Cianjur and, 20 minutes later, a post there predicting a bigger
    aftershock (a hoax pattern of issue #13 part 7): (event id, post row id)."""
    from damai.records import HazardEvent

    store = open_store(api.url)
    try:
        n = 9000 + len(store.events.recent(10_000))
        (event_id,) = store.events.save([HazardEvent(
            "bmkg", f"bmkg:hoaks-{n}", "earthquake", T0, 5.6, 10.0, -6.84, 107.05,
            "Pusat gempa berada di darat 10 km BaratLaut Cianjur")], "uji", T0).new_ids
        store.posts.write_batch([make_post(n, "Gempa susulan besok pagi jam 6 lebih besar, "
                                              "warga Cianjur siap-siap mengungsi!",
                                           created_at=T0 + timedelta(minutes=20))], [], [])
        row = store.posts.row_id("twitter", str(1000 + n))
        assert row is not None
        return event_id, row
    finally:
        store.close()


def campaign_body(api: Api) -> dict[str, Any]:
    """A campaign of a fresh approved response, under a name not taken yet (issue #12)."""
    rid = fresh_response(api, approved=True)
    return {"name": f"kampanye {rid}", "themes": ["tolerance"], "messages": [f"response:{rid}"],
            "start": "2099-12-01", "end": "2099-12-01", "times": ["08:00"], "timezone": "WIB"}


def fresh_campaign(api: Api, *, active: bool = False) -> int:
    """A draft campaign (activated, if asked) made by someone else."""
    from damai.pipeline.campaigns import activate, create_campaigns
    from damai.pipeline.responses import Actor

    store = open_store(api.url)
    try:
        (made,) = create_campaigns(store, Actor("perencana", "analyst"), [campaign_body(api)])
        if active:
            activate(store, Actor("penyetuju", "approver"), made.id)
        return made.id
    finally:
        store.close()


def fresh_ambassador(api: Api) -> tuple[int, int]:
    """An ambassador with a kit: (ambassador id, kit id)."""
    store = open_store(api.url)
    try:
        duta = register(store, name="Nyoman Ariani", province="Bali", actor="test",
                        consent_scope="Menerima kit konten dan unggahannya dihitung")
        return duta.id, issue_kit(store, duta.id, actor="test").kit.id
    finally:
        store.close()


def fresh_narrative(api: Api) -> int:
    """A narrative of one post (issue #14), grouped as ingest groups it."""
    from damai.pipeline.narratives import group_posts

    store = open_store(api.url)
    try:
        text = f"Jembatan gantung di desa nomor {store.narratives.count()} putus diterjang banjir"
        post = Post("x", text, text, datetime.now(UTC))
        store.posts.write_batch([post], [], [])
        group_posts(store, [post])
        return store.narratives.listing(order="recent", limit=1, min_size=1)[0].id
    finally:
        store.close()


def fresh_watchlist(api: Api) -> int:
    """A new watchlist (issue #14 part 5)."""
    from damai.pipeline.watchlists import add

    store = open_store(api.url)
    try:
        return add(store, "Pengungsi gempa", "pengungsi gempa", actor="test").id
    finally:
        store.close()


def fresh_flagged(api: Api) -> int:
    """A new post flagged radicalism, in the harms queue (issue #14 part 1): its row id."""
    store = open_store(api.url)
    try:
        n = 7000 + store.posts.stats().total
        store.posts.write_batch([make_post(n, f"Bai'at dan hijrah sekarang, seruan nomor {n}",
                                           labels={"radicalism": 0.8}, flags=["radicalism"])],
                                [], [])
        row = store.posts.row_id("twitter", str(1000 + n))
        assert row is not None
        return row
    finally:
        store.close()


def fresh_triage_actions(api: Api) -> dict[str, Any]:
    """A triage review by every user who may triage, so that each has one to undo."""
    from damai.pipeline.triage_actions import act

    post = fresh_flagged(api)
    store = open_store(api.url)
    try:
        stored = store.posts.get_by_id(post)
        assert stored is not None
        for role in ROLES[:ROLES.index("analyst") + 1]:
            act(store, [stored], "review", user=f"u-{role}", ip=None)
        return {}
    finally:
        store.close()


def fresh_publication(api: Api) -> int:
    """A dry-run publication of a fresh approved response (issue #12: retraction)."""
    from damai.pipeline.publishing import publish
    from damai.pipeline.responses import Actor

    rid = fresh_response(api, approved=True)
    store = open_store(api.url)
    try:
        return publish(store, Actor("penyetuju", "approver"), "dry-run", response_id=rid)[0].id
    finally:
        store.close()


def fresh_response(api: Api, *, approved: bool = False) -> int:
    """A response in review proposed by someone else (approved too, if asked)."""
    store = open_store(api.url)
    try:
        made = store.responses.propose(NewResponse("Mari jaga persaudaraan.", "pengusul"),
                                       HarmCheck(None, {}, "uji"))
        if approved:
            store.responses.decide(made.id, "approved", actor="penyetuju")
        return made.id
    finally:
        store.close()


def call(api: Api, route: tuple[str, str], headers: dict[str, str]) -> Any:
    found = SAMPLES[route]
    sample = dict(found(api) if callable(found) else found)
    path = sample.pop("path", route[1])
    headers = headers | sample.pop("headers", {})
    return api.client.request(route[0], path, headers=headers, **sample)


@pytest.mark.parametrize("route", sorted(API_ROUTE_ROLES))
def test_role_matrix(lite: Api, route: tuple[str, str]) -> None:
    assert set(SAMPLES) == set(API_ROUTE_ROLES)
    minimum = API_ROUTE_ROLES[route]
    for role in ROLES:
        response = call(lite, route, lite.auth(role))
        if ROLES.index(role) <= ROLES.index(minimum):
            assert response.status_code == CREATED.get(route, 200), (role, response.text)
        else:
            error = assert_error(response, 403, "forbidden")
            assert error["detail"] == {"role": role, "required": minimum}
    for headers in ({}, {"Authorization": "Bearer salah"}, {"Authorization": "Basic dTpw"},
                    {"Authorization": "Bearer "}):
        response = call(lite, route, headers)
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"


def test_revoked_tokens_and_disabled_users_are_refused(lite: Api) -> None:
    assert lite.get("/stats", "viewer").status_code == 200
    auth = open_auth_store(lite.url, passwords=fast_passwords())
    auth.revoke_token("u-viewer", "uji", actor="test")
    auth.disable_user("u-analyst", actor="test")
    auth.close()
    assert_error(lite.get("/stats", "viewer"), 401, "unauthorized")
    assert_error(lite.get("/stats", "analyst"), 401, "unauthorized")
    assert lite.get("/stats", "admin").status_code == 200


# -- GET /posts -----------------------------------------------------------------------------------
def walk(api: Api, params: dict[str, Any]) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        response = api.get("/posts", params=params | ({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(ids(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100


@pytest.mark.parametrize(("params", "query"), [
    ({"limit": 7}, PostQuery(limit=None)),
    ({"limit": 200}, PostQuery(limit=None)),
    ({"limit": 3, "label": "hate"}, PostQuery(label="hate", limit=None)),
    ({"limit": 4, "label": "hate", "min_score": 0.2, "max_score": 0.5},
     PostQuery(label="hate", min_score=0.2, max_score=0.5, limit=None)),
    ({"limit": 3, "label": "hate", "min_score": 0.3,
      "since": (T0 + timedelta(minutes=5)).isoformat(), "until": "2024-05-01T08:50:00Z"},
     PostQuery(label="hate", min_score=0.3, since=T0 + timedelta(minutes=5),
               until=T0 + timedelta(minutes=50), limit=None)),
    ({"limit": 2, "platform": "mastodon", "language": "en"},
     PostQuery(platform="mastodon", language="en", limit=None)),
    ({"limit": 5, "since": (T0 + timedelta(minutes=10)).isoformat(),
      "until": "2024-05-01T08:40:00Z"},
     PostQuery(since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=40), limit=None)),
])
def test_cursor_walk_returns_every_match_once_in_order(api: Api, params: dict[str, Any],
                                                       query: PostQuery) -> None:
    expected = expected_ids(api.url, query)
    assert len(expected) > params["limit"] or params["limit"] == 200
    pages = walk(api, params)
    flat = [i for p in pages for i in p]
    assert flat == expected and len(set(flat)) == len(flat)
    assert all(len(p) == params["limit"] for p in pages[:-1])


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "banjir"}, ["1007"]),
    ({"q": "BANJIR bekasi"}, ["1007"]),
    ({"q": "banjir", "platform": "mastodon"}, []),
    ({"label": "hate", "flagged": "false", "min_score": 0.55}, ["1059", "1058", "1057", "1055"]),
    ({"label": "hate", "min_score": 0.9, "language": "en"}, ["1040", "1020", "1000"]),
    ({"platform": "bluesky"}, ["at://did:plc:abc/app.bsky.feed.post/3kxyz"]),
])
def test_filters(api: Api, params: dict[str, Any], expected: list[str]) -> None:
    response = api.get("/posts", params=params | {"limit": 4})
    assert response.status_code == 200, response.text
    assert ids(response.json()["items"]) == expected


def test_items_are_whole_posts(lite: Api) -> None:
    item = lite.get("/posts", params={"limit": 1, "platform": "twitter"}).json()["items"][0]
    assert item["id"] == "twitter:1059" and item["platform_id"] == "1059"
    assert item["labels"] == {"hate": 0.59, "disaster": 0.2} and item["flags"] == []
    assert item["created_at"] == "2024-05-01T08:59:00+00:00"
    assert item["model_version"] == "m1" and item["language"] == "id"
    assert "raw" not in item and "author_id" not in item


def test_a_cursor_keeps_its_place_while_new_posts_arrive(lite: Api) -> None:
    first = lite.get("/posts", params={"limit": 5}).json()
    store = open_store(lite.url)
    store.posts.write_batch([make_post(i) for i in range(100, 110)], [], [])  # newer than all
    store.close()
    second = lite.get("/posts", params={"limit": 5, "cursor": first["next_cursor"]}).json()
    assert ids(first["items"]) == ["c1/6", "at://did:plc:abc/app.bsky.feed.post/3kxyz", "1059",
                                   "1058", "1057"]
    assert ids(second["items"]) == ["1056", "1055", "1054", "1053", "1052"]


def forged(payload: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "zzz", "!!!!", "eyJ2IjoxfQ", forged([1, 2]), forged({"v": 1, "t": "gisteren", "i": 5,
                                                         "f": "x"}),
    forged({"v": 1, "t": "2024-05-01T08:00:00Z", "i": "5", "f": "x"}),
    forged({"v": 2, "t": "2024-05-01T08:00:00Z", "i": 5, "f": "x"}),
])
def test_a_malformed_cursor_is_a_400(lite: Api, cursor: str) -> None:
    error = assert_error(lite.get("/posts", params={"cursor": cursor}), 400, "invalid_cursor")
    assert error["detail"] == {"reason": "malformed"}


def test_a_cursor_is_bound_to_its_filters(lite: Api) -> None:
    cursor = lite.get("/posts", params={"limit": 2, "label": "hate"}).json()["next_cursor"]
    other = lite.get("/posts", params={"cursor": cursor, "label": "disaster"})
    assert assert_error(other, 400, "invalid_cursor")["detail"] == {"reason": "other_filters"}
    # the page size may change between pages
    assert lite.get("/posts", params={"cursor": cursor, "label": "hate", "limit": 9}).status_code \
        == 200


@pytest.mark.parametrize(("params", "status", "code", "field"), [
    ({"limit": 0}, 422, "validation_failed", "limit"),
    ({"limit": 201}, 422, "validation_failed", "limit"),
    ({"limit": "banyak"}, 422, "validation_failed", "limit"),
    ({"label": "hate", "min_score": 1.5}, 422, "validation_failed", "min_score"),
    ({"since": "kemarin"}, 422, "validation_failed", "since"),
    ({"flagged": "mungkin", "label": "hate"}, 422, "validation_failed", "flagged"),
    ({"q": "x" * 201}, 422, "validation_failed", "q"),
    ({"min_score": 0.5}, 400, "label_required", None),
    ({"flagged": "true"}, 400, "label_required", None),
    ({"label": "hate", "min_score": 0.8, "max_score": 0.2}, 400, "empty_range", None),
])
def test_bad_parameters(lite: Api, params: dict[str, Any], status: int, code: str,
                        field: str | None) -> None:
    error = assert_error(lite.get("/posts", params=params), status, code)
    if field is not None:
        assert [d["loc"] for d in error["detail"]] == [["query", field]]
        assert all("input" not in d for d in error["detail"])  # input is never echoed


# -- GET /posts/{id} ------------------------------------------------------------------------------
@pytest.mark.parametrize("post_id", ["twitter:1004", "bluesky:at://did:plc:abc/app.bsky.feed.post"
                                     "/3kxyz", "telegram:c1/6"])
def test_get_post_by_platform_and_id(api: Api, post_id: str) -> None:
    response = api.get(f"/posts/{post_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == post_id
    assert f"{body['platform']}:{body['platform_id']}" == post_id
    assert body["explanations"] == {}  # model m1 is not the loaded model


@pytest.mark.parametrize("post_id", ["twitter:404", "twitter", "tiktok:1004", ":1004",
                                     "twitter:"])
def test_unknown_post_is_a_404(lite: Api, post_id: str) -> None:
    assert_error(lite.get(f"/posts/{post_id}"), 404, "not_found")


# -- POST /ingest ---------------------------------------------------------------------------------
def ingest(api: Api, body: bytes, content_type: str, role: str = "analyst") -> Any:
    return api.post("/ingest", role, content=body, headers={"content-type": content_type})


def test_ingest_round_trip_classifies_and_balances(api: Api) -> None:
    tweets = [tweet(1, "Usir kaum pendatang itu dari kampung kita, dasar pengkhianat"),
              tweet(2, "Banjir besar di Bekasi, warga mengungsi ke posko"), tweet(3)]
    body = orjson.dumps(page(tweets)) + b"\n" + b'{"data": [{"id": \n' + orjson.dumps(
        page([tweet(2)])) + b"\n"
    response = ingest(api, body, "application/x-ndjson")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["format"] == "twarc2"
    assert (report["received"], report["stored"], report["duplicates"],
            report["quarantined"]) == (5, 3, 1, 1)
    assert report["failures"][0]["location"] == "line 2"
    model = load_model()
    assert report["model_version"] == model.version and report["classified"] == 4
    post_id = f"x:{tweets[0]['id']}"
    stored = api.get(f"/posts/{post_id}").json()
    expected = model.predict([tweets[0]["text"]])[0]
    assert stored["flags"] == expected.flags and stored["model_version"] == model.version
    assert stored["labels"] == pytest.approx(expected.labels)
    assert set(stored["explanations"]) == set(expected.flags)
    assert [t["term"] for t in stored["explanations"].get("hate_speech", [])] == [
        t for t, _ in expected.explanations.get("hate_speech", [])]
    again = ingest(api, orjson.dumps(page(tweets)), "application/json").json()
    assert (again["received"], again["stored"], again["duplicates"]) == (3, 0, 3)
    auth = open_auth_store(api.url, passwords=fast_passwords())
    entries = auth.query_audit(action="api_ingest")
    auth.close()
    assert [e.actor for e in entries] == ["u-analyst", "u-analyst"]
    assert entries[1].target == report["batch"]
    assert entries[1].detail == {"bytes": len(body), "format": "twarc2", "received": 5,
                                 "stored": 3, "duplicates": 1, "quarantined": 1}


@pytest.mark.parametrize(("fixture", "content_type", "fmt"), [
    ("mastodon/statuses.json", "application/json", "mastodon"),
    ("bluesky/jetstream.jsonl", "application/x-ndjson", "bluesky"),
    ("telegram/result.json", "application/json", "telegram"),
    ("csv/basic.csv", "text/csv", "csv"),
])
def test_ingest_reads_every_file_format(lite: Api, fixture: str, content_type: str,
                                        fmt: str) -> None:
    response = ingest(lite, (FIXTURES / fixture).read_bytes(), content_type)
    report = response.json()
    assert response.status_code == 200 and report["format"] == fmt, response.text
    assert report["stored"] > 0
    assert report["received"] == report["stored"] + report["duplicates"] + report["quarantined"]


def test_ingest_of_an_unknown_format_quarantines_it(lite: Api) -> None:
    report = ingest(lite, b'{"halo": "dunia"}\n', "application/x-ndjson").json()
    assert (report["received"], report["quarantined"], report["format"]) == (1, 1, "unknown")
    assert report["failures"][0]["reason"] == "unknown_format"
    assert "damai-api-" not in report["failures"][0]["message"]  # no server paths


def test_ingest_refuses_other_content_types_and_empty_bodies(lite: Api) -> None:
    error = assert_error(ingest(lite, b"halo", "text/plain"), 415, "unsupported_media_type")
    assert "application/x-ndjson" in error["detail"]["accepted"]
    assert_error(lite.post("/ingest", content=b"{}"), 415, "unsupported_media_type")
    assert_error(ingest(lite, b"", "application/json"), 400, "empty_body")


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[Api]:
    monkeypatch.setenv("DAMAI_API_MAX_BODY_BYTES", "2000")
    yield from open_api(db_url)


def test_a_body_over_the_limit_is_a_413_and_stores_nothing(small_limit: Api) -> None:
    big = orjson.dumps(page([tweet(i, "x" * 100) for i in range(30)]))
    assert len(big) > 2000
    error = assert_error(ingest(small_limit, big, "application/json"), 413, "payload_too_large")
    assert error["detail"] == {"limit_bytes": 2000}

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while reading
        for start in range(0, len(big), 500):
            yield big[start:start + 500]

    streamed = small_limit.post("/ingest", content=chunks(),
                                headers={"content-type": "application/json"})
    assert "content-length" not in streamed.request.headers
    assert_error(streamed, 413, "payload_too_large")
    too_many = small_limit.post("/classify", json={"texts": ["kata " * 100] * 10})
    assert_error(too_many, 413, "payload_too_large")
    assert small_limit.get("/stats").json()["total"] == 62  # nothing more was stored
    fits = ingest(small_limit, orjson.dumps(page([tweet(1)])), "application/json")
    assert fits.status_code == 200 and fits.json()["stored"] == 1


# -- POST /classify -------------------------------------------------------------------------------
def test_classify_matches_the_bundled_model(lite: Api) -> None:
    texts = ["Usir kaum pendatang itu dari kampung kita, dasar pengkhianat",
             "Gempa guncang Palu, warga mengungsi ke posko", "Selamat pagi, mari minum kopi", ""]
    response = lite.post("/classify", json={"texts": texts})
    assert response.status_code == 200, response.text
    body = response.json()
    model = load_model()
    assert body["model_version"] == model.version
    for item, expected in zip(body["items"], model.predict(texts), strict=True):
        assert item["flags"] == expected.flags and item["language"] == expected.language
        assert item["labels"] == {k: round(v, 4) for k, v in expected.labels.items()}
        assert item["explanations"] == {
            label: [{"term": t, "weight": round(w, 4)} for t, w in terms]
            for label, terms in expected.explanations.items()}
        assert item["empty"] == expected.empty
    assert body["items"][-1]["empty"] is True
    one = lite.post("/classify", json={"text": texts[1]}).json()
    assert one["items"] == body["items"][1:2]


@pytest.mark.parametrize("body", [{}, {"text": "a", "texts": ["b"]}, {"texts": []},
                                  {"texts": "bukan daftar"}, {"text": 5}, {"text": "a", "x": 1},
                                  [1, 2]])
def test_classify_refuses_bad_bodies(lite: Api, body: Any) -> None:
    assert_error(lite.post("/classify", json=body), 422, "validation_failed")


def test_classify_refuses_malformed_json(lite: Api) -> None:
    response = lite.post("/classify", content=b'{"text": ', headers={
        "content-type": "application/json"})
    assert_error(response, 422, "validation_failed")
    unreadable = lite.post("/classify", content=b'\xff\xfe{"text"', headers={
        "content-type": "application/json"})
    assert_error(unreadable, 400, "malformed_body")


@pytest.fixture
def bounded(monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[Api]:
    monkeypatch.setenv("DAMAI_API_MAX_CLASSIFY_TEXTS", "3")
    yield from open_api(db_url)


def test_classify_batch_is_bounded(bounded: Api) -> None:
    error = assert_error(bounded.post("/classify", json={"texts": ["a"] * 4}), 422,
                         "too_many_texts")
    assert error["detail"] == {"limit": 3}
    assert bounded.post("/classify", json={"texts": ["a"] * 3}).status_code == 200


# -- GET /stats -----------------------------------------------------------------------------------
def test_stats(api: Api) -> None:
    body = api.get("/stats").json()
    assert body["total"] == 62
    assert body["by_platform"] == {"bluesky": 1, "mastodon": 20, "telegram": 1, "twitter": 40}
    assert body["by_language"] == {"en": 12, "id": 50}
    assert body["flagged"] == {"hate": 15}  # labels with a flagged post
    assert body["quarantined"] == 0


# -- errors everywhere ----------------------------------------------------------------------------
def test_unknown_routes_and_methods_use_the_error_shape(lite: Api) -> None:
    assert_error(lite.get("/tidak-ada"), 404, "not_found")
    assert_error(lite.client.delete(f"{API}/posts", headers=lite.auth("admin")), 405,
                 "method_not_allowed")
    assert_error(lite.client.get(f"{API}/ingest", headers=lite.auth("admin")), 405,
                 "method_not_allowed")


def test_a_crash_is_a_500_in_the_error_shape_without_internals(
        lite: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from damai.storage.posts import PostRepository

    def broken(self: PostRepository) -> None:
        raise RuntimeError("rahasia internal")

    monkeypatch.setattr(PostRepository, "stats", broken)
    response = lite.get("/stats")
    error = assert_error(response, 500, "internal_error")
    assert "rahasia" not in response.text and error["detail"] is None
    assert "rahasia internal" in caplog.text  # logged for the operator


def test_pages_outside_the_api_keep_their_own_errors(lite: Api) -> None:
    response = lite.client.get("/tidak-ada-halaman")
    assert response.status_code == 404
    assert "error" not in response.text


# -- OpenAPI --------------------------------------------------------------------------------------
def test_openapi_schema(lite: Api) -> None:
    assert_error(lite.client.get(f"{API}/openapi.json"), 401, "unauthorized")
    schema = lite.get("/openapi.json").json()
    assert schema["servers"] == [{"url": API}]
    served = {(m.upper(), API + p) for p, ops in schema["paths"].items() for m in ops}
    assert served == set(API_ROUTE_ROLES) - {("GET", f"{API}/openapi.json")}
    assert schema["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"][
            "securitySchemes"]["bearerToken"]["description"]}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"bearerToken": []}], (method, path)
            for status in ("400", "401", "403", "422", "500"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]
                assert ref == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
            assert " / " in operation["summary"]
    ingest_op = schema["paths"]["/ingest"]["post"]
    assert {"application/json", "application/x-ndjson", "text/csv"} <= set(
        ingest_op["requestBody"]["content"])
    assert {"400", "413", "415"} <= set(ingest_op["responses"])
    assert "400" in schema["paths"]["/posts"]["get"]["responses"]
    assert "404" in schema["paths"]["/posts/{post_id}"]["get"]["responses"]


# -- the counter-narrative library (issue #11) ----------------------------------------------------
def test_the_library_lists_entries_as_they_stand(api: Api) -> None:
    starter = read_entries(STARTER)
    viewer = api.auth("viewer")
    body = api.client.get(f"{API}/library", headers=viewer).json()
    assert [e["id"] for e in body["entries"]] == sorted(e.id for e in starter)
    first = body["entries"][0]
    assert first["version"] == 1 and first["created_by"] == "test"
    assert set(first) >= {"text_id", "short_280", "short_500", "themes", "labels", "tone",
                          "source", "author", "status", "created_at"}
    literacy = api.client.get(f"{API}/library", params={"theme": "literacy", "status": "approved"},
                              headers=viewer).json()["entries"]
    assert {e["id"] for e in literacy} == {e.id for e in starter
                                           if "literacy" in e.themes and e.status == "approved"}
    error = assert_error(api.client.get(f"{API}/library", params={"tone": "sinis"},
                                        headers=viewer), 400, "unknown_tone")
    assert error["detail"] == {"parameter": "tone"}
