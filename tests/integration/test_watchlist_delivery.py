"""Issue #14 part 5: a spike's notification also goes out by e-mail (SMTP, to a local aiosmtpd
server) and through a Telegram bot (a local fake of the Bot API). A way that is down keeps the
delivery pending, shown as pending; it is retried with backoff and sent once the way is back,
never dropped. A way that refuses the notice for good (an SMTP 5xx for the recipients, a Telegram
400 "chat not found") makes the delivery failed, shown as failed with the reason and never tried
again; an SMTP 4xx or a refused bot token keeps it pending. Nothing here sleeps: the clock is
passed in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from damai.pipeline.scheduler import Scheduler
from damai.pipeline.watchlists import add, check, deliver_due
from damai.storage import Store, open_store
from damai.storage.watchlists import Delivery
from tests.integration.publish_servers import TelegramBotAPI
from tests.integration.test_api import Api, lite  # noqa: F401  (fixture)
from tests.integration.test_notify import (  # noqa: F401  (fixtures)
    BOT_TOKEN,
    Inbox,
    _free_port,
    bot,
    inbox,
)
from tests.integration.watchlist_helpers import BURST, QUERY, add_burst, stock
from tests.integration.web_helpers import add_users, client_for, login

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.fixture
def watched(db_url: str) -> Iterator[Store]:
    stock(db_url, NOW)
    with open_store(db_url) as store:
        add(store, "Hoaks banjir Jabar", QUERY, actor="ani", now=NOW)
        yield store


@pytest.fixture
def telegram_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notice bot is configured, but nothing listens where its API should be."""
    monkeypatch.setenv("DAMAI_TELEGRAM_API_URL", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_CHAT", "@damai_channel")
    monkeypatch.setenv("DAMAI_NOTIFY_TIMEOUT", "2")


def test_a_spike_is_emailed_with_the_link_to_its_posts(watched: Store,
                                                       inbox: Inbox) -> None:  # noqa: F811
    (note,) = check(watched, now=NOW)
    assert [d.way for d in note.deliveries] == ["email"]
    assert deliver_due(watched, now=NOW) == {"sent": 1, "retry": 0, "failed": 0}
    [(recipients, message)] = inbox.received
    assert recipients == ["budi@damai.example.id", "citra@damai.example.id"]
    subject = str(message["Subject"]).replace("\r\n", "")  # a long subject is folded
    assert subject.startswith("[Damai] Lonjakan di daftar pantau 'Hoaks banjir "
                                         f"Jabar': {BURST} post dalam 60 menit / Spike on")
    body = str(message.get_payload(decode=True), "utf-8")
    assert body.index("Biasanya 1.00 post") < body.index("Usually 1.00 posts")
    assert f"https://damai.example.id/notifications/{note.id}" in body
    (sent,) = watched.watchlists.notification(note.id).deliveries  # type: ignore[union-attr]
    assert (sent.state, sent.attempts, sent.last_error) == ("sent", 1, None)
    assert deliver_due(watched, now=NOW + timedelta(hours=1))["sent"] == 0  # sent once


def test_telegram_down_stays_pending_is_retried_and_then_sent(
        watched: Store, telegram_down: None, monkeypatch: pytest.MonkeyPatch,
        db_url: str) -> None:
    (note,) = check(watched, now=NOW)
    assert deliver_due(watched, now=NOW) == {"sent": 0, "retry": 1, "failed": 0}
    (pending,) = watched.watchlists.notification(note.id).deliveries  # type: ignore[union-attr]
    assert (pending.state, pending.attempts) == ("pending", 1)
    assert "ConnectError" in (pending.last_error or "")
    assert pending.next_try_at == NOW + timedelta(minutes=1)
    assert deliver_due(watched, now=NOW + timedelta(seconds=30))["retry"] == 0  # not due yet
    deliver_due(watched, now=NOW + timedelta(minutes=1))  # down again: the wait doubles
    (again,) = watched.watchlists.notification(note.id).deliveries  # type: ignore[union-attr]
    assert (again.attempts, again.next_try_at) == (2, NOW + timedelta(minutes=3))
    assert watched.watchlists.pending() == 1

    add_users(db_url, ("viewer",))
    # the app's own scheduler would try the delivery at the real time, out of this test's clock
    monkeypatch.setenv("DAMAI_SCHEDULER", "false")
    with client_for(db_url) as web:
        login(web, "viewer")
        page = web.get("/notifications").text
        assert 'data-delivery="telegram" data-state="pending"' in page
        assert 'data-pending="1"' in web.get("/notifications/badge").text

    with TelegramBotAPI(token=BOT_TOKEN) as back:
        monkeypatch.setenv("DAMAI_TELEGRAM_API_URL", back.url)
        assert deliver_due(watched, now=NOW + timedelta(minutes=3)) == {
            "sent": 1, "retry": 0, "failed": 0}
    (message,) = back.messages
    assert message["text"].startswith("Lonjakan di daftar pantau 'Hoaks banjir Jabar'")
    assert message["text"].endswith(f"/notifications/{note.id}")
    (sent,) = watched.watchlists.notification(note.id).deliveries  # type: ignore[union-attr]
    assert (sent.state, sent.attempts) == ("sent", 3) and watched.watchlists.pending() == 0


def test_the_backoff_is_capped_at_an_hour(watched: Store, telegram_down: None) -> None:
    check(watched, now=NOW)
    at = NOW
    for _ in range(10):
        deliver_due(watched, now=at)
        (d,) = watched.watchlists.notifications()[0].deliveries
        assert d.state == "pending" and d.next_try_at - at <= timedelta(hours=1)
        at = d.next_try_at
    assert d.attempts == 10 and d.next_try_at - at == timedelta(0)
    assert watched.watchlists.pending() == 1  # still there after ten failures


def test_the_scheduler_checks_the_watchlists_every_minute(watched: Store,
                                                          telegram_down: None) -> None:
    clock = [NOW]
    scheduler = Scheduler(watched, now=lambda: clock[0], interval=0)
    scheduler.watch_when_due()
    (note,) = watched.watchlists.notifications()
    assert note.count == BURST and watched.watchlists.pending() == 1
    clock[0] = NOW + timedelta(seconds=20)
    scheduler.watch_when_due()  # not due: the delivery is not tried again yet
    assert watched.watchlists.notifications()[0].deliveries[0].attempts == 1


def test_a_way_that_fails_is_tried_once_a_run(watched: Store, telegram_down: None,
                                              db_url: str) -> None:
    check(watched, now=NOW)
    later = NOW + timedelta(hours=2)
    add_burst(db_url, "c", later)
    check(watched, now=later)
    assert deliver_due(watched, now=later) == {"sent": 0, "retry": 1, "failed": 0}
    attempts = sorted(n.deliveries[0].attempts for n in watched.watchlists.notifications())
    assert attempts == [0, 1] and watched.watchlists.pending() == 2  # the other one waits


def _delivery(store: Store) -> Delivery:
    (note,) = store.watchlists.notifications()
    (found,) = note.deliveries
    return found


def test_a_chat_telegram_does_not_know_fails_for_good_and_shows_why(
        watched: Store, bot: TelegramBotAPI,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_CHAT", "@saluran_salah")
    (note,) = check(watched, now=NOW)
    assert deliver_due(watched, now=NOW) == {"sent": 0, "retry": 0, "failed": 1}
    failed = _delivery(watched)
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert failed.last_error == "Refused: HTTP 400: Bad Request: chat not found"
    assert watched.watchlists.pending() == 0 and watched.watchlists.due(NOW + DAY) == []
    assert deliver_due(watched, now=NOW + DAY) == {"sent": 0, "retry": 0, "failed": 0}
    assert bot.messages == [] and _delivery(watched).attempts == 1  # never tried again

    add_users(db_url, ("viewer",))
    monkeypatch.setenv("DAMAI_SCHEDULER", "false")
    with client_for(db_url) as web:
        login(web, "viewer")
        for page in (web.get("/notifications").text, web.get(f"/notifications/{note.id}").text):
            shown = re.search(r'data-delivery="telegram" data-state="failed"[^>]*>([^<]*)<span '
                              r'class="reason">([^<]*)</span>', page)
            assert shown, "the failed delivery is not shown"
            assert shown.group(1).startswith("telegram: gagal")
            assert shown.group(2) == "Refused: HTTP 400: Bad Request: chat not found"
        assert "data-pending" not in web.get("/notifications/badge").text


def test_a_refused_bot_token_stays_pending(watched: Store, bot: TelegramBotAPI,  # noqa: F811
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong token is the operator's to fix; the waiting notices go out once it is."""
    monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_TOKEN", "999:salah")
    check(watched, now=NOW)
    assert deliver_due(watched, now=NOW) == {"sent": 0, "retry": 1, "failed": 0}
    assert _delivery(watched).state == "pending"
    assert _delivery(watched).last_error == "RuntimeError: HTTP 401: Unauthorized"
    monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_TOKEN", BOT_TOKEN)
    assert deliver_due(watched, now=NOW + DAY)["sent"] == 1 and len(bot.messages) == 1


@pytest.mark.parametrize(("reply", "state", "done"), [
    ("550 5.1.1 Mailbox unavailable", "failed", {"sent": 0, "retry": 0, "failed": 1}),
    ("450 4.2.1 Mailbox busy, try later", "pending", {"sent": 0, "retry": 1, "failed": 0}),
])
def test_an_smtp_5xx_for_the_recipients_fails_and_a_4xx_is_retried(
        watched: Store, inbox: Inbox, reply: str, state: str,  # noqa: F811
        done: dict[str, int]) -> None:
    inbox.refuse = reply
    check(watched, now=NOW)
    assert deliver_due(watched, now=NOW) == done
    found = _delivery(watched)
    assert (found.state, found.attempts) == (state, 1) and inbox.received == []
    assert reply.split()[0] in (found.last_error or "")
    inbox.refuse = None  # the server accepts again: only the pending delivery goes out
    assert deliver_due(watched, now=NOW + DAY)["sent"] == (state == "pending")
    assert len(inbox.received) == (state == "pending")


def test_the_api_shows_a_failed_delivery_with_its_reason(lite: Api,  # noqa: F811
                                                         bot: TelegramBotAPI,  # noqa: F811
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_CHAT", "@saluran_salah")
    stock(lite.url, NOW)
    with open_store(lite.url) as store:
        add(store, "Hoaks banjir Jabar", QUERY, actor="ani", now=NOW)
        check(store, now=NOW)
        deliver_due(store, now=NOW)
    (item,) = lite.get("/notifications").json()["items"]
    (delivery,) = item["deliveries"]
    assert delivery["state"] == "failed"
    assert delivery["last_error"] == "Refused: HTTP 400: Bad Request: chat not found"
