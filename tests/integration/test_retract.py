"""Issue #12, "also expected": retracting a published post, on both backends.

Each publisher's real client library deletes the post on a fake platform on 127.0.0.1
(:mod:`tests.integration.publish_servers`), through :func:`damai.pipeline.publishing.retract`:
deleted, already gone (404, or Telegram's "not found"), refused (401, 403), rate limited (429),
failing (5xx), and Telegram's 48 hours. The dry-run channel changes the record only.
"""

from __future__ import annotations

from typing import Any

import pytest

from damai.errors import NotFound, PublishError, ReviewRefused
from damai.pipeline.publishing import publish, retract
from damai.publishers import FakePublisher
from damai.storage import Store
from tests.integration import test_publishers as pub
from tests.integration import test_store_contract as contract
from tests.integration.platform_servers import FakePlatform, Reply, service_unavailable
from tests.integration.publish_servers import BlueskyPDS, MastodonInstance, TelegramBotAPI, XAccount
from tests.integration.test_publishing_boundary import ANALYST, APPROVER, approved

store_url, db = contract.store_url, contract.db
platform, server = pub.platform, pub.server

#: per platform: where its delete call goes (a scripted answer meets it there)
DELETE_PATH = {"mastodon": "/api/v1/statuses/", "bluesky": "/xrpc/com.atproto.repo.deleteRecord",
               "x": "/2/tweets/", "telegram": "/bot"}


def vanish(fake: Any) -> None:
    """The post is deleted on the platform behind Damai's back (by hand, by a moderator)."""
    if isinstance(fake, MastodonInstance):
        fake.statuses.clear()
    elif isinstance(fake, BlueskyPDS):
        fake.records.clear()
    elif isinstance(fake, XAccount):
        fake.tweets.clear()
    elif isinstance(fake, TelegramBotAPI):
        fake.messages.clear()


def refusal(name: str, status: int) -> Reply:
    """The platform's own shape of a 401 or 403."""
    text = "Unauthorized" if status == 401 else "Forbidden"
    return {
        "mastodon": Reply(status, {"error": "This action is not allowed"}),
        "bluesky": Reply(status, {"error": text, "message": "Not allowed"}),
        "x": Reply(status, {"detail": "You are not permitted to perform this action.",
                            "type": "about:blank", "title": text, "status": status}),
        "telegram": TelegramBotAPI.error(status, f"{text}: bot is not an administrator"),
    }[name]


def test_a_sent_post_is_deleted_on_the_platform_and_recorded_retracted(
        db: Store, platform: pub.Platform, server: FakePlatform) -> None:
    sent = pub.send(db, platform)
    assert len(platform.posts(server)) == 1
    done = retract(db, APPROVER, sent.id, "salah tanggal / wrong date")
    assert done.state == "retracted" and platform.posts(server) == []
    assert (done.post_id, done.post_url) == (sent.post_id, sent.post_url)  # kept for the record
    assert done.reason == "ditarik oleh budi / retracted by budi: salah tanggal / wrong date"
    [last, *_] = db.audit.query()
    assert (last.action, last.actor, last.target) == ("publication_retracted", "budi",
                                                      f"publication:{sent.id}")
    with pytest.raises(ReviewRefused) as again:
        retract(db, APPROVER, sent.id)
    assert again.value.reason == "wrong_state"


def test_a_post_already_gone_counts_as_retracted_and_says_so(
        db: Store, platform: pub.Platform, server: FakePlatform) -> None:
    sent = pub.send(db, platform)
    vanish(server)
    done = retract(db, APPROVER, sent.id)
    assert done.state == "retracted"
    assert done.reason is not None and "sudah tidak ada di platform" in done.reason
    assert "already gone from the platform" in done.reason


@pytest.mark.parametrize("status", [401, 403, 429, 503])
def test_a_refused_or_failed_delete_leaves_it_sent_with_the_reason(
        db: Store, platform: pub.Platform, server: FakePlatform, status: int) -> None:
    sent = pub.send(db, platform)
    answer = {429: platform.rate_limited(server), 503: service_unavailable()}.get(
        status) or refusal(platform.name, status)
    server.fail(DELETE_PATH[platform.name], answer)
    kept = retract(db, APPROVER, sent.id)
    assert kept.state == "sent" and len(platform.posts(server)) == 1
    assert kept.reason is not None and kept.reason.startswith(
        "penarikan gagal, post masih terbit / retraction failed, the post is still up")
    assert str(status) in kept.reason
    assert ("periksa kredensial" in kept.reason) == (status in (401, 403))
    assert db.audit.query()[0].action == "publication_retract_failed"
    assert retract(db, APPROVER, sent.id).state == "retracted"  # the next try goes through
    assert platform.posts(server) == []


def test_telegram_refuses_to_delete_past_48_hours_and_says_what_to_do(
        db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    telegram = pub.PLATFORMS[3]
    with TelegramBotAPI() as bot:
        monkeypatch.setenv(telegram.url_env, bot.url)
        monkeypatch.setenv(telegram.secret_env, telegram.secret)
        sent = pub.send(db, telegram)
        bot.too_old.add(bot.messages[0]["message_id"])
        kept = retract(db, APPROVER, sent.id)
        assert kept.state == "sent" and len(bot.messages) == 1
        assert kept.reason is not None and "message can't be deleted" in kept.reason
        assert "48 jam" in kept.reason and "48 hours" in kept.reason
        [call] = bot.requests_to(f"/bot{telegram.secret}/deleteMessage")
        assert call.json() == {"chat_id": TelegramBotAPI.chat["id"],
                               "message_id": bot.messages[0]["message_id"]}


def test_a_dry_run_publication_is_retracted_in_the_record_only(db: Store) -> None:
    published, _ = publish(db, APPROVER, "dry-run", response_id=approved(db))
    opened: list[object] = []
    done = retract(db, APPROVER, published.id, publishers=lambda c: opened.append(c) or
                   FakePublisher())  # type: ignore[func-returns-value]
    assert done.state == "retracted" and opened == []
    assert done.reason is not None and "dry-run: recorded only" in done.reason


def test_only_an_approver_retracts_only_a_sent_publication(db: Store) -> None:
    fake = FakePublisher(script=[PublishError("invalid", "Validation failed")])
    failed, _ = publish(db, APPROVER, "mastodon:damai@fake.example", response_id=approved(db),
                        publishers=lambda _: fake)
    assert failed.state == "failed"
    with pytest.raises(ReviewRefused) as wrong:
        retract(db, APPROVER, failed.id, publishers=lambda _: fake)
    assert wrong.value.reason == "wrong_state" and "failed" in wrong.value.message
    sent, _ = publish(db, APPROVER, "dry-run", response_id=failed.response_id)
    with pytest.raises(ReviewRefused) as forbidden:
        retract(db, ANALYST, sent.id)
    assert forbidden.value.reason == "forbidden"
    with pytest.raises(NotFound):
        retract(db, APPROVER, 999_999)
    assert "delete" not in " ".join(fake.calls)


def test_the_fake_publisher_deletes_what_it_posted_once(db: Store) -> None:
    fake = FakePublisher()
    sent, _ = publish(db, APPROVER, "mastodon:damai@fake.example", response_id=approved(db),
                      publishers=lambda _: fake)
    assert sent.post_id is not None and fake.posted
    assert retract(db, APPROVER, sent.id, publishers=lambda _: fake).state == "retracted"
    assert fake.posted == {} and fake.calls[-1] == f"delete {sent.post_id}"
    assert fake.delete(sent.post_id) is False


# -- the entry points: the dashboard, the CLI, the API ---------------------------------------------
def _sent_on_mastodon(db_url: str, fake: MastodonInstance, monkeypatch: pytest.MonkeyPatch
                      ) -> Any:
    from damai.storage import open_store

    mastodon = pub.PLATFORMS[0]
    monkeypatch.setenv(mastodon.url_env, fake.url)
    monkeypatch.setenv(mastodon.secret_env, mastodon.secret)
    with open_store(db_url) as store:
        return pub.send(store, mastodon)


def test_the_outbox_button_retracts_after_its_confirmation(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.web_helpers import add_users, client_for, login

    with MastodonInstance() as fake:
        sent = _sent_on_mastodon(db_url, fake, monkeypatch)
        add_users(db_url)
        with client_for(db_url) as client:
            login(client, "viewer")
            assert f'id="retract-{sent.id}"' not in client.get("/outbox").text
        with client_for(db_url) as client:
            csrf = login(client, "approver")
            assert f'id="retract-{sent.id}"' in client.get("/outbox").text
            url = f"/publications/{sent.id}/retract"
            unticked = client.post(url, data={"csrf_token": csrf, "reason": "tanggal salah"})
            assert unticked.status_code == 400 and "Centang konfirmasi dulu" in unticked.text
            assert len(fake.posts()) == 1
            done = client.post(url, data={"csrf_token": csrf, "reason": "tanggal salah",
                                          "confirm": "ya"})
            assert done.status_code == 303
            assert done.headers["location"] == f"/outbox#publication-{sent.id}"
            page = client.get("/outbox").text
            row = page[page.index(f'id="publication-{sent.id}"'):].split("</tr>")[0]
            assert "ditarik" in row and "tanggal salah" in row and "retract-" not in row
            again = client.post(url, data={"csrf_token": csrf, "confirm": "ya"})
            assert again.status_code == 409 and "hanya publikasi terkirim" in again.text
        assert fake.posts() == []


def test_damai_publish_retract_exits_1_when_the_platform_refuses(
        db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    import orjson

    from tests.conftest import run_cli

    with MastodonInstance() as fake:
        sent = _sent_on_mastodon(db_url, fake, monkeypatch)
        fake.fail(DELETE_PATH["mastodon"], service_unavailable())
        code, out, _ = run_cli(capsys, "publish", "--retract", str(sent.id), "--db", db_url)
        assert code == 1 and "penarikan gagal" in out and "503" in out
        code, out, _ = run_cli(capsys, "publish", "--retract", str(sent.id), "--reason",
                               "tanggal salah", "--json", "--db", db_url)
        assert code == 0 and orjson.loads(out)["state"] == "retracted"
        assert orjson.loads(out)["reason"].endswith(": tanggal salah")
        code, _, err = run_cli(capsys, "publish", "--retract", str(sent.id), "--db", db_url)
        assert code != 0 and "hanya publikasi terkirim" in err
    assert fake.posts() == []


def test_the_api_retracts_and_answers_502_when_the_platform_refuses(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.test_api import assert_error, open_api

    # the app's scheduler would collect engagement (GET /api/v1/statuses/:id) and could take
    # the scripted refusal meant for the delete
    monkeypatch.setenv("DAMAI_SCHEDULER", "false")
    with MastodonInstance() as fake:
        sent = _sent_on_mastodon(db_url, fake, monkeypatch)
        for api in open_api(db_url):
            path = f"/publications/{sent.id}/retract"
            fake.fail(DELETE_PATH["mastodon"], Reply(403, {"error": "This action is not "
                                                                    "allowed"}))
            error = assert_error(api.post(path, "approver"), 502, "retract_failed")
            assert "periksa kredensial" in error["message"] and "403" in error["message"]
            assert_error(api.post(path, "analyst"), 403, "forbidden")
            done = api.post(path, "approver", json={"reason": "tanggal salah"})
            assert done.status_code == 200, done.text
            assert done.json()["state"] == "retracted" and done.json()["post_id"] == sent.post_id
            assert_error(api.post(path, "approver"), 409, "wrong_state")
            assert_error(api.post("/publications/424242/retract", "approver"), 404,
                         "not_found")
        assert fake.posts() == []
