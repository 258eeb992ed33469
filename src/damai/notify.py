"""Telling approvers that something waits for them (issue #12), by e-mail and by Telegram.

A :class:`Notice` is generic (a subject, a body, a link), so anything may send one: a response
proposed for review, an ``uncertain`` or ``failed`` publication, and later a watchlist spike
(issue #14). :func:`configured_notifier` builds a :class:`Notifier` from the settings; both ways
are off by default:

- e-mail over SMTP (stdlib :mod:`smtplib`) when ``DAMAI_SMTP_HOST`` and ``DAMAI_NOTIFY_EMAILS``
  are set: from ``DAMAI_SMTP_FROM``, logging in as ``DAMAI_SMTP_USER`` with the secret
  ``DAMAI_SMTP_PASSWORD`` when a user is set, with STARTTLS whenever the server offers it;
- Telegram (Bot API ``sendMessage``, httpx) when ``DAMAI_NOTIFY_TELEGRAM_CHAT`` is set, with the
  secret ``DAMAI_NOTIFY_TELEGRAM_TOKEN`` (else the publishing bot's ``DAMAI_TELEGRAM_BOT_TOKEN``).

A notice must never block or fail the request that caused it: :meth:`Notifier.send_later` sends
it on a background thread, after the caller committed its work, each way with a short timeout
(``DAMAI_NOTIFY_TIMEOUT``). A way that fails is logged (``damai.notify``, without the
credential) and reported by :meth:`Notifier.send`, never raised. :meth:`Notifier.attempt`
also says whether the way refused the notice for good (:class:`Refused`: an SMTP 5xx for every
recipient, the sender or the message; a Telegram 400 or 403, such as "chat not found" or a bot
blocked), so a caller that retries (watchlist deliveries) stops; a server that is down or busy,
an SMTP 4xx, a Telegram 429 or 5xx, and a refused login or bot token (fixed by the operator,
after which the waiting notices should go out) may pass. :func:`drain` waits for the
notices still on their way (tests do; the threads are daemons, so a process that ends does not
wait for a slow mail server).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx

from damai import settings
from damai.httpclient import RedactSecret

__all__ = ["EmailWay", "Failure", "Notice", "NoticeWay", "Notifier", "Refused", "TelegramWay",
           "configured_notifier", "dashboard_link", "drain"]

log = logging.getLogger("damai.notify")

#: notices still being sent on their background threads
_PENDING: list[threading.Thread] = []
_PENDING_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Notice:
    """What to tell: ``subject`` and ``body`` Indonesian first, then English; ``link`` is the
    dashboard page where the thing waits (from :func:`dashboard_link`)."""

    subject: str
    body: str
    link: str | None = None

    def text(self) -> str:
        return "\n\n".join(p for p in (self.subject, self.body, self.link) if p)


def dashboard_link(path: str) -> str:
    """``path`` under ``DAMAI_PUBLIC_URL`` (the dashboard as approvers open it), or the path
    alone when that is not set."""
    base = settings.get("public_url").rstrip("/")
    return f"{base}{path}" if base else path


class Refused(RuntimeError):
    """The way refused this notice for good (its recipients, chat or content): sending it again
    would be refused again. See the module doc for what counts."""


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a way did not take a notice, and whether it refused it for good (:class:`Refused`)."""

    reason: str
    permanent: bool


def _smtp_refusal(exc: smtplib.SMTPException) -> Refused | None:
    """A :class:`Refused` for an SMTP 5xx refusal of every recipient, the sender or the
    message; None for anything that may pass (4xx, a refused login)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return Refused(f"SMTP {codes[0]}: penerima ditolak / recipients refused: "
                           f"{', '.join(exc.recipients)}")
    elif isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError) \
            and 500 <= exc.smtp_code < 600:
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        return Refused(f"SMTP {exc.smtp_code}: {detail}")
    return None


class NoticeWay(Protocol):
    """One way to reach approvers; :meth:`send` raises on failure (the notifier catches it)."""

    @property
    def name(self) -> str:
        ...

    def send(self, notice: Notice) -> None:
        ...


@dataclass(frozen=True, slots=True)
class EmailWay:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str = ""
    password: str = ""
    timeout: float = 10.0
    name: str = "email"

    def send(self, notice: Notice) -> None:
        message = EmailMessage()
        message["Subject"] = f"[Damai] {notice.subject}"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(notice.text())
        try:
            self._send(message)
        except smtplib.SMTPException as exc:
            refused = _smtp_refusal(exc)
            if refused is not None:
                raise refused from exc
            raise

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


@dataclass(frozen=True, slots=True)
class TelegramWay:
    base_url: str
    token: str
    chat_id: str
    timeout: float = 10.0
    name: str = "telegram"

    def send(self, notice: Notice) -> None:
        redact = RedactSecret(self.token)
        logging.getLogger("httpx").addFilter(redact)
        try:
            with httpx.Client(base_url=f"{self.base_url.rstrip('/')}/bot{self.token}",
                              timeout=self.timeout) as http:
                response = http.post("/sendMessage", json={
                    "chat_id": self.chat_id, "text": notice.text()[:4096],
                    "link_preview_options": {"is_disabled": True}})
        finally:
            logging.getLogger("httpx").removeFilter(redact)
        body = response.json() if response.headers.get("content-type", "").startswith(
            "application/json") else {}
        if not (isinstance(body, dict) and body.get("ok") is True):
            detail = body.get("description") if isinstance(body, dict) else None
            failed = Refused if response.status_code in (400, 403) and detail else RuntimeError
            raise failed(f"HTTP {response.status_code}: {detail or 'no Bot API answer'}")


class Notifier:
    """Sends a notice every configured way; a failure is logged, never raised."""

    def __init__(self, ways: Sequence[NoticeWay] = ()) -> None:
        self.ways = tuple(ways)

    def send(self, notice: Notice) -> dict[str, str]:
        """Send now; return the ways that failed, each with why (empty: all went out)."""
        return {name: failure.reason for name, failure in self.attempt(notice).items()}

    def attempt(self, notice: Notice) -> dict[str, Failure]:
        """Send now; return the ways that failed, each with why and whether for good."""
        failed: dict[str, Failure] = {}
        for way in self.ways:
            try:
                way.send(notice)
            except (OSError, smtplib.SMTPException, httpx.HTTPError, RuntimeError,
                    ValueError) as exc:
                failed[way.name] = Failure(f"{type(exc).__name__}: {exc}"[:300],
                                           isinstance(exc, Refused))
                log.warning("pemberitahuan gagal lewat %s / notice failed by %s: %s (%s)",
                            way.name, way.name, failed[way.name].reason, notice.subject)
        return failed

    def send_later(self, notice: Notice) -> threading.Thread | None:
        """Send on a background thread, so the caller's request neither waits nor fails."""
        if not self.ways:
            return None
        thread = threading.Thread(target=self.send, args=(notice,), name="damai-notify",
                                  daemon=True)
        with _PENDING_LOCK:
            _PENDING[:] = [t for t in _PENDING if t.is_alive()]
            _PENDING.append(thread)
        thread.start()
        return thread


def drain() -> None:
    """Wait for every notice still on its way (each is bounded by its timeouts)."""
    with _PENDING_LOCK:
        waiting = list(_PENDING)
        _PENDING.clear()
    for thread in waiting:
        thread.join()


def configured_notifier() -> Notifier:
    """The ways the settings turn on (none by default)."""
    timeout = settings.get_float("notify_timeout")
    ways: list[NoticeWay] = []
    recipients = tuple(a.strip() for a in settings.get("notify_emails").split(",") if a.strip())
    host = settings.get("smtp_host").strip()
    if host and recipients:
        ways.append(EmailWay(host, settings.get_int("smtp_port"), settings.get("smtp_from"),
                             recipients, settings.get("smtp_user"),
                             settings.get_secret("smtp_password"), timeout))
    chat = settings.get("notify_telegram_chat").strip()
    token = (settings.get_secret("notify_telegram_token")
             or settings.get_secret("telegram_bot_token")).strip() if chat else ""
    if chat and token:
        ways.append(TelegramWay(settings.get("telegram_api_url"), token, chat, timeout))
    return Notifier(ways)
