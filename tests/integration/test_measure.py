"""Issue #12 part 7, on both backends: a campaign with variants A and B goes out to X (the fake
on 127.0.0.1) through the scheduler, an ambassador's post is credited, engagement is collected,
and measurement reads it: reach and rate per campaign, message, theme, ambassador and province,
the A/B test that names a winner only with enough views, past performance in the recommender,
the overview's time from flag to publication, ``damai measure``, the page and the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from damai.auth import open_auth_store
from damai.pipeline import campaigns as camp
from damai.pipeline.ambassadors import issue_kit, register
from damai.pipeline.engagement import collect
from damai.pipeline.measure import NOT_ENOUGH, measure
from damai.pipeline.publishing import publish
from damai.pipeline.recommend import usage_of
from damai.pipeline.responses import approve, propose
from damai.pipeline.scheduler import tick
from damai.storage import Store, open_store
from damai.storage.ambassadors import CreditRow
from tests.conftest import run_cli
from tests.integration import test_store_contract as contract
from tests.integration.publish_servers import XAccount
from tests.integration.test_auth_store import fast_passwords
from tests.integration.test_campaigns import ANALYST, APPROVER, GRACE, Clock, entries, row
from tests.integration.test_publishing_boundary import MODEL
from tests.integration.web_helpers import add_users, client_for, login

store_url, db = contract.store_url, contract.db
CHANNEL = "x:damai_id"
DAY0 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


@pytest.fixture
def x(monkeypatch: pytest.MonkeyPatch) -> Iterator[XAccount]:
    with XAccount() as fake:
        monkeypatch.setenv("DAMAI_X_PUBLISH_URL", fake.url)
        monkeypatch.setenv("DAMAI_X_PUBLISH_TOKEN", "x-user-token")
        monkeypatch.setenv("DAMAI_PUBLISH_TIMEOUT", "5")
        yield fake


def counts(x: XAccount, tweet_id: str, likes: int, views: int) -> None:
    tweet = next(t for t in x.tweets if t["id"] == tweet_id)
    tweet["public_metrics"] = {"like_count": likes, "retweet_count": 0, "reply_count": 0,
                               "quote_count": 0, "bookmark_count": 0, "impression_count": views}


def ab_campaign(db: Store, x: XAccount, a: tuple[int, int], b: tuple[int, int]) -> int:
    """Variant A at 08:00 WIB and B at 19:30 on one day, both sent to X, with counts."""
    ids = entries(db, 2)
    clock = Clock(DAY0)
    (made,) = camp.create_campaigns(db, ANALYST, [row(
        [f"entry:{ids[0]} | entry:{ids[1]}"], channels=[CHANNEL], end="2026-12-01")])
    camp.activate(db, APPROVER, made.id, now=clock)
    for slot in db.campaigns.slots(campaign_id=made.id):
        clock.at = slot.scheduled_at
        tick(db, now=clock, grace=GRACE)
    sent = {p.entry_id: p.post_id for p in db.publications.recent() if p.state == "sent"}
    assert set(sent) == set(ids)
    counts(x, str(sent[ids[0]]), *a)
    counts(x, str(sent[ids[1]]), *b)
    return made.id


def credited_post(db: Store, x: XAccount, likes: int) -> None:
    """An ambassador in Aceh posted on X, and ingestion credited the post."""
    duta = register(db, name="Siti Rahma", province="Aceh", handles=["x:siti_damai"],
                    consent_scope="Unggahannya dihitung", actor="cli:test")
    kit = issue_kit(db, duta.id, actor="cli:test")
    tweet = x.add_tweet("Damai itu indah #DutaDamai", author="99")
    contract.write(db, [contract.make_post(1, platform="x", platform_id=tweet["id"],
                                           created_at=datetime.now(UTC))])
    assert db.ambassadors.credit([CreditRow("x", tweet["id"], kit.kit.id, duta.id, "tag")])
    counts(x, tweet["id"], likes, 0)
    tweet["public_metrics"].pop("impression_count")  # another account's tweet: no views


def test_reach_rate_and_ab_per_grouping(db: Store, x: XAccount,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    campaign = ab_campaign(db, x, (120, 1000), (80, 1000))
    credited_post(db, x, 7)
    report = collect(db)
    assert (report.targets, report.collected, report.failed) == (3, 3, {})
    found = measure(db, ["campaign", "message", "theme", "ambassador", "province"])
    assert found["posts"] == 3 and found["totals"]["reach"] == 2007
    [by_campaign] = found["groups"]["campaign"]
    assert (by_campaign["key"], by_campaign["reach"], by_campaign["rate"]) == (
        str(campaign), 2000, 0.1)
    assert {g["key"]: g["rate"] for g in found["groups"]["message"]} == {
        "entry:cn-0": 0.12, "entry:cn-1": 0.08}
    assert {g["key"] for g in found["groups"]["theme"]} >= {"tolerance"}
    [aceh] = found["groups"]["province"]
    assert (aceh["key"], aceh["reach"], aceh["rate_kind"], aceh["rate"]) == (
        "Aceh", 7, "per_post", 7.0)
    assert [g["label"] for g in found["groups"]["ambassador"]] == ["Siti Rahma"]
    [ab] = found["ab"]
    assert (ab["winner"], ab["test"], ab["a"]["views"]) == ("A", "two-proportion z-test", 1000)
    assert ab["p_value"] == pytest.approx(0.0028688, abs=1e-6)
    monkeypatch.setenv("DAMAI_MEASURE_MIN_VIEWS", "5000")
    [early] = measure(db)["ab"]
    assert (early["winner"], early["verdict"]) == (None, NOT_ENOUGH)
    db.settings.set("leaderboard", False, actor="cli:admin")
    assert measure(db, ["ambassador"])["groups"]["ambassador"] == []


def test_measured_engagement_is_the_recommender_s_past_performance(
        db: Store, x: XAccount) -> None:
    assert usage_of(db).performance == {}
    ab_campaign(db, x, (120, 1000), (80, 1000))
    collect(db)
    # engagements / (posts + 2): 40 and 26.7, as shares of the best
    assert usage_of(db).performance == {"cn-0": 1.0, "cn-1": pytest.approx(2 / 3)}


def test_the_time_from_flag_to_publication(db: Store, x: XAccount) -> None:
    contract.write(db, [contract.make_post(5, text="Hoaks gempa susulan besar malam ini")])
    response = propose(db, MODEL, ANALYST, text="Info resmi hanya dari BMKG.",
                       post_ref="twitter:1005")
    assert response.post_id is not None
    approve(db, APPROVER, response.id)
    published, _ = publish(db, APPROVER, CHANNEL, response_id=response.id)
    assert published.state == "sent"
    [delay] = db.engagement.publication_delays()
    assert 0 <= delay < timedelta(minutes=5).total_seconds()


def test_damai_measure_and_the_page_and_the_api(capsys: pytest.CaptureFixture[str],
                                                store_url: str, x: XAccount,
                                                tmp_path: Any) -> None:
    with open_store(store_url) as store:
        ab_campaign(store, x, (12, 100), (8, 100))
        collect(store)
    code, out, _ = run_cli(capsys, "measure", "--by", "message", "--db", store_url, "--json")
    assert code == 0 and orjson.loads(out)["ab"][0]["winner"] is None
    code, out, _ = run_cli(capsys, "measure", "--db", store_url)
    assert code == 0 and "Desember damai" in out and NOT_ENOUGH in out
    add_users(store_url)
    with client_for(store_url) as client:
        login(client, "analyst")
        page = client.get("/measure?by=campaign")
        assert page.status_code == 200 and "Desember damai" in page.text
        assert 'data-winner=""' in page.text and "belum cukup data" in page.text
        overview = client.get("/")
        assert overview.status_code == 200 and 'id="measure-publish-median"' in overview.text
    with client_for(store_url) as client:
        login(client, "viewer")
        assert client.get("/measure").status_code == 403


def test_the_api_answers_every_grouping_and_refuses_an_unknown_one(store_url: str,
                                                                   x: XAccount) -> None:
    with open_store(store_url) as store:
        ab_campaign(store, x, (120, 1000), (80, 1000))
        collect(store)
    auth = open_auth_store(store_url, passwords=fast_passwords())
    token = auth.create_token(auth.add_user("u-analyst", "analyst", "kata-sandi-yang-panjang",
                                            actor="test").name, "uji", actor="test")
    auth.close()
    headers = {"Authorization": f"Bearer {token}"}
    with client_for(store_url) as client:
        found = client.get("/api/v1/measure", headers=headers).json()
        assert set(found["groups"]) == {"campaign", "message", "ambassador", "theme",
                                        "province"}
        assert found["ab"][0]["winner"] == "A" and found["ab"][0]["ci95"][0] > 0
        bad = client.get("/api/v1/measure", params={"by": "user"}, headers=headers)
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_grouping"
