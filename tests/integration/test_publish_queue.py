"""Issue #12 part 3, on both backends: per-account rate limits, a queue that survives restarts,
paused channels, and no burst after a clock jump (:mod:`damai.storage.queue`,
:func:`damai.pipeline.publishing.drain`).

The platform is the fake twin (:class:`damai.publishers.FakePublisher`) except where a real
client library and a fake server on 127.0.0.1 are the point; time is an injected clock.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from damai.errors import ConfigError, PublishError
from damai.pipeline.publishing import drain, pause_channel, publish, resume_channel
from damai.pipeline.responses import edit
from damai.publishers import FakePublisher, parse_channel
from damai.publishers.limits import RateLimit, rate_limit
from damai.storage import Store, open_store
from tests.conftest import run_cli
from tests.integration import test_store_contract as contract
from tests.integration.test_api import Api, lite
from tests.integration.test_publishing_boundary import APPROVER, MODEL, PEACE, approved

store_url, db = contract.store_url, contract.db
__all__ = ["db", "lite", "store_url"]  # fixtures

CHANNEL = "mastodon:damai@fake.example"


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two posts an hour on the fake account, X's free tier on one X account."""
    monkeypatch.setenv("DAMAI_PUBLISH_RATE_LIMITS",
                       f"mastodon=300/10800,{CHANNEL}=2/3600,x:Damai_ID=17/86400")


def queue_up(db: Store, n: int, fake: FakePublisher) -> list[int]:
    """``n`` approved responses published to the fake channel without waiting: queued."""
    ids = []
    for i in range(n):
        published, new = publish(db, APPROVER, CHANNEL, response_id=approved(db, f"{PEACE} {i}"),
                                 publishers=lambda channel: fake, wait=False)
        assert new and published.state == "queued"
        ids.append(published.id)
    return ids


def drained(db: Store, fake: FakePublisher, at: datetime) -> Any:
    return drain(db, APPROVER, publishers=lambda channel: fake, now=lambda: at)


def test_limits_are_read_per_platform_and_per_account(limited: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert rate_limit(parse_channel(CHANNEL)) == RateLimit(2, timedelta(hours=1))
    assert rate_limit(parse_channel("mastodon:other@fake.example")) == RateLimit(
        300, timedelta(hours=3))
    assert str(rate_limit(parse_channel("x:damai_id"))) == "17/86400 s"  # any case
    assert rate_limit(parse_channel("telegram:@kanal")).count == 20  # the platform's default
    for wrong in ("mastodon=3", "mastodon=0/60", "mastodon=a/60", "bluesky=5/-1",
                  "facebook:damai=5/60"):
        monkeypatch.setenv("DAMAI_PUBLISH_RATE_LIMITS", wrong)
        with pytest.raises(ConfigError) as info:
            rate_limit(parse_channel(CHANNEL))
        assert "DAMAI_PUBLISH_RATE_LIMITS" in info.value.message


def test_the_excess_waits_in_the_queue_and_goes_out_in_its_turn(db: Store,
                                                                 limited: None) -> None:
    fake = FakePublisher()
    ids = queue_up(db, 5, fake)
    start = datetime.now(UTC)
    first = drained(db, fake, start)
    assert [p.id for p in first.sent] == ids[:2] and len(fake.posted) == 2
    [state] = db.queue.channels()
    assert (state.channel, state.paused, state.queued) == (CHANNEL, False, 3)
    # the window is full: nothing more this hour, however often the worker looks
    for minutes in (1, 30, 59):
        assert drained(db, fake, start + timedelta(minutes=minutes)).sent == []
    turn = db.queue.next_turn(CHANNEL, count=2, window=timedelta(hours=1), now=start)
    # (an hour after the first call, and a second's margin for the call's way to the platform)
    assert turn is not None and turn == start + timedelta(hours=1, seconds=1)
    later = drained(db, fake, start + timedelta(hours=1, seconds=1, microseconds=1))
    assert [p.id for p in later.sent] == ids[2:4]
    last = drained(db, fake, start + timedelta(hours=2, seconds=3))
    assert [p.id for p in last.sent] == ids[4:] and len(fake.posted) == 5
    calls = db.queue.calls(CHANNEL, start - timedelta(seconds=1))
    assert len(calls) == 5 and all(  # no three calls inside one hour
        calls[i + 2] - calls[i] >= timedelta(hours=1) for i in range(len(calls) - 2))


def test_the_queue_survives_a_restart(store_url: str, limited: None) -> None:
    fake = FakePublisher()
    with open_store(store_url) as first:
        ids = queue_up(first, 3, fake)
        assert len(drained(first, fake, datetime.now(UTC)).sent) == 2
    with open_store(store_url) as again:  # a new process: the rows and the calls are there
        now = datetime.now(UTC)
        assert drained(again, fake, now).sent == []
        done = drained(again, fake, now + timedelta(hours=1, seconds=1))
        assert [p.id for p in done.sent] == ids[2:]
    assert len(fake.posted) == 3


def test_two_workers_draining_at_once_pass_the_limit_together_never(db: Store,
                                                                    limited: None) -> None:
    fake = FakePublisher()
    queue_up(db, 6, fake)
    lock = threading.Lock()
    sent: list[int] = []
    at = datetime.now(UTC)

    def worker() -> None:
        done = drained(db, fake, at)
        with lock:
            sent.extend(p.id for p in done.sent)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(sent) == len(set(sent)) == 2 and len(fake.posted) == 2


def test_a_long_downtime_or_a_clock_jump_sends_no_burst(db: Store, limited: None) -> None:
    fake = FakePublisher()
    queue_up(db, 6, fake)
    ten_days = datetime.now(UTC) + timedelta(days=10)
    assert len(drained(db, fake, ten_days).sent) == 2  # one window's worth, not six
    assert len(drained(db, fake, ten_days + timedelta(minutes=5)).sent) == 0
    # a clock set back counts the calls "in the future" too: still no room
    assert len(drained(db, fake, datetime.now(UTC)).sent) == 0


def test_a_429_queues_until_the_platform_says_and_is_not_a_failure(db: Store) -> None:
    fake = FakePublisher(script=[PublishError("rate_limited", "Too Many Requests", status=429,
                                              headers={"Retry-After": "600"})])
    [pid] = queue_up(db, 1, fake)
    at = datetime.now(UTC)
    done = drained(db, fake, at)
    [held] = done.requeued
    assert (held.id, held.state, held.failures) == (pid, "queued", 0)
    assert held.not_before == at + timedelta(seconds=600)
    assert drained(db, fake, at + timedelta(seconds=599)).sent == []
    assert [p.id for p in drained(db, fake, at + timedelta(seconds=601)).sent] == [pid]


def test_a_refused_credential_pauses_only_its_channel_and_loses_nothing(db: Store) -> None:
    refused = FakePublisher(script=[PublishError("auth", "The access token was revoked",
                                                 status=401)])
    queue_up(db, 3, refused)
    other = FakePublisher()
    other_pub, _ = publish(db, APPROVER, "bluesky:damai.bsky.social",
                           response_id=approved(db, PEACE + " Bluesky."),
                           publishers=lambda channel: other, wait=False)
    fakes = {CHANNEL: refused, "bluesky:damai.bsky.social": other}
    at = datetime.now(UTC)
    done = drain(db, APPROVER, publishers=lambda channel: fakes[str(channel)], now=lambda: at)
    assert [p.id for p in done.sent] == [other_pub.id]  # the other channel goes on
    [paused] = db.queue.paused()
    assert paused.channel == CHANNEL and "revoked" in str(paused.reason) and paused.queued == 3
    assert drain(db, APPROVER, publishers=lambda channel: fakes[str(channel)],
                 now=lambda: at).sent == []
    assert resume_channel(db, APPROVER, CHANNEL)
    done = drain(db, APPROVER, publishers=lambda channel: fakes[str(channel)], now=lambda: at)
    assert len(done.sent) == 3 and len(refused.posted) == 3
    actions = [e.action for e in db.audit.query(limit=20)]
    assert "channel_pause" in actions and "channel_resume" in actions


def test_a_channel_without_credentials_is_paused_by_the_worker_with_why(
        db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_MASTODON_PUBLISH_TOKEN", "token")
    monkeypatch.setenv("DAMAI_MASTODON_PUBLISH_URL", "http://127.0.0.1:9")
    published, _ = publish(db, APPROVER, "mastodon:damai@social.example.id",
                           response_id=approved(db), wait=False)
    monkeypatch.delenv("DAMAI_MASTODON_PUBLISH_TOKEN")
    done = drain(db, APPROVER)
    assert list(done.skipped) == [published.channel]
    [paused] = db.queue.paused()
    assert "DAMAI_MASTODON_PUBLISH_TOKEN" in str(paused.reason)
    assert db.publications.get(published.id).state == "queued"  # type: ignore[union-attr]


def test_a_person_pauses_a_channel_and_the_dry_run_channel_is_never_paused(db: Store) -> None:
    fake = FakePublisher()
    queue_up(db, 1, fake)
    assert pause_channel(db, APPROVER, CHANNEL, "kampanye ditunda")
    assert not pause_channel(db, APPROVER, CHANNEL, "lagi")
    assert drained(db, fake, datetime.now(UTC)).sent == []
    [paused] = db.queue.paused()
    assert paused.reason == "kampanye ditunda (budi)"
    from damai.errors import InputError
    with pytest.raises(InputError):
        pause_channel(db, APPROVER, "dry-run", "")


def test_a_refused_text_stays_listed_with_the_reason_and_an_edit_goes_back_to_review(
        db: Store) -> None:
    fake = FakePublisher(script=[PublishError("invalid", "Text character limit of 500 "
                                              "exceeded", status=422)])
    rid = approved(db)
    failed, _ = publish(db, APPROVER, CHANNEL, response_id=rid, publishers=lambda c: fake)
    assert failed.state == "failed" and "500" in str(failed.reason)
    assert db.publications.get(failed.id).reason == failed.reason  # type: ignore[union-attr]
    edited = edit(db, MODEL, APPROVER, rid, PEACE[:40])
    assert edited.state == "in_review"  # back through approval before it can go out again
    from damai.errors import ReviewRefused
    with pytest.raises(ReviewRefused):
        publish(db, APPROVER, CHANNEL, response_id=rid, publishers=lambda c: fake)


def test_the_api_queues_a_real_channel_and_refuses_one_without_credentials(
        lite: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api = lite
    with open_store(api.url) as store:
        rid = approved(store)
    monkeypatch.delenv("DAMAI_X_PUBLISH_TOKEN", raising=False)
    body = {"response_id": rid, "channel": "x:damai_id"}
    refused = api.post("/publications", "approver", json=body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "channel_not_configured"
    monkeypatch.setenv("DAMAI_X_PUBLISH_TOKEN", "x-user-token")
    made = api.post("/publications", "approver", json=body)
    assert made.status_code == 201 and made.json()["state"] == "queued", made.text
    [listed] = api.get("/channels", "viewer").json()
    assert (listed["channel"], listed["queued"], listed["rate_limit"]) == (
        "x:damai_id", 1, "100/86400 s")
    assert api.post("/channels/pause", "analyst",
                    json={"channel": "x:damai_id"}).status_code == 403
    paused = api.post("/channels/pause", "approver",
                      json={"channel": "x:damai_id", "reason": "uji"})
    assert paused.json() == {"channel": "x:damai_id", "paused": True, "changed": True}
    assert api.get("/channels", "viewer").json()[0]["paused"] is True
    resumed = api.post("/channels/resume", "approver", json={"channel": "x:damai_id"})
    assert resumed.json()["changed"] is True
    bad = api.post("/channels/resume", "approver", json={"channel": "friendster:a"})
    assert bad.status_code == 400


def test_the_channels_cli_lists_pauses_resumes_and_drains(
        db_url: str, capsys: pytest.CaptureFixture[str], limited: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.publish_servers import MastodonInstance

    with MastodonInstance() as server:
        monkeypatch.setenv("DAMAI_MASTODON_PUBLISH_URL", server.url)
        monkeypatch.setenv("DAMAI_MASTODON_PUBLISH_TOKEN", "mastodon-token")
        with open_store(db_url) as store:
            for i in range(3):
                publish(store, APPROVER, CHANNEL, response_id=approved(store, f"{PEACE} {i}"),
                        wait=False)
        code, out, _ = run_cli(capsys, "channels", "pause", CHANNEL, "--reason", "rapat",
                               "--db", db_url)
        assert code == 0 and "dijeda / paused" in out
        code, out, _ = run_cli(capsys, "channels", "list", "--json", "--db", db_url)
        [row] = orjson.loads(out)
        assert (row["paused"], row["queued"], row["rate_limit"]) == (True, 3, "2/3600 s")
        code, out, _ = run_cli(capsys, "channels", "drain", "--json", "--db", db_url)
        assert code == 0 and orjson.loads(out)["sent"] == 0 and server.posts() == []
        assert run_cli(capsys, "channels", "resume", CHANNEL, "--db", db_url)[0] == 0
        code, out, _ = run_cli(capsys, "channels", "drain", "--json", "--db", db_url)
        assert orjson.loads(out)["sent"] == 2 and len(server.posts()) == 2  # the limit
        code, out, _ = run_cli(capsys, "channels", "list", "--db", db_url)
        assert "berjalan / running" in out and "2/3600 s" in out


@pytest.mark.parametrize("verdict", ["sent", "failed"])
def test_a_person_settles_an_uncertain_publication_in_the_dashboard(
        db_url: str, monkeypatch: pytest.MonkeyPatch, verdict: str) -> None:
    """Telegram cannot look a post up: a lost answer is ``uncertain``; the outbox asks the
    approver to check the channel. "Not there" queues it again and the worker sends it once."""
    from tests.integration.platform_servers import service_unavailable
    from tests.integration.publish_servers import TelegramBotAPI
    from tests.integration.web_helpers import add_users, client_for, login

    channel = "telegram:@damai_channel"
    with TelegramBotAPI() as bot:
        monkeypatch.setenv("DAMAI_TELEGRAM_API_URL", bot.url)
        monkeypatch.setenv("DAMAI_TELEGRAM_BOT_TOKEN", "123456:ABC-bot-token")
        bot.fail("/bot", service_unavailable())
        with open_store(db_url) as store:
            uncertain, _ = publish(store, APPROVER, channel, response_id=approved(store))
        assert uncertain.state == "uncertain"
        add_users(db_url)
        with client_for(db_url) as client:
            login(client, "approver")
            page = client.get("/outbox").text
            row = page[page.index(f'id="publication-{uncertain.id}"'):].split("</tr>")[0]
            assert "Periksa akun di platform" in row and 'value="failed"' in row
            csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
            answer = client.post(f"/outbox/{uncertain.id}/settle", data={
                "outcome": verdict, "post_url": "", "csrf_token": csrf})
            assert answer.status_code in (200, 303)
        with open_store(db_url) as store:
            settled = store.publications.get(uncertain.id)
            assert settled is not None
            assert settled.state == ("sent" if verdict == "sent" else "queued")
            done = drain(store, APPROVER)
            assert len(done.sent) == (1 if verdict == "failed" else 0)
            assert len(bot.messages) == (1 if verdict == "failed" else 0)
            actions = [e.action for e in store.audit.query(limit=5)]
            assert f"publication_{verdict}" in actions
