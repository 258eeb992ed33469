"""Issue #12 part 6, on both backends: engagement collection through each publisher's real
client library against the fake platforms on 127.0.0.1 (:mod:`tests.integration.
publish_servers`), the time series it writes, its bound by age, a failing channel that does not
stop the others, the scheduler's periodic call and ``damai engagement collect``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from damai.pipeline.engagement import collect
from damai.pipeline.scheduler import Scheduler
from damai.storage import Store
from tests.conftest import run_cli
from tests.integration import test_store_contract as contract
from tests.integration.platform_servers import FakePlatform, Reply, service_unavailable
from tests.integration.publish_servers import BlueskyPDS, MastodonInstance, TelegramBotAPI, XAccount
from tests.integration.test_publishers import PLATFORMS, Platform, send

store_url, db = contract.store_url, contract.db
BY_NAME = {p.name: p for p in PLATFORMS}
COUNTED = ["mastodon", "bluesky", "x"]
#: per platform: where its counts are read, and the counts each fake gives as Damai reads them
METRICS_PATH = {"mastodon": "/api/v1/statuses/", "bluesky": "/xrpc/app.bsky.feed.getPosts",
                "x": "/2/tweets"}
EXPECTED = {
    "mastodon": {"likes": 7, "reposts": 3, "replies": 2, "quotes": 1, "views": None},
    "bluesky": {"likes": 11, "reposts": 4, "replies": 1, "quotes": 2, "views": None},
    "x": {"likes": 5, "reposts": 2, "replies": 3, "quotes": 1, "views": 480},
}


def set_counts(server: FakePlatform, post_id: str, counts: dict[str, int | None]) -> None:
    """Give the post the counts of ``EXPECTED`` in the platform's own field names."""
    if isinstance(server, MastodonInstance):
        status = next(s for s in server.statuses if s["id"] == post_id)
        status.update(favourites_count=counts["likes"], reblogs_count=counts["reposts"],
                      replies_count=counts["replies"], quotes_count=counts["quotes"])
    elif isinstance(server, BlueskyPDS):
        server.counts[post_id.rsplit("/", 1)[1]] = {
            "likeCount": counts["likes"] or 0, "repostCount": counts["reposts"] or 0,
            "replyCount": counts["replies"] or 0, "quoteCount": counts["quotes"] or 0}
    elif isinstance(server, XAccount):
        tweet = next(t for t in server.tweets if t["id"] == post_id)
        tweet["public_metrics"] = {
            "like_count": counts["likes"], "retweet_count": counts["reposts"],
            "reply_count": counts["replies"], "quote_count": counts["quotes"],
            "bookmark_count": 0, "impression_count": counts["views"]}


def serve(stack: ExitStack, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Any:
    fake = stack.enter_context(platform.make())
    monkeypatch.setenv(platform.url_env, fake.url)
    monkeypatch.setenv(platform.secret_env, platform.secret)
    monkeypatch.setenv("DAMAI_PUBLISH_TIMEOUT", "5")
    return fake


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with ExitStack() as stack:
        yield {p.name: serve(stack, p, monkeypatch) for p in PLATFORMS}


def published(db: Store, servers: dict[str, Any], name: str, text: str) -> str:
    """Publish ``text`` on the platform ``name`` and give the post its expected counts."""
    sent = send(db, BY_NAME[name], text=text)
    assert sent.state == "sent" and sent.post_id
    set_counts(servers[name], sent.post_id, EXPECTED[name])
    return sent.post_id


@pytest.mark.parametrize("name", COUNTED)
def test_each_platform_s_counts_are_read_and_stored(db: Store, servers: dict[str, Any],
                                                    name: str) -> None:
    published(db, servers, name, f"Salam damai dari {name}.")
    report = collect(db)
    assert report.to_dict() == {"targets": 1, "collected": 1, "gone": 0, "unavailable": 0,
                                "failed": {}}
    [observed] = db.engagement.observations()
    assert observed.platform == name and observed.counts == EXPECTED[name]
    assert servers[name].requests_to(METRICS_PATH[name])


def test_telegram_gives_no_counts_and_is_reported_unavailable(
        db: Store, servers: dict[str, Any]) -> None:
    send(db, BY_NAME["telegram"], text="Salam damai dari Telegram.")
    report = collect(db)
    assert (report.targets, report.collected, report.unavailable) == (1, 0, 1)
    assert db.engagement.count() == 0


def test_every_collection_adds_a_sample_and_the_latest_is_measured(
        db: Store, servers: dict[str, Any]) -> None:
    post_id = published(db, servers, "x", "Jaga persaudaraan.")
    collect(db)
    set_counts(servers["x"], post_id, EXPECTED["x"] | {"likes": 9, "views": 900})
    collect(db)
    [publication] = db.publications.recent()
    series = db.engagement.series(publication_id=publication.id)
    assert [c["likes"] for _, c in series] == [5, 9]
    [observed] = db.engagement.observations()
    assert (observed.counts["likes"], observed.counts["views"]) == (9, 900)


def test_a_deleted_post_is_counted_gone_and_old_posts_are_no_longer_collected(
        db: Store, servers: dict[str, Any]) -> None:
    post_id = published(db, servers, "x", "Tolak hoaks.")
    servers["x"].tweets[:] = [t for t in servers["x"].tweets if t["id"] != post_id]
    report = collect(db)
    assert (report.collected, report.gone) == (0, 1)
    later = collect(db, now=datetime.now(UTC) + timedelta(days=15))
    assert later.targets == 0 and not servers["x"].requests_to("/2/tweets?")


FAILURES = {
    "429": lambda s: s.rate_limited(reset_in=60),
    "503": lambda s: service_unavailable(),
    "401": lambda s: Reply(401, {"error": "AuthenticationRequired", "message": "Bad token",
                                 "title": "Unauthorized", "detail": "Unauthorized",
                                 "status": 401}),
}


@pytest.mark.parametrize("answer", list(FAILURES))
@pytest.mark.parametrize("name", COUNTED)
def test_a_failing_channel_is_reported_and_the_others_are_still_collected(
        db: Store, servers: dict[str, Any], name: str, answer: str,
        caplog: pytest.LogCaptureFixture) -> None:
    for platform in COUNTED:
        published(db, servers, platform, f"Damai itu indah, kata {platform}.")
    failing = servers[name]
    failing.fail(METRICS_PATH[name], *[FAILURES[answer](failing)] * 3)
    report = collect(db)
    assert report.collected == 2 and list(report.failed) == [BY_NAME[name].channel]
    assert answer in report.failed[BY_NAME[name].channel]
    assert BY_NAME[name].secret not in str(report.to_dict()) + caplog.text
    assert "engagement of" in caplog.text
    assert {o.platform for o in db.engagement.observations()} == set(COUNTED) - {name}


def test_the_scheduler_collects_every_interval(db: Store, servers: dict[str, Any],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    published(db, servers, "x", "Mari berbagi kabar baik.")
    monkeypatch.setenv("DAMAI_ENGAGEMENT_INTERVAL_MINUTES", "60")
    clock = [datetime.now(UTC)]
    scheduler = Scheduler(db, interval=0, now=lambda: clock[0])
    scheduler.run(once=True)
    scheduler.run(once=True)
    assert db.engagement.count() == 1  # not due again yet
    clock[0] += timedelta(minutes=61)
    scheduler.run(once=True)
    assert db.engagement.count() == 2
    monkeypatch.setenv("DAMAI_ENGAGEMENT_INTERVAL_MINUTES", "0")
    clock[0] += timedelta(minutes=120)
    scheduler.run(once=True)
    assert db.engagement.count() == 2  # 0: scheduled collection is off


def test_damai_engagement_collect_prints_its_report(
        capsys: pytest.CaptureFixture[str], store_url: str, servers: dict[str, Any]) -> None:
    with contract.open_store(store_url) as store:
        published(store, servers, "bluesky", "Salam damai.")
    code, out, _ = run_cli(capsys, "engagement", "collect", "--db", store_url, "--json")
    assert code == 0 and orjson.loads(out)["collected"] == 1
    code, out, _ = run_cli(capsys, "engagement", "collect", "--db", store_url)
    assert code == 0 and "1 sampel" in out and "samples" in out


def test_telegram_publisher_makes_no_call_for_counts(servers: dict[str, Any]) -> None:
    from damai.publishers import open_publisher, parse_channel

    publisher = open_publisher(parse_channel(BY_NAME["telegram"].channel))
    assert publisher.metrics(["-1001234567890:1"]) == {}
    publisher.close()
    assert isinstance(servers["telegram"], TelegramBotAPI) and servers["telegram"].seen == []
