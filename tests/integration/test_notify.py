"""Issue #12, "also expected": approvers are told when something waits for them.

E-mail goes to a local SMTP server (aiosmtpd on 127.0.0.1, with a login), Telegram to the fake
Bot API of :mod:`tests.integration.publish_servers`. Notices go out on a background thread;
:func:`damai.notify.drain` waits for them, so nothing here sleeps.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from damai import notify
from damai.errors import PublishError
from damai.pipeline.publishing import publish
from damai.pipeline.responses import propose
from damai.publishers import FakePublisher
from damai.storage import Store
from tests.integration import test_store_contract as contract
from tests.integration.publish_servers import TelegramBotAPI
from tests.integration.test_publishing_boundary import ANALYST, APPROVER, MODEL, PEACE, approved

store_url, db = contract.store_url, contract.db

SMTP_PASSWORD = "s3cr3t-smtp"
BOT_TOKEN = "654321:notify-bot-token"


class Inbox:
    """What the SMTP server received: (recipients, message). Set ``refuse`` to an SMTP reply
    (``"550 5.1.1 ..."``) to refuse every recipient with it."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []
        self.refuse: str | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.refuse is not None:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def _login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        b"damai", SMTP_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    found = Inbox()
    port = _free_port()
    controller = Controller(found, hostname="127.0.0.1", port=port, authenticator=_login,
                            auth_require_tls=False)
    controller.start()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_USER": "damai",
                        "SMTP_PASSWORD": SMTP_PASSWORD, "SMTP_FROM": "damai@damai.example.id",
                        "NOTIFY_EMAILS": "budi@damai.example.id, citra@damai.example.id",
                        "PUBLIC_URL": "https://damai.example.id/"}.items():
        monkeypatch.setenv(f"DAMAI_{name}", value)
    try:
        yield found
    finally:
        notify.drain()
        controller.stop()


@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramBotAPI]:
    with TelegramBotAPI(token=BOT_TOKEN) as fake:
        monkeypatch.setenv("DAMAI_TELEGRAM_API_URL", fake.url)
        monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_CHAT", "@damai_channel")
        yield fake
        notify.drain()


def test_notices_are_off_by_default(db: Store) -> None:
    assert notify.configured_notifier().ways == ()
    assert notify.configured_notifier().send_later(notify.Notice("a", "b")) is None


def test_a_response_proposed_for_review_emails_the_approvers(db: Store, inbox: Inbox) -> None:
    made = propose(db, MODEL, ANALYST, text=PEACE)
    notify.drain()
    [(recipients, message)] = inbox.received
    assert recipients == ["budi@damai.example.id", "citra@damai.example.id"]
    assert message["From"] == "damai@damai.example.id"
    assert message["Subject"] == (f"[Damai] Tanggapan {made.id} menunggu persetujuan / "
                                  f"Response {made.id} awaits approval")
    body = str(message.get_payload(decode=True), "utf-8")
    assert body.index("Diusulkan oleh ani") < body.index("Proposed by ani")
    assert PEACE in body and f"https://damai.example.id/responses#response-{made.id}" in body


def test_a_failed_publication_tells_the_approvers_on_telegram(db: Store, bot: TelegramBotAPI
                                                              ) -> None:
    fake = FakePublisher(script=[PublishError("invalid", "Validation failed: too long")])
    failed, _ = publish(db, APPROVER, "mastodon:damai@fake.example", response_id=approved(db),
                        publishers=lambda _: fake)
    notify.drain()
    assert failed.state == "failed"
    # approved() proposed a response first; the two notices travel on their own threads
    [proposed, sent] = sorted(bot.messages, key=lambda m: not m["text"].startswith("Tanggapan"))
    assert "menunggu persetujuan" in proposed["text"]
    assert sent["text"].startswith(f"Publikasi {failed.id} gagal terbit / Publication "
                                   f"{failed.id} failed")
    assert "Validation failed: too long" in sent["text"]
    assert sent["text"].endswith(f"/outbox#publication-{failed.id}")
    [call, *_] = bot.requests_to(f"/bot{BOT_TOKEN}/sendMessage")
    assert call.json()["chat_id"] == "@damai_channel"


def test_an_uncertain_publication_asks_a_person_to_check_the_platform(
        db: Store, bot: TelegramBotAPI) -> None:
    rid = approved(db)
    fake = FakePublisher(script=[PublishError("server", "Bad Gateway", status=502)],
                         lookup=lambda _: (_ for _ in ()).throw(PublishError("unknown", "?")))
    uncertain, _ = publish(db, APPROVER, "mastodon:damai@fake.example", response_id=rid,
                           publishers=lambda _: fake)
    notify.drain()
    assert uncertain.state == "uncertain"
    [told] = [m["text"] for m in bot.messages if m["text"].startswith("Publikasi")]
    assert told.startswith(f"Publikasi {uncertain.id} tidak pasti terbit")
    assert "check the platform, then settle it" in told


def test_a_notice_that_fails_is_logged_and_never_fails_the_request(
        db: Store, monkeypatch: pytest.MonkeyPatch, bot: TelegramBotAPI,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("DAMAI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DAMAI_SMTP_PORT", str(_free_port()))  # nobody listens there
    monkeypatch.setenv("DAMAI_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("DAMAI_SMTP_USER", "damai")
    monkeypatch.setenv("DAMAI_NOTIFY_EMAILS", "budi@damai.example.id")
    monkeypatch.setenv("DAMAI_NOTIFY_TELEGRAM_TOKEN", "654321:wrong-token")
    made = propose(db, MODEL, ANALYST, text=PEACE)
    assert made.state == "in_review"
    notify.drain()
    assert bot.messages == []
    failures = [r.getMessage() for r in caplog.records if r.name == "damai.notify"]
    assert any("notice failed by email" in f for f in failures)
    assert any("notice failed by telegram" in f and "401" in f for f in failures)
    assert SMTP_PASSWORD not in caplog.text and "wrong-token" not in caplog.text
    failed = notify.configured_notifier().send(notify.Notice("Uji / Test", "isi / body"))
    assert set(failed) == {"email", "telegram"}


def test_the_approvers_badge_counts_failed_and_uncertain_publications(db_url: str) -> None:
    from damai.storage import open_store
    from tests.integration.web_helpers import add_users, client_for, login

    with open_store(db_url) as store:
        fake = FakePublisher(script=[PublishError("invalid", "Text character limit of 500 "
                                                  "exceeded", status=422)])
        failed, _ = publish(store, APPROVER, "mastodon:damai@fake.example",
                            response_id=approved(store), publishers=lambda _: fake)
    assert failed.state == "failed"
    add_users(db_url)
    with client_for(db_url) as client:
        login(client, "approver")
        badge = client.get("/responses/waiting").text
    assert 'data-publications-waiting="1"' in badge and "data-waiting=" not in badge
    assert "1 publikasi gagal atau tidak pasti menunggu Anda" in badge


def test_notice_settings_damai_cannot_use_are_logged_and_the_proposal_stands(
        db: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DAMAI_NOTIFY_TIMEOUT", "sebentar")
    made = propose(db, MODEL, ANALYST, text=PEACE)
    assert made.state == "in_review"
    assert "notice not sent" in caplog.text and "DAMAI_NOTIFY_TIMEOUT" in caplog.text
