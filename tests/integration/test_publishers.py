"""Issue #12, parts 1 and 2, on both backends: each publisher's real client library (Mastodon.py,
atproto, tweepy, httpx for the Telegram Bot API) against a fake platform on 127.0.0.1
(:mod:`tests.integration.publish_servers`), through :func:`damai.pipeline.publishing.publish`.

One table of platforms, one table of answers: success, 401, 403, a validation error, a 429 with
the platform's own retry header, a 5xx, an answer lost to a timeout after the platform accepted
the post, and reconciliation of ``pending`` rows. Waits are recorded, never slept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from damai.errors import ConfigError, PublishError
from damai.httpclient import RetryPolicy
from damai.pipeline.publishing import drain, publish, reconcile
from damai.publishers import FakePublisher, Outgoing, Posted, open_publisher, parse_channel
from damai.storage import Store
from damai.storage.publications import Publication, Subject
from tests.integration import test_store_contract as contract
from tests.integration.platform_servers import FakePlatform, Reply, service_unavailable
from tests.integration.publish_servers import BlueskyPDS, MastodonInstance, TelegramBotAPI, XAccount
from tests.integration.test_publishing_boundary import APPROVER, PEACE, approved

store_url, db = contract.store_url, contract.db

SECRET_MARK = "s3cr3t"


@dataclass(frozen=True)
class Platform:
    name: str
    channel: str
    make: Callable[[], Any]
    post_path: str
    url_env: str
    secret_env: str
    secret: str
    too_long: int
    #: the 429 reply, with the platform's own retry header
    rate_limited: Callable[[Any], Reply]
    #: the wait that header asks for: a reset an hour away is capped at the policy's 120 s
    told: float

    def posts(self, server: Any) -> list[Any]:
        if isinstance(server, BlueskyPDS):
            return list(server.records.values())
        if isinstance(server, TelegramBotAPI):
            return list(server.messages)
        return list(server.posts())


PLATFORMS = [
    Platform("mastodon", "mastodon:damai@social.example.id", MastodonInstance, "/api/v1/statuses",
             "DAMAI_MASTODON_PUBLISH_URL", "DAMAI_MASTODON_PUBLISH_TOKEN", "mastodon-token",
             501, lambda s: s.rate_limited(reset_in=3600), 120.0),
    Platform("bluesky", "bluesky:damai.bsky.social", BlueskyPDS,
             "/xrpc/com.atproto.repo.createRecord", "DAMAI_BLUESKY_PUBLISH_URL",
             "DAMAI_BLUESKY_PUBLISH_PASSWORD", "app-pass", 301,
             lambda s: s.rate_limited(reset_in=3600), 120.0),
    Platform("x", "x:damai_id", XAccount, "/2/tweets", "DAMAI_X_PUBLISH_URL",
             "DAMAI_X_PUBLISH_TOKEN", "x-user-token", 281,
             lambda s: s.rate_limited(reset_in=3600), 120.0),
    Platform("telegram", "telegram:@damai_channel", TelegramBotAPI, "/bot",
             "DAMAI_TELEGRAM_API_URL", "DAMAI_TELEGRAM_BOT_TOKEN", "123456:ABC-bot-token", 4097,
             lambda s: s.rate_limited(retry_after=45), 45.0),
]
IDS = [p.name for p in PLATFORMS]


@pytest.fixture(params=PLATFORMS, ids=IDS)
def platform(request: pytest.FixtureRequest) -> Platform:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def server(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatform]:
    with platform.make() as fake:
        monkeypatch.setenv(platform.url_env, fake.url)
        monkeypatch.setenv(platform.secret_env, platform.secret)
        monkeypatch.setenv("DAMAI_PUBLISH_TIMEOUT", "5")
        yield fake


def policy(waits: list[float], attempts: int = 3) -> RetryPolicy:
    return RetryPolicy(attempts=attempts, backoff=0.5, max_backoff=4.0, max_wait=120.0,
                       sleep=waits.append)


def send(db: Store, platform: Platform, waits: list[float] | None = None, *,
         text: str = PEACE) -> Publication:
    rid = approved(db, text)
    published, new = publish(db, APPROVER, platform.channel, response_id=rid,
                             policy=policy(waits if waits is not None else []))
    assert new
    return published


def assert_failed(published: Publication, lead: str, *platform_words: str) -> None:
    assert published.state == "failed" and published.reason is not None
    assert published.reason.startswith(lead) and " / " in published.reason, published.reason
    for word in platform_words:
        assert word in published.reason


# -- the answers ----------------------------------------------------------------------------------
def test_a_post_goes_out_once_with_its_id_and_link(
        db: Store, platform: Platform, server: FakePlatform,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    published = send(db, platform)
    assert published.state == "sent" and published.post_id and published.attempts == 1
    assert published.post_url and published.post_url.startswith("https://")
    [post] = platform.posts(server)
    assert PEACE in str(post)
    again, new = publish(db, APPROVER, platform.channel, response_id=published.response_id)
    assert (new, again.id, again.state) == (False, published.id, "sent")
    assert len(platform.posts(server)) == 1
    assert [e.action for e in db.audit.query()][:2] == ["publication_sent", "publish"]
    assert platform.secret not in caplog.text  # never logged


def assert_paused(db: Store, published: Publication, lead: str, *platform_words: str) -> None:
    """A refused credential loses nothing: the publication waits in the queue with the
    platform's reason, and its channel is paused (with the same reason) until a person resumes
    it."""
    assert published.state == "queued" and published.reason is not None
    assert published.reason.startswith(lead) and " / " in published.reason, published.reason
    for word in platform_words:
        assert word in published.reason
    [paused] = db.queue.paused()
    assert (paused.channel, paused.reason, paused.queued) == (published.channel,
                                                              published.reason, 1)


def test_a_refused_credential_pauses_the_channel_and_keeps_the_post_queued(
        db: Store, platform: Platform, server: FakePlatform,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = f"{SECRET_MARK}-wrong"
    monkeypatch.setenv(platform.secret_env, wrong)
    published = send(db, platform)
    assert_paused(db, published, "platform menolak kredensial akun", "401")
    assert platform.posts(server) == []
    assert wrong not in caplog.text and wrong not in str(published.to_dict())
    assert wrong not in str([e.detail for e in db.audit.query()])
    # a paused channel sends nothing, even when asked again
    again, new = publish(db, APPROVER, platform.channel, response_id=published.response_id)
    assert (new, again.state, platform.posts(server)) == (False, "queued", [])
    # the credential is fixed and a person resumes the channel: the worker sends it, once
    monkeypatch.setenv(platform.secret_env, platform.secret)
    assert db.queue.resume(published.channel, actor="budi", now=published.created_at)
    done = drain(db, APPROVER)
    assert [p.id for p in done.sent] == [published.id] and len(platform.posts(server)) == 1
    assert [e.action for e in db.audit.query()][:3] == ["publication_sent", "channel_resume",
                                                        "channel_pause"]


def test_a_forbidden_answer_pauses_the_channel_at_once(db: Store, platform: Platform,
                                                       server: FakePlatform) -> None:
    forbidden = {
        "mastodon": Reply(403, {"error": "This action is not allowed"}),
        "bluesky": Reply(403, {"error": "Forbidden", "message": "Account is takendown"}),
        "x": Reply(403, {"detail": "You are not permitted to perform this action.",
                         "type": "about:blank", "title": "Forbidden", "status": 403}),
        "telegram": TelegramBotAPI.error(403, "Forbidden: bot is not a member of the channel "
                                              "chat"),
    }[platform.name]
    server.fail(platform.post_path, forbidden)
    waits: list[float] = []
    published = send(db, platform, waits)
    assert_paused(db, published, "platform menolak kredensial akun", "403")
    assert waits == [] and platform.posts(server) == []


def test_a_text_the_platform_refuses_fails_with_its_reason(
        db: Store, platform: Platform, server: FakePlatform) -> None:
    long_text = ("Mari jaga persaudaraan. " * 200)[:platform.too_long].strip() + " damai"
    published = send(db, platform, text=long_text)
    reason = {"mastodon": "character limit of 500", "bluesky": "300 graphemes",
              "x": "too long", "telegram": "message is too long"}[platform.name]
    assert_failed(published, "platform menolak teks ini", reason)
    assert platform.posts(server) == []


def test_x_refuses_a_duplicate_text_as_a_refused_text(monkeypatch: pytest.MonkeyPatch,
                                                      db: Store) -> None:
    with XAccount() as server:
        monkeypatch.setenv("DAMAI_X_PUBLISH_URL", server.url)
        monkeypatch.setenv("DAMAI_X_PUBLISH_TOKEN", "x-user-token")
        server.add_tweet(PEACE, author=server.me)
        published = send(db, PLATFORMS[2])
    assert_failed(published, "platform menolak teks ini", "duplicate content")


def test_a_429_waits_as_the_platform_says_then_posts_once(
        db: Store, platform: Platform, server: FakePlatform) -> None:
    """A short wait (Telegram's 45 s) is waited in the foreground; an hour (the others' reset
    header) leaves the post queued until then, for the worker: nothing sleeps for an hour."""
    server.fail(platform.post_path, platform.rate_limited(server))
    waits: list[float] = []
    published = send(db, platform, waits)
    if platform.name == "telegram":
        assert published.state == "sent" and len(platform.posts(server)) == 1
        assert waits == [platform.told]  # the header's wait, not the 0.5 s backoff
        return
    assert (published.state, waits, platform.posts(server)) == ("queued", [], [])
    assert published.not_before is not None and published.failures == 0
    assert 3500 < (published.not_before - published.created_at).total_seconds() <= 3601
    assert drain(db, APPROVER).to_dict()["sent"] == 0  # not before the platform's time
    later = published.not_before + timedelta(seconds=1)
    assert [p.id for p in drain(db, APPROVER, now=lambda: later).sent] == [published.id]
    assert len(platform.posts(server)) == 1


def test_a_5xx_is_looked_up_then_retried_and_posts_once(
        db: Store, platform: Platform, server: FakePlatform) -> None:
    server.fail(platform.post_path, service_unavailable())
    waits: list[float] = []
    published = send(db, platform, waits)
    if platform.name == "telegram":  # the Bot API cannot look a post up
        assert published.state == "uncertain" and "tidak bisa dipastikan" in str(published.reason)
        assert platform.posts(server) == []
        return
    assert published.state == "sent" and len(platform.posts(server)) == 1
    assert len(waits) == 1


# not Telegram: its 5xx is uncertain at once (above), since the Bot API cannot look a post up
@pytest.mark.parametrize("platform", PLATFORMS[:3], ids=IDS[:3], indirect=True)
def test_5xx_until_the_attempts_run_out_fails_with_the_reason(
        db: Store, platform: Platform, server: FakePlatform) -> None:
    assert platform.name != "telegram"
    server.fail(platform.post_path, *[service_unavailable()] * 3)
    published = send(db, platform)
    assert_failed(published, "platform gagal menjawab", "503")
    assert platform.posts(server) == []
    retried, new = publish(db, APPROVER, platform.channel, response_id=published.response_id,
                           policy=policy([]))
    # four delivery runs: three 503s, then the one that went through
    assert (new, retried.id, retried.state, retried.attempts) == (False, published.id, "sent", 4)
    assert len(platform.posts(server)) == 1


def test_an_answer_lost_to_a_timeout_after_the_post_was_accepted_is_found_not_reposted(
        db: Store, platform: Platform, server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_PUBLISH_TIMEOUT", "0.5")
    server.holds.after = 2.0
    published = send(db, platform)
    assert server.holds.accepted.is_set() and len(platform.posts(server)) == 1
    expected = "uncertain" if platform.name == "telegram" else "sent"
    assert published.state == expected, published.reason


# -- reconciliation -------------------------------------------------------------------------------
def pending(db: Store, platform: Platform) -> Publication:
    rid = approved(db)
    row, _ = db.publications.publish(Subject(response_id=rid), str(parse_channel(
        platform.channel)), actor="budi", state="pending")
    return row


@pytest.mark.parametrize("accepted", [True, False], ids=["accepted", "never-arrived"])
def test_reconcile_finds_an_accepted_post_and_posts_a_missing_one_once(
        db: Store, platform: Platform, server: FakePlatform, accepted: bool) -> None:
    row = pending(db, platform)
    if accepted:  # the platform accepted it, the worker died before recording
        publisher = open_publisher(parse_channel(platform.channel))
        publisher.post(Outgoing(row.id, row.idempotency_key, PEACE, row.created_at))
        publisher.close()
    assert db.publications.pending(row.created_at) == []  # not older than itself
    done = reconcile(db, APPROVER, older_than=timedelta(0), policy=policy([]))
    settled = db.publications.get(row.id)
    assert settled is not None
    if platform.name == "telegram":
        assert (done.uncertain, settled.state) == ([settled], "uncertain")
        assert len(platform.posts(server)) == int(accepted)
    else:
        assert settled.state == "sent" and settled.post_id
        assert (done.found if accepted else done.posted) == [settled]
        assert len(platform.posts(server)) == 1
    assert reconcile(db, APPROVER, older_than=timedelta(0)).to_dict() == {
        "found": [], "posted": [], "uncertain": [], "queued": [], "skipped": {}}


def test_reconcile_skips_a_channel_without_credentials_and_keeps_it_queued(
        db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAMAI_MASTODON_PUBLISH_TOKEN", raising=False)
    row = pending(db, PLATFORMS[0])
    done = reconcile(db, APPROVER, older_than=timedelta(0))
    assert list(done.skipped) == [row.channel] and "DAMAI_MASTODON_PUBLISH_TOKEN" in \
        done.skipped[row.channel]
    kept = db.publications.get(row.id)
    assert kept is not None and (kept.state, kept.lookup_first) == ("queued", True)
    with pytest.raises(ConfigError):
        publish(db, APPROVER, row.channel, response_id=row.response_id)


def test_a_per_account_secret_wins_over_the_shared_one(monkeypatch: pytest.MonkeyPatch,
                                                       db: Store) -> None:
    with MastodonInstance(token="own-token") as server:
        monkeypatch.setenv("DAMAI_MASTODON_PUBLISH_URL", server.url)
        monkeypatch.setenv("DAMAI_MASTODON_PUBLISH_TOKEN", "shared-token")
        monkeypatch.setenv("DAMAI_MASTODON_PUBLISH_TOKEN__DAMAI_SOCIAL_EXAMPLE_ID", "own-token")
        assert send(db, PLATFORMS[0]).state == "sent"


# -- the outbox page ------------------------------------------------------------------------------
def test_the_outbox_shows_each_channel_with_its_state_link_and_reason(
        tmp_path: Any, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from damai.storage import open_store
    from tests.integration.web_helpers import add_users, client_for, login

    mastodon, telegram = PLATFORMS[0], PLATFORMS[3]
    with MastodonInstance() as server, TelegramBotAPI() as bot:
        for platform, fake in ((mastodon, server), (telegram, bot)):
            monkeypatch.setenv(platform.url_env, fake.url)
            monkeypatch.setenv(platform.secret_env, platform.secret)
        monkeypatch.setenv("DAMAI_TELEGRAM_BOT_TOKEN", f"{SECRET_MARK}-wrong")
        with open_store(db_url) as store:
            sent = send(store, mastodon)
            held = send(store, telegram, text=PEACE + " Salam.")
        add_users(db_url)
        with client_for(db_url) as client:
            login(client, "approver")
            page = client.get("/outbox").text
            alert = client.get("/outbox/alerts").text
            row = page[page.index(f'id="publication-{sent.id}"'):].split("</tr>")[0]
            assert "terkirim" in row and f'href="{sent.post_url}"' in row
            assert mastodon.channel in row
            row = page[page.index(f'id="publication-{held.id}"'):].split("</tr>")[0]
            assert "dalam antrean" in row and "platform menolak kredensial akun" in row
            channels = page[page.index('id="channel-states"'):].split("</table>")[0]
            assert telegram.channel in channels and "dijeda" in channels
            assert "Lanjutkan kanal" in channels
            # the banner every page shows, until a person resumes the channel
            assert telegram.channel in alert and 'role="alert"' in alert
            assert SECRET_MARK not in page + alert
            monkeypatch.setenv("DAMAI_TELEGRAM_BOT_TOKEN", telegram.secret)
            csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
            client.post("/outbox/channels/resume", data={"channel": telegram.channel,
                                                         "csrf_token": csrf})
            assert client.get("/outbox/alerts").text.strip() == ""


@pytest.mark.parametrize("verdict", ["sent", "failed"])
def test_a_person_settles_an_uncertain_publication_from_the_cli(
        db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        verdict: str) -> None:
    """Telegram cannot look a post up: a lost answer is ``uncertain`` until a person checks
    the channel. ``failed`` lets the next ``damai publish`` send it; ``sent`` closes it."""
    import orjson

    from damai.storage import open_store
    from tests.conftest import run_cli

    telegram = PLATFORMS[3]
    with TelegramBotAPI() as bot:
        monkeypatch.setenv(telegram.url_env, bot.url)
        monkeypatch.setenv(telegram.secret_env, telegram.secret)
        bot.fail("/bot", service_unavailable())
        with open_store(db_url) as store:
            uncertain = send(store, telegram)
            rid = uncertain.response_id
        assert uncertain.state == "uncertain" and bot.messages == []
        refused = run_cli(capsys, "publish", "--settle", str(uncertain.id), "--outcome", "maybe",
                          "--db", db_url)
        assert refused[0] == 2 and "tidak dikenal" in refused[2]
        code, out, _ = run_cli(capsys, "publish", "--settle", str(uncertain.id), "--outcome",
                               verdict, "--post-url", "https://t.me/damai_channel/7", "--json",
                               "--db", db_url)
        assert code == 0 and orjson.loads(out)["state"] == verdict
        code, out, _ = run_cli(capsys, "publish", str(rid), "--channel", telegram.channel,
                               "--json", "--db", db_url)
        after = orjson.loads(out)
        assert code == 0 and after["state"] == "sent"
        assert len(bot.messages) == (1 if verdict == "failed" else 0)
    with open_store(db_url) as store:
        assert [e.action for e in store.audit.query()][:2] == (
            ["publication_sent", f"publication_{verdict}"] if verdict == "failed"
            else ["publication_sent", "publication_uncertain"])


# -- media ----------------------------------------------------------------------------------------
#: a 1x1 PNG
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360f8cfc0f01f0005000201a5b1f1d50000000049454e44ae426082")
ALT = "Relawan membagikan air bersih di posko"


def test_an_image_is_uploaded_then_attached_to_the_post(platform: Platform, server: Any) -> None:
    """Through the publisher alone: publications carry no media yet (a person approves the
    text; media must join what is approved before ``publish`` sends it)."""
    from datetime import UTC, datetime

    from damai.publishers import Media

    publisher = open_publisher(parse_channel(platform.channel))
    try:
        posted = publisher.post(Outgoing(1, "response:1:v1:test", PEACE, datetime.now(UTC),
                                         media=(Media(PNG, "image/png", ALT),)))
    finally:
        publisher.close()
    assert posted.post_id
    [post] = platform.posts(server)
    if isinstance(server, MastodonInstance):
        [(media_id, body)] = server.media.items()
        assert PNG in body and ALT.encode() in body
        assert post["media_attachments"] == [{"id": media_id, "type": "image"}]
    elif isinstance(server, BlueskyPDS):
        [(link, body)] = server.blobs.items()
        [image] = post["value"]["embed"]["images"]
        assert body == PNG and image["alt"] == ALT and image["image"]["ref"]["$link"] == link
    elif isinstance(server, XAccount):
        [(media_id, media)] = server.media.items()
        assert PNG in media["body"] and media["alt"] == ALT
        assert post["attachments"] == {"media_keys": [f"3_{media_id}"]}
    else:
        assert post["caption"] == PEACE and post["photo"]
        [upload] = server.requests_to(f"/bot{platform.secret}/sendPhoto")
        assert PNG in upload.body


# -- the delivery run, with the fake twin ---------------------------------------------------------
def fake_publish(db: Store, fake: Any, waits: list[float] | None = None) -> Publication:
    rid = approved(db)
    published, _ = publish(db, APPROVER, "mastodon:damai@fake.example", response_id=rid,
                           publishers=lambda channel: fake,
                           policy=policy(waits if waits is not None else []))
    return published


@pytest.mark.parametrize(("script", "accept_then", "state", "posts", "calls"), [
    # accepted, then the answer was lost: found by the lookup, never posted again
    ([None], [PublishError("network", "ReadTimeout")], "sent", 1, ["post", "find"]),
    ([None], [PublishError("server", "502 Bad Gateway", status=502)], "sent", 1,
     ["post", "find"]),
    # refused before acceptance: the lookup says absent, so it is tried again
    # (and looked up again before the retry: the first answer may have come too early)
    ([PublishError("server", "503", status=503), None], [], "sent", 1,
     ["post", "find", "find", "post"]),
    ([PublishError("rate_limited", "429", status=429), None], [], "sent", 1, ["post", "post"]),
    ([PublishError("auth", "401", status=401)], [], "queued", 0, ["post"]),
    ([PublishError("invalid", "422", status=422)], [], "failed", 0, ["post"]),
])
def test_a_delivery_run_looks_up_before_it_retries_what_may_have_been_accepted(
        db: Store, script: list[Any], accept_then: list[Any], state: str, posts: int,
        calls: list[str]) -> None:
    fake = FakePublisher(script=list(script), accept_then=list(accept_then))
    published = fake_publish(db, fake)
    assert (published.state, len(fake.posted)) == (state, posts)
    assert [c.split()[0] for c in fake.calls] == calls


def test_a_lookup_that_cannot_tell_leaves_it_uncertain_and_does_not_post_again(
        db: Store) -> None:
    def cannot_tell(item: Outgoing) -> Posted | None:
        raise PublishError("unknown", "the lookup timed out")

    fake = FakePublisher(accept_then=[PublishError("network", "ReadTimeout")],
                         lookup=cannot_tell)
    published = fake_publish(db, fake)
    assert published.state == "uncertain" and "tidak bisa dipastikan" in str(published.reason)
    again, new = publish(db, APPROVER, published.channel, response_id=published.response_id,
                         publishers=lambda channel: fake)
    assert (new, again.state, len(fake.posted)) == (False, "uncertain", 1)


def test_two_workers_never_deliver_one_publication_at_once(db: Store) -> None:
    row = pending(db, PLATFORMS[0])
    first = db.publications.claim(row)
    assert first is not None and first.attempts == 1
    assert db.publications.claim(row) is None  # the second saw attempts = 0: too late
    assert db.publications.settle(row.id, "sent", actor="budi", post_id="1").state == "sent"
    assert db.publications.claim(first) is None  # settled rows are not claimed


def test_a_refusal_after_a_lost_answer_is_looked_up_before_it_counts(
        monkeypatch: pytest.MonkeyPatch, db: Store) -> None:
    """The 503'd tweet went through but is not listed yet when it is first looked up; the next
    delivery run looks it up again before posting and finds it: ``sent``, one tweet, one
    POST."""
    from datetime import UTC, datetime

    from tests.integration.platform_servers import iso

    with XAccount() as server:
        monkeypatch.setenv("DAMAI_X_PUBLISH_URL", server.url)
        monkeypatch.setenv("DAMAI_X_PUBLISH_TOKEN", "x-user-token")
        server.fail("/2/tweets", service_unavailable())
        listed, lookups = server.route, []

        def route(seen: Any) -> Reply:
            if seen.method == "GET" and seen.path.endswith("/tweets") and not lookups:
                lookups.append(seen)
                server.add_tweet(PEACE, author=server.me, created_at=iso(datetime.now(UTC)))
                return Reply(200, {"meta": {"result_count": 0}})
            return listed(seen)

        monkeypatch.setattr(server, "route", route)
        published = send(db, PLATFORMS[2])
        assert published.state == "sent" and len(server.posts()) == 1
        assert [s.method for s in server.requests_to("/2/tweets")] == ["POST"]
