"""Issue #12 part 5 in the dashboard, the API and the CLI, on SQLite and PostgreSQL: the public
kit page (valid, revoked, expired, forged, withdrawn: one plain 404 that names no one), consent
withdrawal hiding the person from every list, page, API answer and export, registration, the
leaderboard switch, and crediting through ``damai ingest``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import update

from damai.auth import open_auth_store
from damai.pipeline import ambassadors as amb
from damai.storage import open_store
from damai.storage.schema import ambassador_kits
from damai.web.ambassadors import NOT_FOUND_TEXT
from tests.conftest import page, run_cli, tweet, write_jsonl
from tests.integration.test_auth_store import fast_passwords
from tests.integration.test_store_contract import store_url  # noqa: F401  (fixture)
from tests.integration.web_helpers import client_for, login, respond_db

SCOPE = "Menerima kit konten Duta Damai dan unggahannya dihitung untuk laporan"
NAME = "Rahmat Hidayat"


@pytest.fixture
def network(tmp_path: Path, store_url: str) -> dict[str, Any]:  # noqa: F811  (the fixture)
    """The respond fixture, one ambassador with a live kit, and an analyst's API token, on
    SQLite and PostgreSQL."""
    db_url = store_url
    respond_db(tmp_path, db_url)
    with open_store(db_url) as store:
        person = amb.register(store, name=NAME, province="Sulawesi Selatan",
                              regency="Kota Makassar", consent_scope=SCOPE,
                              handles=["x:@rahmat_damai"], topics=["tolerance"], actor="analyst")
        issued = amb.issue_kit(store, person.id, actor="analyst", campaign_id="makassar-rukun")
    with open_auth_store(db_url, passwords=fast_passwords()) as auth:
        token = auth.create_token("analyst", "uji", actor="cli:test")
    return {"db": db_url, "id": person.id, "issued": issued, "token": token}


def _kit_page(db_url: str, token: str) -> Any:
    with client_for(db_url) as client:
        return client.get(f"/kit/{token}")


def test_a_valid_kit_link_opens_without_an_account(network: dict[str, Any]) -> None:
    issued = network["issued"]
    response = _kit_page(network["db"], issued.token)
    assert response.status_code == 200
    assert NAME in response.text and issued.kit.tag in response.text
    assert "WITA" in response.text  # Sulawesi Selatan
    for message in issued.kit.content["messages"]:
        assert message["title"] in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in response.headers["x-robots-tag"]
    assert "damai_session" not in response.headers.get("set-cookie", "")


def test_revoked_expired_forged_and_withdrawn_links_get_one_plain_404(
        network: dict[str, Any]) -> None:
    db = network["db"]
    nonce, _, signature = network["issued"].token.partition(".")
    with open_store(db) as store:
        revoked = amb.issue_kit(store, network["id"], actor="analyst")
        store.ambassadors.revoke_kit(revoked.kit.id, actor="analyst")
        expired = amb.issue_kit(store, network["id"], actor="analyst")
        with store.db.write() as conn:
            conn.execute(update(ambassador_kits).where(ambassador_kits.c.id == expired.kit.id)
                         .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    links = {"revoked": revoked.token, "expired": expired.token,
             "forged": f"{nonce}.{signature[::-1]}", "garbage": "bukan-token-sah"}
    answers = {why: _kit_page(db, token) for why, token in links.items()}
    with open_store(db) as store:
        store.ambassadors.withdraw(network["id"], actor="analyst")
    answers["withdrawn"] = _kit_page(db, network["issued"].token)
    for why, response in answers.items():
        assert response.status_code == 404, why
        assert response.text == NOT_FOUND_TEXT, why
        assert response.headers["content-type"].startswith("text/plain"), why
        assert response.headers["cache-control"] == "no-store", why
        for secret in (NAME, "Rahmat", "Makassar", "rahmat_damai", "#DD", "makassar-rukun"):
            assert secret not in response.text, (why, secret)


def test_withdrawal_hides_the_person_from_pages_api_and_exports(
        network: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    db, person = network["db"], network["id"]
    bearer = {"Authorization": f"Bearer {network['token']}"}
    with client_for(db) as client:
        login(client, "analyst")
        assert NAME in client.get("/ambassadors").text
        assert NAME in client.get("/ambassadors/kits.csv").text
        assert client.get(f"/api/v1/ambassadors/{person}", headers=bearer).status_code == 200
    code, out, _ = run_cli(capsys, "ambassadors", "withdraw", str(person), "--json", "--db", db)
    assert code == 0
    record = orjson.loads(out)  # only the consent record is left
    assert set(record) == {"id", "consent_at", "scope", "withdrawn_at"} and NAME not in out
    with client_for(db) as client:
        csrf = login(client, "analyst")
        views = [client.get("/ambassadors").text, client.get("/ambassadors/kits.csv").text,
                 client.get("/ambassadors/kits.json").text,
                 client.get("/api/v1/ambassadors", headers=bearer).text,
                 client.get("/api/v1/ambassadors/kits", headers=bearer).text,
                 client.get("/api/v1/ambassadors/reach?by=ambassador", headers=bearer).text]
        assert client.get(f"/ambassadors/{person}").status_code == 404
        assert client.get(f"/api/v1/ambassadors/{person}", headers=bearer).status_code == 404
        again = client.post(f"/ambassadors/{person}/withdraw",
                            data={"csrf_token": csrf, "confirm": "ya"})
        assert again.status_code == 303
    for args in (("list", "--json"), ("export",), ("export", "--format", "json"),
                 ("report", "--json")):
        code, out, _ = run_cli(capsys, "ambassadors", *args, "--db", db)
        assert code == 0
        views.append(out)
    for view in views:
        assert NAME not in view and "rahmat_damai" not in view and "Makassar" not in view


def test_withdrawal_in_the_dashboard_needs_the_box_ticked(network: dict[str, Any]) -> None:
    path = f"/ambassadors/{network['id']}/withdraw"
    with client_for(network["db"]) as client:
        csrf = login(client, "analyst")
        unticked = client.post(path, data={"csrf_token": csrf})
        assert unticked.status_code == 400 and "Centang konfirmasi" in unticked.text
        assert NAME in client.get("/ambassadors").text
        assert client.post(path, data={"csrf_token": csrf, "confirm": "ya"}).status_code == 303
        assert NAME not in client.get("/ambassadors").text
    with open_store(network["db"]) as store:
        assert [e.actor for e in store.audit.query(action="ambassador_withdraw")] == ["analyst"]


def test_register_from_the_dashboard(network: dict[str, Any]) -> None:
    with client_for(network["db"]) as client:
        csrf = login(client, "analyst")
        form = {"csrf_token": csrf, "name": "Maria Goreti", "province": "Nusa Tenggara Timur",
                "regency": "Kota Kupang", "consent_scope": SCOPE, "consent_date": "2026-11-02",
                "handles": "x:@maria_rukun bluesky:maria.bsky.social", "languages": "id",
                "topics": "tolerance, unity"}
        bad = client.post("/ambassadors", data=form | {"province": "Timor Raya"})
        assert bad.status_code == 400 and "Provinsi" in bad.text and "Timor Raya" in bad.text
        made = client.post("/ambassadors", data=form)
        assert made.status_code == 303
        page = client.get(made.headers["location"]).text
        assert "Maria Goreti" in page and "maria_rukun" in page and "2026-11-02" in page
        kit = client.post(made.headers["location"] + "/kits",
                          data={"csrf_token": csrf, "campaign_id": "kupang-damai",
                                "link": "https://damai.example/kupang", "days": "14"})
        section = kit.text.split('id="kit-link"', 1)[-1].split("</section>", 1)[0]
        assert kit.status_code == 200 and "/kit/" in section and "WITA" not in section


def test_the_leaderboard_switch(network: dict[str, Any]) -> None:
    db = network["db"]
    bearer = {"Authorization": f"Bearer {network['token']}"}
    with client_for(db) as client:
        csrf = login(client, "analyst")
        assert 'id="leaderboard-table"' in client.get("/ambassadors").text
        refused = client.post("/settings/leaderboard", data={"csrf_token": csrf,
                                                             "enabled": "off"})
        assert refused.status_code == 403
    with client_for(db) as client:
        csrf = login(client, "admin")
        assert client.post("/settings/leaderboard",
                           data={"csrf_token": csrf, "enabled": "off"}).status_code == 303
        page = client.get("/ambassadors").text
        assert 'id="leaderboard-table"' not in page and 'data-on="false"' in page
        assert 'id="by-province"' in page  # the region view stays
        reach = orjson.loads(client.get("/api/v1/ambassadors/reach?by=ambassador",
                                        headers=bearer).content)
        assert reach == {"by": "ambassador", "leaderboard": False, "tallies": []}
        client.post("/settings/leaderboard", data={"csrf_token": csrf, "enabled": "on"})
        assert 'id="leaderboard-table"' in client.get("/ambassadors").text
    with open_store(db) as store:
        changes = store.audit.query(action="setting_change")
    assert [(e.actor, e.detail) for e in changes if e.target == "setting:leaderboard"] == [
        ("admin", {"old": False, "new": True}),  # newest first
        ("admin", {"old": True, "new": False})]


def test_damai_ingest_credits_a_kit_end_to_end(
        network: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Through ``damai ingest`` of a twarc2 file: the author's handle is seen before it is
    pseudonymised away, so the ambassador's own near-duplicate post is credited."""
    db = network["db"]
    with open_store(db) as store:
        dewi = amb.register(store, name="Dewi Anggraini", province="DKI Jakarta",
                            consent_scope=SCOPE, handles=["x:@warga1001"], actor="analyst")
        kit = amb.issue_kit(store, dewi.id, actor="analyst", campaign_id="jakarta-rukun").kit
    message = kit.content["messages"][1]["text"].split("\n\n")[0]
    tweets = [tweet(1, "Sahabat semua, " + message),  # from @warga1001, Dewi's handle
              tweet(2, f"Pesan yang menyejukkan, ikut sebarkan {kit.tag}"),
              tweet(8, "Macet parah di Sudirman pagi ini, berangkat lebih awal ya.")]
    path = write_jsonl(tmp_path / "kiriman.jsonl", [page(tweets)])
    code, _, _ = run_cli(capsys, "ingest", str(path), "--db", db)
    assert code == 0
    with open_store(db) as store:
        credits = store.ambassadors.credits(ambassador_id=dewi.id)
        stored = store.posts.get("x", tweets[0]["id"])
        assert stored is not None and stored.author_handle is None  # not kept by crediting
    assert sorted(c.method for c in credits) == ["tag", "text"]
    code, out, _ = run_cli(capsys, "ambassadors", "report", "--by", "campaign", "--json",
                           "--db", db)
    assert [(t["key"], t["posts"]) for t in orjson.loads(out)] == [("jakarta-rukun", 2)]
    with client_for(db) as client:
        login(client, "analyst")
        for query in ("campaign=jakarta-rukun", "province=DKI+Jakarta"):
            page_ = client.get(f"/ambassadors?{query}").text
            assert 'id="credits"' in page_ and page_.count('data-method="') == 2, query
        assert "Macet parah" not in client.get("/ambassadors?province=DKI+Jakarta").text
